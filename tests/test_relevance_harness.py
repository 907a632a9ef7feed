"""The relevance harness's machinery (benchmarks/relevance*.py) on hand-built rankings and
judgments: nDCG@10, judgment keys that survive re-ingest, pooling, and the shipped set's shape.
The big-corpus run itself is `python -m benchmarks.relevance` (docs/relevance.md)."""

from __future__ import annotations

import json
import math
import re

import pytest

from benchmarks.relevance import evaluate, pool, summary_rows
from benchmarks.relevance_score import (
    HALVES,
    Judgment,
    Need,
    RelevanceError,
    Result,
    dcg,
    index_judgments,
    load_judgments,
    load_needs,
    ndcg,
    score_ranking,
    text_hash,
    write_judgments,
)

SRC = "seeds/report.txt"
# Paragraphs of one imaginary report, best first.
GOOD = "2023年全区受理行政复议案件91件，同比增长82%，纠错率下降，调解和解率达到四成。"
FAIR = "持续推进行政复议体制改革，在区镇两级设立行政复议受理窗口，提升复议知晓度。"
LAW = "公民、法人或者其他组织对行政行为不服的，可以依法申请行政复议或者提起行政诉讼。"


def judge(need: str, text: str, grade: int, source: str = SRC) -> Judgment:
    return Judgment(need, source, text_hash(text), grade, "why", text)


def results(*texts: str, source: str = SRC) -> list[Result]:
    return [Result(source, t) for t in texts]


def test_ndcg_is_one_for_the_ideal_order_and_lower_reversed():
    ideal = [2, 2, 1, 0]
    assert ndcg([2, 2, 1, 0], ideal) == pytest.approx(1.0)
    assert ndcg([0, 1, 2, 2], ideal) < 0.75
    assert ndcg([0, 0, 0, 0], ideal) == 0.0
    assert ndcg([], []) == 0.0  # nothing relevant exists: 0, not a division error


def test_ndcg_value_matches_the_formula_by_hand():
    # gains 2^g - 1 = 3, 0, 1 at ranks 1..3: 3/log2(2) + 0 + 1/log2(4) = 3.5
    assert dcg([2, 0, 1]) == pytest.approx(3.5)
    best = 3 + 1 / math.log2(3)  # ideal [2, 1]
    assert ndcg([2, 0, 1], [2, 1]) == pytest.approx(3.5 / best)


def test_ndcg_counts_only_the_top_ten():
    assert dcg([0] * 10 + [2]) == 0.0
    assert ndcg([0] * 10 + [2], [2]) == 0.0


def test_ranking_scored_against_judgments_unjudged_count_zero():
    nj = index_judgments([judge("N1", GOOD, 2), judge("N1", FAIR, 1), judge("N1", LAW, 0)])["N1"]
    perfect = score_ranking(results(GOOD, FAIR, LAW), nj)
    reversed_ = score_ranking(results(LAW, FAIR, GOOD), nj)
    assert perfect.ndcg == pytest.approx(1.0)
    assert reversed_.ndcg < perfect.ndcg
    unjudged = score_ranking(results("一段没有人评判过的文字，讲的是别的事情。", GOOD), nj)
    assert (unjudged.judged, unjudged.shown) == (1, 2)
    assert unjudged.ndcg == pytest.approx((3 / math.log2(3)) / (3 + 1 / math.log2(3)))


def test_judgment_key_is_the_file_and_the_normalised_text_not_the_paragraph_number():
    nj = index_judgments([judge("N1", GOOD, 2)])["N1"]
    # Re-ingested with full-width digits and stray spaces: the same normalised text.
    refolded = GOOD.replace("2023", "２０２３").replace("，", "， ")
    assert score_ranking(results(refolded), nj).judged == 1
    # The same text in another file is another paragraph.
    assert score_ranking(results(GOOD, source="seeds/other.txt"), nj).judged == 0


def test_judgment_rekeys_itself_from_its_text():
    # A hash written under an older normalisation does not orphan the judgment.
    stale = Judgment("N1", SRC, "0" * 16, 2, "why", GOOD)
    assert score_ranking(results(GOOD), index_judgments([stale])["N1"]).ndcg == 1.0


def test_a_slightly_different_cut_of_a_judged_paragraph_is_matched():
    nj = index_judgments([judge("N1", GOOD, 2)])["N1"]
    with_furniture = GOOD + "- 3 -"  # a page number an older ingest kept
    assert score_ranking(results(with_furniture), nj).judged == 1
    much_longer = GOOD + LAW + FAIR  # a different paragraph that happens to contain it
    assert score_ranking(results(much_longer), nj).judged == 0


def test_one_passage_cut_two_ways_counts_once():
    # One ingest kept a whole page as one block, the other split it; both were judged.
    block = GOOD + FAIR
    nj = index_judgments([judge("N1", GOOD, 1), judge("N1", block, 2)])["N1"]
    assert nj.ideal() == [2]  # one passage, at its best grade
    assert score_ranking(results(block), nj).ndcg == pytest.approx(1.0)
    twice = score_ranking(results(block, GOOD), nj)  # no extra credit for showing it again
    assert twice.ndcg == pytest.approx(1.0) and twice.judged == 2
    upgraded = score_ranking(results(GOOD, block), nj)  # the block adds only what GOOD lacked
    assert upgraded.ndcg == pytest.approx((1 + 2 / math.log2(3)) / 3)
    # A short line (under 40 characters) inside a block stays a passage of its own.
    assert len(FAIR) < 40
    assert index_judgments([judge("N1", block, 2), judge("N1", FAIR, 1)])["N1"].ideal() == [2, 1]


