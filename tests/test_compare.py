"""Comparison tables (indexer.compare) over real indexes: rows come from the gazetteer, counts
equal those recomputed from the flat search results, and the three kinds of rows are told apart."""

from __future__ import annotations

import pytest
from fixtures_compare import compare_corpus, flat_counts
from fixtures_search import SEED_META

from indexer import Level, Mode, QueryError, Scope
from indexer.areas import area_tree
from indexer.compare import CompareRequest, Status, compare, sort_rows
from indexer.gazetteer import load_gazetteer

TERMS = ("行政复议", "合法性审查", "法律顾问")


def _gazetteer_children(name: str, level: int) -> list[str]:
    """Names of the divisions of ``level`` whose parent is the division named ``name``
    (straight from the gazetteer's rows, independently of indexer.areas)."""
    gaz = load_gazetteer()
    (parent,) = gaz.lookup(name)
    return [d.name for d in sorted(gaz.by_code.values(), key=lambda d: d.code)
            if d.parent_code == parent.code and d.level == level]


def _expected_rows(county_level: bool = True, departments: bool = True) -> dict[str, list]:
    """County of 苏州市 -> its reports, by the documented rule, from the records."""
    out: dict[str, list] = {}
    for item in compare_corpus():
        r = item.report
        if r.city != "苏州市" or r.county is None or r.town is not None:
            continue
        if r.level == Level.COUNTY or (departments and r.level == Level.DEPARTMENT):
            out.setdefault(r.county, []).append(r)
    return out


def _request(**kw) -> CompareRequest:
    kw.setdefault("area", area_tree().resolve("苏州市"))
    kw.setdefault("level", "county")
    return CompareRequest(**kw)


def test_rows_are_the_gazetteers_divisions_not_the_indexed_ones(compare_settings) -> None:
    """Every county of 苏州市 in the gazetteer is a row, in code order, indexed or not."""
    result = compare(compare_settings, _request(terms=TERMS))
    assert [r.name for r in result.rows] == _gazetteer_children("苏州市", 3)
    assert len(result.rows) > len(_expected_rows())


def test_counts_equal_the_flat_search_results(compare_settings) -> None:
    """Each cell's reports, matching reports, paragraphs and years equal a recount from the
    flat hits of the same query over the row's reports."""
    result = compare(compare_settings, _request(terms=TERMS))
    expected_rows = _expected_rows()
    for i, term in enumerate(TERMS):
        counts = flat_counts(compare_settings, term)
        for row in result.rows:
            reports = expected_rows.get(row.name, [])
            matching = [r for r in reports if counts.get(r.report_id)]
            cell = row.cells[i]
            assert cell.column.term == term
            assert (cell.reports, cell.matching_reports, cell.paragraphs) == (
                len(reports), len(matching), sum(counts[r.report_id] for r in matching)), row.name
            years = [r.report_year for r in matching]
            assert (cell.first_year, cell.last_year) == (min(years, default=None),
                                                         max(years, default=None))
            assert set(cell.matching_ids) == {r.report_id for r in matching}


def test_matches_never_mentioned_and_not_indexed_are_told_apart(compare_settings) -> None:
    """张家港市 mentions it (2022–2023), 昆山市 has a report that never does, 太仓市 has none."""
    rows = {r.name: r for r in compare(compare_settings, _request(terms=("行政复议",))).rows}
    assert rows["张家港市"].status is Status.MATCHES
    assert (rows["张家港市"].cells[0].first_year, rows["张家港市"].cells[0].last_year) == (2022, 2023)
    assert rows["张家港市"].years == (2021, 2022, 2023)
    assert rows["昆山市"].status is Status.NEVER
    assert rows["昆山市"].cells[0].reports == 1
    assert rows["太仓市"].status is Status.NOT_INDEXED
    assert rows["太仓市"].report_ids == ()


