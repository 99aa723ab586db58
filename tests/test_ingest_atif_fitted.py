"""ATIF documents decoded straight into the schema (``atif_fitted``) read as the general path reads them,
and every document the schema cannot read exactly is read the general way: unknown fields, continuations,
subagents, values of other types, numbers only one of the two decoders accepts, Latin-1."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from skillforge.ingest import IngestReport, atif, atif_fitted, read
from skillforge.ingest.base import BOM, MAX_TEXT
from skillforge.ingest.reading import decode_exact


def note(role: str, kind: str, trust: str, **more: Any) -> dict[str, Any]:
    return {"role": role, "kind": kind, "trust": trust, **more}


CALL = {
    "tool_call_id": "t1",
    "function_name": "bash",
    "arguments": {"command": "pytest -q", "n": 10**30},  # orjson reads it as a float
    "extra": {"skillforge_text": "pytest -q", "input_wrapped": False},
}
DOC: dict[str, Any] = {
    "schema_version": "ATIF-v1.6",
    "session_id": "s-1",
    "trajectory_id": "t-1",
    "agent": {
        "name": "opencode",
        "version": "1.2",
        "model_name": "m",
        "tool_definitions": [{"name": "bash"}],
    },
    "steps": [
        {
            "step_id": 1,
            "source": "user",
            "message": "fix the test",
            "extra": {"skillforge": [note("user", "user_message", "person")]},
        },
        {
            "step_id": 2,
            "source": "agent",
            "message": "Running.",
            "reasoning_content": "tests first",
            "timestamp": "2026-08-05T10:00:00Z",
            "tool_calls": [CALL, {"function_name": "", "arguments": None}],
            "observation": {"results": [{"source_call_id": "t1", "content": "1 failed", "extra": {"x": 1}}]},
            "metrics": {"prompt_tokens": 10},
            "model_name": "m",
            "reasoning_effort": "high",
            "llm_call_count": 1,
            "extra": {
                "skillforge": [
                    note("assistant", "thought", "agent"),
                    note("assistant", "assistant_message", "agent", timestamp=""),
                    note("assistant", "tool_call", "agent", tool_name="bash", call_id="t1"),
                    note("assistant", "tool_call", "agent", call_id=""),
                    note("tool", "tool_result", "tool_output", exit_code=1, is_error=True, call_id="t1"),
                ]
            },
        },
        {"step_id": 3, "source": "system", "message": "ctx", "is_copied_context": True},
        {"step_id": 4, "source": "agent", "message": "", "extra": {"skillforge": []}},  # notes do not fit
    ],
    "final_metrics": {"total_steps": 4},
    "extra": {"skillforge": {"task": "fix the test", "outcome": "success", "metadata": {"k": [1, 2]}}},
}


TEXT = json.dumps(DOC, indent=2).encode()  # a document over lines (one line: a JSONL of documents)


def changed(change: Any) -> bytes:
    doc = copy.deepcopy(DOC)
    change(doc)
    return json.dumps(doc, indent=2).encode()


def setitem(keys: tuple[Any, ...], value: Any) -> Any:
    def change(doc: Any) -> None:
        for key in keys[:-1]:
            doc = doc[key]
        doc[keys[-1]] = value

    return change


READ_FITTED = {
    "as skillforge writes it": json.dumps(DOC, indent=2).encode(),
    "with a BOM": BOM + json.dumps(DOC, indent=2).encode(),
    "without extra notes": changed(lambda d: [s.pop("extra", None) for s in d["steps"]]),
    "notes that do not fit the flat steps": changed(lambda d: d["steps"][1]["extra"]["skillforge"].pop()),
    # no thought, no message: the unnamed call's id counts the steps before it, the notes fit or not
    "blank reasoning and message": changed(
        lambda d: d["steps"][1].update(reasoning_content=" ", message="\n")
    ),
    "blank reasoning and message, notes fitting": changed(
        lambda d: d["steps"][1].update(
            reasoning_content=" ",
            message="\n",
            extra={"skillforge": d["steps"][1]["extra"]["skillforge"][2:]},
        )
    ),
    # ATIF 1.6+ multimodal content (Harbor's computer-use agents write screenshots into results)
    "message parts": changed(setitem(("steps", 0, "message"), [{"type": "text", "text": "hi"}])),
    "result parts with an image": changed(
        setitem(
            ("steps", 1, "observation", "results", 0, "content"),
            [
                {"type": "text", "text": "screen after the click"},
                {"type": "image", "source": {"media_type": "image/png", "path": "images/s1.png"}},
                {
                    "type": "audio",
                    "source": {"media_type": "audio/wav", "path": "a.wav", "duration_sec": 1.5},
                },
                {"type": "text", "text": None},
            ],
        )
    ),
    # texts clipped to MAX_TEXT (their middle cut), in noted steps and in steps without notes
    "texts over the limit": changed(
        lambda d: (
            d["steps"][0].update(message="u" * (MAX_TEXT + 7)),
            d["steps"][1].update(reasoning_content="r" * (MAX_TEXT + 1), message="m" * (MAX_TEXT * 2)),
            d["steps"][1]["observation"]["results"][0].update(content="o" * (MAX_TEXT + 3)),
            d["steps"][2].update(message="c" * (MAX_TEXT + 1)),
        )
    ),
    "a wrapped input": changed(
        setitem(
            ("steps", 1, "tool_calls", 0), {"arguments": {"input": "x"}, "extra": {"input_wrapped": True}}
        )
    ),
    # the typed step fields, each of a type ATIF allows (msgspec checks them as it decodes them)
    "every metric ATIF names": changed(
        setitem(
            ("steps", 1, "metrics"),
            {
                "prompt_tokens": 10,
                "completion_tokens": 2,
                "cached_tokens": 0,
                "cost_usd": 0.5,
                "prompt_token_ids": [1, 2],
                "completion_token_ids": [3],
                "logprobs": [-0.5, 0],
                "extra": {"reasoning_tokens": 7, "n": [1.5, {"k": 2**63}]},
            },
        )
    ),
    "a step_id that is text, a numeric reasoning effort": changed(
        lambda d: d["steps"][1].update(step_id="2", reasoning_effort=0.5)
    ),
}


def _pairing_doc(*steps: dict[str, Any]) -> bytes:
    return json.dumps({"schema_version": "ATIF-v1.6", "steps": list(steps)}, indent=1).encode()


def _agent_step(calls: list[str], results: list[dict[str, Any]], notes: list[Any] | None = None) -> Any:
    step: dict[str, Any] = {"source": "agent", "message": ""}
    if calls:
        step["tool_calls"] = [{"tool_call_id": c, "function_name": "bash", "arguments": {}} for c in calls]
    if results:
        step["observation"] = {"results": results}
    if notes is not None:
        step["extra"] = {"skillforge": notes}
    return step


_RESULT_NOTE = note("tool", "tool_result", "tool_output")
# found by review: results the two paths paired differently
READ_FITTED.update(
    {
        "a result whose source_call_id is empty": _pairing_doc(
            _agent_step(["c1"], [{"source_call_id": "", "content": "out"}])
        ),
        "a result skillforge paired with an earlier call, in a step with a call of its own": _pairing_doc(
            _agent_step(["c1"], []),
            _agent_step(
                ["c2"],
                [{"content": "out of c1"}],
                [
                    note("assistant", "tool_call", "agent", call_id="c2"),
                    {**_RESULT_NOTE, "paired_call_id": "c1"},
                ],
            ),
        ),
        "notes that outnumber the flat steps, the last pairing a result": _pairing_doc(
            _agent_step(["c1"], []),
            _agent_step(
                [], [{"content": "out of c1"}], [_RESULT_NOTE, {**_RESULT_NOTE, "paired_call_id": "c1"}]
            ),
        ),
    }
)
DOC_HEAD = b'{"schema_version": "ATIF-v1.6",\n "steps": ['
# found by a reviewer's differential fuzzing: documents orjson refuses or reads otherwise
REVIEWED = {
    "an integer beyond a double in step_id": DOC_HEAD
    + b'{"step_id": 1'
    + b"0" * 309
    + b', "source": "user", "message": "hi"}]}\n',
    "an integer beyond 64 bits in metrics": DOC_HEAD
    + b'{"source": "user", "message": "hi", "metrics": {"n": 123456789012345678901234}}]}\n',
    "a number out of range in a user step's call": DOC_HEAD
    + b'{"source": "user", "message": "hi", "tool_calls": [{"arguments": {"x": 1e400}}]}]}\n',
    "Latin-1 in a user step's call": DOC_HEAD
    + '{"source": "user", "message": "café —", "tool_calls": [{"arguments": {"x": "'.encode()
    + b'\xe9"}}]}]}\n',
    "a wrapped input without one before a number out of range": DOC_HEAD
    + b'{"source": "agent", "tool_calls": [{"arguments": {"x": 1}, "extra": {"input_wrapped": true}}]},\n'
    + b'{"source": "agent", "tool_calls": [{"arguments": {"y": 1e400}}]}]}\n',
}

READ_GENERALLY = {
    **REVIEWED,
    "an unknown field": changed(setitem(("steps", 0, "llm_note"), "x")),
    "a continuation": changed(setitem(("continued_trajectory_ref",), "trajectory.cont-1.json")),
    "embedded subagents": changed(setitem(("subagent_trajectories",), [{"steps": []}])),
    "a subagent ref": changed(
        setitem(("steps", 1, "observation", "results", 0, "subagent_trajectory_ref"), [{"session_id": "x"}])
    ),
    "a part with a field the spec does not name": changed(
        setitem(("steps", 0, "message"), [{"type": "text", "text": "hi", "content": "x"}])
    ),
    "parts that are strings": changed(setitem(("steps", 0, "message"), ["hi"])),
    "an image whose source holds an integer beyond 64 bits": changed(
        setitem(("steps", 0, "message"), [{"type": "image", "source": {"n": 2**70}}])
    ),
    "an exit code beyond 64 bits": changed(
        setitem(("steps", 1, "extra", "skillforge", 4, "exit_code"), 2**70)
    ),
    "an exit code that is a boolean": changed(
        setitem(("steps", 1, "extra", "skillforge", 4, "exit_code"), True)
    ),
    "an unknown role in a note": changed(setitem(("steps", 0, "extra", "skillforge", 0, "role"), "robot")),
    "is_error that is not a boolean": changed(setitem(("steps", 1, "extra", "skillforge", 4, "is_error"), 1)),
    "a step that is not an object": changed(lambda d: d["steps"].append("step")),
    "Latin-1": TEXT.replace(b"fix the test", b"r\xe9sum\xe9"),
    "Latin-1 in arguments": TEXT.replace(b'"pytest -q"', b'"pyt\xe9st -q"', 1),
    "a number out of range in arguments": TEXT.replace(b"1000000000000000000000000000000", b"1e400"),
    "a number out of range in metrics": TEXT.replace(b'"prompt_tokens": 10', b'"prompt_tokens": 1e400'),
    # the step fields msgspec types: a value of another type, or an integer orjson reads as an int that
    # the schema's 64-bit signed integers do not hold, goes the general way
    "a metric ATIF does not name": changed(setitem(("steps", 1, "metrics", "reasoning_tokens"), 7)),
    "a token count between 2**63 and 2**64": changed(
        setitem(("steps", 1, "metrics", "prompt_tokens"), 2**63)
    ),
    "an integer beyond 64 bits in the metrics' extra": changed(
        setitem(("steps", 1, "metrics", "extra"), {"n": [2**64]})
    ),
    "a token id beyond 64 bits": changed(setitem(("steps", 1, "metrics", "completion_token_ids"), [2**64])),
    "a step_id that is a float": changed(setitem(("steps", 1, "step_id"), 2.0)),
    "a step_id between 2**63 and 2**64": changed(setitem(("steps", 1, "step_id"), 2**63)),
    "a model name that is a number": changed(setitem(("steps", 1, "model_name"), 3)),
    "an llm_call_count that is text": changed(setitem(("steps", 1, "llm_call_count"), "1")),
}


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "run.json"
    path.write_bytes(data)
    return path


def read_all(path: Path) -> tuple[list[dict[str, Any]], Any]:
    report = IngestReport()
    trajs = [t.to_dict() for t in read([path], report)]
    stats = report.formats.get("atif")
    figures = None if stats is None else (dict(stats.skipped), dict(stats.ignored), stats.steps)
    return trajs, (figures, [(p.message, p.line) for p in report.problems])


def fitted(path: Path) -> bool:
    doc = decode_exact(path.read_bytes(), atif_fitted.DECODER)
    return doc is not None and atif_fitted.fitted_steps(str(path), doc) is not None


@pytest.mark.parametrize("case", sorted(READ_FITTED))
def test_fitted_documents_read_as_the_general_path_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    path = write(tmp_path, READ_FITTED[case])
    assert fitted(path)
    result = read_all(path)
    assert result[0] and result[0][0]["steps"]
    monkeypatch.setattr(atif, "decode_exact", lambda *a: None)
    assert read_all(path) == result


@pytest.mark.parametrize("case", sorted(READ_GENERALLY))
def test_other_documents_are_read_the_general_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    path = write(tmp_path, READ_GENERALLY[case])
    assert not fitted(path)
    result = read_all(path)
    monkeypatch.setattr(atif, "decode_exact", lambda *a: None)
    assert read_all(path) == result


def test_a_wrapped_input_without_one_reads_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``input_wrapped`` on arguments with no ``input`` key: the arguments as they are (it failed the
    whole document with a KeyError, found by fuzzing)."""
    bad = setitem(("steps", 1, "tool_calls", 0), {"arguments": {"x": 1}, "extra": {"input_wrapped": True}})
    path = write(tmp_path, changed(bad))
    (traj,), (_, problems) = result = read_all(path)
    assert problems == [] and any(s.get("input") == {"x": 1} for s in traj["steps"])
    monkeypatch.setattr(atif, "decode_exact", lambda *a: None)
    assert read_all(path) == result


