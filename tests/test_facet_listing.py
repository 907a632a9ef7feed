"""Facet order (by paragraphs, reports or value) and the "show all" listing with its value
search (``/facets``, ``/api/facets?field=``), on a real index through Flask's test client.

The corpus has more counties than the sidebar lists (facet_size 3), counties whose paragraph
and report counts rank them differently (one long report against several short ones), and a
city known by a gazetteer short name (巴州 = 巴音郭楞蒙古自治州).
"""

from __future__ import annotations


import pytest
from fixtures_web import M, Place, make_report, parse_html, settings_for
from pypinyin import lazy_pinyin

from indexer import SearchRequest, index_reports, search
from indexer.models import FacetSort, Level

TERM = "行政复议"
# (county, city, province, reports, paragraphs with TERM per report)
COUNTIES = [("吴中区", "苏州市", "江苏省", 1, 9), ("吴江区", "苏州市", "江苏省", 3, 1),
            ("姑苏区", "苏州市", "江苏省", 2, 2), ("西湖区", "杭州市", "浙江省", 1, 3),
            ("余杭区", "杭州市", "浙江省", 1, 1), ("库尔勒市", "巴音郭楞蒙古自治州", "新疆维吾尔自治区", 1, 1),
            ("鼓楼区", "南京市", "江苏省", 1, 1)]


def corpus():
    out = []
    for county, city, province, reports, paras in COUNTIES:
        for k in range(reports):
            body = [(f"{county}第{i}项：推进{TERM}规范化建设。", M, False) for i in range(paras)]
            out.append(make_report(f"{county}/{k}", f"{county}法治政府建设情况报告",
                                   Place(province, city, county, None, Level.COUNTY), 2023,
                                   body + [("其他工作。", M, False)]))
    return out


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    s = settings_for(tmp_path_factory.mktemp("facets")).replace(facet_size=3)
    index_reports(s, corpus())
    return s


@pytest.fixture(scope="module")
def client(settings):
    from webui import create_app

    return create_app({"SETTINGS": settings, "TESTING": True}).test_client()


def county_facet(settings, order):
    results = search(settings, SearchRequest(query=TERM, facet_sort=order, limit=0))
    return next(f for f in results.facets if f.name == "county")


PARAS = {c: r * p for c, _, _, r, p in COUNTIES}
REPORTS = {c: r for c, _, _, r, _ in COUNTIES}


def test_facet_values_sorted_by_paragraphs_or_by_reports(settings) -> None:
    """The top 3 by paragraphs (吴中区 9 paragraphs in 1 report first) and by reports (吴江区
    3 reports first) differ; each is in its own descending order."""
    by_paras = county_facet(settings, FacetSort.PARAGRAPHS)
    by_reports = county_facet(settings, FacetSort.REPORTS)
    assert by_paras.truncated and by_reports.truncated
    assert [v.value for v in by_paras.values][0] == "吴中区"
    assert [v.value for v in by_reports.values][:2] == ["吴江区", "姑苏区"]
    assert [v.count for v in by_paras.values] == sorted(PARAS.values(), reverse=True)[:3]
    assert [v.reports for v in by_reports.values] == sorted(REPORTS.values(), reverse=True)[:3]
    assert all(v.count == PARAS[v.value] and v.reports == REPORTS[v.value]
               for v in by_paras.values + by_reports.values)


def test_facet_values_sorted_by_value(settings) -> None:
    """By value: places in pinyin order, levels from national down, years newest first."""
    listed = [v.value for v in county_facet(settings, FacetSort.VALUE).values]
    assert listed == sorted(listed, key=lambda v: lazy_pinyin(v))
    results = search(settings, SearchRequest(facet_sort=FacetSort.VALUE, limit=0,
                                             filters=(("county", ("吴中区",)),)))
    section = next(f for f in results.facets if f.name == "section")
    assert [v.value for v in section.values] == ["measures"]


