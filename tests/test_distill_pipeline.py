"""End-to-end offline ``skillforge distill`` on self-written logs into a scratch library."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import git
import orjson
import pytest

FIX = Path(__file__).parent / "fixtures" / "distill"
LABELS = str(FIX / "labels.json")
OFFLINE_NOTE = "no LLM provider configured: using the offline miner"


def _distill(cli, logs, lib: Path, *extra: str):
    return cli("distill", str(logs), "--labels", LABELS, "--library", str(lib), "--init", "--json", *extra)


def _branches(lib: Path) -> list[str]:
    return sorted(h.name for h in git.Repo(lib).heads if h.name.startswith("skillforge/"))


def _tree_files(lib: Path, ref: str) -> dict[str, str]:
    commit = git.Repo(lib).commit(ref)
    return {b.path: b.data_stream.read().decode() for b in commit.tree.traverse() if b.type == "blob"}


@pytest.fixture
def first_run(cli, tmp_path):
    lib = tmp_path / "lib"
    res = _distill(cli, FIX / "batch1", lib)
    assert res.code == 0, res.err
    return lib, orjson.loads(res.out)


def _merge(lib: Path, branch: str) -> None:
    git.Repo(lib).git.merge("--ff-only", branch)


def _commit_all(lib: Path, message: str) -> None:
    repo = git.Repo(lib)
    repo.git.add("-A")
    repo.index.commit(message)


def _validate_branch(lib: Path, branch: str, tmp: Path):  # type: ignore[no-untyped-def]
    from skillforge.skills.validate import validate_paths

    checkout = tmp / "checkout"
    git.Repo(lib).clone(str(checkout), branch=branch)
    return validate_paths([checkout])


def test_distill_commits_valid_skills_with_evidence_on_a_review_branch(first_run, tmp_path) -> None:
    from skillforge.skills.document import parse

    lib, report = first_run
    assert report["provider"] == "offline" and OFFLINE_NOTE in report["notes"]
    assert report["trajectories"] == 3 and report["lessons_kept"] >= 1
    assert report["branch"] == f"skillforge/{report['run_id']}" and _branches(lib) == [report["branch"]]
    assert git.Repo(lib).active_branch.name == "main"
    assert not any(p.startswith("skills/") and p.endswith("SKILL.md") for p in _tree_files(lib, "main"))
    files = _tree_files(lib, report["branch"])
    skill_files = [p for p in files if p.endswith("/SKILL.md")]
    assert skill_files and {c["action"] for c in report["changes"]} == {"added"}
    validation = _validate_branch(lib, report["branch"], tmp_path)
    assert validation.skills == len(skill_files) and validation.errors == [], validation.errors
    for path in skill_files:
        skill = parse(files[path], path)
        assert int(skill.meta("evidence")) >= 2
        evidence = files[path.replace("SKILL.md", "references/evidence.md")]
        assert "](references/evidence.md)" in skill.body and "ledgerkit" in evidence
    distilled = orjson.loads(files[".skillforge/distilled.json"])["trajectories"]
    assert len(distilled) == 3
    provenance = orjson.loads(files[".skillforge/provenance.json"])["skills"]
    assert provenance and all(entry["trajectories"] for entry in provenance.values())
    body = Path(report["pr_body"]).read_text()
    assert "evidence" in body and report["run_id"] in body
    # the library has no remote: review and merge locally, and how to add a remote before publishing
    assert any(c.startswith("skillforge diff skillforge/") for c in report["commands"])
    assert any(c.startswith("git -C") and "remote add origin" in c for c in report["commands"])
    assert not any("git push" in c or "gh pr create" in c for c in report["commands"])


def test_rerun_makes_no_new_commit(first_run, cli) -> None:
    lib, report = first_run
    again = orjson.loads(_distill(cli, FIX / "batch1", lib).out)
    assert _branches(lib) == [report["branch"]]
    assert again["commit"] == report["commit"] and any("already done" in n for n in again["notes"])
    _merge(lib, report["branch"])
    merged = orjson.loads(_distill(cli, FIX / "batch1", lib).out)
    assert merged["skipped_trajectories"] == 3 and merged["branch"] is None
    assert any("nothing new" in n for n in merged["notes"])


def test_labels_added_on_a_rerun_are_not_already_done(cli, tmp_path) -> None:
    """README: run once, then 'add --labels … to tell it which runs succeeded'. The second run said
    "already done" (the run id left outcomes out) and, forced, reused the cached facts with no outcome."""
    lib = tmp_path / "lib"
    plain = orjson.loads(cli("distill", str(FIX / "batch1"), "--library", str(lib), "--init", "--json").out)
    labelled = orjson.loads(_distill(cli, FIX / "batch1", lib).out)
    assert labelled["status"] == "committed" and labelled["run_id"] != plain["run_id"]
    evidence = _tree_files(lib, labelled["branch"])["skills/python-import-errors/references/evidence.md"]
    assert "(success)" in evidence and "(unknown)" not in evidence
    assert orjson.loads(_distill(cli, FIX / "batch1", lib).out)["status"] == "already_done"


def test_another_min_support_over_the_same_logs_is_a_new_run(first_run, cli) -> None:
    """Left alone by the user walkthrough: '--min-support 1' after a default run said 'already done'
    and showed the first run's skills, not those the lower gate keeps."""
    lib, report = first_run
    lower = orjson.loads(_distill(cli, FIX / "batch1", lib, "--min-support", "1").out)
    assert lower["status"] == "committed" and lower["run_id"] != report["run_id"], lower
    assert lower["lessons_kept"] > report["lessons_kept"]
    again = orjson.loads(_distill(cli, FIX / "batch1", lib, "--min-support", "2").out)  # the default, said
    assert again["status"] == "already_done" and again["run_id"] == report["run_id"]


