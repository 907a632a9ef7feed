"""Search features: fuzzy mode, report scope, filters, facets, grouping, ordering, paging."""

from __future__ import annotations

from collections import Counter

import pytest

from fixtures_search import all_hits, field_value, grep, passes
from indexer import (
    FACET_FIELDS,
    Mode,
    QueryError,
    ReportNotFoundError,
    Scope,
    Section,
    SearchRequest,
    Sort,
    get_report,
    index_stats,
    search,
)
from indexer.normalize import normalize


@pytest.mark.parametrize(("query", "spellings"), [
    ("推进法治政府建设", [["推进", "法治", "政府", "建设"]]),
    ("行政执法规范", [["行政", "执法", "规范"]]),
    # variants.txt: 法治宣传教育 = 普法宣传教育 = 普法宣传
    ("法治宣传教育工作", [["法治", "宣传", "教育", "工作"], ["普法", "宣传", "教育", "工作"],
                          ["普法", "宣传", "工作"]]),
])
def test_fuzzy_mode_needs_all_words_in_any_order(seed_index, seed_records, query,
                                                 spellings) -> None:
    """Fuzzy: every dictionary word of the term (or of one of its dictionary variants) is in
    the paragraph, in any order."""
    expected = grep(seed_records, lambda t: any(all(w in t for w in ws) for ws in spellings))
    assert all_hits(seed_index, query, mode=Mode.FUZZY) == expected
    assert expected >= all_hits(seed_index, query)  # exact hits are a subset


def test_report_scope(seed_index, seed_records) -> None:
    """Report scope: reports with every term somewhere; hits = their paragraphs with a term."""
    a, b = "行政复议", "人民调解"
    reports = {
        r.report.report_id
        for r in seed_records
        if any(a in normalize(p.text) for p in r.paragraphs)
        and any(b in normalize(p.text) for p in r.paragraphs)
    }
    expected = {
        hit for hit in grep(seed_records, lambda t: a in t or b in t) if hit[0] in reports
    }
    assert all_hits(seed_index, f"{a} {b}", scope=Scope.REPORT) == expected
    assert all_hits(seed_index, f"{a} {b}") <= expected


def test_report_scope_negative_excludes_whole_reports(seed_index, seed_records) -> None:
    """Report scope with -term: a report with the excluded term anywhere is dropped."""
    bad = {r.report.report_id for r in seed_records
           if any("塘桥" in normalize(p.text) for p in r.paragraphs)}
    assert bad
    hits = all_hits(seed_index, "法治 -塘桥", scope=Scope.REPORT)
    assert hits and not {rid for rid, _ in hits} & bad


@pytest.mark.parametrize("field", ["province", "city", "county", "town", "level",
                                   "report_year", "section", "report_id"])
def test_every_filter(seed_index, seed_records, field) -> None:
    """Each filter keeps exactly the matching paragraphs whose field has the value (OR of two)."""
    values = sorted({v for r in seed_records for p in r.paragraphs
                     if (v := field_value(r.report, p, field)) is not None})
    chosen = tuple(values[:2])
    filters = {field: chosen}
    expected = grep(seed_records, lambda t: "法" in t, filters)
    assert expected
    assert all_hits(seed_index, "法", filters=((field, chosen),)) == expected


def test_empty_query_with_filters_lists_paragraphs_in_order(seed_index, seed_records) -> None:
    """An empty query with a filter lists the filtered paragraphs in report/position order."""
    r0 = seed_records[0].report
    res = search(seed_index, SearchRequest(filters=(("report_id", (r0.report_id,)),),
                                           grouped=False, limit=10**9))
    assert [h.n for h in res.hits] == [p.n for p in seed_records[0].paragraphs]
    everything = search(seed_index, SearchRequest(limit=10**9, grouped=False, with_facets=False))
    assert everything.total_paragraphs == sum(len(r.paragraphs) for r in seed_records)


REGION = {"province", "city", "county", "town"}


def _brute_facets(records, predicate, filters):
    """Each facet under the other facets' filters; the region fields (one tree) under none of
    the region filters."""
    out = {}
    for name in FACET_FIELDS:
        ignored = REGION if name in REGION else {name}
        others = {f: v for f, v in filters.items() if f not in ignored}
        counts = Counter(
            field_value(r.report, p, name)
            for r in records for p in r.paragraphs
            if predicate(normalize(p.text)) and passes(r.report, p, others)
        )
        counts.pop(None, None)
        out[name] = dict(counts)
    return out


@pytest.mark.parametrize("filters", [
    {},
    {"province": ("江苏省",)},
    {"province": ("江苏省", "浙江省"), "section": ("measures",)},
    {"report_year": ("2023",), "level": ("city", "county")},
])
def test_facet_counts_equal_brute_force(seed_index, seed_records, filters) -> None:
    """Facets count all matches; each facet ignores its own selection (multi-select), the
    region tree all region selections."""
    res = search(seed_index, SearchRequest(query="法治", filters=tuple(filters.items()), limit=1))
    got = {f.name: {v.value: v.count for v in f.values if v.count} for f in res.facets}
    assert got == _brute_facets(seed_records, lambda t: "法治" in t, filters)
    for facet in res.facets:
        selected = {v.value for v in facet.values if v.selected}
        assert selected == set(filters.get(facet.name, ()))