def test_town_reports_do_not_count_for_their_county(compare_settings) -> None:
    """塘桥镇's reports sit in the town rows of 张家港市, not in the county's row."""
    county = {r.name: r for r in compare(compare_settings, _request(terms=("合法性审查",))).rows}
    assert not {"tq-2022", "tq-2023"} & set(county["张家港市"].report_ids)
    towns = compare(compare_settings, _request(terms=("合法性审查",),
                                               area=area_tree().resolve("张家港市"), level="town"))
    assert [r.name for r in towns.rows] == _gazetteer_children("张家港市", 4)
    tangqiao = next(r for r in towns.rows if r.name == "塘桥镇")
    assert tangqiao.report_ids == ("tq-2022", "tq-2023", "tq-sifasuo-2023")
    assert tangqiao.department_reports == 1
    assert tangqiao.cells[0].matching_ids == ("tq-2023",)


def test_department_reports_count_for_their_jurisdiction_and_are_flagged(compare_settings) -> None:
    """常熟市司法局's report is 常熟市's (flagged); with departments left out 常熟市 is 未收录."""
    rows = {r.name: r for r in compare(compare_settings, _request(terms=("行政复议",))).rows}
    assert rows["常熟市"].report_ids == ("cs-sifa-2023",)
    assert rows["常熟市"].department_reports == 1
    assert rows["常熟市"].status is Status.MATCHES
    without = {r.name: r for r in compare(
        compare_settings, _request(terms=("行政复议",), include_departments=False)).rows}
    assert without["常熟市"].status is Status.NOT_INDEXED
    assert without["张家港市"].report_ids == rows["张家港市"].report_ids


def test_rows_carry_filters_only_when_they_select_exactly_their_reports(compare_settings) -> None:
    """昆山市's row is named by its jurisdiction and level filters; 张家港市's cannot be (its
    town's 司法所 report has the same county and a department level), so it has none."""
    rows = {r.name: r for r in compare(compare_settings, _request(terms=("行政复议",))).rows}
    assert rows["昆山市"].filters == (("province", ("江苏省",)), ("city", ("苏州市",)),
                                      ("county", ("昆山市",)), ("level", ("county",)))
    assert rows["张家港市"].filters == ()
    assert rows["太仓市"].filters == ()


def test_reports_without_a_complete_place_are_counted_apart(compare_settings) -> None:
    """A county report without its county is in no row, and said so."""
    result = compare(compare_settings, _request(terms=("行政复议",)))
    assert all("unknown-county-2023" not in r.report_ids for r in result.rows)
    assert result.unplaced == 1


def test_direct_controlled_municipality_and_city_without_counties(compare_settings) -> None:
    """北京市's districts are its counties (no 市辖区 level, no cities); 东莞市's towns hang
    directly under the city."""
    tree = area_tree()
    beijing = compare(compare_settings, CompareRequest(
        terms=("行政复议",), area=tree.resolve("北京市"), level="county"))
    assert "朝阳区" in [r.name for r in beijing.rows]
    assert next(r for r in beijing.rows if r.name == "朝阳区").status is Status.MATCHES
    with pytest.raises(QueryError, match="直辖市"):
        compare(compare_settings, CompareRequest(terms=("x",), area=tree.resolve("北京市"),
                                                 level="city"))
    dongguan = compare(compare_settings, CompareRequest(
        terms=("法律顾问",), area=tree.resolve("东莞市"), level="town"))
    assert next(r for r in dongguan.rows if r.name == "虎门镇").cells[0].paragraphs == 1


def test_year_breakdown_gives_a_column_per_term_and_year(compare_settings) -> None:
    """by_year: columns term x year; each cell counts only that year's reports."""
    result = compare(compare_settings, _request(terms=("行政复议", "法律顾问"), by_year=True))
    assert result.years == (2021, 2022, 2023)
    assert [(c.term, c.year) for c in result.columns] == [
        (t, y) for t in ("行政复议", "法律顾问") for y in (2021, 2022, 2023)]
    zjg = next(r for r in result.rows if r.name == "张家港市")
    counts = flat_counts(compare_settings, "行政复议")
    for cell in zjg.cells[:3]:
        ids = [f"zjg-{cell.column.year}"]
        assert cell.reports == 1
        assert cell.paragraphs == sum(counts.get(i, 0) for i in ids)
    assert [c.status for c in zjg.cells[:3]] == [Status.NEVER, Status.MATCHES, Status.MATCHES]


