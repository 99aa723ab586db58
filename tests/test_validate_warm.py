"""A warm validate (findings cache filled) finds exactly what a cold one finds: the duplicate rules
reuse each body's cached digest and MinHash signature, an edited body is shingled again, and a
malformed entry is recomputed; batched signatures equal one-set-at-a-time ones."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from skillforge import config
from skillforge.skills.rules import duplicates, minhash, safety
from skillforge.skills.validate import validate_paths

WORDS = [f"word{i}" for i in range(400)]


def body(seed: int, n: int = 150) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "\n"


def write(lib: Path, name: str, text: str) -> Path:
    folder = lib / "skills" / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "SKILL.md"
    path.write_text(f"---\nname: {name}\ndescription: Does {name}. Use when {name} is asked.\n---\n\n{text}")
    return path


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    base = body(1)
    write(lib, "alpha", base)
    write(lib, "beta", base.replace("word", "term", 3))  # a near copy of alpha
    write(lib, "gamma", body(2))
    write(lib, "delta", body(3))
    return lib


def dump(lib: Path, use_cache: bool) -> list[dict[str, object]]:
    safety.clear_cache()
    return [f.to_dict() for f in validate_paths([lib], use_cache=use_cache).findings]


def near(found: list[dict[str, object]]) -> set[tuple[str, str]]:
    return {
        (Path(str(f["file"])).parent.name, str(f["rule"])) for f in found if f["rule"] in ("SF302", "SF303")
    }


def test_warm_run_does_not_shingle_unchanged_bodies(lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = dump(lib, use_cache=True)
    assert near(cold) == {("beta", "SF303")}
    shingled: list[int] = []
    real = duplicates.word_shingles
    monkeypatch.setattr(duplicates, "word_shingles", lambda w, k=5: shingled.append(1) or real(w, k))
    assert dump(lib, use_cache=True) == cold
    assert shingled == []  # the candidate pair's Jaccard is cached too
    assert cold == dump(lib, use_cache=False)


def test_an_edited_body_is_checked_again(lib: Path) -> None:
    first = dump(lib, use_cache=True)
    write(lib, "beta", body(1).replace("word", "term", 8))  # still alike, less so: scored again
    again = dump(lib, use_cache=True)
    assert near(again) == {("beta", "SF303")} and again != first
    assert again == dump(lib, use_cache=False)
    write(lib, "beta", body(9))  # no longer like alpha
    assert near(dump(lib, use_cache=True)) == set()
    write(lib, "delta", body(1))  # now the same body as alpha
    found = dump(lib, use_cache=True)
    assert near(found) == {("delta", "SF302")}
    assert found == dump(lib, use_cache=False)


@pytest.mark.parametrize(
    "entry",
    [["", []], ["x" * 32, [1] * 63], ["x", [-1] * 64], [7, []], ["a", [2**64] * 64], "nothing"],
)
def test_malformed_duplicate_entries_are_recomputed(lib: Path, entry: object) -> None:
    expected = dump(lib, use_cache=False)
    dump(lib, use_cache=True)
    path = config.cache_dir() / "findings" / "validate.json"
    stored = json.loads(path.read_text())
    dup_keys = [k for k, v in stored.items() if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)]
    assert len(dup_keys) == 4
    path.write_text(json.dumps({**stored, **dict.fromkeys(dup_keys, entry)}))
    got = dump(lib, use_cache=True)
    if entry == ["", []]:  # well formed: says "empty body", so the near copy is not compared
        assert near(got) == set()
    else:
        assert got == expected


def test_batched_signatures_equal_one_set_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    rng = random.Random(5)
    sets = [{rng.getrandbits(32) for _ in range(rng.randint(1, 300))} for _ in range(60)]
    a, b = minhash._permutations()
    one = []
    for items in sets:
        x = np.fromiter(items, dtype=np.uint64, count=len(items))
        with np.errstate(over="ignore"):
            one.append((np.outer(a, x) + b[:, None]).min(axis=1))
    monkeypatch.setattr(minhash, "_CHUNK", 500)  # several batches, and sets that fill one alone
    assert (minhash.signatures(sets) == np.array(one)).all()


def test_an_edited_linked_file_has_its_links_read_again(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    skill = write(lib, "linker", "# Linker\n\nRead [the notes](references/notes.md).\n")
    notes = skill.parent / "references" / "notes.md"
    notes.parent.mkdir()
    notes.write_text("# Notes\n\nNothing further.\n")
    depth = lambda found: [f for f in found if f["rule"] == "SF212"]  # noqa: E731
    assert depth(dump(lib, use_cache=True)) == []
    notes.write_text("# Notes\n\nSee [more](more.md).\n")
    (notes.parent / "more.md").write_text("# More\n")
    assert len(depth(dump(lib, use_cache=True))) == 1
    assert dump(lib, use_cache=True) == dump(lib, use_cache=False)
    path = config.cache_dir() / "findings" / "validate.json"
    stored = json.loads(path.read_text())
    path.write_text(json.dumps({key: [[-1, "x"]] for key in stored}))  # malformed everywhere
    assert dump(lib, use_cache=True) == dump(lib, use_cache=False)


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_findings_print_as_one_line_each_in_order(cli, lib: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from skillforge.cli.validate import github_line, text_line

    (lib / "skills" / "alpha" / "unused.txt").write_text("never named\n")
    report = validate_paths([lib])
    if fmt == "github":
        expected = [github_line(f) for f in report.findings]
    else:
        expected = [line for f in report.findings for line in (text_line(f), f"    fix: {f.fix}")]
    result = cli("validate", str(lib), "--format", fmt)
    assert len(report.findings) == 2 and result.code == 0  # warnings only
    assert result.out == "".join(line + "\n" for line in expected)


def test_content_key_is_the_hash_of_the_parts_digests() -> None:
    import hashlib

    from skillforge.skills import findings_cache

    long = "a file's text, long enough to be remembered by its digest. " * 10
    parts = ("validate", "host.example", "text with \udc80 a lone surrogate", long)
    digests = [hashlib.sha256(p.encode("utf-8", "surrogatepass")).digest() for p in parts]
    expected = hashlib.blake2b(findings_cache.rules_stamp().encode(), digest_size=16)
    expected.update(b"".join(digests))
    assert findings_cache.content_key(*parts) == expected.hexdigest()
    # fixed-length digests: a separator inside a part never makes two lists of parts one key
    assert findings_cache.content_key("a\0b") != findings_cache.content_key("a", "b")
    assert findings_cache.content_key("ab", "c") != findings_cache.content_key("a", "bc")
    assert findings_cache.content_key(*parts[:3], long) != findings_cache.content_key(*parts[:3], long + " ")


def test_numpy_window_hashes_equal_python_tuple_hashes() -> None:
    rng = random.Random(8)
    for _ in range(200):
        seq = [rng.getrandbits(32) for _ in range(rng.randint(5, 60))]
        for k in (1, 2, 5):
            expected = {hash(tuple(seq[i : i + k])) & 0xFFFFFFFF for i in range(len(seq) - k + 1)}
            assert minhash.window_hashes(seq, k) == expected
    assert minhash.window_hashes([1, 2], 5) is None  # shorter than a window: the caller's case