def test_a_run_over_logs_an_unmerged_review_branch_holds_says_so(first_run, cli, tmp_path) -> None:
    """Found on ../shared/corpus: distilling the same logs plus one more before merging the first branch
    made a second branch adding the same skills; merging both then conflicted in every skill file."""
    lib, first = first_run
    logs = tmp_path / "logs"
    shutil.copytree(FIX / "batch1", logs / "batch1")
    shutil.copytree(FIX / "batch2", logs / "batch2")
    again = orjson.loads(_distill(cli, logs, lib).out)
    assert again["status"] == "committed" and again["branch"] != first["branch"]
    assert any(
        f"3 of these trajectories are on {first['branch']}, not merged" in note for note in again["notes"]
    ), again["notes"]
    _merge(lib, first["branch"])
    third = " ".join(orjson.loads(_distill(cli, FIX / "batch2", lib).out)["notes"])
    assert first["branch"] not in third and f"are on {again['branch']}, not merged" in third  # merged: quiet


def test_a_run_that_makes_no_branch_does_not_say_its_branch_adds_skills_again(first_run, cli) -> None:
    # a run over an unmerged branch's logs that keeps nothing said "this run's branch adds their skills
    # again (… merging both conflicts)" beside "nothing changed: … no branch was created"
    lib, _ = first_run
    again = orjson.loads(_distill(cli, FIX / "batch1", lib, "--min-support", "100").out)
    assert again["status"] == "nothing_changed" and again["branch"] is None, again
    assert not any("not merged" in note for note in again["notes"]), again["notes"]


def test_new_logs_update_skills_and_keep_hand_edits_and_locks(first_run, cli, tmp_path) -> None:
    from skillforge.skills.document import parse, render

    lib, report = first_run
    _merge(lib, report["branch"])
    skills = sorted((lib / "skills").glob("*/SKILL.md"))
    locked, *others = skills
    for path in others:
        path.write_text(
            path.read_text() + "\n## Team notes\n\nAsk Dana before changing CI "
            "([team rules](references/team.md)).\n"
        )
        (path.parent / "references" / "team.md").write_text("# Team rules\n\nCI changes need a review.\n")
    skill = parse(locked.read_text(), str(locked))
    skill.set_meta("locked", "true")
    locked.write_text(render(skill))
    _commit_all(lib, "hand edits")
    res = _distill(cli, FIX / "batch2", lib, "--min-support", "1")
    second = orjson.loads(res.out)
    assert second["branch"] and second["branch"] != report["branch"], res.err
    files = _tree_files(lib, second["branch"])
    updated = [c["skill"] for c in second["changes"] if c["action"] == "updated"]
    assert updated and skill.name not in updated
    for name in updated:
        text = files[f"skills/{name}/SKILL.md"]
        assert "Ask Dana before changing CI" in text and f"skills/{name}/references/team.md" in files
        assert parse(text).meta("version") == "2"
    assert files[f"skills/{skill.name}/SKILL.md"] == locked.read_text()
    validation = _validate_branch(lib, second["branch"], tmp_path)
    assert validation.errors == [], validation.errors