def test_sidebar_sort_toggle_and_json_param(client) -> None:
    doc = parse_html(client.get(f"/?q={TERM}&facet_sort=reports").data)
    current = doc.cssselect(".facets .facet-sort [aria-current]")[0].text_content()
    assert current == "报告数"
    links = {a.get("data-facet-sort"): a.get("href") for a in doc.cssselect(
        ".facets a[data-facet-sort]")}
    assert set(links) == {"paragraphs", "value"} and "facet_sort=value" in links["value"]
    listing = parse_html(client.get(f"/facets?q={TERM}&field=county&facet_sort=reports").data)
    assert [a.get("data-value") for a in listing.cssselect("[data-facet-listing] a")][:2] == [
        "吴江区", "姑苏区"]
    body = client.get(f"/api/search?q={TERM}&facet_sort=reports").get_json()
    assert body["facet_sort"] == "reports"
    assert [v["reports"] for v in body["facets"]["county"]][:3] == [3, 2, 1]
    assert client.get(f"/?q={TERM}&facet_sort=size").status_code == 400


def test_truncated_facets_link_to_all_values_and_carry_a_value_search(client) -> None:
    doc = parse_html(client.get(f"/?q={TERM}").data)
    block = doc.cssselect("[data-facet-block=jurisdiction]")[0]
    show_all = {a.get("data-show-all"): a.get("href") for a in block.cssselect("[data-show-all]")}
    assert "county" in show_all and "q=" in show_all["county"]
    form = block.cssselect("form[data-facet-search]")[0]
    assert form.get("action") == "/facets" and form.cssselect("input[name=contains]")
    hidden = {i.get("name"): i.get("value") for i in form.cssselect("input[type=hidden]")}
    assert hidden["q"] == TERM
    # Not truncated: no tools (levels and sections have fewer values than facet_size here).
    for name in ("level", "section"):
        blocks = doc.cssselect(f"[data-facet-block={name}]")
        assert not blocks or not blocks[0].cssselect("[data-show-all], form")

    listing = parse_html(client.get(show_all["county"]).data)
    values = [a.get("data-value") for a in listing.cssselect("[data-facet-listing] a")]
    assert sorted(values) == sorted(PARAS) and values[0] == "吴中区"
    counts = [int(s.text_content()) for s in listing.cssselect(".facet-value__count")]
    assert counts == sorted(counts, reverse=True)
    link = listing.cssselect("a[data-value=姑苏区]")[0].get("href")
    chosen = parse_html(client.get(link).data)
    assert {c.get("data-report-id") for c in chosen.cssselect(".report-card")} == {
        "姑苏区/0", "姑苏区/1"}


@pytest.mark.parametrize("contains, field, expected", [
    ("吴", "county", {"吴中区", "吴江区"}),
    ("区", "county", {c for c in PARAS if "区" in c}),
    ("巴州", "city", {"巴音郭楞蒙古自治州"}),
    ("苏州", "city", {"苏州市"}),
    ("县级", "level", {"county"}),
    ("没有", "county", set()),
])
def test_value_search_filters_the_listing(client, contains, field, expected) -> None:
    page = parse_html(client.get(f"/facets?q={TERM}&field={field}&contains={contains}").data)
    assert {a.get("data-value") for a in page.cssselect("[data-facet-listing] a")} == expected
    if not expected:
        assert page.cssselect("[data-no-values]")
    body = client.get(f"/api/facets?q={TERM}&field={field}&contains={contains}").get_json()
    assert {v["value"] for v in body["values"]} == expected
    assert body["total_values"] == len(expected)


def test_listing_pages_are_bounded_and_cover_every_value(client) -> None:
    seen = []
    for page in (1, 2, 3, 4):
        body = client.get(f"/api/facets?q={TERM}&field=county&limit=2&page={page}").get_json()
        assert len(body["values"]) <= 2 and body["total_values"] == len(PARAS)
        seen += [v["value"] for v in body["values"]]
    assert sorted(seen) == sorted(PARAS) and len(seen) == len(set(seen))
    for bad in ("field=nope", "field=county&limit=0", "field=county&limit=5000",
                "field=county&contains=" + "吴" * 51):
        assert client.get(f"/api/facets?q={TERM}&{bad}").status_code == 400
        assert client.get(f"/facets?q={TERM}&{bad}").status_code in (200, 400)
    assert client.get("/facets?field=nope").status_code == 400


def test_listing_counts_under_the_search_filters(client) -> None:
    """Under province=江苏省 the county listing is still every county (a region facet is
    counted under no region filter, like the sidebar), the selected province's marked."""
    body = client.get(f"/api/facets?q={TERM}&field=province&province=江苏省").get_json()
    assert {v["value"]: v["selected"] for v in body["values"]}["江苏省"] is True
    level = client.get(f"/api/facets?q={TERM}&field=county&level=city").get_json()
    assert level["values"] == []
