"""Real-browser tests of issue 12's reading aids: reader previous/next match, 目录 match marks,
the hit-order toggle of report cards, and the "how the query was read" box with counted
suggestions. Same Chromium set-up as test_browser.py (its fixtures are reused)."""

from __future__ import annotations

import os

import pytest
from fixtures_web import grep_corpus
from test_browser import REPO, browser, in_viewport, page, search_for  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

TERM = "行政复议"
RID = "js/tangqiao-2022"


def _shot(page, name: str) -> None:  # noqa: ANN001
    if os.environ.get("FAZHI_SCREENSHOTS"):
        page.screenshot(path=str(REPO / "docs" / "screenshots" / name), full_page=False)


def test_reader_steps_through_matches_with_buttons_and_keys(page) -> None:  # noqa: F811
    """下一处/上一处 (and j/k) move the reader from match to match in document order, the
    counter says where we are, and the end stays at the last match."""
    numbers = sorted(n + 1 for rid, n in grep_corpus(TERM) if rid == RID)
    assert len(numbers) >= 3
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(f"/reports/{RID}?q={TERM}")
    page.wait_for_selector("[data-match-nav]:not([hidden])")
    assert page.text_content("[data-match-pos]") == f"第 1 / {len(numbers)} 处"
    page.click("[data-match-step='1']")
    page.wait_for_function(f"location.hash === '#p{numbers[1]}'")
    assert in_viewport(page, f"#p{numbers[1]}")
    assert page.text_content("[data-match-pos]") == f"第 2 / {len(numbers)} 处"
    page.keyboard.press("j")
    page.wait_for_function(f"location.hash === '#p{numbers[2]}'")
    page.keyboard.press("k")
    page.wait_for_function(f"location.hash === '#p{numbers[1]}'")
    page.wait_for_selector(f"#p{numbers[1]}.is-target")  # marked after the hash change
    assert page.locator(f"#p{numbers[1]}.is-target").count() == 1
    for _ in range(len(numbers) + 2):
        page.click("[data-match-step='1']")
    page.wait_for_function(f"location.hash === '#p{numbers[-1]}'")
    assert page.text_content("[data-match-pos]") == f"第 {len(numbers)} / {len(numbers)} 处"
    _shot(page, "reader-match-nav.png")


def test_outline_marks_sections_with_matches(page) -> None:  # noqa: F811
    """The 目录 marks exactly the headings whose section holds a match, and a marked entry
    leads to its heading."""
    page.goto(f"/reports/{RID}?q=纠错率")
    marked = page.locator(".outline__item--match a")
    assert marked.count() >= 1
    counts = page.eval_on_selector_all("[data-outline-matches]",
                                       "els => els.map(e => Number(e.dataset.outlineMatches))")
    assert all(c >= 1 for c in counts)
    href = marked.first.get_attribute("href")
    marked.first.click()
    page.wait_for_function(f"location.hash === '{href}'")
    assert in_viewport(page, href)


def test_hit_order_toggle_shows_card_hits_in_document_order(page) -> None:  # noqa: F811
    """按原文顺序 lists each card's passages by paragraph number; 按相关度 restores the
    ranked order; the choice survives paging and facet links."""
    search_for(page, TERM)
    ranked = page.eval_on_selector_all(
        "li.report-card", "cs => cs.map(c => [...c.querySelectorAll('.passage__more a')]"
        ".map(a => Number(a.dataset.n)))")
    page.click("[data-hit-order=document]")
    page.wait_for_selector(".hit-order .is-current")
    assert "hit_order=document" in page.url
    ordered = page.eval_on_selector_all(
        "li.report-card", "cs => cs.map(c => [...c.querySelectorAll('.passage__more a')]"
        ".map(a => Number(a.dataset.n)))")
    assert ordered == [sorted(ns) for ns in ranked]
    assert ordered != ranked  # the fixture has a card whose best hits are not in order
    facet = page.get_attribute("a.facet-value[data-facet=province]", "href")
    assert "hit_order=document" in facet
    page.click("[data-hit-order=rank]")
    page.wait_for_selector("[data-hit-order=document]")
    assert page.eval_on_selector_all(
        "li.report-card", "cs => cs.map(c => [...c.querySelectorAll('.passage__more a')]"
        ".map(a => Number(a.dataset.n)))") == ranked


def test_query_reading_and_counted_suggestions(page) -> None:  # noqa: F811
    """The page says how 行政复议 and 纠错率 was read; with nothing found, a suggestion leads to
    the promised number of paragraphs."""
    search_for(page, "行政复议 and 纠错率")
    box = page.text_content("[data-understood]")
    assert "“行政复议” 并且 “纠错率”" in box and "精确检索" in box and "同段" in box
    assert "“and”按运算符" in page.text_content("[data-query-note]")
    _shot(page, "search-understood.png")
    page.goto("/?q=纠错率 公平竞争审查&province=江苏&report_year=2019")
    assert "2019" in page.text_content("[data-filter-problems]")
    assert "没有找到" in page.text_content(".results-summary")
    assert page.locator("[data-suggestion]").count() >= 1
    promised = page.text_content("[data-suggestion] .suggestions__count")
    _shot(page, "search-suggestions.png")
    page.click("[data-suggestion] a")
    page.wait_for_selector("[data-total-paragraphs]")
    paragraphs = page.text_content("[data-total-paragraphs]")
    assert f"{paragraphs} 个段落" in promised
