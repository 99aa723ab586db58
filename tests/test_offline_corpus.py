"""The offline distiller on the real mini-swe-agent corpus (skipped where ../shared/corpus is absent):
every lesson cites steps that exist in its trajectories, and the library it commits validates."""

from __future__ import annotations

from pathlib import Path

import git
import orjson
import pytest

from skillforge.distill.offline import OfflineMapper
from skillforge.ingest import read
from skillforge.ingest.labels import load_labels
from skillforge.skills.validate import validate_paths


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.corpus
def test_every_lesson_cites_steps_that_exist(corpus: Path) -> None:
    mini = corpus / "mini-swe-agent"
    labels, source = load_labels([mini / "labels.json"])
    trajs = {t.id: t for t in read([mini / "trajs"], labels=labels, labels_source=source)}
    mapper = OfflineMapper()
    lessons = mapper.reduce([mapper.map(t) for t in trajs.values()])
    assert len(trajs) == 100 and len(lessons) >= 20
    for lesson in lessons:
        assert lesson.evidence, lesson.title
        for ev in lesson.evidence:
            traj = trajs[ev.trajectory_id]
            steps = [traj.step(i) for i in ev.steps]
            assert steps and all(s is not None for s in steps), (lesson.title, ev.steps)
            assert ev.outcome == traj.outcome


@pytest.mark.corpus
def test_the_committed_corpus_library_validates_clean(cli, corpus: Path, tmp_path: Path) -> None:
    mini = corpus / "mini-swe-agent"
    lib = tmp_path / "lib"
    res = cli(
        "distill",
        str(mini / "trajs"),
        "--labels",
        str(mini / "labels.json"),
        "--library",
        str(lib),
        "--init",
        "--json",
    )
    branch = orjson.loads(res.out)["branch"]
    export = tmp_path / "export"
    for blob in git.Repo(lib).commit(branch).tree.traverse():
        if blob.type == "blob" and blob.path.startswith("skills/"):
            (export / blob.path).parent.mkdir(parents=True, exist_ok=True)
            (export / blob.path).write_bytes(blob.data_stream.read())
    report = validate_paths([export / "skills"], strict=True)
    assert [str(f) for f in report.findings] == []
