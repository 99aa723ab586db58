"""The class of one simple shell command: test / build / install / edit / explore / reproduce /
submit / other, recognised by regexes over its first words, and the files an edit command writes.
"""

from __future__ import annotations

import re

from skillforge.distill.offline.runners import SCRIPT_RUNNERS, dry_run, program_start, task_start

TEST, BUILD, INSTALL, CHECK, EDIT, EXPLORE, REPRODUCE, SUBMIT, OTHER = (
    "test",
    "build",
    "install",
    "check",  # linters, formatters, type checkers: what a project runs before a commit
    "edit",
    "explore",
    "reproduce",
    "submit",
    "other",
)

ACTION_CLASSES = (TEST, BUILD, INSTALL, CHECK, EDIT, EXPLORE, REPRODUCE, SUBMIT, OTHER)

_SUBMIT_MARKERS = ("COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT", "MINI_SWE_AGENT_FINAL_OUTPUT")

_TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|testing|spec)(?:/|$)|(?:^|/)test_[\w.-]*\.py\b|_test\.(?:py|go|js|ts)\b|\.(?:test|spec)\.[jt]sx?\b"
)

_TEST_PROGRAMS = re.compile(
    r"^(?:\S*/)?(?:py\.test|pytest|tox|nox|nosetests|jest|vitest|mocha|ava|rspec|phpunit|ctest|runtests(?:\.py)?"
    r"|trial)\b|^(?:\S*/)?python[\d.]*\s+(?:-\S+\s+)*-m\s+(?:pytest|unittest|nose|tox|django\s+test)\b"
    r"|^(?:\.?/)?bin/test\b|^(?:\S*/)?python[\d.]*\s+(?:\S*/)?(?:runtests|manage)\.py\s+(?:test\b)?"
    r"|^(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?test\b|^(?:go|cargo|mvn|gradle|\./gradlew|dotnet|swift|mix)\s+test\b"
    r"|^make\s+(?:test|check)\b|^django-admin\s+test\b"
)

_INSTALL = re.compile(
    r"^(?:\S*/)?(?:pip[\d.]*|uv\s+pip|python[\d.]*\s+-m\s+pip)\s+install\b|^uv\s+(?:sync|add)\b"
    r"|^(?:poetry|pdm|pipenv|bundle|composer)\s+(?:install|add)\b|^(?:npm|yarn|pnpm|bun)\s+(?:install|ci|add|i)\b"
    r"|^(?:apt-get|apt|apk|yum|dnf|brew)\s+(?:-\S+\s+)*(?:install|add)\b|^conda\s+install\b|^gem\s+install\b"
    r"|^cargo\s+(?:add|install)\b|^go\s+(?:get|mod\s+download)\b|^(?:\S*/)?python[\d.]*\s+setup\.py\s+(?:develop|install)\b"
)

_BUILD = re.compile(
    r"^(?:\S*/)?python[\d.]*\s+setup\.py\s+(?:build|build_ext|sdist|bdist\w*)\b|^(?:\S*/)?python[\d.]*\s+-m\s+build\b"
    r"|^(?:npm|yarn|pnpm|bun)\s+run\s+build\b|^(?:tsc|cmake|ninja|gcc|g\+\+|clang|javac|sphinx-build|meson)\b"
    r"|^(?:cargo|go|dotnet|swift)\s+build\b|^mix\s+compile\b|^make\b|^pip[\d.]*\s+wheel\b|^(?:mvn|gradle)\s+(?:package|compile|build)\b"
)

_EDIT = re.compile(
    r"^(?:sed|gsed)\s+(?:-\S+\s+)*-i|^sed\s+-i|^perl\s+-\S*i|^(?:patch|ed|ex)\b|^git\s+(?:apply|am|checkout\s+--|restore)\b"
    r"|^(?:cat|echo|printf|tee)\b.*(?:>|\btee\b)|^tee\b"
)

_EXPLORE = re.compile(
    r"^(?:cat|less|more|head|tail|grep|egrep|rg|ag|ack|find|fd|ls|tree|nl|awk|wc|pwd|which|whereis|file|stat"
    r"|diff|du|echo|printf|sed|true|type|env|printenv|locate|xxd|od|sort|uniq|cut|readlink|realpath|basename|dirname)\b"
    r"|^git\s+(?:log|show|diff|status|blame|grep|ls-files|branch|rev-parse|remote)\b|^(?:pip[\d.]*|conda)\s+(?:show|list|freeze)\b"
)

