"""Off-topic tasks: a task naming a topic the best skill's name and description miss (route.topic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillforge import Router
from skillforge.route.calibrate import learn_threshold, routed, top_score
from skillforge.route.topic import MIN_SKILLS, OFF_TOPIC_RATIO, proper_terms

TRACKING = "capture unhandled exceptions in a web app, attach the user and send error reports"
TASK = "add Sentry to our Flask app: capture unhandled exceptions, attach the user id, send error reports"
FRUITS = ["apple", "pear", "plum", "fig", "kiwi", "lime", "mango", "peach", "grape", "melon", "date"]
TOOLS = ["ledger", "invoice", "roster", "atlas", "survey", "garden", "recipe", "budget", "poster"]


def make_library(root: Path, skills: int, tracking: str = TRACKING) -> Path:
    """``skills`` skills: one about error reports (``tracking``), the rest about other things."""
    (root / "skills").mkdir(parents=True)
    write(root, "error-reports", tracking)
    for n in range(skills - 1):
        fruit, tool = FRUITS[n % len(FRUITS)], TOOLS[n // len(FRUITS) % len(TOOLS)]
        write(root, f"{fruit}-{tool}-{n}", f"Keep the {fruit} {tool} number {n} tidy and sorted by season.")
    return root


def write(root: Path, name: str, description: str) -> None:
    folder = root / "skills" / name
    folder.mkdir()
    body = f"# {name}\n\n1. Read the task.\n2. {description}\n"
    (folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: {description}\n---\n{body}")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_library(tmp_path_factory.mktemp("topic") / "lib", MIN_SKILLS + 20)


def test_proper_terms_are_named_things_not_sentence_starts() -> None:
    assert proper_terms(TASK) == ["sentry", "flask"]
    assert proper_terms("SwiftUI NavigationStack pops back to the root") == ["swiftui", "navigationstack"]
    assert proper_terms("Write a BigQuery SQL query. Then plot it") == ["bigquery", "sql"]
    assert proper_terms("fix the bug in `src/App.tsx` and docs/Guide.md") == []
    assert proper_terms("Steps:\n- Update the page\n- Deploy it. Done") == []


def test_off_topic_best_skill_needs_a_higher_score(big: Path) -> None:
    best = Router(big, threshold=0.0).route(TASK, k=3)
    assert best[0].name == "error-reports" and best[0].off_topic
    score = best[0].score
    # over the threshold but under OFF_TOPIC_RATIO times it: abstains; over the higher bar: answered
    assert Router(big, threshold=score / (OFF_TOPIC_RATIO * 0.9)).route(TASK, k=3) == []
    assert Router(big, threshold=score / (OFF_TOPIC_RATIO * 1.1)).route(TASK, k=3)[0].name == "error-reports"


def test_a_skill_that_names_the_topic_is_not_off_topic(tmp_path: Path) -> None:
    lib = make_library(tmp_path / "lib", MIN_SKILLS + 20, TRACKING + " with Sentry")
    best = Router(lib, threshold=0.0).route(TASK, k=3)
    score = best[0].score
    assert best[0].name == "error-reports" and not best[0].off_topic
    assert Router(lib, threshold=score / (OFF_TOPIC_RATIO * 0.9)).route(TASK, k=3)[0].name == "error-reports"


def test_the_word_frequencies_come_back_from_the_cache(big: Path) -> None:
    Router(big).route(TASK)  # builds (or reuses) the index
    again = Router(big, threshold=0.0)  # a new process would load the cached index
    assert again.index.words is None  # not read until a task needs it
    assert again.route(TASK, k=1)[0].off_topic
    assert again.index.words and again.index.words["exceptions"] == 1


def test_small_libraries_never_call_a_task_off_topic(tmp_path: Path) -> None:
    lib = make_library(tmp_path / "lib", 40)
    best = Router(lib, threshold=0.0).route(TASK, k=3)
    assert best[0].name == "error-reports" and not best[0].off_topic


def test_calibration_counts_the_higher_bar(big: Path) -> None:
    router = Router(big, threshold=0.0)
    off = router.route(TASK, k=3)
    score = off[0].score
    assert top_score(off) == pytest.approx(score / OFF_TOPIC_RATIO)
    assert routed(off, score / (OFF_TOPIC_RATIO * 0.9)) == []
    assert routed(off, score / (OFF_TOPIC_RATIO * 1.1))[0] == "error-reports"
    on = router.route("keep the apple ledger number 0 tidy and sorted by season", k=3)
    queries = [{"query": TASK, "expected": []}, {"query": "apple ledger", "expected": [on[0].name]}]
    # the learnt cut silences the off-topic no-fit task without silencing the answerable one
    cut = learn_threshold([off, on], queries)
    assert routed(off, cut) == [] and routed(on, cut)


def test_a_rebuild_keeps_the_word_frequencies_right(tmp_path: Path) -> None:
    import shutil

    from skillforge.route.index import cache_root

    lib = make_library(tmp_path / "lib", 30)
    Router(lib).route(TASK)
    (lib / "skills" / "error-reports" / "SKILL.md").write_text(
        "---\nname: error-reports\ndescription: Sentry error reports for Flask\n---\nUse Sentry.\n"
    )
    shutil.rmtree(lib / "skills" / "apple-ledger-0")
    write(lib, "new-skill", "Plan the quince harvest")
    incremental = Router(lib).index.word_df()
    assert incremental["sentry"] == 1 and incremental["quince"] == 1 and "exceptions" not in incremental
    assert incremental["apple"] == len([n for n in range(29) if n % len(FRUITS) == 0]) - 1
    shutil.rmtree(cache_root(lib))
    assert Router(lib).index.word_df() == incremental  # the same as counted afresh


def test_terms_and_skill_words_are_cut_alike() -> None:
    from skillforge.route.topic import holds, meta_words

    task = "set CUDA_VISIBLE_DEVICES for our ASP.NET app on GPT-4; a ReDoS report came in"
    assert proper_terms(task) == ["cuda_visible_devices", "asp.net", "gpt-4", "redos"]
    words = meta_words("gpu-setup", "CUDA_VISIBLE_DEVICES, ASP.NET hosting, GPT-4 calls, redos-prone regexes")
    assert all(holds(words, t) for t in proper_terms(task))


def test_a_long_capital_run_is_read_in_linear_time() -> None:
    import time

    start = time.process_time()
    for _ in range(20):
        proper_terms("see " + "A" * 3980 + "/x")
    assert time.process_time() - start < 1.0  # quadratic backtracking took 0.4 s a call


@pytest.mark.parametrize("damage", ["missing", "truncated", "not counts"])
def test_unreadable_word_frequencies_never_make_a_task_off_topic(tmp_path: Path, damage: str) -> None:
    import shutil

    from skillforge.route.index import WORDS, cache_root

    lib = make_library(tmp_path / "lib", MIN_SKILLS + 20)
    router = Router(lib, threshold=0.0)
    assert router.route(TASK, k=1)[0].off_topic
    (folder,) = [p for p in cache_root(lib).iterdir() if not p.name.startswith(".")]
    path = folder / WORDS
    if damage == "missing":
        path.unlink()  # a half-deleted cache is rebuilt, with its word frequencies
        assert Router(lib, threshold=0.0).route(TASK, k=1)[0].off_topic
        assert path.is_file()
        return
    path.write_bytes(b'{"sentry": 1, "flask"' if damage == "truncated" else b'{"sentry": null}')
    again = Router(lib, threshold=0.0)
    assert not again.route(TASK, k=1)[0].off_topic  # unreadable: no term may look unknown
    assert Router(lib, threshold=0.0).route(TASK, k=1)[0].off_topic  # and the next load rebuilt it
    shutil.rmtree(folder)
    write(lib, "another-skill", "Plan the quince harvest")  # a rebuild still works
    assert Router(lib, threshold=0.0).index.word_df()["quince"] == 1


@pytest.mark.parametrize(
    ("task", "terms"),
    [
        ("fix the import error (see Config.py) in our package", []),
        ("mail Jane.Doe@Acme.com about it", []),
        ("the repo is under C:\\Users\\Dev\\Repo now", []),
        ("it reads ${APP_HOME} and %APPDATA% at start", []),
        ("ship it by Friday in January", []),
        ("move our Python-based service to Next.js-based pages", ["python", "next.js"]),
        ("x " * 1998 + "Kubernetes pods", []),  # the 4,000-character cut runs through the word
    ],
)
def test_paths_addresses_files_dates_and_cut_words_are_no_topics(task: str, terms: list[str]) -> None:
    assert proper_terms(task) == terms


def test_damaged_counts_and_records_never_crash_a_route_or_a_build(tmp_path: Path) -> None:
    import orjson

    from skillforge.route.index import WORDS, cache_root

    lib = make_library(tmp_path / "lib", MIN_SKILLS + 20)
    Router(lib).route(TASK)
    (folder,) = [p for p in cache_root(lib).iterdir() if not p.name.startswith(".")]
    (folder / WORDS).write_bytes(b'{"exceptions": -1}')
    assert not Router(lib, threshold=0.0).route(TASK, k=1)[0].off_topic  # refused, not a math error
    records = orjson.loads((folder / "records.json").read_bytes())
    records["records"]["error-reports"]["words"] = 5
    (folder / "records.json").write_bytes(orjson.dumps(records))
    (folder / WORDS).write_bytes(b'{"exceptions": 1}')
    write(lib, "another-skill", "Plan the quince harvest")
    assert Router(lib).index.word_df()["quince"] == 1  # the damaged record did not stop the build
