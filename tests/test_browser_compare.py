"""Real-browser tests of /compare and /trend: Debian's chromium (headless, Playwright) against the
app over the comparison fixture, served by waitress on loopback. Skipped only when
/usr/bin/chromium is absent."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_web import serve
from test_browser import REPO, browser  # noqa: F401 - the module's Chromium fixture

pytestmark = pytest.mark.browser
TERM = "行政复议"


@pytest.fixture(scope="module")
def base_url(compare_settings) -> Iterator[str]:  # noqa: ANN001
    from webui import create_app

    with serve(create_app({"SETTINGS": compare_settings})) as url:
        yield url


@pytest.fixture()
def page(browser, base_url):  # noqa: ANN001, ANN201
    """A fresh tab; fails the test on any page error, console error or dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base_url,
                                  accept_downloads=True)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield tab
    context.close()
    assert problems == []


def row_statuses(page) -> dict[str, str]:  # noqa: ANN001
    return page.eval_on_selector_all(
        "table.compare-table tbody tr",
        "rows => Object.fromEntries(rows.map(r => [r.dataset.name, r.dataset.status]))")


def test_compare_query_then_switch_level_and_area(page) -> None:
    """Typing a term and an area lists that area's counties; the level link switches to towns;
    the breadcrumb goes back up to the province's cities."""
    page.goto("/compare")
    page.fill("input[name=q] >> nth=0", TERM)
    page.fill("#area", "苏州市")
    page.click("button[type=submit]")
    page.wait_for_selector("table.compare-table tbody tr")
    statuses = row_statuses(page)
    assert statuses["张家港市"] == "matches"
    assert statuses["昆山市"] == "never"
    assert statuses["太仓市"] == "not_indexed"
    assert page.locator("tr[data-name=昆山市]").inner_text().count("从未提及") >= 1
    page.click("a.level-link[data-level=town]")
    page.wait_for_selector("tr[data-name=塘桥镇]")
    assert row_statuses(page)["塘桥镇"] == "matches"
    assert page.input_value("#level") == "town"
    page.click(".area-path a:text('江苏省')")
    page.wait_for_selector("tr[data-name=苏州市]")
    assert row_statuses(page)["苏州市"] == "matches"
    assert page.input_value("#q") == TERM


def test_clicking_a_cell_lands_on_its_passages(page) -> None:
    """A cell's number opens the search page listing exactly its paragraphs, marked."""
    page.goto(f"/compare?q={TERM}&area=苏州市")
    cell = page.locator("tr[data-name=张家港市] td.cell").first
    expected = cell.get_attribute("data-paragraphs")
    cell.locator("a").click()
    page.wait_for_selector("[data-total-paragraphs]")
    assert page.text_content("[data-total-paragraphs]") == expected
    assert page.locator("li.hit-card").count() == int(expected)
    assert set(page.locator(".passage mark").all_text_contents()) == {TERM}
    assert all(rid.startswith("zjg-") for rid in page.eval_on_selector_all(
        "li.hit-card", "els => els.map(e => e.dataset.reportId)"))


def test_compare_export_downloads_the_same_rows(page) -> None:
    """The CSV link downloads the rows shown, in the order shown."""
    page.goto(f"/compare?q={TERM}&area=苏州市&order=-c0")
    shown = page.eval_on_selector_all("table.compare-table tbody tr",
                                      "rows => rows.map(r => r.dataset.name)")
    with page.expect_download() as info:
        page.click("a:text('导出 CSV')")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert [line[1] for line in table[1:]] == shown


def test_sorting_by_a_column_header(page) -> None:
    """Clicking a term's header puts the rows with most matching paragraphs first."""
    page.goto(f"/compare?q={TERM}&area=苏州市")
    page.click("th a[data-sort=c0]")
    page.wait_for_url("**order=-c0**")
    counts = page.eval_on_selector_all("td.cell[data-column=c0]",
                                       "els => els.map(e => +e.dataset.paragraphs)")
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    assert page.get_attribute("th[aria-sort=descending] a", "data-sort") == "c0"


def test_trend_query_level_export_and_points(page) -> None:
    """The trend page draws its chart, switches level, exports, and a number opens its reports."""
    page.goto("/trend")
    page.fill("input[name=q] >> nth=0", TERM)
    page.fill("input[name=q] >> nth=1", "法律顾问")
    page.click("button[type=submit]")
    page.wait_for_selector("svg.trend-chart__svg")
    assert page.locator("svg g.series").count() == 2
    assert page.locator("svg .series__marker.is-small").count() > 0
    assert page.locator("svg .series__line.is-small").count() > 0
    page.select_option("#level", "county")
    page.click("button[type=submit]")
    page.wait_for_url("**level=county**")
    total = int(page.get_attribute("[data-total-reports]", "data-total-reports"))
    assert total == sum(int(x) for x in page.eval_on_selector_all(
        "table.trend-table td[data-reports]:not([data-term])", "els => els.map(e => e.dataset.reports)"))
    with page.expect_download() as info:
        page.click("a:text('导出 CSV')")
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {TERM, "法律顾问"}
    cell = page.locator(f"table.trend-table td[data-term={TERM}]:has(a)").last
    expected = cell.get_attribute("data-matching")
    cell.locator("a").click()
    page.wait_for_selector("[data-total-reports]")
    assert page.text_content("[data-total-reports]") == expected


@pytest.mark.parametrize("path", [f"/compare?q={TERM}&q=合法性审查&q=法律顾问&area=苏州市",
                                  f"/trend?q={TERM}&q=法律顾问"])
def test_pages_fit_a_phone(page, path) -> None:
    """At phone width nothing but the table's own scroller is wider than the screen, and the
    chart fits the screen."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if "trend" in path:
        box = page.locator("svg.trend-chart__svg").bounding_box()
        assert box["width"] <= 390 and box["height"] > 150


def test_pages_work_without_javascript(browser, base_url) -> None:  # noqa: ANN001
    """With scripts off, the form submits and the chart is there (it is server-drawn SVG)."""
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    tab = context.new_page()
    tab.goto("/trend")
    tab.fill("input[name=q] >> nth=0", TERM)
    tab.click("button[type=submit]")
    tab.wait_for_selector("svg.trend-chart__svg g.series")
    context.close()


@pytest.mark.slow
def test_screenshots(browser, base_url) -> None:  # noqa: ANN001
    """Screenshots of the comparison and trend pages (desktop, phone) into docs/screenshots."""
    if not os.environ.get("FAZHI_SCREENSHOTS"):
        pytest.skip("set FAZHI_SCREENSHOTS=1 to refresh docs/screenshots")
    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    shots = [
        ("compare-desktop.png", f"/compare?q={TERM}&q=合法性审查&q=法律顾问&area=苏州市", (1280, 900)),
        ("compare-years.png", f"/compare?q={TERM}&area=苏州市&by=year&order=-c2", (1280, 700)),
        ("compare-phone.png", f"/compare?q={TERM}&q=合法性审查&area=苏州市", (390, 844)),
        ("trend-desktop.png", f"/trend?q={TERM}&q=合法性审查&q=法律顾问", (1280, 1000)),
        ("trend-phone.png", f"/trend?q={TERM}&q=法律顾问", (390, 844)),
    ]
    for name, path, (width, height) in shots:
        tab = browser.new_page(viewport={"width": width, "height": height})
        tab.goto(base_url + path)
        tab.wait_for_load_state("networkidle")
        tab.screenshot(path=str(out / name), full_page=True)
        tab.close()
    assert all((out / n).stat().st_size > 10_000 for n, *_ in shots)