def test_lessons_seen_once_wait_in_the_library_for_support_from_later_runs(first_run, cli) -> None:
    lib, report = first_run
    first = _tree_files(lib, report["branch"])
    waiting = orjson.loads(first[".skillforge/pending.json"])["lessons"]
    assert waiting and all(len({e["trajectory_id"] for e in lesson["evidence"]}) == 1 for lesson in waiting)
    batch1 = set(orjson.loads(first[".skillforge/distilled.json"])["trajectories"])
    _merge(lib, report["branch"])
    second = orjson.loads(_distill(cli, FIX / "batch2", lib).out)
    assert any(
        f"{len(waiting)} lessons waiting" in n and "now have the support" in n for n in second["notes"]
    )
    files = _tree_files(lib, second["branch"])
    provenance = orjson.loads(files[".skillforge/provenance.json"])["skills"]
    added = [c["skill"] for c in second["changes"] if c["action"] == "added"]
    # a skill new in the second run rests on a first-run trajectory (batch1 is not read again) and a new one
    assert any(
        set(provenance[name]["trajectories"]) & batch1 and set(provenance[name]["trajectories"]) - batch1
        for name in added
    )
    for path in (p for p in files if p.endswith("/SKILL.md")):  # a waiting lesson joins its new copy
        bullets = [line.split(" (")[0] for line in files[path].splitlines() if line.startswith("- ")]
        assert len(bullets) == len(set(bullets)), path
    still = (
        orjson.loads(files[".skillforge/pending.json"])["lessons"]
        if ".skillforge/pending.json" in files
        else []
    )
    assert not {w["title"] for w in waiting} & {w["title"] for w in still}  # admitted: no longer waiting


def test_min_support_gate(cli, tmp_path) -> None:
    high = orjson.loads(_distill(cli, FIX / "batch1", tmp_path / "a", "--min-support", "4").out)
    assert high["lessons"] >= 1 and high["lessons_kept"] == 0 and high["branch"] is None
    assert any("--min-support" in n for n in high["notes"])
    low = orjson.loads(_distill(cli, FIX / "batch1", tmp_path / "b", "--min-support", "1").out)
    default = orjson.loads(_distill(cli, FIX / "batch1", tmp_path / "c").out)
    assert low["lessons_kept"] > default["lessons_kept"] > 0


