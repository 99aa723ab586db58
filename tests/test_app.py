"""The application layer: every command's ``--json`` comes from the one renderer, settings are typed and
resolved once (with provenance, secrets masked), and the app functions take values, not argv."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from skillforge import app
from skillforge.app import route as route_app
from skillforge.config import Settings

FIX = Path(__file__).parent / "fixtures"
LABELS = str(FIX / "distill" / "labels.json")


def _documents(out: str) -> list[dict]:
    """One JSON document, or JSON lines (ingest streams trajectories)."""
    try:
        return [json.loads(out)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_every_command_answers_json(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    routed = tmp_path / "routed"
    shutil.copytree(FIX / "route" / "library", routed)
    commands = {
        "config": ["config", "--json"],
        "init": ["init", str(lib), "--json"],
        "ingest": ["ingest", str(FIX / "ingest" / "claude"), "--json"],
        "distill": ["distill", str(FIX / "distill" / "batch1"), "--labels", LABELS, "-L", str(lib), "--json"],
        "log": ["log", "-L", str(lib), "--json"],
        "diff": ["diff", "-L", str(lib), "--json"],
        "validate": ["validate", str(routed), "--json"],
        "scan": ["scan", str(FIX / "ingest" / "claude"), "--json"],
        "route": ["route", "lost commits after rebase", "-L", str(routed), "--json"],
        "feedback": ["feedback", "git-rebase-recovery", "--outcome", "success", "-L", str(routed), "--json"],
        "prune": ["prune", "-L", str(routed), "--dry-run", "--json"],
        "eval route": [
            "eval",
            "route",
            "--queries",
            str(FIX / "route" / "queries.jsonl"),
            "-L",
            str(routed),
            "--json",
        ],
        "install": ["install", "claude", "--dry-run", "-L", str(routed), "--json"],
    }
    for name, argv in commands.items():
        result = cli(*argv)
        assert result.code in (0, 3, 4), (name, result.err)
        docs = _documents(result.out)
        assert docs, name
        if name != "ingest":  # ingest --json streams the trajectories themselves
            assert len(docs) == 1 and isinstance(docs[0].get("status"), str), name


def test_config_shows_provenance_and_masks_secrets(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret-value-123")
    monkeypatch.setenv("SKILLFORGE_ROUTE_K", "5")
    result = cli("config", "--json")
    assert "sk-ant-secret-value-123" not in result.out
    settings = json.loads(result.out)["settings"]
    assert settings["anthropic_api_key"] == {"value": "(set)", "source": "env ANTHROPIC_API_KEY"}
    assert settings["route_k"] == {"value": 5, "source": "env SKILLFORGE_ROUTE_K"}
    assert "sk-ant-secret" not in repr(Settings.load())


def test_settings_are_typed_frozen_and_reject_unknown_keys() -> None:
    settings = Settings.load({"route_k": "4"})
    assert settings.route_k == 4 and settings.sources["route_k"] == "option"
    with pytest.raises(AttributeError):
        settings.route_k = 2  # type: ignore[misc]
    with pytest.raises(Exception, match="unknown setting"):
        Settings.load({"rout_k": 4})


def test_library_file_cannot_hold_api_keys(tmp_path: Path) -> None:
    (tmp_path / "skillforge.toml").write_text('openai_api_key = "sk-from-the-library"\nroute_k = 6\n')
    settings = Settings.load(library=tmp_path, overrides={"trust_library_config": True})
    assert settings.openai_api_key == "" and settings.route_k == 6


def test_route_app_takes_values_and_uses_route_k(tmp_path: Path) -> None:
    routed = tmp_path / "routed"
    shutil.copytree(FIX / "route" / "library", routed)
    settings = app.load_settings(str(routed), {"route_k": 1})
    result = route_app.run(settings, route_app.RouteArgs("lost commits after rebase", fmt="json"))
    assert [m.name for m in result.matches] == ["git-rebase-recovery"]
    assert result.to_dict()["matches"][0]["name"] == "git-rebase-recovery"
    assert result.status == "ok" and result.exit_code == 0


def test_hook_takes_k_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from skillforge.app import hook

    routed = tmp_path / "routed"
    shutil.copytree(FIX / "route" / "library", routed)
    event = json.dumps({"prompt": "git rebase lost commits, also npm lockfile", "cwd": str(tmp_path)})
    pointers = {}
    for k in ("1", "3"):
        monkeypatch.setenv("SKILLFORGE_ROUTE_K", k)
        monkeypatch.setattr(sys, "stdin", io.StringIO(event))
        result = hook.run(hook.HookArgs("claude", str(routed)))
        context = json.loads(result.text)["hookSpecificOutput"]["additionalContext"]
        pointers[k] = context.count("\n- ")
    assert pointers["1"] == 1 and pointers["3"] >= 2


def test_config_redacts_a_password_in_a_server_url(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_BASE_URL", "https://admin:S3cretPassw0rd9@llm.internal/v1")
    for args in (("config", "--json"), ("config",)):
        result = cli(*args)
        assert result.code == 0 and "S3cretPassw0rd9" not in result.out + result.err
    value = json.loads(cli("config", "--json").out)["settings"]["openai_base_url"]["value"]
    assert value.startswith("https://admin:") and value.endswith("@llm.internal/v1")


def test_route_through_typer_keeps_debug_and_a_task_after_double_dash(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from skillforge.errors import SkillforgeError

    routed = tmp_path / "routed"
    shutil.copytree(FIX / "route" / "library", routed)
    with pytest.raises(SkillforgeError, match="no such skill library"):  # --debug: the error raises
        cli("--debug", "route", "--library", str(tmp_path / "missing"), "x")
    result = cli("-v", "route", "--library", str(routed), "--", "-k lost commits after a git rebase")
    assert result.code == 0, result.err
    assert "git-rebase-recovery" in result.out


def test_every_app_result_has_a_renderer_for_people() -> None:
    """A new Result without a renderer would fail only at run time, for people (no --json)."""
    import importlib
    import inspect
    import pkgutil

    import skillforge.app
    from skillforge.cli import render

    results = {
        name
        for info in pkgutil.iter_modules(skillforge.app.__path__)
        for name, obj in inspect.getmembers(importlib.import_module(f"skillforge.app.{info.name}"))
        if inspect.isclass(obj) and name.endswith("Result") and obj.__module__.startswith("skillforge.app")
    }
    assert len(results) >= 10
    assert results <= set(render._PEOPLE), sorted(results - set(render._PEOPLE))


def test_config_on_a_library_that_is_not_there_shows_the_settings_and_says_so(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """loop19 defect 7: `config --library <missing folder>` listed the settings, exit 0, with no word
    that the folder is no library (every other command exits 1), so a typo read as "no settings"."""
    missing = tmp_path / "nope-dir"
    text = cli("config", "--library", str(missing))
    assert text.code == 0 and "route_k" in text.out
    assert f"warning: {missing}: no such skill library" in text.err, text.err
    data = json.loads(cli("config", "--library", str(missing), "--json").out)
    assert data["settings"]["library"]["value"] == str(missing)
    assert "no such skill library" in data["library_problem"]
    routed = tmp_path / "routed"
    shutil.copytree(FIX / "route" / "library", routed)
    fine = cli("config", "--library", str(routed), "--json")
    assert json.loads(fine.out)["library_problem"] is None and "warning" not in fine.err


def test_a_library_written_with_a_literal_tilde_is_the_one_in_home(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """review12 #7: `~/skills` from a config file, the environment or a quoted option reached config,
    route and prune unexpanded: config warned "no such skill library", route and prune exited 1, while
    distill, log, diff and validate used ~/skills. The library's own skillforge.toml was not read."""
    home = tmp_path / "home"
    shutil.copytree(FIX / "route" / "library", home / "skills")
    (home / "skills" / "skillforge.toml").write_text("route_k = 1\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    data = json.loads(cli("config", "--library", "~/skills", "--json").out)
    assert data["library_problem"] is None
    assert data["settings"]["library"]["value"] == str(home / "skills")
    assert data["settings"]["route_k"]["value"] == 1
    monkeypatch.setenv("SKILLFORGE_LIBRARY", "~/skills")
    text = cli("config")
    assert text.code == 0 and "warning" not in text.err, text.err
    monkeypatch.delenv("SKILLFORGE_LIBRARY")
    Path(os.environ["SKILLFORGE_HOME"], "config.toml").write_text('library = "~/skills"\n', encoding="utf-8")
    routed = cli("route", "lost commits after rebase", "--json")
    assert routed.code == 0, routed.err
    assert [m["name"] for m in json.loads(routed.out)["matches"]] == ["git-rebase-recovery"]
    pruned = cli("prune", "--library", "~/skills", "--dry-run", "--json")
    assert pruned.code == 0, pruned.err
