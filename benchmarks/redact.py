"""Redaction speed and recall: MB/s of ``find_secrets`` over every file of the corpus, the count of
findings by kind there, and the recall on the same text with planted secrets.

Usage: python benchmarks/redact.py [CORPUS_DIR]   (default ../shared/corpus)
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from skillforge.safety.redact import find_secrets, redact

PLANTED = {
    "aws-access-key": "AKIAQWERTYUIOPASDFGH",
    "github-token": "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5",
    "anthropic-key": "sk-ant-api03-" + "Xy7Zq2Lm9Pw4Rt6Vb8Nc1Kd3Fh5Gj0Ae" * 2,
    "openai-key": "sk-proj-" + "T3BlbkFJx9Qw2Er5Ty8Ui1Op4As7Df0Gh3Jk6",
    "gcp-api-key": "AIza" + "SyD4x9Qw2Er5Ty8Ui1Op4As7Df0Gh3Jk6Lm",
    "huggingface-token": "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    "slack-token": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "connection-string": "postgres://app:Sup3rS3cret@db.internal:5432/app",
}


def main() -> None:
    root = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    files = sorted(p for p in root.rglob("*") if p.is_file())
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    size = sum(len(t.encode("utf-8")) for t in texts)
    kinds: Counter[str] = Counter()
    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        kinds.update(f.kind for f in find_secrets(text))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"find_secrets: {len(files)} files, {size / 1e6:.1f} MB in {elapsed:.2f} s wall = "
        f"{size / 1e6 / elapsed:.1f} MB/s ({size / 1e6 / cpu:.1f} MB/s of CPU time)"
    )
    print("findings by kind:", dict(kinds.most_common()) or "none")
    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        redact(text)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"redact: {size / 1e6 / elapsed:.1f} MB/s wall ({size / 1e6 / cpu:.1f} MB/s of CPU time)")
    planted = "\n".join(
        f'{kind.upper().replace("-", "_")}_VALUE="{value}"' for kind, value in PLANTED.items()
    )
    mixed = texts[len(texts) // 2] + "\n" + planted
    _, counts = redact(mixed)
    caught = [k for k in PLANTED if counts.get(k)]
    print(
        f"planted: caught {len(caught)}/{len(PLANTED)}; missed: {sorted(set(PLANTED) - set(caught)) or 'none'}"
    )


if __name__ == "__main__":
    main()