def test_fitted_document_keeps_what_skillforge_wrote(tmp_path: Path) -> None:
    (traj,), _ = read_all(write(tmp_path, READ_FITTED["as skillforge writes it"]))
    steps = traj["steps"]
    assert [s["kind"] for s in steps] == [
        "user_message",
        "thought",
        "assistant_message",
        "tool_call",
        "tool_call",
        "tool_result",
        "system_message" if steps[6]["kind"] == "system_message" else steps[6]["kind"],
    ]
    assert steps[3]["input"]["n"] == float(10**30)
    assert (steps[4].get("tool_name"), steps[4].get("call_id"), steps[4]["text"]) == (None, None, "null")
    assert (steps[5]["exit_code"], steps[5]["is_error"], steps[5]["pair"]) == (1, True, 3)
    assert steps[6]["trust"] == "injected"
    assert (
        traj["task"] == "fix the test" and traj["outcome"] == "success" and traj["metadata"] == {"k": [1, 2]}
    )
    assert traj["agent"] == "opencode" and traj["native_id"] == "s-1"


def test_a_number_out_of_range_in_arguments_fails_the_file_in_one_line(tmp_path: Path) -> None:
    """msgspec keeps the arguments raw and accepts them; orjson refuses the document, as before."""
    path = write(tmp_path, READ_GENERALLY["a number out of range in arguments"])
    assert decode_exact(path.read_bytes(), atif_fitted.DECODER) is not None
    trajs, (_, problems) = read_all(path)
    assert trajs == [] and len(problems) == 1 and "not valid JSON" in problems[0][0]


