"""Publication-date range (发布日期 from/to) and sort by publication date, on a real index.

Reports sit on the edges of the ranges tested (the last day of a year, of February in a leap
year, of a month) and one has no date: a range leaves it out and says so, a date sort puts it
last in both directions.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from click.testing import CliRunner
from fixtures_web import M, Place, make_report, parse_html, settings_for

from indexer import QueryError, SearchRequest, index_reports, search
from indexer.models import Sort
from indexer.pubdates import date_range
from webui.cli import _register, cli

DATES = {"d/2022-12-31": "2022-12-31", "d/2023-01-01": "2023-01-01",
         "d/2023-06-30": "2023-06-30", "d/2023-07-01": "2023-07-01",
         "d/2023-12-31": "2023-12-31", "d/2024-02-29": "2024-02-29", "d/none": None}


def corpus():
    place = Place("江苏省", "苏州市", "吴中区", None)
    return [make_report(rid, f"报告{rid}", place, 2023,
                        [(f"推进行政复议工作，{rid} 办结案件。", M, False),
                         ("加强法治宣传教育。", M, False)],
                        **({"published": day} if day else {}))
            for rid, day in DATES.items()]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    s = settings_for(tmp_path_factory.mktemp("dates"))
    index_reports(s, corpus())
    return s


def in_range(first: date | None, last: date | None) -> set[str]:
    """The oracle: reports whose date is known and inside [first, last]."""
    out = set()
    for rid, day in DATES.items():
        if day is None:
            continue
        d = date.fromisoformat(day)
        if (first is None or d >= first) and (last is None or d <= last):
            out.add(rid)
    return out


def reports_of(settings, **kw) -> tuple[set[str], object]:
    results = search(settings, SearchRequest(query="行政复议", limit=100, **kw))
    return {g.report.report_id for g in results.groups}, results


@pytest.mark.parametrize("typed_from, typed_to, first, last", [
    ("2023", "2023", date(2023, 1, 1), date(2023, 12, 31)),
    ("2023-06-30", "2023-07", date(2023, 6, 30), date(2023, 7, 31)),
    (None, "2023-06", None, date(2023, 6, 30)),
    ("2023-07", None, date(2023, 7, 1), None),
    ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023年1月1日", "2023/6/30", date(2023, 1, 1), date(2023, 6, 30)),
    ("2023-7-1", "2023.12", date(2023, 7, 1), date(2023, 12, 31)),
])
def test_range_bounds_are_inclusive_and_partial_dates_cover_their_period(
        settings, typed_from, typed_to, first, last) -> None:
    got, results = reports_of(settings, published_from=typed_from, published_to=typed_to)
    assert got == in_range(first, last)
    assert results.undated_reports == 1  # d/none matches the query but has no date


def test_no_range_keeps_undated_reports_and_counts_nothing(settings) -> None:
    got, results = reports_of(settings)
    assert got == set(DATES) and results.undated_reports is None


def test_facets_count_only_reports_in_range(settings) -> None:
    _, results = reports_of(settings, published_from="2023-07")
    province = next(f for f in results.facets if f.name == "province").values[0]
    assert province.reports == len(in_range(date(2023, 7, 1), None)) == 3


@pytest.mark.parametrize("first, last, message", [
    ("2023-02-30", None, "has no day 30"),
    ("2023-13", None, "month must be 1 to 12"),
    ("去年", None, "not a date"),
    (None, "2023-6-31", "has no day 31"),
    ("2024", "2023-12-31", "is after"),
    ("2023-07-01", "2023-06", "is after"),
])
def test_bad_dates_are_refused_with_a_message(settings, first, last, message) -> None:
    with pytest.raises(QueryError, match=message):
        search(settings, SearchRequest(query="复议", published_from=first, published_to=last))


def test_same_day_and_same_month_ranges_are_accepted() -> None:
    assert date_range("2023-06", "2023-06").first == date(2023, 6, 1).toordinal()
    assert date_range("2023-06-30", "2023-06-30").last == date(2023, 6, 30).toordinal()
    assert date_range("", " ") is None


@pytest.mark.parametrize("sort, newest_first", [(Sort.PUBLISHED_NEWEST, True),
                                                (Sort.PUBLISHED_OLDEST, False)])
def test_sort_by_publication_date_puts_undated_reports_last(settings, sort, newest_first):
    for grouped in (True, False):
        results = search(settings, SearchRequest(query="行政复议", sort=sort, grouped=grouped,
                                                 limit=100))
        ids = [g.report.report_id for g in results.groups] if grouped else [
            h.report_id for h in results.hits]
        dated = sorted((rid for rid in DATES if DATES[rid]), key=lambda r: DATES[r],
                       reverse=newest_first)
        assert ids == dated + ["d/none"]


# ---------------------------------------------------------------- web, JSON, CSV, CLI


@pytest.fixture(scope="module")
def client(settings):
    from webui import create_app

    return create_app({"SETTINGS": settings, "TESTING": True}).test_client()


def test_search_page_with_a_range_says_how_many_undated_reports_were_left_out(client):
    doc = parse_html(client.get("/?q=行政复议&published_from=2023&published_to=2023-06").data)
    cards = {c.get("data-report-id") for c in doc.cssselect(".report-card")}
    assert cards == in_range(date(2023, 1, 1), date(2023, 6, 30))
    note = doc.cssselect("[data-undated-reports]")[0]
    assert note.get("data-undated-reports") == "1" and "1 篇" in note.text_content()
    assert doc.cssselect("#published_from")[0].get("value") == "2023"
    assert "发布日期：2023 至 2023-06" in doc.cssselect("[data-understood]")[0].text_content()
    # Links keep the range: page 1 of a facet value, the JSON and CSV twins.
    assert all("published_from=2023" in a.get("href")
               for a in doc.cssselect("a.facet-value, .results-links a[download]"))


@pytest.mark.parametrize("query, text", [
    ("published_from=2023-02-30", "不是有效日期"),
    ("published_to=明年", "不是有效日期"),
    ("published_from=2024&published_to=2023", "晚于截止"),
    ("published_from=2023&published_from=2024", "只能给一次"),
])
def test_bad_dates_are_a_400_with_a_chinese_message(client, query, text) -> None:
    page = client.get(f"/?q=复议&{query}")
    assert page.status_code == 400 and text in page.data.decode()
    api = client.get(f"/api/search?q=复议&{query}")
    assert api.status_code == 400 and text in api.get_json()["error"]["message"]


def test_api_and_csv_honour_the_range_and_the_date_sort(client) -> None:
    body = client.get("/api/search?q=行政复议&published_from=2023-07&sort=published_oldest"
                      ).get_json()
    assert body["published_from"] == "2023-07" and body["published_to"] is None
    assert body["undated_reports"] == 1 and body["sort"] == "published_oldest"
    assert [g["report_id"] for g in body["groups"]] == ["d/2023-07-01", "d/2023-12-31",
                                                        "d/2024-02-29"]
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/export.csv?q=行政复议&published_to=2022").data.decode("utf-8-sig"))))
    assert [(r["报告编号"], r["发布日期"]) for r in rows] == [("d/2022-12-31", "2022-12-31")]


def test_cli_date_options(settings) -> None:
    _register()
    ix = ["--index", str(settings.index_path)]
    runner = CliRunner()
    out = runner.invoke(cli, [*ix, "search", "行政复议", "--published-from", "2023-07",
                              "--sort", "published_newest", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [g["report_id"] for g in data["groups"]] == ["d/2024-02-29", "d/2023-12-31",
                                                        "d/2023-07-01"]
    text = runner.invoke(cli, [*ix, "search", "行政复议", "--published-to", "2023"])
    assert "1 matching report(s) have no publication date" in text.output
    for bad in (["--published-from", "2023-02-30"], ["--published-from", "2024",
                                                      "--published-to", "2023"]):
        result = runner.invoke(cli, [*ix, "search", "复议", *bad])
        assert result.exit_code == 2 and result.output.startswith("Error: ")
