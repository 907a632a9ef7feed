"""The judged relevance set and its scoring: needs, judgments keyed by source file and hash of
the normalised paragraph text, and nDCG@10 with unjudged results counted as 0.

See ``benchmarks/relevance.py`` for the harness and docs/relevance.md for how it was judged.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "relevance"
NEEDS_FILE = DATA_DIR / "needs.jsonl"
JUDGMENTS_FILE = DATA_DIR / "judgments.jsonl"
K = 10
NEAR_RATIO = 0.8  # shorter / longer normalised length for a containment match
MIN_CONTAINED = 40  # normalised characters for a contained text to be the same passage
HALVES = ("tune", "heldout")


class RelevanceError(ValueError):
    """A needs or judgments file is malformed."""


@dataclass(frozen=True, slots=True)
class Need:
    """One information need: what a researcher types and what counts as relevant."""

    id: str
    half: str
    query: str
    mode: str
    description: str


@dataclass(frozen=True, slots=True)
class Judgment:
    need: str
    source: str
    hash: str
    grade: int
    why: str
    text: str


@dataclass(frozen=True, slots=True)
class Result:
    """One ranked paragraph: its source file (relative to the corpus root) and text."""

    source: str
    text: str


@dataclass(slots=True)
class NeedJudgments:
    """The judgments of one need. Judged paragraphs of one file whose texts contain one another
    (the same passage cut differently by two ingests: a joined line, a whole page as one
    block) form one *unit*: the ideal ranking counts each unit once, at its best grade, and a
    ranking gets credit for a unit only the first time it shows it."""

    by_key: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # unit, grade
    by_source: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    parent: list[int] = field(default_factory=list)  # union-find over units
    unit_grade: list[int] = field(default_factory=list)

    def add(self, source: str, text: str, grade: int) -> None:
        norm = _norm(text)
        key = (source, text_hash_of_norm(norm))
        if key in self.by_key:
            return
        unit = len(self.parent)
        self.parent.append(unit)
        self.unit_grade.append(grade)
        for other, other_unit, _grade in self.by_source.get(source, ()):
            if same_passage(norm, other):
                self._merge(unit, other_unit)
        self.by_key[key] = (unit, grade)
        self.by_source.setdefault(source, []).append((norm, unit, grade))

    def _find(self, unit: int) -> int:
        while self.parent[unit] != unit:
            unit = self.parent[unit]
        return unit

    def _merge(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.unit_grade[ra] = max(self.unit_grade[ra], self.unit_grade[rb])

    def unit_of(self, result: Result) -> tuple[int, int] | None:
        """(unit, grade) RESULT is judged as: its exact key, else a judged paragraph of the
        same file that differs from it only a little (``near``); None when unjudged."""
        norm = _norm(result.text)
        found = self.by_key.get((result.source, text_hash_of_norm(norm)))
        if found is None:
            found = next(((u, g) for other, u, g in self.by_source.get(result.source, ())
                          if near(norm, other)), None)
        return None if found is None else (self._find(found[0]), found[1])

    def ideal(self) -> list[int]:
        """The best grade of every unit, best first."""
        roots = {self._find(u) for u in range(len(self.parent))}
        return sorted((self.unit_grade[r] for r in roots), reverse=True)


def _norm(text: str) -> str:
    from indexer.normalize import normalize

    return normalize(text)


def text_hash_of_norm(norm: str) -> str:
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def text_hash(text: str) -> str:
    """The judgment key's hash: SHA-256 (16 hex digits) of the normalised paragraph text."""
    return text_hash_of_norm(_norm(text))


def same_passage(a: str, b: str) -> bool:
    """Two judged texts of one file are one passage: near-equal, or one of at least
    ``MIN_CONTAINED`` characters wholly inside the other."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return near(a, b) or (len(short) >= MIN_CONTAINED and short in long)


def near(a: str, b: str) -> bool:
    """One normalised text contains the other and they differ by at most 20 % of the longer."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return bool(short) and len(short) >= NEAR_RATIO * len(long) and short in long


