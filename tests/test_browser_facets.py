"""Real-browser test of the search page's new controls: 全文/标题 switch, publication dates,
the facet order toggle, a truncated facet's "show all" link and its value search box. Same
Chromium set-up as test_browser.py; its own small index (facet_size 3, so facets truncate)."""

from __future__ import annotations

import os

import pytest
from fixtures_web import serve, settings_for
from test_browser import REPO, browser  # noqa: F401 - fixture
from test_facet_listing import TERM, corpus

from indexer import index_reports

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from webui import create_app

    settings = settings_for(tmp_path_factory.mktemp("bfacets")).replace(facet_size=3)
    index_reports(settings, corpus())
    with serve(create_app({"SETTINGS": settings})) as url:
        yield url


@pytest.fixture()
def page(browser, server):  # noqa: ANN001, ANN201, F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # The test sends one bad date on purpose: its 400 is the only resource error allowed.
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" and "status of 400"
           not in m.text else None)
    yield tab
    context.close()
    assert problems == []


def _shot(page, name: str) -> None:  # noqa: ANN001
    if os.environ.get("FAZHI_SCREENSHOTS"):
        page.screenshot(path=str(REPO / "docs" / "screenshots" / name), full_page=False)


def test_title_switch_dates_and_facet_tools_in_a_browser(page) -> None:
    page.goto(f"/?q={TERM}")
    # 标题: the switch re-runs the search in titles (no such title: nothing found, and the
    # page offers the full-text search that finds something).
    page.click("[data-search-in] label:has-text('标题')")
    page.wait_for_url("**in=title**")
    assert "没有标题匹配的报告" in page.text_content(".results-summary")
    page.fill("#q", "法治政府")
    page.press("#q", "Enter")
    page.wait_for_url("**q=%E6%B3%95%E6%B2%BB%E6%94%BF%E5%BA%9C**")
    assert page.locator(".report-card").count() == len(corpus())
    assert page.locator(".report-card__title mark").first.text_content() == "法治政府"
    _shot(page, "search-title.png")

    # Back to 全文, facets by report count, then "show all" counties and a value search.
    page.goto(f"/?q={TERM}")
    page.click(".facets a[data-facet-sort=reports]")
    page.wait_for_url("**facet_sort=reports**")
    assert page.get_attribute(".facets .facet-sort [aria-current]", "aria-current") == "true"
    _shot(page, "search-facet-tools.png")
    page.click("[data-show-all=county]")
    page.wait_for_url("**/facets?**field=county**")
    assert page.locator("[data-facet-listing] a").count() == 7
    assert page.get_attribute("[data-facet-listing] a >> nth=0", "data-value") == "吴江区"
    page.fill("#facet-contains", "吴")
    page.press("#facet-contains", "Enter")
    page.wait_for_url("**contains=%E5%90%B4**")
    values = page.eval_on_selector_all("[data-facet-listing] a",
                                       "els => els.map(e => e.dataset.value)")
    assert sorted(values) == ["吴中区", "吴江区"]
    _shot(page, "facet-listing.png")
    page.click("[data-facet-listing] a[data-value=吴中区]")
    page.wait_for_url("**county=**")
    assert page.locator(".report-card").count() == 1
    assert "吴中区" in page.text_content(".chips")

    # A value search from the sidebar box (市, by a gazetteer short name) goes to the listing.
    page.goto(f"/?q={TERM}")
    page.select_option("form[data-facet-search] select[name=field]", "city")
    box = page.locator("form[data-facet-search] input[name=contains]")
    box.fill("巴州")
    box.press("Enter")
    page.wait_for_url("**/facets?**field=city**")
    assert page.eval_on_selector_all("[data-facet-listing] a",
                                     "els => els.map(e => e.dataset.value)") == ["巴音郭楞蒙古自治州"]

    # Dates typed in the form narrow the results; a bad one is a message, not a crash.
    page.goto(f"/?q={TERM}")
    page.fill("#published_from", "2023-02-30")
    page.press("#published_from", "Enter")
    page.wait_for_url("**published_from=**")
    assert "不是有效日期" in page.text_content(".notice--error")
