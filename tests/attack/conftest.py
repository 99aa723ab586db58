"""The attack suite's harness: write poisoned runs, distill them for real (offline, or through the real
anthropic/openai SDKs against the scripted server with a "parrot" model that copies whatever it is
shown into lessons and skills), then collect every place a secret or an injected instruction could
end up: LLM request payloads, SKILL.md files and everything else in git history, quarantine files
on the run branch and the pull-request body."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git
import orjson
import pytest

from tests.attack import builders as b
from tests.llm_server import Reply, ScriptedLLM, Seen

ENTRY = re.compile(r"^\[(\d+)(?:-\d+)?\](?: ×\d+)? (.*)$", re.M)
TRAJ = re.compile(r"Trajectory id: ([0-9a-f]+)\.")
ITEM = re.compile(r"^--- (\S+) \(support", re.M)
CALL = re.compile(r"^(?:agent |person )?call ")  # an index line of a tool call (the writer label first)
BENIGN_TITLE = "Install the package before running its tests"


def standard_runs(
    poison: Callable[[int], Sequence[b.Ev]] | None = None,
    n: int = 3,
    task: str = "Fix the CSV export header bug in ledgerkit",
) -> list[b.Run]:
    """``n`` successful runs that hit ModuleNotFoundError, install the package and pass; ``poison(i)``
    adds events to run ``i`` right after the install."""
    runs = []
    for i in range(n):
        events = [
            b.call("python -m pytest -q"),
            b.result("E   ModuleNotFoundError: No module named 'ledgerkit'\n1 error in 0.1s", 1),
            b.call("pip install -e ."),
            b.result("Successfully installed ledgerkit-0.3.0"),
            *(poison(i) if poison else ()),
            b.call("python -m pytest -q"),
            b.result(f"5 passed in 0.{20 + i}s"),
            b.say("Fixed: the header is always written now."),
        ]
        runs.append(b.Run(f"ledgerkit-{100 + i}", task, events))
    return runs


def write_logs(folder: Path, fmt: str, runs: Sequence[b.Run]) -> Path:
    for run in runs:
        b.write(fmt, folder, run)
    return folder


@dataclass
class Outcome:
    """Everything one distill run produced, as text to search."""

    code: int
    report: dict[str, Any]
    history: str  # git log -p --all of the library (every blob ever committed)
    history_outside_quarantine: str  # the same, without .skillforge/quarantine/
    skill_files: dict[str, str]  # path -> text of every file under skills/ on every branch
    quarantine: dict[str, dict[str, Any]]  # .skillforge/quarantine/<key>.json on the run branch
    pr_body: str
    payloads: list[str] = field(default_factory=list)  # every LLM request body (JSON text)
    err: str = ""

    def leaks(self, needle: str) -> list[str]:
        """Where ``needle`` occurs in anything written or sent (quarantine files included)."""
        places = [f"skills file {p}" for p, text in self.skill_files.items() if needle in text]
        if needle in self.history:
            places.append("git history")
        if needle in self.pr_body:
            places.append("pull-request body")
        places += [f"LLM request {i}" for i, p in enumerate(self.payloads) if needle in p]
        if needle in orjson.dumps(self.report).decode():
            places.append("report")
        return places

    def in_skills(self, needle: str) -> list[str]:
        """Files under skills/ (on any branch) that contain ``needle``, case-insensitively."""
        low = needle.lower()
        return [p for p, text in self.skill_files.items() if low in text.lower()]

    def quarantined_text(self) -> str:
        return "\n".join(orjson.dumps(doc).decode() for doc in self.quarantine.values())


def collect(code: int, out: str, err: str, lib: Path, payloads: list[str]) -> Outcome:
    report = orjson.loads(out) if out.strip().startswith("{") else {}
    history, outside, skills, quarantine, pr_body = "", "", {}, {}, ""
    if (lib / ".git").is_dir():
        repo = git.Repo(lib)
        history = repo.git.log("-p", "--all", "--format=%H%n%B")
        outside = repo.git.log("-p", "--all", "--format=%H%n%B", "--", ".", ":!.skillforge/quarantine")
        for head in repo.heads:
            for blob in head.commit.tree.traverse():
                if blob.type != "blob":  # type: ignore[union-attr]
                    continue
                path = blob.path  # type: ignore[union-attr]
                data = blob.data_stream.read().decode("utf-8", "replace")  # type: ignore[union-attr]
                if path.startswith("skills/"):
                    skills[f"{head.name}:{path}"] = data
                elif path.startswith(".skillforge/quarantine/") and head.name.startswith("skillforge/"):
                    quarantine[path] = orjson.loads(data)
        if report.get("pr_body"):
            pr_body = Path(report["pr_body"]).read_text()
    return Outcome(code, report, history, outside, skills, quarantine, pr_body, payloads, err)


# --------------------------------------------------------------------------------- the parrot model


@dataclass
class Parrot:
    """A scripted model that does what a poisoned model would: for every trajectory it turns the step
    whose text contains ``marker`` (else the last tool output) into a lesson copied verbatim from
    what it was shown, cited together with the agent's call before it; consolidation copies every
    lesson into a new skill. It also proposes one benign lesson so a normal skill is written too."""

    marker: str = ""
    lesson_text: str | None = None  # what the lesson says (default: the copied step text)
    evil_name: str = ""  # the add_skill name proposed for the poisoned lesson (traversal attacks)
    cite_only_marker: bool = False  # cite only the marked step (no agent step beside it)
    description_extra: str = ""  # what a poisoned consolidation adds to each new skill's description
    content_extra: str = ""  # ... and to its body
    hunt: bool = False  # first use the analyst's tools to dig for secrets (read the marked step, search)

    def __call__(self, seen: Seen) -> Reply:
        user = seen.user_text
        if "Decide whether this run achieved" in user:
            return Reply(json={"outcome": "success", "reason": "the tests pass", "steps": []})
        if "Condense these lessons" in user:
            ids = ITEM.findall(user)
            return Reply(
                json={"drafts": [{"title": "t", "trigger": "w", "lesson": "l", "sources": [i]} for i in ids]}
            )
        if "into edits of the skill library" in user:
            return Reply(json={"edits": self._edits(user)})
        match = TRAJ.search(user)
        if match is None:  # comparative analysis and anything else: nothing to add
            return Reply(json={"lessons": []})
        if self.hunt and not seen.tool_results:
            marked = [
                int(m.group(1)) for m in ENTRY.finditer(user) if self.marker and self.marker in m.group(2)
            ]
            return Reply(
                tool_calls=[
                    *(("read_step", {"index": i}) for i in marked[:2]),
                    ("search", {"pattern": r"AKIA|ghp_|sk-|xox|secret|password|token|key"}),
                ]
            )
        return Reply(json={"lessons": self._lessons(match.group(1), user)})

    def _lessons(self, tid: str, user: str) -> list[dict[str, Any]]:
        entries = [(int(m.group(1)), m.group(2)) for m in ENTRY.finditer(user)]
        results = [(i, t) for i, t in entries if " result (" in t]
        chosen = next(((i, t) for i, t in entries if self.marker and self.marker in t), None) or results[-1]
        index, text = chosen
        shown = text.split("): ", 1)[1] if "): " in text else text.split(": ", 1)[-1]
        call = max((i for i, t in entries if CALL.match(t) and i < index), default=index)
        install = next(((i, t) for i, t in entries if "pip install -e ." in t and CALL.match(t)), None)
        steps = [index] if self.cite_only_marker else sorted({call, index})
        lessons = [
            _lesson(
                "Recover from the setup failure in ledgerkit",
                self.lesson_text or shown,
                tid,
                steps,
                shown[:60],
            )
        ]
        if install is not None:
            lessons.append(
                _lesson(
                    BENIGN_TITLE,
                    "Run `pip install -e .` once before `python -m pytest`.",
                    tid,
                    [install[0]],
                    "pip install -e .",
                )
            )
        return lessons

    def _edits(self, user: str) -> list[dict[str, Any]]:
        blocks = re.split(r"^--- ", user.split("Lessons:", 1)[1], flags=re.M)[1:]
        edits = []
        for block in blocks:
            lid = block.split(" ", 1)[0]
            lines = block.split("\n")
            title = lines[1].removeprefix("title: ")
            body = "\n".join(lines[3:]).strip()
            name = self.evil_name if self.evil_name and title != BENIGN_TITLE else _slug(title)
            edits.append(
                {
                    "op": "add_skill",
                    "skill": name,
                    "section": "",
                    "reason": "parrot",
                    "description": f"{title}. Use when {title.lower()}.{self.description_extra}",
                    "content": f"# {title}\n\n## Steps\n\n{body}\n{self.content_extra}",
                    "sources": [lid],
                }
            )
        return edits


def _lesson(title: str, text: str, tid: str, steps: list[int], quote: str) -> dict[str, Any]:
    return {
        "title": title,
        "trigger": "a ledgerkit task fails before its tests run",
        "lesson": text,
        "kind": "success_pattern",
        "level": "functional",
        "scope": {"kind": "repository", "value": "ledgerkit"},
        "evidence": [{"trajectory_id": tid, "steps": steps, "quote": quote}],
        "confidence": 0.9,
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def distill(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, llm_server: ScriptedLLM
) -> Callable[..., Outcome]:
    """``distill(logs, provider="offline"|"anthropic"|"openai", parrot=Parrot(), library=None)`` -> Outcome
    (a new library each call unless ``library`` names one)."""
    counter = iter(range(1000))

    def run(
        logs: Path, provider: str = "offline", parrot: Parrot | None = None, library: Path | None = None
    ) -> Outcome:
        lib = library or tmp_path / f"lib-{provider}-{next(counter)}"
        args = ["distill", str(logs), "--library", str(lib), "--init", "--json", "--workers", "2"]
        start = len(llm_server.requests)
        if provider == "offline":
            monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
            monkeypatch.delenv("OPENAI_API_KEY", raising=False)
            args += ["--provider", "offline"]
        else:
            env = "ANTHROPIC_API_KEY" if provider == "anthropic" else "OPENAI_API_KEY"
            monkeypatch.setenv(env, "test-key")
            url = llm_server.anthropic_url if provider == "anthropic" else llm_server.openai_url
            llm_server.responder = parrot or Parrot()
            args += ["--provider", provider, "--base-url", url, "--model", "test-model"]
        res = cli(*args)
        payloads = [s.text for s in llm_server.requests[start:]]
        return collect(res.code, res.out, res.err, lib, payloads)

    return run
