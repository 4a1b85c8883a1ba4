"""The HTML report in a real headless Chromium (Debian's package, driven by Playwright):
no script errors, no network, the explorer filters and searches, print hides the controls.

These tests fail, never skip, when Chromium is missing: `make test` installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from batchaudit.engine import audit
from batchaudit.ingest.load import load
from batchaudit.model.packs import load_pack
from batchaudit.month_to_month.baseline import compare
from batchaudit.report import html, json_report
from batchaudit.sample import write_sample

SAMPLE_DATA = Path(__file__).parents[1] / "sample_data"
CHROMIUM = os.environ.get("BATCHAUDIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Headless, and no background connections of Chromium's own (the machine has no network).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    finished = audit(load(detected=[SAMPLE_DATA]), load_pack("oregon"))
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(
        html.render(finished.result, datetime(2026, 11, 29, tzinfo=UTC)), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; `make test` installs Debian's chromium."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


PROBLEMS: list[str] = []  # script errors, console errors and network requests of the page


@pytest.fixture
def page(browser: Browser, report: Path) -> Iterator[Page]:
    opened = browser.new_page()
    PROBLEMS.clear()
    opened.on("pageerror", lambda error: PROBLEMS.append(f"script error: {error}"))
    opened.on("console", lambda m: m.type == "error" and PROBLEMS.append(m.text))
    opened.on(
        "request", lambda r: r.url.startswith("file:") or PROBLEMS.append(f"request: {r.url}")
    )
    opened.goto(report.as_uri())
    yield opened
    opened.close()


def visible_rules(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "article.finding:not([hidden])", "items => items.map(item => item.dataset.rule)"
    )


def test_no_script_errors_and_no_network(page: Page) -> None:
    page.wait_for_load_state("load")
    assert PROBLEMS == []
    assert page.locator("#shown-count").inner_text().startswith("Showing 78 of 78")


def test_filter_by_rule(page: Page) -> None:
    page.select_option("#filter-rule", "PB003")
    assert visible_rules(page) == ["PB003"] * 3
    assert page.locator("#shown-count").inner_text() == "Showing 3 of 78 findings"
    page.select_option("#filter-rule", "")
    page.select_option("#filter-severity", "note")
    assert set(visible_rules(page)) == {"PB004", "PB006", "LN001", "LN004"}


def test_summary_links_filter_the_explorer(page: Page) -> None:
    page.click("#rules a[data-filter-rule='LT001']")
    assert set(visible_rules(page)) == {"LT001"}
    assert page.input_value("#filter-rule") == "LT001"


def test_search_by_tag_item_or_category(page: Page) -> None:
    tag = page.get_attribute("article.finding[data-rule='PB002']", "data-tag")
    assert tag
    page.fill("#filter-text", tag.lower()[-8:])
    tags = page.eval_on_selector_all(
        "article.finding:not([hidden])", "a => a.map(i => i.dataset.tag)"
    )
    assert tags and set(tags) == {tag}
    page.fill("#filter-text", "concentrate")
    assert "PB003" in visible_rules(page)
    page.fill("#filter-text", "no such thing at all")
    assert visible_rules(page) == []
    assert page.locator("#none-match").is_visible()


def test_sort_by_tag(page: Page) -> None:
    page.select_option("#sort-by", "tag")
    tags = page.eval_on_selector_all("article.finding", "a => a.map(i => i.dataset.tag)")
    assert tags == sorted(tags)


def test_print_layout_hides_the_controls(page: Page) -> None:
    assert page.locator("#explorer").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("#explorer").is_visible()
    assert page.locator("#summary").is_visible() and page.locator(".verdict").is_visible()
    # On paper the findings are table rows grouped by rule.
    assert page.locator("table.printed-findings tr").first.is_visible()


def test_a_row_opens_to_the_full_card(page: Page) -> None:
    row = page.locator("article.finding[data-rule='LT001'] button.row").first
    row.click()
    card = page.locator("article.finding[data-rule='LT001'] .card").first
    assert "What to do:" in card.inner_text()
    assert card.locator("figure.trail .box").count() >= 2
    assert card.locator("table.evidence tbody tr").count() >= 1
    assert "undefined" not in card.inner_text()
    # A box reads: tag, then category, whether a production batch, testing state.
    box = card.locator("figure.trail .box").first.inner_text()
    assert box.split(" \u00b7 ")[-1] in {"TestPassed", "Remediated", "RetestPassed", "TestFailed"}
    row.click()
    assert page.locator("article.finding[data-rule='LT001'] .card").count() == 0


def test_a_phone_screen_is_never_scrolled_sideways(browser: Browser, report: Path) -> None:
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(report.as_uri())
    phone.click("article.finding button.row")  # an open card too
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")
    figures = phone.eval_on_selector_all(
        "dl.figures dd", "items => items.map(item => item.getBoundingClientRect().height)"
    )
    assert figures and max(figures) < 60  # each figure reads whole, not a letter per line
    phone.close()


RED = """() => Array.from(document.querySelectorAll('*')).flatMap(element => {
  const style = getComputedStyle(element);
  return ['color', 'backgroundColor', 'borderLeftColor', 'borderTopColor', 'fill', 'stroke']
    .map(name => [element.tagName + '.' + element.getAttribute('class') + ' ' + name, style[name]])
    .filter(([, value]) => {
      const rgb = (value.match(/[0-9.]+/g) || []).map(Number);
      return rgb.length >= 3 && rgb[0] > rgb[1] + 40 && rgb[0] > rgb[2] + 40;
    });
})"""


def pdf_pages(page: Page) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", page.pdf()))


def test_paper_is_short_and_black_and_white(page: Page) -> None:
    page.emulate_media(media="print")
    assert page.evaluate(RED) == []
    assert pdf_pages(page) <= 12


# A 100,000-package licensee: made, audited and rendered once for the tests below.
LARGE = 100_000


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("large")
    write_sample(folder / "exports", packages=LARGE, seed=3)
    result = audit(load(detected=[folder / "exports"]), load_pack("oregon")).result
    path = folder / "report.html"
    path.write_text(html.render(result, datetime(2026, 11, 29, tzinfo=UTC)), encoding="utf-8")
    return path, json_report.document(result)


def test_large_report_is_small_fast_and_hides_nothing(
    browser: Browser, large: tuple[Path, dict[str, Any]]
) -> None:
    path, document = large
    assert path.stat().st_size <= 15_000_000
    opened = browser.new_page()
    started = time.monotonic()
    opened.goto(path.as_uri())
    opened.wait_for_selector("article.finding")
    assert time.monotonic() - started < 2.0
    total = len(document["findings"])
    assert (
        opened.locator("#shown-count").inner_text() == f"Showing 1\u2013100 of {total:,} findings"
    )
    for code, count in document["summary"]["by_rule"].items():
        opened.select_option("#filter-rule", code)
        shown = opened.locator("#shown-count").inner_text()
        assert f" of {count:,} matching findings" in shown or f"Showing {count:,} of" in shown
    opened.select_option("#filter-rule", "")
    # The last finding of the most common rule is far beyond any list on paper.
    code = max(document["summary"]["by_rule"], key=document["summary"]["by_rule"].get)
    last = [f for f in document["findings"] if f["rule"] == code][-1]["package_tag"]
    opened.fill("#filter-text", last)
    assert last in opened.eval_on_selector_all("article.finding", "a => a.map(i => i.dataset.tag)")
    opened.click(f"article.finding[data-tag='{last}'] button.row")
    assert opened.locator(".card .message").first.inner_text().startswith(f"Package {last}")
    opened.emulate_media(media="print")
    assert pdf_pages(opened) <= 60
    opened.close()


def test_a_files_path_stays_in_its_table_cell_and_in_its_sentence(
    browser: Browser, tmp_path: Path
) -> None:
    """Only a trail's row of boxes is laid out as a row (`figure.trail .path`): a file's path
    in the inputs table stays a cell of its row, and the baseline's path a word of its
    sentence (both were once laid out as the trail's row, off their lines)."""
    finished = audit(load(detected=[SAMPLE_DATA]), load_pack("oregon")).result
    compared = compare(finished, [], "reports/2026-11/findings.json")
    path = tmp_path / "report.html"
    path.write_text(html.render(compared, datetime(2026, 11, 29, tzinfo=UTC)), encoding="utf-8")
    opened = browser.new_page(viewport={"width": 1366, "height": 900})
    opened.goto(path.as_uri())
    cells = opened.eval_on_selector_all(
        "td.path",
        """cells => cells.map(cell => [getComputedStyle(cell).display,
            cell.getBoundingClientRect().top - cell.parentElement.getBoundingClientRect().top])""",
    )
    assert cells and all(cell == ["table-cell", 0] for cell in cells)
    sentence = opened.locator("#since-baseline p").first
    assert sentence.locator("code.path").evaluate("e => getComputedStyle(e).display") == "inline"
    assert sentence.inner_text().startswith(
        "Compared with reports/2026-11/findings.json: 78 new, 0 unchanged"
    )
    opened.click("button.row >> nth=0")
    trail = opened.wait_for_selector("figure.trail .path")
    assert trail.evaluate("e => getComputedStyle(e).display") == "flex"
    opened.close()
