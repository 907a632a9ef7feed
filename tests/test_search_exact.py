"""Exact mode finds exactly what grep finds over the normalised paragraphs."""

from __future__ import annotations

import random

import pytest
from zhconv import convert

from fixtures_search import all_hits, grep, make_report
from indexer.normalize import normalize
from indexer.query_lex import quote_term

FIXED_QUERIES = [
    "行政复议", "法治政府建设", "政府建设", "府法律", "人民调解", "八五普法", "法", "的", "镇",
    "2022", "2023年", "〔2019〕5号", "351", '"“"', "（一）", "(一)", "依法行政", "法律顾问",
    "持续深化", "习近平法治思想", "坚持", "一", "二〇二三", "年度", "政府法律顾问",
    "張家港", "國家", "執法", "法治政府建設", "規範性文件",  # traditional against simplified
]


def _sample_queries(records, count: int, seed: int = 7) -> list[str]:
    """Random substrings (1..8 normalised characters) of the seeds' paragraphs."""
    rng = random.Random(seed)
    texts = [normalize(p.text) for r in records for p in r.paragraphs if len(p.text) > 10]
    out: list[str] = []
    while len(out) < count:
        t = rng.choice(texts)
        k = rng.randint(1, 8)
        i = rng.randrange(0, max(1, len(t) - k))
        q = t[i : i + k]
        if q and '"' not in q and not q.startswith("-") and q != "or":
            out.append(q)
    return out


def test_at_least_fifty_queries_equal_grep(seed_index, seed_records) -> None:
    """Fixed, traditional and 60 random-substring queries: hits == grep, recall and precision 100%."""
    queries = FIXED_QUERIES + _sample_queries(seed_records, 60)
    queries += [convert(q, "zh-hant") for q in _sample_queries(seed_records, 10, seed=11)]
    assert len(queries) >= 50
    for q in queries:
        literal = q[1:-1] if q.startswith('"') else q
        expected = grep(seed_records, lambda t, n=normalize(literal): n in t)
        assert all_hits(seed_index, quote_term(q) if q != '"“"' else q) == expected, q


def test_queries_crossing_word_boundaries(seed_index, seed_records) -> None:
    """Terms that straddle jieba words are found as often as grep finds them."""
    for q in ("政府建设", "府法律", "治政", "建设情", "法治政"):
        expected = grep(seed_records, lambda t, n=q: n in t)
        assert expected, q
        assert all_hits(seed_index, q) == expected


def test_whitespace_and_width_are_ignored(seed_index, seed_records) -> None:
    """'2022 年' and full-width digits match the same paragraphs as 2022年."""
    expected = grep(seed_records, lambda t: "2022年" in t)
    assert expected
    assert all_hits(seed_index, '"2022 年"') == expected
    assert all_hits(seed_index, "２０２２年") == expected


def test_and_or_not_equal_grep(seed_index, seed_records) -> None:
    """Space is AND, OR between terms, -term excludes, quotes keep spaces and operators."""
    cases = {
        "法治 政府": lambda t: "法治" in t and "政府" in t,
        "行政复议 OR 行政诉讼": lambda t: "行政复议" in t or "行政诉讼" in t,
        "法治 执法 OR 普法": lambda t: "法治" in t and ("执法" in t or "普法" in t),
        "法治 -政府": lambda t: "法治" in t and "政府" not in t,
        "-法": lambda t: "法" not in t,
        '"法治 政府" -"年"': lambda t: "法治政府" in t and "年" not in t,
        'OR建设 "OR"': lambda t: "or建设" in t and "or" in t,
    }
    for q, predicate in cases.items():
        assert all_hits(seed_index, q) == grep(seed_records, predicate), q


def test_latin_and_digit_words(index_reports) -> None:
    """Latin words match case-insensitively as substrings: 'app' is found in 'apple' too
    (grep semantics), and whole words are always found."""
    reports = [make_report("latin", ["下载 APP Store 应用", "apple 公司", "推进5G建设", "IPv6 改造"])]
    settings = index_reports(*reports)
    assert all_hits(settings, "app") == {("latin", 0), ("latin", 1)}
    assert all_hits(settings, "APPLE") == {("latin", 1)}
    assert all_hits(settings, '"app store"') == {("latin", 0)}
    assert all_hits(settings, "5g") == {("latin", 2)}
    assert all_hits(settings, "ipv6") == {("latin", 3)}
    assert all_hits(settings, "6") == {("latin", 3)}


@pytest.mark.slow
def test_national_reports_equal_grep(request, shared_dir, tmp_path) -> None:
    """Opt-in (-m slow): the same exactness check on the 88 national work reports."""
    import time

    if "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip("opt-in: run with -m slow")
    pytest.importorskip("indexer.ingest")

    from indexer import Settings, index_paths

    docs = shared_dir / "corpus" / "prc-gov-work-reports" / "docs"
    if not docs.is_dir():
        pytest.skip("national reports not present")
    settings = Settings(index_path=tmp_path / "index")
    t0 = time.perf_counter()
    summary = index_paths(settings, [docs])
    build_s = time.perf_counter() - t0
    from indexer import get_report

    records = [get_report(settings, rid) for rid in summary.indexed]
    queries = FIXED_QUERIES + _sample_queries(records, 100)
    for q in queries:
        expected = grep(records, lambda t, n=normalize(q): n in t)
        assert all_hits(settings, q) == expected, q
    print(f"\nnational reports: {len(records)} reports, {summary.paragraphs} paragraphs, "
          f"build {build_s:.1f}s, {len(queries)} queries equal to grep")