def test_evaluate_scores_every_engine_on_the_same_needs():
    needs = [Need("N1", "tune", "行政复议", "exact", "d"), Need("N2", "heldout", "x", "exact", "d")]
    judgments = [judge("N1", GOOD, 2), judge("N1", LAW, 0), judge("N2", FAIR, 1)]
    rankings = {
        "baseline": {"N1": results(LAW, GOOD), "N2": []},
        "fazhi": {"N1": results(GOOD, LAW), "N2": results(FAIR)},
        "under-heading": {"N1": results(GOOD)},  # pool-only runs are not scored
    }
    scores = evaluate(rankings, needs, judgments)
    assert set(scores) == {"baseline", "fazhi"}
    assert scores["fazhi"]["N1"].ndcg == 1.0 and scores["fazhi"]["N2"].ndcg == 1.0
    assert scores["baseline"]["N1"].ndcg < 1.0 and scores["baseline"]["N2"].ndcg == 0.0
    table = "\n".join(summary_rows(needs, scores))
    assert re.search(r"\| fazhi \| 1\.000 \| 1\.000 \| 1\.000 \| 100% \|", table)


def test_pool_lists_each_unjudged_result_once_with_its_ranks():
    needs = [Need("N1", "tune", "行政复议", "exact", "d")]
    rankings = {"baseline": {"N1": results(LAW, GOOD)}, "fazhi": {"N1": results(GOOD, FAIR)}}
    items = pool(rankings, needs, [judge("N1", LAW, 0)], depth=10)
    assert [(i["text"], i["ranks"]) for i in items] == [
        (GOOD, {"baseline": 2, "fazhi": 1}),
        (FAIR, {"fazhi": 2}),
    ]
    assert pool(rankings, needs, [judge("N1", LAW, 0)], depth=1)[0]["ranks"] == {"fazhi": 1}


def test_files_round_trip_and_bad_grades_are_refused(tmp_path):
    path = tmp_path / "judgments.jsonl"
    write_judgments([judge("N2", FAIR, 1), judge("N1", GOOD, 2)], path)
    assert [j.need for j in load_judgments(path)] == ["N1", "N2"]  # sorted for readable diffs
    assert "行政复议" in path.read_text(encoding="utf-8")  # UTF-8, not \u escapes
    row = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    path.write_text(json.dumps({**row, "grade": 3}, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(RelevanceError, match="grade"):
        load_judgments(path)
    needs = tmp_path / "needs.jsonl"
    line = json.dumps({"id": "N1", "half": "tune", "query": "q", "description": "d"})
    needs.write_text(line + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(RelevanceError, match="duplicate"):
        load_needs(needs)


def test_the_shipped_set_has_thirty_needs_in_two_halves_all_judged():
    needs = load_needs()
    judgments = load_judgments()
    assert len(needs) >= 30
    halves = [sum(n.half == h for n in needs) for h in HALVES]
    assert min(halves) >= 15 and abs(halves[0] - halves[1]) <= 1
    ids = {n.id for n in needs}
    assert {j.need for j in judgments} == ids  # every need judged, no judgment orphaned
    per_need = index_judgments(judgments)
    assert all(max(per_need[i].ideal()) >= 1 for i in ids)  # each need has something relevant
    assert all(j.why and re.fullmatch(r"[0-9a-f]{16}", j.hash) for j in judgments)


@pytest.mark.slow  # two fresh interpreters load jieba and whoosh: about 10-20 s
def test_both_real_engines_rank_a_tiny_corpus_through_the_harness(tmp_path):
    """rank_all builds and queries the baseline and fazhi-search, each in its own process,
    and hands back results keyed by the source file relative to the corpus root."""
    from benchmarks.relevance_engines import rank_all

    corpus = tmp_path / "corpus"
    (corpus / "seeds").mkdir(parents=True)
    (corpus / "seeds" / "a.txt").write_text(
        f"某区2023年法治政府建设情况报告\n\n一、行政复议工作\n\n{GOOD}\n\n{FAIR}\n", encoding="utf-8")
    (corpus / "laws").mkdir()
    (corpus / "laws" / "law.md").write_text(f"# 某法\n\n{LAW}\n", encoding="utf-8")
    needs = [Need("N1", "tune", "行政复议", "exact", "d")]
    rankings = rank_all(corpus, tmp_path / "work", needs, 10,
                        ("baseline", "fazhi", "fazhi-fuzzy"), pool_runs=True)
    for run in ("baseline", "fazhi", "fazhi-fuzzy"):
        got = {(r.source, r.text) for r in rankings[run]["N1"]}
        assert ("seeds/a.txt", GOOD) in got and ("laws/law.md", LAW) in got, run
    assert ("seeds/a.txt", GOOD) in {(r.source, r.text) for r in rankings["under-heading"]["N1"]}
    assert all(r.source == "seeds/a.txt" for r in rankings["reports"]["N1"])
    judgments = [judge("N1", GOOD, 2, "seeds/a.txt"), judge("N1", FAIR, 1, "seeds/a.txt"),
                 judge("N1", LAW, 0, "laws/law.md")]
    scores = evaluate(rankings, needs, judgments)
    for run, per_need in scores.items():
        shown = {r.text for r in rankings[run]["N1"]}
        assert per_need["N1"].judged == len(shown & {GOOD, FAIR, LAW}), run
        assert per_need["N1"].ndcg > 0, run
