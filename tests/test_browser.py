"""Real-browser tests: Debian's chromium (headless, driven by Playwright) against the app served
by waitress on loopback. Skipped only when /usr/bin/chromium is absent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_formats import headless_chromium
from fixtures_web import grep_corpus, serve, web_corpus

pytestmark = pytest.mark.browser

TERM = "行政复议"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with headless_chromium() as b:
        yield b


@pytest.fixture()
def page(browser, live_server):  # noqa: ANN001, ANN201
    """A fresh tab; fails the test on any page error, console error or dialog (alert)."""
    context = browser.new_context(viewport={"width": 1280, "height": 700}, base_url=live_server.url)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on(
        "console",
        lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
    )

    def on_dialog(dialog) -> None:  # noqa: ANN001
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    context.close()
    assert problems == []


def in_viewport(page, selector: str) -> bool:  # noqa: ANN001
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
    )


def report_ids(page) -> list[str]:  # noqa: ANN001
    return page.eval_on_selector_all("li.report-card", "els => els.map(e => e.dataset.reportId)")


def search_for(page, query: str) -> None:  # noqa: ANN001
    page.goto("/")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_selector(".results-summary")


def test_typing_a_query_shows_highlighted_passages_grouped_by_report(page) -> None:
    """Typing a query and pressing Enter lists reports with their marked passages."""
    expected = grep_corpus(TERM)
    search_for(page, TERM)
    assert page.input_value("#q") == TERM
    reports = page.locator("li.report-card")
    assert reports.count() == len({rid for rid, _ in expected})
    assert page.text_content("[data-total-paragraphs]") == str(len(expected))
    marks = page.locator(".passage mark").all_text_contents()
    assert marks and set(marks) == {TERM}


def test_clicking_a_facet_changes_counts_and_results(page) -> None:
    """Clicking 浙江省 narrows the results; its chip removes the filter again."""
    corpus = {r.report.report_id: r.report for r in web_corpus()}
    expected = [x for x in grep_corpus(TERM) if corpus[x[0]].province == "浙江省"]
    search_for(page, TERM)
    before = page.text_content("[data-total-paragraphs]")
    page.click("a.facet-value[data-facet=province][data-value=浙江省]")
    page.wait_for_selector(".chips")
    assert page.text_content("[data-total-paragraphs]") == str(len(expected)) != before
    ids = report_ids(page)
    assert set(ids) == {rid for rid, _ in expected}
    assert "province=%E6%B5%99%E6%B1%9F%E7%9C%81" in page.url
    page.click(".chips a")
    page.wait_for_selector("[data-total-paragraphs]")
    assert page.text_content("[data-total-paragraphs]") == before


def test_reader_opens_at_the_paragraph(page) -> None:
    """A passage's link opens the reader with that paragraph (#p<n>) in view and marked."""
    rid, n0 = max(grep_corpus(TERM), key=lambda x: x[1])  # the deepest match: needs scrolling
    n = n0 + 1  # anchors carry 1-based paragraph numbers
    search_for(page, TERM)
    page.click(f"li.report-card[data-report-id='{rid}'] .report-card__all a")
    page.wait_for_selector("li.hit-card")
    page.click(f"a[href$='#p{n}']")
    page.wait_for_selector(f"#p{n}")
    assert page.url.endswith(f"#p{n}")
    assert in_viewport(page, f"#p{n}")
    assert page.locator(f"#p{n} mark").all_text_contents()[0] == TERM
    assert page.evaluate("window.scrollY") > 0


def test_reader_scrolls_to_the_first_match_without_a_fragment(page) -> None:
    """Opening the reader with ?q= only brings the first match into view."""
    rid = "js/tangqiao-2022"
    first = min(n for r, n in grep_corpus("合法性审查") if r == rid) + 1  # 1-based anchors
    page.set_viewport_size({"width": 1280, "height": 400})
    page.goto(f"/reports/{rid}?q=合法性审查")
    page.wait_for_function("document.querySelector('.is-target') !== null")
    assert in_viewport(page, f"#p{first}")


