"""/compare and /trend over a real index with the Flask test client: rows and statuses, cell
links that land on exactly the counted passages, exports with the same rows, errors as 400."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from fixtures_compare import flat_counts
from fixtures_web import parse_html



@pytest.fixture(scope="module")
def cclient(compare_settings):  # noqa: ANN001, ANN201
    from webui import create_app

    return create_app({"SETTINGS": compare_settings, "TESTING": True}).test_client()


COMPARE = "/compare?q=行政复议&q=合法性审查&area=苏州市&level=county"


def _rows(tree) -> dict[str, dict]:  # noqa: ANN001
    out = {}
    for tr in tree.cssselect("table.compare-table tbody tr"):
        cells = tr.cssselect("td.cell")
        out[tr.get("data-name")] = {
            "status": tr.get("data-status"),
            "paragraphs": [int(td.get("data-paragraphs")) for td in cells],
            "matching": [int(td.get("data-matching")) for td in cells],
            "links": [(td.cssselect("a.cell__link") or [None])[0] for td in cells],
        }
    return out


def test_compare_page_lists_every_county_with_its_status(cclient) -> None:
    """The page lists 苏州市's counties (gazetteer order) and labels the three kinds of rows."""
    response = cclient.get(COMPARE)
    assert response.status_code == 200
    tree = parse_html(response.data)
    rows = _rows(tree)
    assert list(rows)[:3] == ["虎丘区", "吴中区", "相城区"]
    assert rows["张家港市"]["status"] == "matches"
    assert rows["昆山市"]["status"] == "never"
    assert rows["太仓市"]["status"] == "not_indexed"
    ks = tree.cssselect("tr[data-name=昆山市]")[0].text_content()
    assert "从未提及" in ks
    assert "未收录" in tree.cssselect("tr[data-name=太仓市]")[0].text_content()
    assert "含部门" in tree.cssselect("tr[data-name=常熟市]")[0].text_content()


def test_each_cell_links_to_exactly_its_passages(cclient, compare_settings) -> None:
    """Following a cell's link gives a search whose paragraphs are the cell's count."""
    rows = _rows(parse_html(cclient.get(COMPARE).data))
    checked = 0
    for name, row in rows.items():
        for link, paragraphs in zip(row["links"], row["paragraphs"]):
            if link is None:
                assert paragraphs == 0
                continue
            href = link.get("href")
            page = parse_html(cclient.get(href).data)
            total = page.cssselect("[data-total-paragraphs]")[0].get("data-total-paragraphs")
            assert int(total) == paragraphs, (name, href)
            checked += 1
    assert checked >= 3
    zjg = rows["张家港市"]["links"][0].get("href")
    assert "report_id=" in zjg and "county=" not in zjg
    ks = parse_html(cclient.get(COMPARE).data).cssselect("tr[data-name=昆山市] td.num a")[0]
    assert "county=%E6%98%86%E5%B1%B1%E5%B8%82" in ks.get("href") and "report_id" not in ks.get("href")


def test_csv_and_json_hold_the_same_rows_as_the_page(cclient) -> None:
    """The CSV and JSON exports list the page's rows, in the page's order and counts."""
    url = COMPARE + "&order=-c0"
    page = _rows(parse_html(cclient.get(url).data))
    body = cclient.get(url.replace("/compare?", "/compare.csv?")).data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    assert [line[1] for line in table[1:]] == list(page)
    head = table[0]
    col = head.index("行政复议：匹配段落")
    assert [int(line[col]) for line in table[1:]] == [r["paragraphs"][0] for r in page.values()]
    data = cclient.get(url.replace("/compare?", "/api/compare?")).get_json()
    assert [r["name"] for r in data["rows"]] == list(page)
    assert [r["cells"][1]["paragraphs"] for r in data["rows"]] == [
        r["paragraphs"][1] for r in page.values()]
    assert data["rows"][0]["cells"][0]["passages_url"].startswith("/?q=")


def test_sort_links_sort_and_flip(cclient) -> None:
    """A column header sorts by it (largest first); clicking it again flips the order."""
    tree = parse_html(cclient.get(COMPARE).data)
    href = tree.cssselect("th a[data-sort=c0]")[0].get("href")
    assert parse_qs(urlsplit(href).query)["order"] == ["-c0"]
    sorted_tree = parse_html(cclient.get(href).data)
    counts = [r["paragraphs"][0] for r in _rows(sorted_tree).values()]
    assert counts == sorted(counts, reverse=True)
    again = sorted_tree.cssselect("th a[data-sort=c0]")[0].get("href")
    assert parse_qs(urlsplit(again).query)["order"] == ["c0"]


def test_year_breakdown_columns(cclient, compare_settings) -> None:
    """by=year gives one column per term and year, each linking to that year's passages."""
    tree = parse_html(cclient.get("/compare?q=行政复议&area=苏州市&by=year").data)
    heads = [a.text_content() for a in tree.cssselect("th a[data-sort^=c]")]
    assert heads == ["行政复议 2021年", "行政复议 2022年", "行政复议 2023年"]
    zjg = _rows(tree)["张家港市"]
    counts = flat_counts(compare_settings, "行政复议")
    assert zjg["paragraphs"] == [counts.get(f"zjg-{y}", 0) for y in (2021, 2022, 2023)]
    assert "report_year=2022" in zjg["links"][1].get("href")


def test_a_level_that_cannot_lie_in_the_area_gives_way_to_the_one_below(cclient) -> None:
    """The form keeps the previous level when the area changes: 苏州市 + province compares
    苏州市's counties."""
    tree = parse_html(cclient.get("/compare?q=行政复议&area=苏州市&level=province").data)
    assert "张家港市" in _rows(tree)
    assert tree.cssselect("#level option[selected]")[0].get("value") == "county"