def _counted(monkeypatch, owner, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The ids of the trajectories ``owner.name`` is called with (it still runs), from now on."""
    calls: list[str] = []
    original = getattr(owner, name)

    def counting(*args):  # type: ignore[no-untyped-def]
        calls.append(args[-1].id)  # the trajectory: the last argument of a method or a function
        return original(*args)

    monkeypatch.setattr(owner, name, counting)
    return calls


def test_rerun_over_same_logs_hits_the_cache(cli, tmp_path, monkeypatch) -> None:
    from skillforge.distill.offline import OfflineMapper

    calls = _counted(monkeypatch, OfflineMapper, "map")
    first = orjson.loads(_distill(cli, FIX / "batch1", tmp_path / "a").out)
    assert len(calls) == 3
    second = orjson.loads(_distill(cli, FIX / "batch1", tmp_path / "b").out)
    assert len(calls) == 3
    assert [c["skill"] for c in second["changes"]] == [c["skill"] for c in first["changes"]]


def test_a_rerun_over_logs_with_secrets_maps_nothing_again(cli, tmp_path, monkeypatch) -> None:
    """Distill redacts a run in place before mapping it: the cache key must be the same before and after
    (a review found 16 of 100 mini-swe-agent runs mapped again on every rerun, the ones with a secret)."""
    from skillforge.distill.offline import OfflineMapper
    from skillforge.safety import trajectory_redaction

    calls = _counted(monkeypatch, OfflineMapper, "map")
    redacted = _counted(monkeypatch, trajectory_redaction, "redact_trajectory")
    logs = tmp_path / "projects" / "-home-dev-shop"
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2
    for session in ("3f0c2a91", "9b1d7c44"):
        _claude_session(
            logs,
            f"{session}-7d4e-4b7a-9c11-5e2f8a6b1d01",
            command=("npm test", f"GH_TOKEN={token}\n  12 passing\n"),
        )
    first = orjson.loads(cli("distill", str(logs), "--library", str(tmp_path / "a"), "--init", "--json").out)
    assert len(calls) == 2 and len(redacted) == 2 and first["redactions"], first
    second = orjson.loads(cli("distill", str(logs), "--library", str(tmp_path / "b"), "--init", "--json").out)
    assert len(calls) == 2  # nothing mapped again
    assert len(redacted) == 2  # nor redacted again: the fast path found both runs by their keys
    assert second["redactions"] == first["redactions"]


def test_dry_run_writes_nothing(cli, tmp_path) -> None:
    lib = tmp_path / "lib"
    res = cli("distill", str(FIX / "batch1"), "--library", str(lib), "--init", "--dry-run")
    assert res.code == 0 and not lib.exists()
    assert "trajectories" in res.out and "3" in res.out


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--executor", "foo"], "unknown executor 'foo'"),
        (["--executor", "ray"], "--executor ray needs Ray, which is not installed"),
        (["--ray-address", "ray://head:10001"], "--ray-address needs --executor ray"),
        (["--batch"], "--batch and --resume need an LLM provider"),
        (["--resume"], "--batch and --resume need an LLM provider"),
    ],
)
def test_dry_run_refuses_the_options_the_real_run_refuses(cli, tmp_path, monkeypatch, options, says) -> None:
    """A dry run is the preview of the real run: it printed a plan (exit 0) for an unknown executor,
    Ray not installed, or --batch/--resume without a provider, which the real run refuses (exit 2)."""
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as when it is not installed
    lib = tmp_path / "lib"
    dry = cli("distill", str(FIX / "batch1"), "--library", str(lib), "--init", "--dry-run", *options)
    real = cli("distill", str(FIX / "batch1"), "--library", str(lib), "--init", *options)
    assert dry.code == real.code == 2, (dry.err, real.err)
    assert says in dry.err and says in real.err and dry.out == "" and "Traceback" not in dry.err
    assert not lib.exists()


def test_dry_run_previews_skipped_inputs_and_already_distilled_runs(first_run, cli, tmp_path) -> None:
    """The plan said "trajectories 0" for logs the library already holds, and left out a file that is
    not a log, so the dry run exited 0 where the real run exits 3 (partial) on the same inputs."""
    lib, first = first_run
    _merge(lib, first["branch"])
    logs = tmp_path / "logs"
    shutil.copytree(FIX / "batch2", logs)
    shutil.copytree(FIX / "batch1", logs / "batch1")
    (logs / "notes.jsonl").write_text('{"hello": "not an agent log"}\n')
    dry = cli("distill", str(logs), "--library", str(lib), "--json", "--dry-run")
    real = cli("distill", str(logs), "--library", str(lib), "--json")
    plan, report = orjson.loads(dry.out), orjson.loads(real.out)
    assert real.code == 3 and dry.code == 3, (dry.err, real.err)
    assert plan["skipped_inputs"] == report["skipped_inputs"] and plan["partial"]
    assert plan["plan"]["already_distilled"] == report["skipped_trajectories"] > 0
    text = cli("distill", str(logs), "--library", str(lib), "--dry-run")
    assert "already distilled" in text.out and "notes.jsonl" in text.err


def test_secrets_are_redacted_before_anything_is_written(cli, tmp_path) -> None:
    logs = tmp_path / "logs"
    shutil.copytree(FIX / "batch1", logs)
    key = "sk-ant-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY"
    traj = next(logs.rglob("ledgerkit-101.traj.json"))
    traj.write_text(
        traj.read_text().replace(
            "Successfully installed ledgerkit-0.3.0",
            f"Successfully installed ledgerkit-0.3.0 ANTHROPIC_API_KEY={key}",
        )
    )
    report = orjson.loads(_distill(cli, logs, tmp_path / "lib").out)
    assert sum(report["redactions"].values()) == 1
    files = _tree_files(tmp_path / "lib", report["branch"])
    assert not any(key in text for text in files.values())
    cached = orjson.loads(_distill(cli, logs, tmp_path / "lib2").out)  # map results from the cache
    assert cached["redactions"] == report["redactions"] and cached["changes"] == report["changes"]


def test_missing_library_without_init_is_one_line_error(cli, tmp_path) -> None:
    res = cli("distill", str(FIX / "batch1"), "--library", str(tmp_path / "nope"))
    err = " ".join(res.err.split())
    assert res.code == 1 and "is not a skill library" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "description",
    [
        "Use when testing. " * 80,  # breaks the spec: over 1024 characters
        # a warning for libraries (SF112), but the Claude API refuses it: never written by skillforge
        "Push to <remote> safely. Use when testing.",
    ],
)
def test_a_change_that_fails_validation_is_dropped_not_committed(first_run, cli, description) -> None:
    from skillforge.skills.document import parse, render

    lib, report = first_run
    _merge(lib, report["branch"])
    paths = sorted((lib / "skills").glob("*/SKILL.md"))
    for path in paths:  # a hand edit that the written skill must not carry
        skill = parse(path.read_text(), str(path))
        skill.description = description
        path.write_text(render(skill))
    _commit_all(lib, "overlong descriptions")
    res = _distill(cli, FIX / "batch2", lib, "--min-support", "1")
    second = orjson.loads(res.out)
    dropped = [f for f in second["failures"] if " dropped: invalid" in f]
    assert res.code == 3 and dropped
    assert all(c["action"] == "added" for c in second["changes"])
    if second["branch"]:
        files = _tree_files(lib, second["branch"])
        for path in paths:
            rel = path.relative_to(lib).as_posix()
            assert files[rel] == path.read_text()


@pytest.mark.corpus
def test_corpus_mini_swe_agent_gives_repository_skills(cli, corpus, tmp_path) -> None:
    trajs = corpus / "mini-swe-agent"
    res = cli(
        "distill",
        str(trajs / "trajs"),
        "--labels",
        str(trajs / "labels.json"),
        "--library",
        str(tmp_path / "lib"),
        "--init",
        "--json",
    )
    report = orjson.loads(res.out)
    names = {c["skill"] for c in report["changes"]}
    assert res.code == 0 and report["trajectories"] == 100 and report["failures"] == []
    assert len(names) >= 5 and sum(name.endswith("-workflow") for name in names) >= 3
    assert all(c["evidence"] >= 2 for c in report["changes"])


def _claude_session(
    folder: Path,
    session: str,
    agent: str | None = None,
    edit: bool = False,
    task: str = "Fix the failing cart total test.",
    project: str = "shop",
    command: tuple[str, str] = ("npm test", "  12 passing (40ms)\n"),
) -> None:
    """A Claude Code session (or, with ``agent``, one of its subagents) that ran ``npm test`` in
    /home/dev/shop (or ``project``) and saw it pass (with ``edit``: that edited src/cart.js instead), as
    Claude Code 2.1 writes it."""
    cwd = f"/home/dev/{project}"
    base = {"isSidechain": bool(agent), "cwd": cwd, "sessionId": session, "version": "2.1.56"}
    base |= {"agentId": agent} if agent else {}
    call = f"toolu_{agent or session[:8]}"
    change = {"file_path": f"{cwd}/src/cart.js", "old_string": "a", "new_string": "b"}
    tool = {"name": "Edit", "input": change} if edit else {"name": "Bash", "input": {"command": command[0]}}
    messages = [
        ("user", {"role": "user", "content": task}),
        (
            "assistant",
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": call, **tool}],
            },
        ),
        (
            "user",
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": call, "content": command[1]}],
            },
        ),
        ("assistant", {"role": "assistant", "content": [{"type": "text", "text": "All tests pass."}]}),
    ]
    lines, parent = [], None
    for n, (kind, message) in enumerate(messages, 1):
        uuid = f"{(agent or session)[:8]:0>8}-0000-4000-8000-{n:012d}"
        lines.append(
            orjson.dumps({**base, "parentUuid": parent, "uuid": uuid, "type": kind, "message": message})
        )
        parent = uuid
    path = folder / (f"{session}/subagents/agent-{agent}.jsonl" if agent else f"{session}.jsonl")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_a_session_and_its_own_subagent_are_not_two_runs_of_support(cli, tmp_path) -> None:
    logs = tmp_path / "projects" / "-home-dev-shop"
    first, second = "3f0c2a91-7d4e-4b7a-9c11-5e2f8a6b1d01", "9b1d7c44-2e6f-4a53-8d0e-7c3a9f4e2b10"
    _claude_session(logs, first)
    _claude_session(logs, first, agent="a7f3e21")  # the same command, run by a subagent of that session
    res = cli("distill", str(logs), "--library", str(tmp_path / "lib"), "--init", "--json")
    report = orjson.loads(res.out)
    assert res.code == 0 and report["trajectories"] == 2 and report["lessons_kept"] == 0, report
    assert any("fewer than 2 runs" in note and "subagent" in note for note in report["notes"])
    _claude_session(logs, second)  # a second, independent session: now two runs
    report = orjson.loads(
        cli("distill", str(logs), "--library", str(tmp_path / "lib2"), "--init", "--json").out
    )
    assert report["lessons_kept"] >= 1 and report["changes"], report


def test_kept_lessons_that_make_no_skill_say_why(cli, tmp_path) -> None:
    logs = tmp_path / "projects" / "-home-dev-shop"
    tasks = {
        "3f0c2a91-7d4e-4b7a-9c11-5e2f8a6b1d01": "Fix the cart total.",
        "9b1d7c44-2e6f-4a53-8d0e-7c3a9f4e2b10": "Round cart prices.",
    }
    for session, task in tasks.items():  # two tasks change src/cart.js: a code area, nothing else
        _claude_session(logs, session, edit=True, task=task)
    report = orjson.loads(
        cli("distill", str(logs), "--library", str(tmp_path / "lib"), "--init", "--json").out
    )
    assert report["lessons_kept"] >= 1 and report["changes"] == [] and report["branch"] is None, report
    assert any("make no skill on their own" in note for note in report["notes"]), report["notes"]


def test_code_areas_are_not_called_success_patterns(cli, tmp_path) -> None:
    """A reader found "1 success pattern" in the console and the pull request for a file changed by
    two runs, one of which failed: the offline miner's code areas are said to be code areas."""
    logs = tmp_path / "projects" / "-home-dev-shop"
    for n, session in enumerate(("3f0c2a91", "9b1d7c44")):
        _claude_session(logs, f"{session}-7d4e-4b7a-9c11-5e2f8a6b1d01")  # npm test: a recipe
        task = ("Fix the cart total.", "Round cart prices.")[n]
        _claude_session(logs, f"{session}-1111-4b7a-9c11-5e2f8a6b1d01", edit=True, task=task)
    report = orjson.loads(
        cli("distill", str(logs), "--library", str(tmp_path / "lib"), "--init", "--json").out
    )
    (change,) = report["changes"]
    assert "code area" in change["reason"] and "success pattern" not in change["reason"], change


def test_kept_lessons_left_out_of_every_skill_are_counted_in_a_note(cli, tmp_path) -> None:
    """A reader found "lessons kept 20" over skills listing 19: the lessons that make no skill on their
    own (code areas of a repository with no recipe, warning or fix) are said, not silently dropped."""
    shop, cart = tmp_path / "projects" / "-home-dev-shop", tmp_path / "projects" / "-home-dev-cart"
    for n, session in enumerate(("3f0c2a91", "9b1d7c44")):
        _claude_session(shop, f"{session}-7d4e-4b7a-9c11-5e2f8a6b1d01")  # npm test: a recipe, a skill
        task = ("Fix the cart total.", "Round cart prices.")[n]
        _claude_session(cart, f"{session}-1111-4b7a-9c11-5e2f8a6b1d01", edit=True, task=task, project="cart")
    report = orjson.loads(
        cli("distill", str(tmp_path / "projects"), "--library", str(tmp_path / "lib"), "--init", "--json").out
    )
    assert [c["skill"] for c in report["changes"]] == ["shop-workflow"], report
    left = [note for note in report["notes"] if "make no skill on their own" in note]
    assert len(left) == 1 and f"of the {report['lessons_kept']} lessons kept" in left[0], report["notes"]
    assert "cart" in left[0], left


def test_a_projects_own_test_and_lint_tasks_become_its_recipes(cli, tmp_path) -> None:
    """A reader found cli-workflow naming `go test …` where the sessions ran `mise run test` and
    `mise run lint`: a project's tasks are its recipes, and its checks get their own section."""
    logs = tmp_path / "projects" / "-home-dev-shop"
    runs = (("mise run test", "ok  \tshop/cart\t0.01s\n"), ("mise run lint 2>&1 | tail -5", "0 issues.\n"))
    for session in ("3f0c2a91", "9b1d7c44"):
        for n, command in enumerate(runs):
            _claude_session(logs, f"{session}-7d4e-4b7a-9c11-5e2f8a6b1d0{n}", command=command)
    lib = tmp_path / "lib"
    report = orjson.loads(cli("distill", str(logs), "--library", str(lib), "--init", "--json").out)
    assert [c["skill"] for c in report["changes"]] == ["shop-workflow"], report
    text = git.Repo(lib).git.show(f"{report['branch']}:skills/shop-workflow/SKILL.md")
    assert "run its tests with `mise run test`" in text
    assert "## Checks before you finish" in text and "- Run the checks: `mise run lint`" in text


def test_kept_lessons_for_a_locked_skill_say_it_is_locked_not_that_they_make_no_skill(cli, tmp_path) -> None:
    from skillforge.skills.document import parse, render

    first, later = tmp_path / "first" / "-home-dev-shop", tmp_path / "later" / "-home-dev-shop"
    for folder, sessions in ((first, ("3f0c2a91", "9b1d7c44")), (later, ("5a5a5a5a", "6b6b6b6b"))):
        for session in sessions:
            _claude_session(folder, f"{session}-7d4e-4b7a-9c11-5e2f8a6b1d01")  # each ran `npm test`
    lib = tmp_path / "lib"
    report = orjson.loads(cli("distill", str(first), "--library", str(lib), "--init", "--json").out)
    _merge(lib, report["branch"])
    path = lib / "skills" / "shop-workflow" / "SKILL.md"
    skill = parse(path.read_text(), str(path))
    skill.set_meta("locked", "true")
    path.write_text(render(skill))
    _commit_all(lib, "lock the shop skill")
    report = orjson.loads(cli("distill", str(later), "--library", str(lib), "--json").out)
    assert report["lessons_kept"] >= 1 and report["changes"] == [], report
    assert 'shop-workflow: locked (skillforge-locked: "true"), left untouched' in report["notes"]
    assert not any("make no skill on their own" in note for note in report["notes"]), report["notes"]


def test_a_run_beside_another_open_review_branch_says_merging_both_conflicts(first_run, cli) -> None:
    """loop19 defect 2: two review branches from disjoint logs each rewrite distilled.json, pending.json
    and provenance.json from the same base, so the second merged conflicts there; distill said nothing
    unless the two runs shared trajectories. Its advice (merge one, drop the other, distill again) works."""
    lib, first = first_run
    second = orjson.loads(_distill(cli, FIX / "batch2", lib).out)
    assert second["status"] == "committed" and second["branch"] != first["branch"], second
    note = next((n for n in second["notes"] if f"{first['branch']} (another distill run" in n), "")
    assert "merging both branches conflicts" in note and "distilled.json" in note, second["notes"]
    assert f"branch -D {second['branch']}" in note
    repo = git.Repo(lib)
    repo.git.merge(first["branch"])
    with pytest.raises(git.GitCommandError, match=r"CONFLICT.*distilled\.json"):
        repo.git.merge(second["branch"], "-m", "both")  # what the note warns of
    repo.git.merge("--abort")
    repo.git.branch("-D", second["branch"])
    again = orjson.loads(_distill(cli, FIX / "batch2", lib).out)
    assert again["status"] == "committed" and again["skipped_trajectories"] == 0, again
    assert not any("another distill run" in n for n in again["notes"]), again["notes"]
    repo.git.merge(again["branch"], "-m", "second run")  # no conflict
    distilled = orjson.loads((lib / ".skillforge/distilled.json").read_text())["trajectories"]
    assert set(distilled.values()) == {first["run_id"], again["run_id"]}


def test_the_trailers_docs_library_shows_are_those_a_run_commits(first_run) -> None:
    """loop19 defect 6: docs/library.md showed `Skillforge-Source: ~/.claude/projects` and a run id
    `2026-11-22-a1b2c3`; commits carry Skillforge-Model, Skillforge-Sources (a count by format) and
    16-hex-digit run ids, so a script grepping the documented trailer found nothing."""
    import re

    lib, report = first_run
    doc = (Path(__file__).parents[1] / "docs" / "library.md").read_text(encoding="utf-8")
    shown = dict(
        line.strip().split(": ", 1) for line in doc.splitlines() if re.match(r"\s*Skillforge-\w+: ", line)
    )
    message = str(git.Repo(lib).commit(report["branch"]).message)
    real = dict(line.split(": ", 1) for line in message.splitlines() if line.startswith("Skillforge-"))
    assert list(shown) == list(real)  # the same trailers, in the same order
    run_id, sources = r"[0-9a-f]{16}", r"\d+ \(\d+ [a-z-]+(, \d+ [a-z-]+)*\)"
    for trailers in (shown, real):
        assert re.fullmatch(run_id, trailers["Skillforge-Run"]), trailers
        assert re.fullmatch(sources, trailers["Skillforge-Sources"]), trailers
    assert (
        real["Skillforge-Run"] == report["run_id"] and shown["Skillforge-Model"] == real["Skillforge-Model"]
    )


def test_a_locked_skill_is_reported_and_its_lessons_wait_while_other_skills_change(cli, tmp_path) -> None:
    from skillforge.skills.document import parse, render

    sessions = {
        "first": ("3f0c2a91", "9b1d7c44"),
        "later": ("5a5a5a5a", "6b6b6b6b"),
        "after": ("7c7c7c7c", "8d8d8d8d"),
    }
    for batch, ids in sessions.items():
        for project in ("shop", "stock"):
            for session in ids:  # each ran `npm test` in shop and in stock
                uid = f"{session}-7d4e-4b7a-9c11-5e2f8a6b1d0{'12'[project == 'stock']}"
                _claude_session(tmp_path / batch / f"-home-dev-{project}", uid, project=project)
    lib = tmp_path / "lib"
    report = orjson.loads(
        cli("distill", str(tmp_path / "first"), "--library", str(lib), "--init", "--json").out
    )
    _merge(lib, report["branch"])
    path = lib / "skills" / "shop-workflow" / "SKILL.md"
    assert (lib / "skills" / "stock-workflow" / "SKILL.md").exists()
    skill = parse(path.read_text(), str(path))
    assert skill.meta("evidence") == "2"
    skill.set_meta("locked", "true")
    path.write_text(render(skill))
    _commit_all(lib, "lock the shop skill")
    res = cli("distill", str(tmp_path / "later"), "--library", str(lib), "--json")
    report = orjson.loads(res.out)
    assert [c["skill"] for c in report["changes"]] == ["stock-workflow"], report  # another skill changes
    assert 'shop-workflow: locked (skillforge-locked: "true"), left untouched' in report["notes"]
    files = _tree_files(lib, report["branch"])
    assert "Locked skills left untouched: shop-workflow" in Path(report["pr_body"]).read_text()
    waiting = orjson.loads(files[".skillforge/pending.json"])["lessons"]
    shop = [le for le in waiting if le["scope"] == {"kind": "repository", "value": "shop"}]
    assert shop and all(len({e["trajectory_id"] for e in le["evidence"]}) == 2 for le in shop), waiting
    _merge(lib, report["branch"])
    skill.set_meta("locked", "false")  # the lock is lifted: the lessons that waited count
    path.write_text(render(skill))
    _commit_all(lib, "unlock the shop skill")
    report = orjson.loads(cli("distill", str(tmp_path / "after"), "--library", str(lib), "--json").out)
    text = _tree_files(lib, report["branch"])["skills/shop-workflow/SKILL.md"]
    assert parse(text).meta("evidence") == "6" and "seen in 6 runs" in text, text
    # and so do its intro and description (review12 #4: they said 4, the runs read before and after)
    assert "from 6 past runs" in parse(text).description, text
    assert "the 6 past agent runs read on `shop`" in text and "6 of them support" in text, text


def test_a_script_typed_with_or_without_python3_is_one_recipe_across_runs(cli, tmp_path) -> None:
    """loop19 defect 4: django's runs typed `./tests/runtests.py` in early batches and mostly
    `python3 tests/runtests.py` in a later one. The later distill added a second "Run the tests" bullet
    headed by `python3 tests/runtests.py` with "Also worked: `tests/runtests.py <tests>` (2)" beside the
    first bullet for the same command, and each later run raised only the second one. A script run by
    `python3` (or `python`) is the script run itself: one bullet, whose counts add up over the runs."""
    from skillforge.skills.document import parse

    ok = "Ran 3 tests in 0.012s\n\nOK\n"
    batches = {  # session ids -> the command each session typed
        "first": {"3f0c2a91": "./tests/runtests.py forms_tests", "9b1d7c44": "./tests/runtests.py queries"},
        "later": {  # mostly with python3, one run as before: as django's later batch did
            "5a5a5a5a": "python3 tests/runtests.py admin_views",
            "6b6b6b6b": "python3 tests/runtests.py migrations.test_loader",
            "7c7c7c7c": "./tests/runtests.py basic",
        },
    }
    for batch, sessions in batches.items():
        for session, command in sessions.items():
            uid = f"{session}-7d4e-4b7a-9c11-5e2f8a6b1d01"
            _claude_session(tmp_path / batch / "-home-dev-shop", uid, command=(command, ok))
    lib = tmp_path / "lib"
    report = orjson.loads(
        cli("distill", str(tmp_path / "first"), "--library", str(lib), "--init", "--json").out
    )
    _merge(lib, report["branch"])
    report = orjson.loads(cli("distill", str(tmp_path / "later"), "--library", str(lib), "--json").out)
    text = _tree_files(lib, report["branch"])["skills/shop-workflow/SKILL.md"]
    bullets = [ln for ln in text.splitlines() if ln.startswith("- Run the tests")]
    assert len(bullets) == 1, bullets
    assert bullets[0].startswith("- Run the tests: `tests/runtests.py <tests>` (worked in 5 of 5 runs"), (
        bullets
    )
    assert "seen in 5 runs" in bullets[0] and "Also worked" not in bullets[0], bullets
    assert parse(text).meta("evidence") == "5", text
