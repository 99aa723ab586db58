"""The class of one simple shell command: test / build / install / edit / explore / reproduce /
submit / other, recognised by regexes over its first words, and the files an edit command writes.
"""

from __future__ import annotations

import re

TEST, BUILD, INSTALL, EDIT, EXPLORE, REPRODUCE, SUBMIT, OTHER = (
    "test",
    "build",
    "install",
    "edit",
    "explore",
    "reproduce",
    "submit",
    "other",
)

ACTION_CLASSES = (TEST, BUILD, INSTALL, EDIT, EXPLORE, REPRODUCE, SUBMIT, OTHER)

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
    r"|^(?:cargo|go|dotnet|swift)\s+build\b|^make\b|^pip[\d.]*\s+wheel\b|^(?:mvn|gradle)\s+(?:package|compile|build)\b"
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

_REPRODUCE = re.compile(r"^(?:\S*/)?(?:python[\d.]*|node|ruby|bash|sh|zsh|deno|go\s+run|php)\b|^\./\S+")


def segment_class(seg: str) -> str:
    """The class of one simple command (no ``&&``)."""
    if any(marker in seg for marker in _SUBMIT_MARKERS) or re.match(r"^submit\b", seg):
        return SUBMIT
    if re.search(r"\s(?:--version|--help|-V|-h)$", seg):
        return EXPLORE
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


def _runs_test_file(seg: str) -> bool:
    words = seg.split()
    target = next((w for w in words[1:] if not w.startswith("-")), "")
    return "/" in target and bool(_TEST_PATH.search(target))