def test_drill_down_and_level_links(cclient) -> None:
    """A county's name opens the comparison of its towns; the breadcrumb goes back up."""
    tree = parse_html(cclient.get(COMPARE).data)
    down = tree.cssselect("tr[data-name=张家港市] th a")[0].get("href")
    towns = parse_html(cclient.get(down).data)
    assert "塘桥镇" in _rows(towns)
    crumbs = [a.text_content() for a in towns.cssselect(".area-path a")]
    assert crumbs == ["全国", "江苏省", "苏州市"]
    level = tree.cssselect("a.level-link[data-level=town]")[0].get("href")
    assert "塘桥镇" in _rows(parse_html(cclient.get(level).data))


def test_search_page_links_to_compare_and_trend(cclient) -> None:
    """A search within 苏州市 links to the comparison of 苏州市's counties and to the trend."""
    page = parse_html(cclient.get("/?q=行政复议&province=江苏省&city=苏州市").data)
    compare_href = page.cssselect("a[data-link=compare]")[0].get("href")
    trend_href = page.cssselect("a[data-link=trend]")[0].get("href")
    rows = _rows(parse_html(cclient.get(compare_href).data))
    assert "张家港市" in rows and rows["张家港市"]["status"] == "matches"
    trend_page = parse_html(cclient.get(trend_href).data)
    assert trend_page.cssselect("svg.trend-chart__svg")


def test_trend_page_chart_and_table(cclient, compare_settings) -> None:
    """The trend page draws an SVG line per term, marks small years, and its table shows
    numerator/denominator whose links land on the counted reports."""
    for url in ("/trend?q=行政复议&q=法律顾问", "/trend?q=行政复议&q=法律顾问&area=苏州市"):
        _check_trend_page(cclient, url)


def _check_trend_page(cclient, url: str) -> None:  # noqa: ANN001
    response = cclient.get(url)
    assert response.status_code == 200
    tree = parse_html(response.data)
    assert len(tree.cssselect("svg.trend-chart__svg g.series")) == 2
    assert tree.cssselect("svg .series__marker.is-small")  # 2021/2022 have < 5 reports
    rows = tree.cssselect("table.trend-table tbody tr")
    assert [r.get("data-year") for r in rows][-2:] == ["2022", "2023"]
    for row in rows:
        cell = row.cssselect("td[data-term=行政复议]")[0]
        link = cell.cssselect("a")
        if link:
            page = parse_html(cclient.get(link[0].get("href")).data)
            reports = page.cssselect("[data-total-reports]")[0].get("data-total-reports")
            assert int(reports) == int(cell.get("data-matching"))
        assert f"{cell.get('data-matching')}/{cell.get('data-reports')}" in cell.text_content()


def test_trend_exports(cclient) -> None:
    """The trend CSV and JSON carry numerator and denominator per term and year."""
    data = cclient.get("/api/trend?q=行政复议&area=苏州市").get_json()
    points = data["series"][0]["points"]
    body = cclient.get("/trend.csv?q=行政复议&area=苏州市").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    assert [(int(r[2]), int(r[3])) for r in table[1:]] == [
        (p["matching_reports"], p["reports"]) for p in points]
    assert data["undated_reports"] == 1


@pytest.mark.parametrize("url", [
    "/compare?q=x&area=城关镇",
    "/compare?q=x&area=不存在的地方市",
    "/compare?q=x&report_year=abc",
    "/compare?q=" + "&q=".join("abcdefghijk"),
    "/trend?q=x&level=village",
    "/compare?q=%22open",
])
def test_bad_input_is_a_400_page_not_a_crash(cclient, url) -> None:
    response = cclient.get(url)
    assert response.status_code == 400
    assert "notice--error" in response.data.decode()
    api = cclient.get(url.replace("/compare?", "/api/compare?").replace("/trend?", "/api/trend?"))
    assert api.status_code == 400 and "error" in api.get_json()


def test_hostile_terms_are_escaped_and_csv_neutralised(cclient) -> None:
    """A term that is markup shows as text (page and chart); a formula term is neutralised."""
    probe = '<script>alert(1)</script>'
    body = cclient.get(f"/trend?q={probe}").data.decode()
    assert probe not in body and "&lt;script&gt;" in body
    body = cclient.get(f"/compare?q={probe}&area=苏州市").data.decode()
    assert probe not in body
    csv_body = cclient.get("/compare.csv?q=%3DHYPERLINK(1)&area=苏州市").data.decode("utf-8-sig")
    assert csv_body.splitlines()[0].split(",")[7].startswith("'=")


def test_api_over_a_direct_controlled_municipality(cclient, compare_settings) -> None:
    """北京市 as a province has no report of its own (朝阳区's is the district's); its counties
    are its districts, and 朝阳区's count is the flat search's."""
    provinces = {r["name"]: r for r in
                 cclient.get("/api/compare?q=行政复议&level=province").get_json()["rows"]}
    assert provinces["北京市"]["status"] == "not_indexed"
    data = cclient.get("/api/compare?q=行政复议&area=北京市").get_json()
    assert data["level_label"] == "县级"
    rows = {r["name"]: r for r in data["rows"]}
    expected = flat_counts(compare_settings, "行政复议")["bj-chaoyang-2023"]
    assert rows["朝阳区"]["cells"][0]["paragraphs"] == expected == 1
    assert rows["东城区"]["status"] == "not_indexed"