# -- files ------------------------------------------------------------------------------------


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise RelevanceError(f"{path.name}:{lineno}: not JSON: {exc}") from exc
    return rows


def load_needs(path: Path = NEEDS_FILE) -> list[Need]:
    needs = []
    for row in _read_jsonl(path):
        try:
            need = Need(row["id"], row["half"], row["query"], row.get("mode", "exact"),
                        row["description"])
        except KeyError as exc:
            raise RelevanceError(f"{path.name}: need {row} lacks {exc}") from exc
        if need.half not in HALVES or need.mode not in ("exact", "fuzzy"):
            raise RelevanceError(f"{path.name}: need {need.id}: bad half or mode")
        needs.append(need)
    if len({n.id for n in needs}) != len(needs):
        raise RelevanceError(f"{path.name}: duplicate need ids")
    return needs


def load_judgments(path: Path = JUDGMENTS_FILE) -> list[Judgment]:
    out = []
    for row in _read_jsonl(path) if path.is_file() else []:
        grade = row.get("grade")
        if grade not in (0, 1, 2):
            raise RelevanceError(f"{path.name}: grade must be 0, 1 or 2: {row}")
        out.append(Judgment(row["need"], row["source"], row["hash"], grade, row.get("why", ""),
                            row["text"]))
    return out


def write_judgments(judgments: Iterable[Judgment], path: Path = JUDGMENTS_FILE) -> None:
    """Write JUDGMENTS sorted by need, source and hash, one JSON object a line."""
    rows = sorted(judgments, key=lambda j: (j.need, j.source, j.hash))
    with path.open("w", encoding="utf-8") as fh:
        for j in rows:
            fh.write(json.dumps({"need": j.need, "source": j.source, "hash": j.hash,
                                 "grade": j.grade, "why": j.why, "text": j.text},
                                ensure_ascii=False) + "\n")


def index_judgments(judgments: Iterable[Judgment]) -> dict[str, NeedJudgments]:
    """Judgments per need, keyed by (source, hash recomputed from the stored text)."""
    out: dict[str, NeedJudgments] = {}
    for j in judgments:
        out.setdefault(j.need, NeedJudgments()).add(j.source, j.text, j.grade)
    return out


# -- scoring ----------------------------------------------------------------------------------


def gain(grade: int) -> float:
    """Exponential gain of a grade: 0, 1, 3 for 0, 1, 2."""
    return float(2**grade - 1)


def dcg_of_gains(gains: Sequence[float], k: int = K) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))


def dcg(grades: Sequence[int], k: int = K) -> float:
    """Discounted cumulative gain: sum of (2^grade - 1) / log2(rank + 1) over the top K."""
    return dcg_of_gains([gain(g) for g in grades], k)


def ndcg(grades: Sequence[int], ideal: Sequence[int], k: int = K) -> float:
    """nDCG@K of a ranking's GRADES against the IDEAL grades (all judged units of the need)."""
    best = dcg(sorted(ideal, reverse=True), k)
    return dcg(grades, k) / best if best > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Score:
    ndcg: float
    judged: int  # of the top K results, how many have a judgment
    shown: int  # results in the top K


def score_ranking(results: Sequence[Result], nj: NeedJudgments | None, k: int = K) -> Score:
    """nDCG@K of RESULTS. Unjudged results gain 0; a result of a unit already shown gains only
    what it adds over the best grade shown for that unit (a passage is credited once)."""
    nj = nj or NeedJudgments()
    gains: list[float] = []
    credited: dict[int, float] = {}
    judged = 0
    for result in results[:k]:
        found = nj.unit_of(result)
        if found is None:
            gains.append(0.0)
            continue
        judged += 1
        unit, grade = found
        before = credited.get(unit, 0.0)
        credited[unit] = max(before, gain(grade))
        gains.append(credited[unit] - before)
    best = dcg(nj.ideal(), k)
    value = dcg_of_gains(gains, k) / best if best > 0 else 0.0
    return Score(value, judged, len(results[:k]))
