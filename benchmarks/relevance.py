"""Relevance of the ranking: nDCG@10 of fazhi-search and the naive baseline on judged needs.

``python -m benchmarks.relevance`` assembles the judged corpus (the seeds, the report excerpts,
the 88 national reports and the ``laws20k`` slice of the laws), builds both indexes in a
temporary folder, runs every information need of ``benchmarks/relevance/needs.jsonl`` on both
in the same run and prints nDCG@10 per need and the means (tuning half, held-out half, all).

Judgments (``benchmarks/relevance/judgments.jsonl``) are keyed by the paragraph's source file
(path relative to the judged corpus root) and a hash of its normalised text, never by paragraph
number, so they survive re-ingest and engine changes. Each judgment also stores the paragraph
text: the key is recomputed from it at load time (a change of ``indexer.normalize`` re-keys
itself), and a result whose text is not judged exactly is matched to a judged paragraph of the
same file when one normalised text contains the other and they differ by at most 20 % (a joined
line or dropped page furniture). Unjudged results count as 0 and are reported as judged@10.

``python -m benchmarks.relevance pool`` writes the pooled top results that have no judgment
yet (``benchmarks/out/relevance/pool.jsonl``), for a judge to read and grade.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .corpora import OUT_DIR, REPO_ROOT, CorpusError, corpus_files, find_shared
from .relevance_engines import ENGINES, Rankings, rank_all
from .relevance_score import (
    K, Judgment, Need, NeedJudgments, RelevanceError, Score,
    index_judgments, load_judgments, load_needs, score_ranking, text_hash, write_judgments,
)

# -- corpus and engines -----------------------------------------------------------------------

CORPUS_VERSION = 1
PARTS = ("seeds", "report-excerpts", "prc-gov-work-reports", "lawrefbook-laws")


def prepare_corpus(shared: Path, out_dir: Path = OUT_DIR) -> Path:
    """The judged corpus under OUT_DIR/corpora/relevance: one folder per part, one manifest."""
    from . import corpora

    root = out_dir / "corpora" / "relevance"
    stamp = root / corpora.STAMP
    if stamp.is_file() and json.loads(stamp.read_text("utf-8")).get("version") == CORPUS_VERSION:
        return root
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    corpora._copy_files(REPO_ROOT / "seeds", corpus_files(REPO_ROOT / "seeds"), root / PARTS[0])
    excerpts = shared / "corpus" / "report-excerpts" / "reports"
    corpora._copy_files(excerpts, corpus_files(excerpts), root / PARTS[1])
    corpora._prepare_reports(shared / "corpus" / "prc-gov-work-reports", root / PARTS[2])
    laws = corpora.prepare("laws20k", shared, out_dir).root  # the fixed-shuffle laws slice
    corpora._copy_files(laws, corpus_files(laws), root / PARTS[3])
    shutil.copyfile(laws / corpora.MANIFEST, root / PARTS[3] / corpora.MANIFEST)
    _merge_manifests(root)
    stamp.write_text(json.dumps({"version": CORPUS_VERSION}), encoding="utf-8")
    return root


def _merge_manifests(root: Path) -> None:
    """One root metadata.csv from the parts' manifests, paths prefixed with the part folder."""
    import csv

    from .corpora import MANIFEST, MANIFEST_FIELDS

    rows = []
    for part in PARTS:
        path = root / part / MANIFEST
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as fh:
                rows += [{**r, "path": f"{part}/{r['path']}"} for r in csv.DictReader(fh)]
            path.unlink()
    with (root / MANIFEST).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_FIELDS)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: r["path"]))


# -- evaluation -------------------------------------------------------------------------------


def evaluate(rankings: Rankings, needs: Sequence[Need], judgments: Sequence[Judgment],
             k: int = K) -> dict[str, dict[str, Score]]:
    """run -> need id -> Score of that run's top K for the need (only the runs in ENGINES)."""
    judged = index_judgments(judgments)
    return {
        name: {n.id: score_ranking(runs.get(n.id, []), judged.get(n.id), k) for n in needs}
        for name, runs in rankings.items()
        if name in ENGINES
    }


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def summary_rows(needs: Sequence[Need], scores: dict[str, dict[str, Score]]) -> list[str]:
    """Markdown table: mean nDCG@10 and judged@10 per engine over tune / held-out / all."""
    subsets = {"tune": [n for n in needs if n.half == "tune"],
               "held-out": [n for n in needs if n.half == "heldout"], "all": list(needs)}
    lines = ["| engine | " + " | ".join(f"nDCG@10 {s} ({len(v)})" for s, v in subsets.items())
             + " | judged@10 |", "|---" * (len(subsets) + 2) + "|"]
    for name, per_need in scores.items():
        means = [mean([per_need[n.id].ndcg for n in subset]) for subset in subsets.values()]
        shown = sum(s.shown for s in per_need.values())
        judged = sum(s.judged for s in per_need.values())
        coverage = judged / shown if shown else 1.0
        lines.append(f"| {name} | " + " | ".join(f"{m:.3f}" for m in means)
                     + f" | {coverage:.0%} |")
    return lines