_CHECK = re.compile(
    r"^(?:\S*/)?(?:golangci-lint\s+run|go\s+vet|staticcheck|ruff(?:\s+check|\s+format\s+(?:\S+\s+)*--check)|flake8|pylint"
    r"|mypy|pyright|eslint|biome\s+(?:check|lint|ci)|prettier\s+(?:\S+\s+)*--check|black\s+(?:\S+\s+)*--check"
    r"|tsc\s+(?:\S+\s+)*--noEmit|cargo\s+(?:clippy|fmt\s+(?:\S+\s+)*--check)|mix\s+(?:credo|dialyzer|format)"
    r"|rubocop|shellcheck|pre-commit\s+run)\b"
    r"|^(?:\S*/)?python[\d.]*\s+-m\s+(?:mypy|ruff\s+check|flake8|pylint|black\s+(?:\S+\s+)*--check)\b"
)  # not `gofmt -l`: it exits 0 whatever it lists
# a project's own tasks, named by the task runner's target: ``mise run test``, ``just lint``, ``task build``,
# ``make fmt``, ``bun run typecheck``, ``npm run check`` (make's ``check`` runs the tests, by autotools' use)
_TASK_CLASSES = (
    (
        re.compile(r"^(?:test|tests|unittests?|spec|e2e|unit|integration)(?:\b|[:_-])|[:_-]test(?:s|:\w+)?$"),
        TEST,
    ),
    (
        re.compile(
            r"^(?:lint|fmt|format|typecheck|type-check|types|vet|style|credo|clippy|check)(?:\b|[:_-])"
        ),
        CHECK,
    ),
    (re.compile(r"^(?:build|compile|dist|bundle)(?:\b|[:_-])"), BUILD),
    (re.compile(r"^(?:install|setup|bootstrap|deps)(?:\b|[:_-])"), INSTALL),
)

_REPRODUCE = re.compile(r"^(?:\S*/)?(?:python[\d.]*|node|ruby|bash|sh|zsh|deno|go\s+run|php)\b|^\./\S+")


def segment_class(seg: str) -> str:
    """The class of one simple command (no ``&&``)."""
    if any(marker in seg for marker in _SUBMIT_MARKERS) or re.match(r"^submit\b", seg):
        return SUBMIT
    if re.search(r"\s(?:--version|--help|-V|-h)$", seg):
        return EXPLORE
    words = seg.split()
    if words and words[0] == "make" and dry_run(words):
        return EXPLORE  # `make -n test` prints what it would run
    inner = program_start(words)
    if inner is not None:  # `uv run pytest` runs pytest; `pdm run test` may run the project's script
        ran = segment_class(" ".join(words[inner:]))
        script = ran == OTHER and words[0] in SCRIPT_RUNNERS
        return (_task_class(words[0], words[inner]) or OTHER) if script else ran
    task = task_start(words)
    named = _task_class(words[0], words[task]) if task is not None else None
    if named is not None:
        return named
    if _CHECK.search(seg):
        return CHECK
    if _TEST_PROGRAMS.search(seg):
        return TEST
    if _INSTALL.search(seg):
        return INSTALL
    if _EDIT.search(seg):
        return EDIT
    if _BUILD.search(seg):
        return BUILD
    if re.match(r"^sed\s+-n\b", seg) or _EXPLORE.search(seg):
        return EXPLORE
    if _REPRODUCE.search(seg):
        return TEST if _runs_test_file(seg) else REPRODUCE
    return OTHER


def _task_class(runner: str, task: str) -> str | None:
    """The class of a task runner's task by its name (None: a name that says nothing)."""
    if runner == "make" and task == "check":
        return TEST
    return next((cls for pattern, cls in _TASK_CLASSES if pattern.search(task)), None)


def _runs_test_file(seg: str) -> bool:
    words = seg.split()
    target = next((w for w in words[1:] if not w.startswith("-")), "")
    return "/" in target and bool(_TEST_PATH.search(target))