@pytest.mark.parametrize("kw", [
    dict(mode=Mode.FUZZY),
    dict(scope=Scope.REPORT),
    dict(filters=(("section", ("plans",)),)),
    dict(filters=(("report_year", ("2022",)),)),
])
def test_mode_scope_and_filters_apply_like_in_search(compare_settings, kw) -> None:
    """The same mode, scope and filters give the same counts as the flat search."""
    term = "行政复议 工作" if kw.get("scope") or kw.get("mode") else "行政复议"
    result = compare(compare_settings, _request(terms=(term,), **kw))
    counts = flat_counts(compare_settings, term, **kw)
    years = dict(kw.get("filters", ())).get("report_year")
    for row in result.rows:
        reports = [r for r in _expected_rows().get(row.name, [])
                   if not years or str(r.report_year) in years]
        assert row.cells[0].reports == len(reports)
        assert row.cells[0].paragraphs == sum(counts.get(r.report_id, 0) for r in reports)


def test_provinces_over_the_seeds_equal_the_flat_results(seed_index) -> None:
    """Over the seeds: one row per province; each province's own reports counted."""
    result = compare(seed_index, CompareRequest(terms=("法治", "行政"), level="province"))
    assert len(result.rows) == len(area_tree().children[""])
    own = {m["province"] for m in SEED_META if m["level"] == Level.PROVINCE}
    for i, term in enumerate(("法治", "行政")):
        counts = flat_counts(seed_index, term)
        for row in result.rows:
            ids = set(row.report_ids)
            assert row.cells[0 + i].paragraphs == sum(counts.get(r, 0) for r in ids)
            assert bool(ids) == (row.name in own)


def test_sorting(compare_settings) -> None:
    """Rows sort by a column's paragraphs (desc), by reports, by status; name is code order."""
    result = compare(compare_settings, _request(terms=("行政复议",)))
    by_count = sort_rows(result, "-c0")
    paragraphs = [r.cells[0].paragraphs for r in by_count]
    assert paragraphs == sorted(paragraphs, reverse=True) and paragraphs[0] > 0
    assert [r.name for r in sort_rows(result, "name")] == [r.name for r in result.rows]
    statuses = [r.status for r in sort_rows(result, "status")]
    assert statuses.index(Status.NOT_INDEXED) > statuses.index(Status.NEVER)
    assert len(sort_rows(result, "-reports")[0].report_ids) == 3
    with pytest.raises(QueryError):
        sort_rows(result, "bogus")


@pytest.mark.parametrize("kw, message", [
    (dict(terms=("",)), "不能为空"),
    (dict(terms=tuple(str(i) for i in range(11))), "最多"),
    (dict(terms=("x",), filters=(("province", ("江苏省",)),)), "不接受筛选条件"),
    (dict(terms=("x",), level="department"), "层级"),
    (dict(terms=('"unbalanced',)), "quote"),
])
def test_bad_requests_raise_query_errors(compare_settings, kw, message) -> None:
    """Bad terms, filters and levels are QueryErrors with a message, never a crash."""
    with pytest.raises(QueryError, match=message):
        compare(compare_settings, _request(**kw))


def test_areas_are_resolved_by_name_code_or_full_name() -> None:
    """苏州市, 苏州, 江苏省苏州市 and 320500 are one area; 城关镇 is ambiguous."""
    tree = area_tree()
    assert {tree.resolve(t).code for t in ("苏州市", "苏州", "江苏省苏州市", "320500")} == {"320500"}
    assert tree.resolve("").division is None
    with pytest.raises(QueryError, match="多处同名"):
        tree.resolve("城关镇")
    with pytest.raises(QueryError, match="没有"):
        tree.resolve("不存在的地方市")


def test_an_undated_mention_keeps_its_row_matching_in_the_year_breakdown(compare_settings) -> None:
    """吴江区's only report has no year: no year column shows it, yet the row mentions the term."""
    result = compare(compare_settings, _request(terms=("行政复议",), by_year=True))
    wujiang = next(r for r in result.rows if r.name == "吴江区")
    assert all(c.reports == 0 for c in wujiang.cells)
    assert wujiang.status is Status.MATCHES and wujiang.matching_reports == 1
