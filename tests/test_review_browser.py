"""A real browser (Debian's chromium driven by Playwright) against a real uvicorn server on 127.0.0.1.

The document under review is what the real pipeline (rules engine, validators) makes of the justice
bureau's unit budget, saved in the store as `cli.py extract` saves it.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from extractor.extract.run import ExtractOptions
from extractor.pipeline import PipelineOptions, build_engines, process_file
from extractor.review.app import create_app
from extractor.review.auth import hash_password
from extractor.settings import Settings
from extractor.store import open_store
from schemas.extraction import RunInfo
from tests.store_fixtures import copy_justice_pdf

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    pdf_copy = copy_justice_pdf(tmp_path)
    options = PipelineOptions(extract=ExtractOptions(engine="rules"))
    extraction = process_file(pdf_copy, options, build_engines(Settings(), options)).extraction
    extraction.run = RunInfo(engine="rules")
    store = open_store(f"sqlite:///{tmp_path / 'browser.db'}")
    doc_id = store.save_extraction(pdf_copy, extraction)
    store.add_user("alice", hash_password(PASSWORD))
    port = _free_port()
    uvicorn_server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port,
                                                   log_level="warning"))
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store, doc_id, extraction
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    store.close()


def _press(page, key: str, *, navigates: bool = True) -> None:
    """Press a shortcut once the page's script listens (a key pressed earlier would be lost)."""
    page.wait_for_selector("body[data-keys=ready]", state="attached")
    if navigates:
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.keyboard.press(key)


def _broken_cell(extraction) -> str:
    """The path of 2040601 行政运行's 项目支出 in the first table whose 20406 sum is flagged."""
    flag = next(f for f in extraction.flags if f.rule == "code_sum" and "20406" in f.message)
    table_index = int(flag.path.split("]")[0].split("[")[1])
    rows = extraction.tables[table_index].rows
    row = next(i for i, r in enumerate(rows) if (r.code or "").replace(" ", "") == "2040601")
    path = f"tables[{table_index}].rows[{row}].values.项目支出"
    assert path in flag.related
    return path


def test_reviewer_corrects_a_cell_with_the_keyboard_and_the_sum_flag_clears(server, tmp_path):
    assert CHROMIUM.exists(), "the browser test drives Debian's chromium at /usr/bin/chromium"
    base, store, doc_id, extraction = server
    target = _broken_cell(extraction)
    rules = {f.rule for f in extraction.flags if f.path == target or target in f.related}
    assert rules, "the validators flag the sum that row 2040601 breaks"
    open_before = store.document(doc_id).open_flags

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(90_000)  # 2 shared cores: page loads can be slow, never a reason to fail
        page.goto(f"{base}/")
        assert "/login" in page.url
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        with page.expect_navigation():
            page.click(f"a[href='/documents/{doc_id}']")

        for _ in range(60):  # walk the field list with j until the broken cell is selected
            if page.get_attribute("#detail", "data-field-path") == target:
                break
            _press(page, "j")
        assert page.get_attribute("#detail", "data-field-path") == target
        assert page.locator(".flag[data-status=open]").count() >= 1
        assert page.locator("#field-value").inner_text().startswith("64840547.00")
        assert page.locator("img.page").evaluate("img => img.complete && img.naturalWidth > 0")

        _press(page, "e", navigates=False)
        assert page.evaluate("document.activeElement.id") == "correct-value"
        page.keyboard.type("0.00")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        assert page.locator("#field-value").inner_text().startswith("0.00")
        assert page.locator("#field-status").inner_text() == "corrected"
        for rule in rules:
            assert page.locator(f".flag[data-rule='{rule}'][data-status=open]").count() == 0
            assert page.locator(f".flag[data-rule='{rule}'][data-status=resolved]").count() >= 1
        history = page.locator("#field-history").inner_text()
        assert "alice" in history and "correct" in history and "64840547.00" in history and "resolved" in history
        assert int(page.locator("#open-flag-count").inner_text()) < open_before
        page.screenshot(path=str(tmp_path / "review-after-correction.png"), full_page=False)

        _press(page, "a")
        assert page.get_attribute("#detail", "data-field-path") != target  # accept moves to the next field
        order = page.locator("a.field-link").evaluate_all("links => links.map(a => a.dataset.path)")
        current = page.locator("a.field-link.selected").get_attribute("data-path")
        _press(page, "k")  # the list re-sorts as flags resolve: k goes to the field shown above
        assert page.get_attribute("#detail", "data-field-path") == order[order.index(current) - 1]
        _press(page, "n")  # the only document with open flags is this one: back to the queue
        assert page.url == f"{base}/" and page.locator("table.queue").count() == 1
        browser.close()

    (action, accepted) = store.history(doc_id)[-2:]
    assert (action.path, action.action, action.new_value) == (target, "correct", "0.00")
    assert accepted.action == "accept" and accepted.reviewer == "alice"
    assert (tmp_path / "review-after-correction.png").stat().st_size > 10_000
