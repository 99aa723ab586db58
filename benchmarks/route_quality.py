"""Route quality on real material, tuning and held-out parts reported apart, beside a description-only
bm25s baseline (name + description).

Sets (see benchmarks/route_sets/README.md):
  swebench  ../shared/corpus/mini-swe-agent: the tuning instances (split.json) are distilled offline
            into a library; the held-out instances' full problem statements are routed with a working
            folder that looks like a checkout (a temp git repo whose origin is the repository) and
            without one. Recall@3 of the repository's skill; instances of repositories without a skill
            are no-fit queries.
  public    ../shared/skills-corpus (609 real skills) with the hand-written tasks in public_tasks.jsonl.
  tune2     ../shared/skills-corpus with tune2_tasks.jsonl: a second independent set (realistic prompts,
            tune and held-out parts, read like public; tune2_README.md).
  blind     ../shared/skills-corpus with blind_tasks.jsonl: 82 tasks written by an evaluator who never
            saw the router (blind_README.md). Never tune on it; report it.
  claude    first user prompts of ../shared/corpus/claude-code sessions over skills-corpus (smoke: no
            labels; how often route abstains and what it returns).

    python benchmarks/route_quality.py [--sets swebench,public,tune2,blind,claude] [--part tune|heldout|all] [--show]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import corpus_prompts

HERE = Path(__file__).parent
SETS = HERE / "route_sets"
SHARED = HERE.parent.parent / "shared"
CORPUS = Path(os.environ.get("SKILLFORGE_CORPUS", SHARED / "corpus"))
SKILLS = Path(os.environ.get("SKILLFORGE_SKILLS_CORPUS", SHARED / "skills-corpus"))


def problem_statement(traj: Path) -> str:
    """The task text inside a mini-swe-agent trajectory (the PR description it was given)."""
    data = json.loads(traj.read_text(encoding="utf-8"))
    for message in data.get("messages", []):
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, str) and "<pr_description>" in content:
            text = content.split("<pr_description>", 1)[1].split("</pr_description>", 1)[0]
            return text.replace("Consider the following PR description:", "", 1).strip()
    raise ValueError(f"{traj}: no problem statement")


def repository_of(instance: str) -> str:
    owner, rest = instance.split("__", 1)
    return f"{owner}/{rest.rsplit('-', 1)[0]}"


def checkout(root: Path, repository: str) -> Path:
    """A folder that looks like a checkout of ``repository``: git init, origin remote, pyproject."""
    folder = root / "checkouts" / repository.replace("/", "__") / repository.rsplit("/", 1)[-1]
    if not folder.is_dir():
        folder.mkdir(parents=True)
        subprocess.run(["git", "init", "-q", str(folder)], check=True)
        subprocess.run(
            ["git", "-C", str(folder), "remote", "add", "origin", f"https://github.com/{repository}.git"],
            check=True,
        )
        (folder / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    return folder


def swebench_library(work: Path, split: dict[str, str]) -> Path:
    """Distil the tuning instances offline into a library (the review branch checked out)."""
    logs = work / "tune-logs"
    for instance, part in split.items():
        if part == "tune":
            shutil.copytree(CORPUS / "mini-swe-agent" / "trajs" / instance, logs / instance)
    lib = work / "swebench-lib"
    cmd = [
        sys.executable,
        "-m",
        "skillforge",
        "distill",
        str(logs),
        "--labels",
        str(CORPUS / "mini-swe-agent" / "labels.json"),
        "--provider",
        "offline",
        "-L",
        str(lib),
        "--init",
        "--json",
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    branch = subprocess.run(
        ["git", "-C", str(lib), "branch", "--list", "skillforge/*", "--format=%(refname:short)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[0]
    subprocess.run(["git", "-C", str(lib), "checkout", "-q", branch], check=True)
    return lib


def swebench_queries(
    work: Path, lib: Path, split: dict[str, str], part: str
) -> dict[str, list[dict[str, Any]]]:
    from skillforge.route.index import Index, load_or_build

    index: Index = load_or_build(lib)
    skill_of = {}
    for name, scopes in zip(index.names, index.scopes, strict=True):
        for scope in scopes:
            if scope.startswith("repository:"):
                skill_of[scope.split(":", 1)[1].strip()] = name
    with_folder, without = [], []
    for instance, p in sorted(split.items()):
        if part != "all" and p != part:
            continue
        repo = repository_of(instance)
        traj = next((CORPUS / "mini-swe-agent" / "trajs" / instance).glob("*.traj.json"))
        expected = [skill_of[repo]] if repo in skill_of else []
        text = problem_statement(traj)
        with_folder.append(
            {
                "id": instance,
                "query": text,
                "expected": expected,
                "cwd": str(checkout(work, repo)),
                "repository": "",
                "languages": [],
            }
        )
        without.append(
            {
                "id": instance,
                "query": text,
                "expected": expected,
                "cwd": "",
                "repository": "",
                "languages": [],
            }
        )
    return {"with working folder": with_folder, "without working folder": without}


def public_queries(part: str, name: str = "public_tasks.jsonl") -> list[dict[str, Any]]:
    """Tasks of one hand-written set; the blind set has one part ("blind") and is always read whole.
    Rows with "corpus" take their query from the session corpus at run time (corpus_prompts.resolve);
    those whose session file is missing are skipped and counted."""
    out = []
    missing = 0
    for line in (SETS / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            if part in ("all", rec["split"]) or rec["split"] == "blind":
                query = corpus_prompts.resolve(rec["corpus"]) if "corpus" in rec else rec["query"]
                if query is None:
                    missing += 1
                    continue
                out.append(
                    {
                        "id": rec["id"],
                        "query": query,
                        "expected": rec["expected"],
                        "cwd": "",
                        "repository": "",
                        "languages": [],
                    }
                )
    if missing:
        print(f"{name}: {missing} corpus rows skipped (session file not found under {corpus_prompts.CORPUS})")
    return out


def claude_prompts() -> list[dict[str, Any]]:
    """The first user prompt of every Claude Code session in the corpus (plain text only)."""
    out = []
    for path in sorted((CORPUS / "claude-code").rglob("*")):
        if not path.is_file() or path.suffix not in ("", ".jsonl") or "subagents" in path.parts:
            continue
        prompt = _first_prompt(path)
        if prompt:
            out.append(
                {
                    "id": str(path.relative_to(CORPUS)),
                    "query": prompt,
                    "expected": [],
                    "cwd": "",
                    "repository": "",
                    "languages": [],
                }
            )
    return out


def _first_prompt(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            return ""
        msg = rec.get("message") if isinstance(rec, dict) else None
        if rec.get("type") != "user" or not isinstance(msg, dict) or rec.get("isMeta"):
            continue
        content = msg.get("content")
        if isinstance(content, list):
            content = " ".join(
                c.get("text", "") for c in content if isinstance(c, dict) and c.get("type") == "text"
            )
        if isinstance(content, str) and content.strip() and not content.lstrip().startswith("<"):
            return content
    return ""


def off_topic_effect(
    queries: list[dict[str, Any]], scored: list[Any], names: list[list[str]], threshold: float
) -> None:
    """What the off-topic rule (route.topic) changed: queries it silenced that the threshold alone
    would have answered, by kind (no-fit; answerable whose right skill was in the top 3; answerable
    misses)."""
    nofit = hits = misses = 0
    for q, ms, got in zip(queries, scored, names, strict=True):
        plain = [m.name for m in ms if m.score >= threshold or m.anchored]
        if got or not plain or not ms[0].off_topic:
            continue
        if not q["expected"]:
            nofit += 1
        elif set(plain[:3]) & set(q["expected"]):
            hits += 1
        else:
            misses += 1
    print(
        f"  off-topic rule silenced: {nofit} no-fit, {misses} answerable misses, {hits} answerable hits "
        f"(net {nofit + misses - 2 * hits})"
    )


def report(title: str, router: Any, queries: list[dict[str, Any]], show: bool) -> dict[str, Any]:
    from skillforge.route.calibrate import calibration_table, learn_threshold, outcome, routed
    from skillforge.route.evaluate import baseline_rank, metrics, route_all

    scored = route_all(router, queries, 3)
    names = [routed(ms, router.threshold) for ms in scored]
    base = baseline_rank(
        router.names, router.index.descriptions, [q["query"] for q in queries], 3, skip=router.index.withheld
    )
    mine, theirs = metrics(names, queries), metrics(base, queries)
    answerable = sum(bool(q["expected"]) for q in queries)
    print(
        f"\n{title}: {len(queries)} queries ({answerable} answerable), threshold {router.threshold:.3f} "
        f"({router.threshold_source})"
    )
    print(f"  {'':<24}{'skillforge':>11}{'desc-only bm25s':>17}")
    for key in ("recall@1", "recall@3", "mrr", "abstention_recall", "answerable_abstained"):
        label = {"abstention_recall": "no-fit abstained"}.get(key, key.replace("_", " "))
        print(f"  {label:<24}{mine[key]:>11.3f}{theirs[key]:>17.3f}")
    off_topic_effect(queries, scored, names, router.threshold)
    if any(not q["expected"] for q in queries) and answerable:
        print(f"  calibration (learnt on this part: {learn_threshold(scored, queries):.3f}):")
        print(
            f"  {'threshold':>11}{'no-fit abst.':>14}{'answerable abst.':>18}{'precision':>11}{'recall@3':>10}"
        )
        for row in calibration_table(scored, queries, around=router.threshold, rows=7):
            print(
                f"  {row['threshold']:>11.3f}{row['nofit_abstained']:>14.2f}{row['answerable_abstained']:>18.2f}"
                f"{row['precision']:>11.2f}{row['recall@3']:>10.2f}"
            )
    if show:
        for q, ms, got in zip(queries, scored, names, strict=True):
            mark = "ok " if (set(got[:3]) & set(q["expected"])) or (not q["expected"] and not got) else "XX "
            top = ", ".join(f"{m.name}{'*' if m.anchored else ''} {m.score:.2f}" for m in ms[:3])
            print(f"    {mark}{q['id'][:40]:<40} exp={q['expected'][:2]} -> {got[:3]} [{top}]")
    return {
        "router": mine,
        "baseline": theirs,
        "queries": len(queries),
        "outcome": outcome(scored, queries, router.threshold),
        "scored": scored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="swebench,public,tune2,blind,blind2,claude")
    parser.add_argument("--part", default="heldout", choices=["tune", "heldout", "all"])
    parser.add_argument("--threshold", type=float, default=None, help="override the abstention threshold")
    parser.add_argument("--show", action="store_true", help="print every query's result")
    args = parser.parse_args()
    from skillforge.route import Router

    sets = args.sets.split(",")
    with tempfile.TemporaryDirectory(prefix="sf-route-quality-") as tmp:
        work = Path(tmp)
        os.environ["SKILLFORGE_HOME"] = str(work / "home")
        if "swebench" in sets:
            split = json.loads((SETS / "swebench_split.json").read_text(encoding="utf-8"))["split"]
            lib = swebench_library(work, split)
            router = Router(lib, use_utility=False, threshold=args.threshold)
            print(
                f"SWE-bench library: {len(router.names)} skills from "
                f"{sum(p == 'tune' for p in split.values())} tuning instances"
            )
            for title, queries in swebench_queries(work, lib, split, args.part).items():
                report(f"SWE-bench {args.part}, {title}", router, queries, args.show)
        if {"public", "tune2", "blind", "blind2", "claude"} & set(sets):
            router = Router(SKILLS, use_utility=False, threshold=args.threshold)
            withheld = sum(bool(b) for b in router.index.blocked)
            print(f"\nskills-corpus: {len(router.names)} skills, {withheld} withheld")
        if "public" in sets:
            report(f"public skills {args.part}", router, public_queries(args.part), args.show)
        if "tune2" in sets:
            report(f"tune2 {args.part}", router, public_queries(args.part, "tune2_tasks.jsonl"), args.show)
        if "blind" in sets:
            report(
                "blind tasks (never tuned on)",
                router,
                public_queries("blind", "blind_tasks.jsonl"),
                args.show,
            )
        if "blind2" in sets:
            report(
                "blind2 tasks (a second blind set, never tuned on)",
                router,
                public_queries("blind2", "blind2_tasks.jsonl"),
                args.show,
            )
        if "claude" in sets:
            report(
                "Claude Code first prompts (smoke, no labels: 'no-fit abstained' = abstained)",
                router,
                claude_prompts(),
                args.show,
            )


if __name__ == "__main__":
    main()