def test_facet_size_truncates(seed_index) -> None:
    """Facet lists are capped at facet_size and flagged as truncated."""
    settings = seed_index.replace(facet_size=1)
    res = search(settings, SearchRequest(query="法"))
    section = next(f for f in res.facets if f.name == "section")
    assert len(section.values) == 1 and section.truncated


def test_grouped_results(seed_index) -> None:
    """Groups: reports ordered by best paragraph, at most N hits each, hit_count complete."""
    flat = search(seed_index, SearchRequest(query="法治", grouped=False, limit=10**9))
    res = search(seed_index, SearchRequest(query="法治", limit=3, paragraphs_per_report=2))
    assert res.total_reports == len({h.report_id for h in flat.hits})
    assert len(res.groups) == 3
    best = [g.best_score for g in res.groups]
    assert best == sorted(best, reverse=True)
    per_report = Counter(h.report_id for h in flat.hits)
    for g in res.groups:
        assert g.hit_count == per_report[g.report.report_id]
        assert len(g.hits) == min(2, g.hit_count)
        assert g.hits[0].score == g.best_score
    assert res.hits == tuple(h for g in res.groups for h in g.hits)
    page2 = search(seed_index, SearchRequest(query="法治", limit=3, offset=3))
    assert not {g.report.report_id for g in page2.groups} & {g.report.report_id for g in res.groups}


def test_ranking_ties_and_sorts(seed_index) -> None:
    """Relevance is non-increasing; newest/oldest order by report year."""
    flat = search(seed_index, SearchRequest(query="法治", grouped=False, limit=10**9))
    scores = [h.score for h in flat.hits]
    assert scores == sorted(scores, reverse=True)
    newest = search(seed_index, SearchRequest(query="法治", grouped=False, limit=10**9,
                                              sort=Sort.NEWEST))
    years = [h.report.report_year or 0 for h in newest.hits]
    assert years == sorted(years, reverse=True)
    oldest = search(seed_index, SearchRequest(query="法治", grouped=False, limit=10**9,
                                              sort=Sort.OLDEST))
    known = [h.report.report_year for h in oldest.hits if h.report.report_year]
    assert known == sorted(known)


def test_huge_limit_and_offset_do_not_crash(seed_index) -> None:
    """limit=10**9 and an offset past the end are fine."""
    assert search(seed_index, SearchRequest(query="法", limit=10**9)).groups
    assert search(seed_index, SearchRequest(query="法", offset=10**9)).hits == ()


@pytest.mark.parametrize("query", ['"unbalanced', "OR 法治", "法治 OR", "- 法治", '""', "x" * 501])
def test_bad_queries_raise_query_error(seed_index, query) -> None:
    """Syntax errors and over-long queries are QueryError with a message."""
    with pytest.raises(QueryError) as exc:
        search(seed_index, SearchRequest(query=query))
    assert str(exc.value)


def test_get_report_round_trips(seed_index, seed_records) -> None:
    """get_report gives back the report and its paragraphs from stored fields."""
    rec = seed_records[1]
    got = get_report(seed_index, rec.report.report_id)
    assert got == rec
    with pytest.raises(ReportNotFoundError):
        get_report(seed_index, "no/such/report")


def test_index_stats(seed_index, seed_records) -> None:
    """Stats count reports and paragraphs per facet value."""
    stats = index_stats(seed_index)
    assert stats.reports == len(seed_records)
    assert stats.paragraphs == sum(len(r.paragraphs) for r in seed_records)
    assert stats.size_bytes > 0
    provinces = Counter(r.report.province for r in seed_records)
    assert stats.report_counts["province"] == dict(provinces)


@pytest.mark.parametrize("scope", [Scope.PARAGRAPH, Scope.REPORT])
def test_report_match_counts_equal_the_flat_results(seed_index, scope) -> None:
    """Per-report match counts (what comparison tables count) are the flat search's hits
    counted per report, under filters too; an empty query counts every paragraph."""
    from indexer import indexed_reports, report_match_counts

    for query, filters in (("行政复议", ()), ("调解 -人民调解", ()),
                           ("法治", (("report_year", ("2023",)),)), ("", ())):
        request = SearchRequest(query=query, scope=scope, filters=filters)
        flat = search(seed_index, SearchRequest(query=query, scope=scope, filters=filters,
                                                grouped=False, limit=10_000, with_facets=False))
        expected = Counter(h.report_id for h in flat.hits)
        assert report_match_counts(seed_index, request) == dict(expected)
    assert [r.report_id for r in indexed_reports(seed_index)] == sorted(
        r.report_id for r in get_report_ids(seed_index))