def per_need_rows(needs: Sequence[Need], scores: dict[str, dict[str, Score]]) -> list[str]:
    """Markdown table: nDCG@10 (judged@10) per need and engine."""
    names = list(scores)
    lines = ["| need | half | query | " + " | ".join(names) + " |",
             "|---" * (len(names) + 3) + "|"]
    for n in needs:
        cells = [f"{scores[e][n.id].ndcg:.3f} ({scores[e][n.id].judged}/{scores[e][n.id].shown})"
                 for e in names]
        lines.append(f"| {n.id} | {n.half} | `{n.query}` {n.mode} | " + " | ".join(cells) + " |")
    return lines


def pool(rankings: Rankings, needs: Sequence[Need], judgments: Sequence[Judgment],
         depth: int) -> list[dict]:
    """The results no judgment covers, per need: the top DEPTH of each engine's run and all
    of the pool-only runs (which were cut to their own depth when made)."""
    judged = index_judgments(judgments)
    out: list[dict] = []
    for need in needs:
        nj = judged.get(need.id) or NeedJudgments()
        seen: dict[tuple[str, str], dict] = {}
        for name, runs in rankings.items():
            ranked = runs.get(need.id, [])
            for rank, result in enumerate(ranked[:depth] if name in ENGINES else ranked, 1):
                if nj.unit_of(result) is not None:
                    continue
                key = (result.source, text_hash(result.text))
                item = seen.setdefault(key, {"need": need.id, "source": result.source,
                                             "hash": key[1], "ranks": {}, "text": result.text})
                item["ranks"][name] = rank
        out.extend(seen.values())
    return out


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.relevance", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", choices=("run", "pool"), default="run")
    p.add_argument("--shared", help="the shared material folder (default: ../shared)")
    p.add_argument("--work", help="keep the indexes in this folder (default: a temporary one)")
    p.add_argument("--reuse", action="store_true", help="reuse the indexes already in --work")
    p.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines")
    p.add_argument("--need", action="append", help="only this need id (repeatable)")
    p.add_argument("--depth", type=int, default=12, help="pool depth per engine (pool)")
    p.add_argument("--report-depth", type=int, default=25,
                   help="pool: matches in the local reports taken at any rank")
    p.add_argument("--out", default=str(OUT_DIR / "relevance"), help="where results go")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    if unknown := set(engines) - set(ENGINES):
        print(f"unknown engine(s) {sorted(unknown)}; choose from {', '.join(ENGINES)}",
              file=sys.stderr)
        return 2
    try:
        all_needs = load_needs()
        if unknown := set(args.need or ()) - {n.id for n in all_needs}:
            raise RelevanceError(f"no need {', '.join(sorted(unknown))} in the set")
        needs = [n for n in all_needs if not args.need or n.id in args.need]
        judgments = load_judgments()
        corpus = prepare_corpus(find_shared(args.shared))
    except (RelevanceError, CorpusError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fazhi-relevance-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        k = args.depth if args.command == "pool" else K
        rankings = rank_all(corpus, work, needs, k, engines, reuse=args.reuse,
                            pool_runs=args.command == "pool", pool_depth=args.report_depth)
    if args.command == "pool":
        items = pool(rankings, needs, judgments, args.depth)
        with (out / "pool.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
        print(f"{len(items)} unjudged pooled paragraphs -> {out / 'pool.jsonl'}")
        return 0
    scores = evaluate(rankings, needs, judgments)
    text = "\n".join([*summary_rows(needs, scores), "", *per_need_rows(needs, scores)])
    print(text)
    (out / "results.md").write_text(text + "\n", encoding="utf-8")
    write_rankings(out / "rankings.jsonl", rankings, needs, judgments)
    print(f"\nper-need top {K} with grades: {out / 'rankings.jsonl'}", file=sys.stderr)
    return 0


def write_rankings(path: Path, rankings: Rankings, needs: Sequence[Need],
                   judgments: Sequence[Judgment]) -> None:
    """Every engine's top K per need with the grade and reason each result was judged with
    (grade null: unjudged), one JSON object a line: what to read when a figure moves."""
    judged = index_judgments(judgments)
    why = {(j.need, j.source, text_hash(j.text)): j.why for j in judgments}
    with path.open("w", encoding="utf-8") as fh:
        for name, runs in rankings.items():
            if name not in ENGINES:
                continue
            for need in needs:
                nj = judged.get(need.id) or NeedJudgments()
                for rank, r in enumerate(runs.get(need.id, [])[:K], 1):
                    found = nj.unit_of(r)
                    row = {"engine": name, "need": need.id, "rank": rank, "source": r.source,
                           "grade": None if found is None else found[1],
                           "why": why.get((need.id, r.source, text_hash(r.text)), ""),
                           "text": r.text[:120]}
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
