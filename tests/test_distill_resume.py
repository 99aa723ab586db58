"""An LLM distill interrupted with Ctrl-C leaves nothing half-written, and the next run resumes from
the per-trajectory cache without repeating a call that had completed (real SDK, scripted server)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import orjson

from tests.llm_server import Reply, Seen
from tests.test_distill_llm import FIX, script

_ANALYST = re.compile(r"Trajectory id: (\w+)\.")


def test_interrupted_run_resumes_without_repeating_completed_calls(cli, tmp_path, llm_server, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    reached, release = threading.Event(), threading.Event()
    answered: list[str] = []

    def blocking(seen: Seen) -> Reply:
        match = _ANALYST.search(seen.user_text)
        if match and answered:  # the second analyst call: hold it until the run is interrupted
            reached.set()
            release.wait(30)
        elif match:
            answered.append(match.group(1))
        return script(seen)

    llm_server.responder = blocking
    lib = tmp_path / "lib"
    args = [
        "distill",
        str(FIX / "batch1"),
        "--labels",
        str(FIX / "labels.json"),
        "--library",
        str(lib),
        "--init",
        "--provider",
        "anthropic",
        "--base-url",
        llm_server.anthropic_url,
        "--model",
        "test-model",
        "--workers",
        "1",
        "--json",
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillforge", *args],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reached.wait(120), "the run never reached its second analyst call"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "Traceback" not in err
    assert "interrupted; nothing was half-written" in err  # typer turned Ctrl-C into a silent exit 130
    assert not lib.exists()  # nothing committed, and the library this --init run created is gone again

    before = len(llm_server.requests)
    llm_server.responder = script
    res = cli(*args)
    report = orjson.loads(res.out)
    resumed = [m.group(1) for r in llm_server.requests[before:] if (m := _ANALYST.search(r.user_text))]
    assert res.code == 0 and report["branch"]
    assert len(answered) == 1 and answered[0] not in resumed  # the completed call was not repeated
    assert len(resumed) == report["trajectories"] - 1
