"""Route: ranking on a fixture library, abstention, safety, scope, the on-disk index cache, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skillforge import Router
from skillforge.cli.fast import parser as route_parser
from skillforge.errors import SkillforgeError
from skillforge.route.index import cache_root, fingerprint
from skillforge.route.rank import Context
from skillforge.text import tokenize

FIXTURE = Path(__file__).parent / "fixtures" / "route" / "library"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    dest = tmp_path / "library"
    shutil.copytree(FIXTURE, dest)
    return dest


def names(router: Router, query: str, **kw: object) -> list[str]:
    return [m.name for m in router.route(query, **kw)]  # type: ignore[arg-type]


def test_tokenize_joins_word_forms_and_drops_stop_words() -> None:
    assert tokenize("Migrations migrating") == tokenize("migration migrate")
    assert tokenize("the failing tests") == ["fail", "test"]
    assert tokenize("myHTTPServer snake_case") == tokenize("my http server snake case")
    assert len(tokenize("myHTTPServer snake_case")) == 4


def test_routes_by_description_terms(library: Path) -> None:
    assert names(Router(library), "npm ci fails because of the lockfile")[0] == "npm-lockfile-repair"


def test_past_task_text_finds_a_skill_its_description_does_not(library: Path) -> None:
    router = Router(library)
    query = "test_checkout_total fails one run in five on the runner"
    match = router.route(query)[0]
    assert match.name == "pytest-flaky-tests"
    assert any(w.startswith("like past task") for w in match.why)
    (library / ".skillforge" / "provenance.json").unlink()
    without = Router(library).route(query, threshold=0.0)
    assert not without or without[0].score < match.score


def test_abstains_on_unrelated_tasks(library: Path) -> None:
    assert Router(library).route("bake a chocolate cake for the party") == []


def test_a_greeting_asks_for_no_skill(library: Path) -> None:
    """Real first prompts of aider sessions are often 'hey' or 'hello': one word that a skill's body
    happens to hold routed it at any threshold ('hey' -> a video skill at 0.69, held-out prompts)."""
    skill = library / "skills" / "npm-lockfile-repair" / "SKILL.md"
    skill.write_text(skill.read_text() + "\nSay hey, hello and thanks to the npm team; ok, yes.\n")
    for greeting in ("hey", "Hello", "hi!", "ok thanks", "yes"):
        assert Router(library).route(greeting, threshold=0.0) == [], greeting
    assert names(Router(library), "hey, npm ci fails because of the lockfile")[0] == "npm-lockfile-repair"


def test_never_returns_skills_with_secrets_or_injected_instructions(library: Path) -> None:
    router = Router(library)
    assert "leaky-secret-skill" not in names(router, "rotate leaked credentials committed", threshold=0.0)
    assert "sneaky-deploy" not in names(router, "deploy the staging server", threshold=0.0)
    with pytest.raises(Exception, match="withheld"):
        router.body("sneaky-deploy")


def test_scope_boosts_the_matching_repository(library: Path) -> None:
    router = Router(library)
    query = "resolve the conflict in the migration"
    plain = router.route(query, context=Context(), threshold=0.0)
    django = router.route(query, context=Context("django/django", ["python"]), threshold=0.0)
    other = router.route(query, context=Context("acme/shop", ["python"]), threshold=0.0)
    score = {id(x): {m.name: m.score for m in x} for x in (plain, django, other)}
    name = "django-migration-conflicts"
    assert score[id(django)][name] > score[id(plain)][name] > score[id(other)][name]
    assert any("repository:django/django" in w for w in django[0].why)


def test_context_reads_the_git_remote_and_language_markers(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text('[remote "origin"]\n\turl = git@github.com:django/django.git\n')
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "src").mkdir()
    ctx = Context.detect(tmp_path / "src")
    assert (ctx.repository, ctx.languages) == ("django/django", ["python"])
    assert Context.detect(tmp_path / "src").repository == "django/django"


def test_utility_prior_reorders_close_candidates(library: Path) -> None:
    from skillforge.route.feedback import record

    query = "rebase went wrong and the docker build is slow"
    before = {m.name: m.score for m in Router(library).route(query, k=5, threshold=0.0)}
    record(library, [("git-rebase-recovery", False)] * 5)
    after = {m.name: m.score for m in Router(library).route(query, k=5, threshold=0.0)}
    assert after["git-rebase-recovery"] < before["git-rebase-recovery"]
    assert after["docker-build-cache"] == pytest.approx(before["docker-build-cache"])


def test_index_is_cached_and_rebuilt_only_for_changed_skills(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Router(library)
    key, _ = fingerprint(library)
    assert (cache_root(library) / key / "index.json").is_file()
    import skillforge.route.build as build

    parsed: list[str] = []
    real = build._parse
    monkeypatch.setattr(
        build, "_parse", lambda folder, problems: parsed.append(folder.name) or real(folder, problems)
    )
    Router(library)
    assert parsed == []  # cache hit
    skill = library / "skills" / "docker-build-cache" / "SKILL.md"
    skill.write_text(skill.read_text().replace("Speed up slow", "Accelerate sluggish"))
    os.utime(skill, ns=(1, 1))
    router = Router(library)
    assert parsed == ["docker-build-cache"]
    assert names(router, "accelerate sluggish docker builds")[0] == "docker-build-cache"


def test_corrupt_cache_is_rebuilt(library: Path) -> None:
    Router(library)
    key, _ = fingerprint(library)
    (cache_root(library) / key / "meta_data.bin").write_bytes(b"garbage")
    assert names(Router(library), "npm lockfile conflict")[0] == "npm-lockfile-repair"


def test_unreadable_skill_is_skipped_and_reported(library: Path) -> None:
    (library / "skills" / "broken").mkdir()
    (library / "skills" / "broken" / "SKILL.md").write_text("no front matter here\n")
    router = Router(library)
    assert "broken" not in router.names
    assert any("broken" in p for p in router.index.problems)


def test_missing_library_is_a_one_line_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("route", "anything", "--library", str(tmp_path / "nope"))
    assert result.code == 1
    assert "no such skill library" in " ".join(result.err.split()) and "Traceback" not in result.err


def test_cli_route_json_markdown_and_xml(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(cli("route", "lost commits after rebase", "-L", str(library), "--json").out)
    assert data["matches"][0]["name"] == "git-rebase-recovery"
    assert data["body"]["name"] == "git-rebase-recovery" and "git reflog" in data["body"]["text"]
    small = json.loads(
        cli("route", "lost commits after rebase", "-L", str(library), "--json", "--max-tokens", "60").out
    )
    assert small["body"] is None and small["matches"]
    xml = cli("route", "lost commits after rebase", "-L", str(library), "--format", "xml").out
    assert "<name>git-rebase-recovery</name>" in xml
    md = cli("route", "bake a cake", "-L", str(library)).out
    assert "No skill" in md


def test_task_from_stdin(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("route", "-L", str(library), "--json", stdin="npm lockfile out of sync\n").out
    assert json.loads(out)["matches"][0]["name"] == "npm-lockfile-repair"


def test_route_logs_matches_for_prune(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    from skillforge.route.feedback import match_counts

    cli("route", "lost commits after rebase", "-L", str(library))
    counts, calls = match_counts(library)
    assert calls == 1 and counts == {"git-rebase-recovery": 1}


def test_route_has_one_parser_for_every_option() -> None:
    args = route_parser().parse_args(["fix it", "-L", "lib", "-k", "2", "--format=xml"])
    assert (args.task, args.library, args.k, args.fmt) == ("fix it", "lib", 2, "xml")
    assert route_parser().parse_args(["--rerank", "x"]).rerank
    with pytest.raises(SkillforgeError, match="invalid int value"):
        route_parser().parse_args(["-k", "two"])


def test_route_process_imports_no_llm_sdk_nor_typer(library: Path, tmp_path: Path) -> None:
    code = (
        "import runpy, sys\n"
        "sys.argv = ['skillforge', 'route', 'lost commits after rebase', '--library', sys.argv[1]]\n"
        "import atexit, os\n"
        "real_exit = os._exit\n"
        "def report(code):\n"
        "    heavy = sorted(m for m in ('anthropic', 'openai', 'mcp', 'typer', 'bm25s', 'rich', 'numpy', 'yaml', 'msgspec', 'skillforge.model') if m in sys.modules)\n"
        "    sys.stderr.write('MODULES=' + ','.join(heavy) + '\\n'); sys.stderr.flush(); real_exit(code)\n"
        "os._exit = report\n"
        "runpy.run_module('skillforge', run_name='__main__')\n"
    )
    env = dict(os.environ, SKILLFORGE_HOME=str(tmp_path / "home"))
    Router(library)  # warm the cache as an installed hook would find it
    env["SKILLFORGE_HOME"] = os.environ["SKILLFORGE_HOME"]
    proc = subprocess.run(
        [sys.executable, "-c", code, str(library)], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "git-rebase-recovery" in proc.stdout
    assert "MODULES=\n" in proc.stderr


def test_route_with_stdout_closed_exits_quietly(library: Path, tmp_path: Path) -> None:
    env = dict(os.environ, SKILLFORGE_HOME=os.environ["SKILLFORGE_HOME"])
    code = "import sys; sys.stdout.close(); sys.stdout = None; from skillforge.cli import main; main()"
    argv = ["skillforge", "route", "lost commits after rebase", "--library", str(library)]
    proc = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.argv = {argv!r}; {code}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr


def test_empty_library_abstains(tmp_path: Path) -> None:
    (tmp_path / "skills").mkdir()
    assert Router(tmp_path).route("anything at all") == []


def test_refresh_picks_up_a_new_skill(library: Path) -> None:
    router = Router(library)
    key = router.index.key
    router.refresh()
    assert router.index.key == key
    folder = library / "skills" / "ansible-vault"
    folder.mkdir()
    (folder / "SKILL.md").write_text(
        "---\nname: ansible-vault\ndescription: Encrypt ansible variables with "
        "ansible-vault. Use when ansible secrets must be committed.\n---\n# Vault\n"
    )
    router.refresh()
    assert names(router, "encrypt ansible variables")[0] == "ansible-vault"


def test_one_shot_pure_python_scoring_matches_numpy() -> None:
    from skillforge.route.evaluate import load_queries

    routing_set = Path(__file__).parents[1] / "benchmarks" / "routing_set"
    fast, plain = Router(routing_set), Router(routing_set, one_shot=True)
    assert plain.index.plain and not fast.index.plain
    for q in load_queries(routing_set / "queries.jsonl"):
        a = fast.route(q["query"], k=5, threshold=0.0, context=Context(q["repository"], q["languages"]))
        b = plain.route(q["query"], k=5, threshold=0.0, context=Context(q["repository"], q["languages"]))
        assert [m.name for m in a] == [m.name for m in b]
        assert [m.score for m in a] == pytest.approx([m.score for m in b], rel=1e-5)
        assert [m.why for m in a] == [m.why for m in b]


def test_structured_pointer_redacts_description_and_reasons() -> None:
    from skillforge.route.rank import Match
    from skillforge.route.render import pointer

    token = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5"
    data = pointer(Match("s", f"use {token}", "/x/SKILL.md", 0.5, [f"like past task: push with {token}"]))
    assert data["description"] == "use <redacted:github-token>"
    assert data["why"] == ["like past task: push with <redacted:github-token>"] and data["score"] == 0.5


@pytest.mark.parametrize(("option", "value"), [("-k", "0"), ("-k", "-1"), ("--max-tokens", "-5")])
def test_out_of_range_counts_are_usage_errors(cli, library: Path, option: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """``-k 0`` used to mean the default k and ``-k -1`` printed "No skill … matches" (an
    abstention that was really a bad option); a negative budget silently dropped the body."""
    result = cli("route", "lost commits after rebase", "-L", str(library), option, value)
    assert result.code == 2, result.out
    assert option.lstrip("-") in result.err and "Traceback" not in result.err and not result.out


def test_unknown_format_is_named_even_with_json(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("route", "lost commits after rebase", "-L", str(library), "--json", "--format", "yaml")
    assert result.code == 2 and "unknown --format 'yaml'" in result.err


def test_route_answers_when_its_cache_folder_cannot_be_written(
    cli, library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A read-only SKILLFORGE_HOME (here: a path under a file, as tests run as root) made every route
    an OSError traceback from the index cache; like validate, an unwritable cache only costs speed."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where SKILLFORGE_HOME's parent should be\n")
    monkeypatch.setenv("SKILLFORGE_HOME", str(blocker / "home"))
    result = cli("route", "lost commits after rebase", "-L", str(library), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["matches"][0]["name"] == "git-rebase-recovery"
