"""Route on real-shaped prompts: long pasted issues, tracebacks, repository context, k results when skills
are withheld, and abstention learnt per library. Self-written fixtures only."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from skillforge import Router
from skillforge.route.calibrate import learn_threshold, load_threshold, outcome
from skillforge.route.query import parse
from skillforge.route.rank import Context, Match
from skillforge.text import tokenize

FIXTURE = Path(__file__).parent / "fixtures" / "route" / "library"
FILLER = (
    "We noticed this while preparing the quarterly release for our customers. The team spent most of "
    "the afternoon going back and forth about what the right behaviour should be, and several people "
    "reported seeing something similar on their own machines with different operating systems. "
)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    dest = tmp_path / "library"
    shutil.copytree(FIXTURE, dest)
    return dest


def skill(root: Path, name: str, description: str, body: str = "", scope: str = "") -> None:
    folder = root / "skills" / name
    folder.mkdir(parents=True)
    meta = f"metadata:\n  skillforge-scope: {scope}\n" if scope else ""
    (folder / "SKILL.md").write_text(
        f"---\nname: {name}\ndescription: {json.dumps(description)}\n{meta}---\n# {name}\n\n{body}\n"
    )


def test_a_long_pasted_issue_is_not_abstained_for_its_length(library: Path) -> None:
    short = "npm ci fails because package-lock.json has a merge conflict"
    long = "### Description\n\n" + FILLER * 40 + "\n\n" + short + "\n\n### Environment\n\n" + FILLER * 20
    assert len(long.split()) > 1500
    router = Router(library)
    assert [m.name for m in router.route(long)][:1] == ["npm-lockfile-repair"]
    # the score does not shrink with the prompt: the long prompt scores at least half the short one's
    assert router.route(long)[0].score >= 0.5 * router.route(short)[0].score


def test_query_terms_weigh_by_repeats_not_by_shape() -> None:
    text = (
        'Traceback (most recent call last):\n  File "app/billing/export.py", line 40, in run\n'
        "django.db.migrations.exceptions.InconsistentMigrationHistory: Migration admin.0001 is applied "
        "before its dependency\nit happens every time the migration runs"
    )
    q = parse(text)
    assert q.weights["inconsistent"] == pytest.approx(1.0)  # an identifier weighs like prose
    (migration,) = set(tokenize("migration migrations"))
    # module path, class name and two prose words: repeats count, saturating
    assert q.weights[migration] == pytest.approx(1.0 + math.log(4))


def body_library(root: Path) -> None:
    """Skills whose descriptions are alike; only the body of one names the failure."""
    skill(
        root,
        "celery-workers",
        "Run and debug background workers for a Python web app.",
        "## Stuck tasks\n\nA `WorkerLostError` or `SoftTimeLimitExceeded` in the worker log means the task"
        " ran out of memory or time: lower `worker_max_tasks_per_child`, raise `task_soft_time_limit`.",
    )
    skill(
        root,
        "rq-workers",
        "Run and debug background workers for a Python web app with a Redis queue.",
        "## Jobs\n\nInspect the failed job registry and requeue jobs after fixing the code.",
    )
    skill(root, "css-layout", "Fix web page layout: flexbox, grid, overflow.", "## Grid\n\nUse minmax.")


def test_a_term_only_in_the_body_routes_to_its_skill(tmp_path: Path) -> None:
    body_library(tmp_path)
    router = Router(tmp_path, use_utility=False)
    got = router.route("workers keep dying with SoftTimeLimitExceeded", threshold=0.0)
    assert [m.name for m in got] == ["celery-workers", "rq-workers"]
    assert got[0].score > 2 * got[1].score
    assert "in its body: soft, time, limit, exceed" in got[0].why


def test_a_pasted_traceback_in_a_long_prompt_routes_by_the_body(tmp_path: Path) -> None:
    body_library(tmp_path)
    names = [a + b + c for a in "bdfg" for b in "aeiou" for c in "klmnprst"]  # 160 made-up words
    frames = "".join(
        f'  File "/srv/app/venv/lib/python3.11/site-packages/{w}lib/{w}mod.py", line 7, in {w}call\n'
        for w in names
    )
    prompt = (
        "The nightly export job in our web app fails, background workers die. Log:\n```\n"
        f"Traceback (most recent call last):\n{frames}billiard.exceptions.WorkerLostError: Worker exited"
        f" prematurely: signal 9 (SIGKILL)\n```\n{FILLER * 10}"
    )
    assert len(parse(prompt).weights) > 128  # the query is cut to its most informative terms
    got = Router(tmp_path, use_utility=False).route(prompt, threshold=0.0)
    assert [m.name for m in got][:1] == ["celery-workers"]


def test_traceback_routes_by_its_exception(library: Path) -> None:
    prompt = (
        'deploy to staging broke:\n```\nTraceback (most recent call last):\n  File "manage.py", line 22\n'
        "django.db.migrations.exceptions.InconsistentMigrationHistory: Migration billing.0012 is applied "
        "before its dependency billing.0011\n```"
    )
    assert Router(library).route(prompt)[0].name == "django-migration-conflicts"


def test_repository_from_the_git_remote_anchors_its_skill(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    skill(
        lib,
        "widgets-workflow",
        "How to work on the acme/widgets repository: run its tests with make check.",
        "## Code areas\n\n- `widgets/render/canvas.py` changed in 3 runs.\n",
        scope="repository:acme/widgets",
    )
    skill(
        lib,
        "gizmo-workflow",
        "How to work on the acme/gizmo repository: run its tests with tox.",
        scope="repository:acme/gizmo",
    )
    skill(lib, "python-import-errors", "Fix ImportError and ModuleNotFoundError when running tests.")
    checkout = tmp_path / "src" / "checkout"
    checkout.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    subprocess.run(
        ["git", "-C", str(checkout), "remote", "add", "origin", "git@github.com:acme/widgets.git"], check=True
    )
    assert (
        Context.detect(checkout / "sub" if (checkout / "sub").mkdir() is None else checkout).repository
        == "acme/widgets"
    )
    task = "The tooltip is drawn one pixel off when the window is resized twice; the tests run with tox."
    router = Router(lib)
    inside = router.route(task, cwd=checkout)
    assert inside and inside[0].name == "widgets-workflow" and inside[0].anchored
    assert "gizmo-workflow" not in [
        m.name for m in inside
    ]  # another repository's skill needs strong evidence
    outside = router.route(task)
    assert "widgets-workflow" not in [m.name for m in outside]


def test_a_folder_name_without_git_counts_only_for_a_repository_of_that_name(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    skill(
        lib,
        "gizmo-workflow",
        "How to work on the acme/gizmo repository: run its tests with tox.",
        scope="repository:acme/gizmo",
    )
    skill(lib, "python-tests", "Run a Python project's tests and read their failures.")
    elsewhere, gizmo = tmp_path / "work" / "notes", tmp_path / "work" / "gizmo"
    elsewhere.mkdir(parents=True)
    gizmo.mkdir()
    task = "run the tests with tox and read the failures"
    router = Router(lib, use_utility=False)
    plain = {m.name: m.score for m in router.route(task, threshold=0.0)}
    ctx = Context.detect(elsewhere)
    assert ctx.repository == "notes" and ctx.from_folder
    # a folder that is no scoped repository is no evidence against gizmo's skill: nothing is damped
    assert {m.name: m.score for m in router.route(task, cwd=elsewhere, threshold=0.0)} == plain
    inside = {m.name: m for m in router.route(task, cwd=gizmo, threshold=0.0)}
    assert inside["gizmo-workflow"].anchored and inside["gizmo-workflow"].score > plain["gizmo-workflow"]


def test_repository_named_in_the_prompt_counts_without_a_working_folder(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    skill(
        lib,
        "widgets-workflow",
        "How to work on the acme/widgets repository: run its tests with make check.",
        "- `widgets/render/canvas.py` changed in 3 runs.\n",
        scope="repository:acme/widgets",
    )
    skill(lib, "shell-basics", "Quote variables in shell scripts.")
    prompt = (
        "Tooltip drawn off by one pixel\n\n```python\nfrom widgets.render import Canvas\nCanvas().draw()\n```"
    )
    names = [m.name for m in Router(lib).route(prompt)]
    assert names[:1] == ["widgets-workflow"]


def test_k_results_when_better_skills_are_withheld(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for i in range(6):  # the best matches all hold a secret, so route must never hand them out
        skill(
            lib,
            f"deploy-release-{i}",
            "Deploy the release to production with the deploy script.",
            "The key is AKIAQ3EGTV7HXN5JR2WM.",
        )
    skill(lib, "release-notes", "Write release notes for a production deploy.")
    skill(lib, "rollback", "Roll back a bad production release.")
    skill(lib, "unrelated", "Bake bread.")
    router = Router(lib)
    assert sum(bool(b) for b in router.index.blocked) == 6
    got = router.route("deploy the release to production", k=2, threshold=0.0)
    assert sorted(m.name for m in got) == ["release-notes", "rollback"]


def _m(name: str, score: float, anchored: bool = False) -> Match:
    return Match(name, "", "", score, anchored=anchored)


def test_learnt_threshold_separates_no_fit_from_answerable() -> None:
    queries = [
        {"expected": ["a"]},
        {"expected": ["b"]},
        {"expected": ["c"]},
        {"expected": []},
        {"expected": []},
    ]
    scored = [[_m("a", 0.9)], [_m("b", 0.7)], [_m("c", 0.05, anchored=True)], [_m("x", 0.3)], [_m("y", 0.2)]]
    t = learn_threshold(scored, queries)
    assert 0.3 < t < 0.7
    o = outcome(scored, queries, t)
    assert (o["nofit_abstained"], o["answerable_abstained"], o["precision"]) == (1.0, 0.0, 1.0)


def test_eval_save_stores_the_library_threshold_and_route_uses_it(library: Path, tmp_path: Path) -> None:
    from skillforge.route.evaluate import evaluate

    queries = tmp_path / "q.jsonl"
    rows = [
        {"query": "my commits vanished after rebasing on main", "expected": ["git-rebase-recovery"]},
        {"query": "npm ci fails with lockfile errors", "expected": ["npm-lockfile-repair"]},
        {"query": "bake a chocolate cake for the party", "expected": []},
        {
            "query": "docker build reinstalls dependencies",
            "expected": ["docker-build-cache"],
            "cwd": "checkout",
        },
    ]
    queries.write_text("\n".join(json.dumps(r) for r in rows))
    (tmp_path / "checkout").mkdir()
    assert Router(library).threshold_source == "default"
    result = evaluate(library, queries, save=True)
    assert result["calibration"] and result["router"]["recall@1"] == 1.0
    assert load_threshold(library) == result["learnt_threshold"]
    router = Router(library)
    assert router.threshold_source == "learnt" and router.threshold == result["learnt_threshold"]


def test_anchored_skill_is_found_beyond_the_candidate_pool(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for i in range(40):  # many skills match the words of the task far better than the repository's skill
        skill(
            lib,
            f"tooltip-{i:02d}",
            f"Tooltip drawn off by one pixel when the window is resized; run the "
            f"tests with make check (variant {i}).",
        )
    skill(
        lib,
        "widgets-workflow",
        "How to work on acme/widgets: check the changelog.",
        scope="repository:acme/widgets",
    )
    task = "tooltip drawn off by one pixel when the window is resized; tests run with make check"
    got = Router(lib).route(task, k=3, context=Context("acme/widgets"), threshold=0.0)
    assert len(got) == 3 and "widgets-workflow" in [m.name for m in got]


def test_learnt_threshold_never_silences_more_than_five_percent_of_answerable_tasks() -> None:
    # 20 answerable queries, two of them weak (0.2, 0.25); two no-fit queries at 0.3 and 0.1
    queries = [{"expected": ["a"]} for _ in range(20)] + [{"expected": []}, {"expected": []}]
    scored = [[_m("a", 0.9)] for _ in range(18)] + [[_m("a", 0.2)], [_m("a", 0.25)]]
    scored += [[_m("x", 0.3)], [_m("y", 0.1)]]
    t = learn_threshold(scored, queries)
    o = outcome(scored, queries, t)
    assert o["answerable_abstained"] <= 0.05
    assert o["nofit_abstained"] == 0.5  # 0.1 abstains; 0.3 cannot without silencing both weak tasks


def test_a_saved_threshold_outside_the_sane_range_is_ignored(library: Path) -> None:
    from skillforge.route.calibrate import save_threshold

    save_threshold(library, 0.0, 3)  # would hand out every skill for every task
    assert Router(library).threshold_source == "default"
    save_threshold(library, 0.4, 3)
    assert Router(library).threshold == 0.4


def test_copies_of_one_skill_take_one_place_in_the_k(tmp_path: Path) -> None:
    text = "Deploy a static site to Netlify and set its redirects."
    for name in ("netlify-deploy", "netlify-deploy--vendor--tools", "netlify-deploy--other--copy"):
        skill(tmp_path, name, text)
    skill(tmp_path, "static-site-redirects", "Write redirect rules for a static site.")
    skill(tmp_path, "dns-records", "Point a domain at a static site host with DNS records.")
    router = Router(tmp_path, use_utility=False)
    got = [m.name for m in router.route("deploy my static site to netlify", k=3, threshold=0.0)]
    assert len(got) == 3 and sum(name.startswith("netlify-deploy") for name in got) == 1
    assert set(got[1:]) == {"static-site-redirects", "dns-records"}


def test_a_keyword_guess_does_not_withhold_a_skill_and_is_redacted_when_served(tmp_path: Path) -> None:
    """Only the validator's errors withhold a skill (issue 17: route withheld 18.7% of real skills on
    guesses); a ``password = …`` guess is a warning, and the served text is redacted."""
    from skillforge.route.render import render, top_body

    lib = tmp_path / "lib"
    skill(lib, "postgres-local", "Run Postgres locally for the test suite.", 'db_password = "Xk9vQ2mLp7Rt"')
    router = Router(lib)
    assert not any(router.index.blocked)
    got = router.route("run postgres locally for the tests", k=1, threshold=0.0)
    assert [m.name for m in got] == ["postgres-local"]
    out = render(got, "markdown", top_body(router, got, 1500, 0))
    assert "postgres-local" in out and "Xk9vQ2mLp7Rt" not in out
