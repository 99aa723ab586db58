"""The building blocks of validation: code fences, tree-sitter parsing, links, MinHash LSH pairs."""

from __future__ import annotations

import random

from skillforge.skills.rules.content import code_blocks, mask_code, syntax_error_line
from skillforge.skills.rules.duplicates import shingles, similar_pairs, trigger_words
from skillforge.skills.rules.structure import links, relative_parts


def test_code_blocks_handle_tildes_longer_fences_and_unclosed() -> None:
    text = "intro\n````markdown\n```python\nx = 1\n```\n````\n~~~json\n{}\n~~~\n```bash\necho open\n"
    blocks = code_blocks(text)
    assert [(b.lang, b.line, b.closed) for b in blocks] == [
        ("markdown", 2, True),
        ("json", 7, True),
        ("bash", 10, False),
    ]
    assert blocks[0].code == "```python\nx = 1\n```"


def test_syntax_error_line_per_language() -> None:
    assert syntax_error_line("python", "x = 1\ny = (\n") == 1
    assert syntax_error_line("toml", "[tool]\nname = 'x'\n") is None
    assert syntax_error_line("tsx", "const a = <div>{x}</div>;\n") is None
    assert syntax_error_line("ruby", "def (((") is None  # not a language we parse


def test_links_skip_code_urls_and_anchors() -> None:
    text = (
        "See [a](references/a.md#part), [web](https://x.dev), [top](#top), ![img](assets/i.png)\n"
        "`[not](code.md)`\n```\n[no](block.md)\n```\n[ref]: scripts/run.sh\n"
    )
    assert links(text) == [(0, "assets/i.png"), (0, "references/a.md"), (5, "scripts/run.sh")]
    assert "block.md" not in mask_code(text) and mask_code(text).count("\n") == text.count("\n")


def test_relative_parts() -> None:
    assert relative_parts("references/../scripts/./x.sh") == (["scripts", "x.sh"], None)
    assert relative_parts("../x.md")[1] == "leaves the skill folder"
    assert relative_parts("/etc/passwd")[1] == "is an absolute path"
    assert relative_parts("C:\\x.md")[1] == "is an absolute path"


def test_similar_pairs_finds_near_duplicates_among_many() -> None:
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(3000)]
    texts = [" ".join(rng.choices(vocab, k=120)) for _ in range(300)]
    texts.append(texts[17].replace(texts[17].split()[5], "changed", 1))  # index 300 ~ copy of 17
    pairs = similar_pairs([shingles(t) for t in texts], 0.8)
    assert [(a, b) for a, b, _ in pairs] == [(17, 300)]
    assert 0.8 <= pairs[0][2] < 1.0


def test_trigger_words_only_from_the_use_when_part() -> None:
    assert trigger_words("Deploys things.") == set()
    a = trigger_words("Deploy the app. Use when a pull request is merged into main.")
    b = trigger_words("Roll back the app. Use when a pull request is merged into main.")
    assert a and a == b


def test_template_words_shared_by_most_triggers_do_not_make_an_overlap() -> None:
    from skillforge.skills.rules.duplicates import distinctive_triggers

    repos = ["astropy", "django", "sympy", "xarray", "sphinx", "pylint"]
    triggers = [
        trigger_words(
            f"Work on {r}. Use when working in {r}: running its tests, setting up its "
            "environment, or fixing a failure seen before."
        )
        for r in repos
    ]
    assert similar_pairs(distinctive_triggers(triggers), 0.7) == []
    same = trigger_words("Use when a flaky integration test times out against the staging database.")
    pairs = similar_pairs(distinctive_triggers([*triggers, same, set(same)]), 0.7)
    assert [(a, b) for a, b, _ in pairs] == [(6, 7)]


def test_shingle_hashes_are_the_same_in_every_process() -> None:
    import subprocess
    import sys

    code = "from skillforge.skills.rules.duplicates import shingles; print(sorted(shingles('a b c d e f g')))"
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONHASHSEED": seed}
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outs) == 1 and outs != {""}


def test_an_unreadable_skill_file_gets_a_fix_that_fits_the_problem(tmp_path) -> None:
    from skillforge.skills.validate import validate_paths

    folder = tmp_path / "skills" / "latin"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_bytes("---\nname: latin\ndescription: caf\xe9\n---\n".encode("latin-1"))
    (finding,) = [f for f in validate_paths([tmp_path / "skills"]).findings if f.rule == "SF100"]
    assert "UTF-8" in finding.message and "UTF-8" in finding.fix and "---" not in finding.fix


def test_shingles_are_the_hashes_of_each_k_word_window() -> None:
    import random
    import zlib

    from skillforge.skills.rules.duplicates import _words, shingles

    rng = random.Random(4)
    for _ in range(500):
        text = " ".join(rng.choice(["a", "B", "c1", "--", "x y", "d"]) for _ in range(rng.randint(5, 15)))
        seq = [zlib.crc32(w.encode()) for w in _words(text)]
        for k in (k for k in (2, 5) if len(seq) >= k):  # fewer words: one hash of them all
            expected = {hash(tuple(seq[i : i + k])) & 0xFFFFFFFF for i in range(len(seq) - k + 1)}
            assert shingles(text, k) == expected, text