def get_report_ids(settings):
    stats = index_stats(settings)
    ids = [v.value for v in next(f for f in search(settings, SearchRequest()).facets
                                 if f.name == "province").values]
    assert stats.reports >= 1 and ids
    flat = search(settings, SearchRequest(grouped=True, limit=10_000, with_facets=False))
    return [g.report for g in flat.groups]


def test_facet_not_truncated_at_exactly_facet_size(seed_index) -> None:
    """As many values as facet_size: all listed and *not* flagged truncated; one fewer
    allowed: flagged (the boundary of the flag)."""
    res = search(seed_index, SearchRequest(query="法"))
    city = next(f for f in res.facets if f.name == "city")
    n = len(city.values)
    assert n >= 2
    exact = search(seed_index.replace(facet_size=n), SearchRequest(query="法"))
    facet = next(f for f in exact.facets if f.name == "city")
    assert len(facet.values) == n and not facet.truncated
    fewer = search(seed_index.replace(facet_size=n - 1), SearchRequest(query="法"))
    facet = next(f for f in fewer.facets if f.name == "city")
    assert len(facet.values) == n - 1 and facet.truncated


def test_report_scope_excluded_term_in_exactly_one_paragraph(index_reports) -> None:
    """Report scope: an excluded term in one single paragraph of a report removes the whole
    report, though its other paragraphs hold the positive term and not the excluded one."""
    from fixtures_search import make_report

    settings = index_reports(
        make_report("one", ["行政复议案件十件。", "行政复议工作加强。", "信访工作稳定。"]),
        make_report("two", ["行政复议案件五件。", "行政复议规范化。"]),
    )
    res = search(settings, SearchRequest(query="行政复议 -信访", scope=Scope.REPORT,
                                         grouped=False, limit=100))
    assert {h.report_id for h in res.hits} == {"two"}
    para = search(settings, SearchRequest(query="行政复议 -信访", grouped=False, limit=100))
    assert {h.report_id for h in para.hits} == {"one", "two"}


def test_report_scope_filters_restrict_paragraphs_first(index_reports) -> None:
    """Report scope with a filter: the terms must be found among the filtered paragraphs
    (a term only in a paragraph of another section does not make the report match)."""
    from dataclasses import replace

    from fixtures_search import make_report

    base = make_report("r", ["一、主要举措和成效", "行政复议工作加强。", "二、存在的不足",
                             "调解工作薄弱。"])
    sections = [Section.MEASURES, Section.MEASURES, Section.SHORTCOMINGS, Section.SHORTCOMINGS]
    report = replace(base, paragraphs=tuple(replace(p, section=s)
                                            for p, s in zip(base.paragraphs, sections)))
    settings = index_reports(report)
    shortcomings = (("section", ("shortcomings",)),)
    both = search(settings, SearchRequest(query="行政复议 调解", scope=Scope.REPORT,
                                          filters=shortcomings, grouped=False, limit=100))
    assert both.total_paragraphs == 0
    unfiltered = search(settings, SearchRequest(query="行政复议 调解", scope=Scope.REPORT,
                                                grouped=False, limit=100))
    assert unfiltered.total_paragraphs == 2
    only = search(settings, SearchRequest(query="调解", scope=Scope.REPORT,
                                          filters=shortcomings, grouped=False, limit=100))
    assert [h.text for h in only.hits] == ["调解工作薄弱。"]


def test_facet_values_count_reports_and_paragraphs(seed_index, seed_records) -> None:
    """Each facet value says how many matching reports and paragraphs it has (recounted from
    the flat results)."""
    res = search(seed_index, SearchRequest(query="法治"))
    flat = search(seed_index, SearchRequest(query="法治", grouped=False, limit=10**6,
                                            with_facets=False))
    for facet in res.facets:
        for v in facet.values:
            hits = [h for h in flat.hits if field_value(h.report, h, facet.name) == v.value]
            assert v.count == len(hits), (facet.name, v.value)
            assert v.reports == len({h.report_id for h in hits}), (facet.name, v.value)
    assert any(v.reports < v.count for f in res.facets for v in f.values)


def test_every_year_is_listed_whatever_the_facet_size(index_reports) -> None:
    """The year facet lists every year with matches (a facet_size of 1 truncates the others,
    not the years)."""
    from fixtures_search import make_report

    settings = index_reports(*(make_report(f"r{y}", ["推进法治政府建设。"] * (y - 2015),
                                           report_year=y, province=f"省{y}")
                               for y in range(2016, 2024)))
    res = search(settings.replace(facet_size=1), SearchRequest(query="法治"))
    years = next(f for f in res.facets if f.name == "report_year")
    assert sorted(v.value for v in years.values) == [str(y) for y in range(2016, 2024)]
    assert not years.truncated
    province = next(f for f in res.facets if f.name == "province")
    assert len(province.values) == 1 and province.truncated