def test_back_button_restores_the_previous_results(page) -> None:
    """After a facet click and the reader, Back returns to the same results and query."""
    search_for(page, TERM)
    first_url = page.url
    first_ids = report_ids(page)
    page.click("a.facet-value[data-facet=province][data-value=浙江省]")
    page.wait_for_selector(".chips")
    page.click("li.report-card .report-card__title a")
    page.wait_for_selector(".document__body")
    page.go_back()
    page.wait_for_selector(".chips")
    page.go_back()
    page.wait_for_selector("li.report-card")
    assert page.url == first_url
    assert page.input_value("#q") == TERM
    ids = report_ids(page)
    assert ids == first_ids


def test_slash_focuses_the_search_box(page) -> None:
    """Pressing / anywhere on the page puts the cursor in the search box."""
    page.goto(f"/reports/js/nanjing-2023")
    page.click("h1")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_changing_a_toggle_reruns_the_search(page) -> None:
    """Choosing 按段落 re-runs the search as a flat list (no apply button needed)."""
    search_for(page, TERM)
    page.click("label:has(input[value=flat])")
    page.wait_for_selector("li.hit-card")
    assert "view=flat" in page.url
    assert page.locator("li.hit-card").count() == len(grep_corpus(TERM))


@pytest.mark.parametrize("width", [1280, 390])
def test_sidebar_beside_results_on_desktop_and_under_them_on_phones(page, width: int) -> None:
    """At desktop width the facets sit left of the results; at phone width below them,
    and nothing is wider than the screen."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/?q={TERM}")
    facets = page.locator("aside.facets").bounding_box()
    results = page.locator("section.results").bounding_box()
    if width >= 1000:
        assert facets["x"] + facets["width"] <= results["x"]
    else:
        assert facets["y"] >= results["y"] + results["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_hostile_report_runs_nothing(page) -> None:
    """A report whose title, headings and text are XSS probes raises no dialog or error."""
    page.goto("/reports/evil/probe?q=alert")
    assert "<script>" in page.text_content("h1")
    page.goto("/?q=<img src=x onerror=alert(1)>")
    assert page.locator("img").count() == 0


@pytest.mark.slow
def test_screenshots(browser, tmp_path) -> None:  # noqa: ANN001
    """Screenshots of the search page (desktop, phone) and the reader over the seeds."""
    if not os.environ.get("FAZHI_SCREENSHOTS"):
        pytest.skip("set FAZHI_SCREENSHOTS=1 to refresh docs/screenshots")
    from fixtures_web import settings_for

    from indexer import index_paths
    from webui import create_app

    settings = settings_for(tmp_path).replace(corpus_paths=(REPO / "seeds",))
    index_paths(settings)
    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = create_app({"SETTINGS": settings})
    app.test_client().get(f"/?q={TERM}")  # warm the engine: the page shows a typical time
    with serve(app) as url:
        shots = [  # name, path, viewport, full page
            ("search-desktop.png", f"/?q={TERM}", (1280, 900), True),
            ("search-phone.png", f"/?q={TERM}&province=江苏省", (390, 844), False),
            ("reader.png", None, (1280, 1100), False),
        ]
        for name, path, (width, height), full in shots:
            tab = browser.new_page(viewport={"width": width, "height": height})
            if path is None:
                tab.goto(f"{url}/?q={TERM}")
                href = tab.get_attribute("li.report-card .report-card__title a", "href")
                path = href.split("#")[0]
            tab.goto(url + path)
            tab.wait_for_load_state("networkidle")
            if not full:
                tab.evaluate("window.scrollTo(0, 0)")  # the top: title, metadata, first matches
            tab.screenshot(path=str(out / name), full_page=full)
            tab.close()
    assert all((out / n).stat().st_size > 10_000 for n, *_ in shots)