_VALUES = [None, "", " ", "x", 0, -1, 2**70, 1.5, True, [], {}, [1], {"a": 1}, "agent", "user", "tool_call"]


def _mutated(rng: random.Random) -> dict[str, Any]:
    """DOC with one to three values replaced by values of other types, or keys dropped."""
    doc = copy.deepcopy(DOC)
    for _ in range(rng.randint(1, 3)):
        where: list[tuple[Any, Any]] = []
        stack: list[Any] = [doc]
        while stack:
            node = stack.pop()
            items = (
                node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
            )
            for key, value in items:
                where.append((node, key))
                stack.append(value)
        node, key = rng.choice(where)
        if isinstance(node, dict) and rng.random() < 0.3:
            del node[key]
        else:
            node[key] = rng.choice(_VALUES)
    return doc


def test_mutated_documents_read_the_same_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Differential: 300 seeded mutations of DOC, each read with the schema path on and off."""
    rng, fitted_ones = random.Random(7), 0
    for n in range(300):
        path = tmp_path / f"run{n}.json"
        path.write_text(json.dumps(_mutated(rng), indent=2), encoding="utf-8")
        fitted_ones += decode_exact(path.read_bytes(), atif_fitted.DECODER) is not None
        with monkeypatch.context() as patch:
            result = read_all(path)
            patch.setattr(atif, "decode_exact", lambda *a: None)
            assert read_all(path) == result, path.read_text()
    assert fitted_ones > 50  # the schema path was taken often enough to mean something
