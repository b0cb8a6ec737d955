"""A real browser (Debian's chromium driven by Playwright) against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from extractor.review.app import create_app
from extractor.review.auth import hash_password
from extractor.store import open_store
from tests.store_fixtures import copy_justice_pdf, justice_extraction, row_index, validated

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
    extraction = validated(justice_extraction(pdf_copy))
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


def test_reviewer_corrects_a_cell_with_the_keyboard_and_the_sum_flag_clears(server, tmp_path):
    assert CHROMIUM.exists(), "the browser test drives Debian's chromium at /usr/bin/chromium"
    base, store, doc_id, extraction = server
    target = f"tables[0].rows[{row_index(extraction, '2040601')}].values.项目支出"
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
        page.click(f"a[href='/documents/{doc_id}']")

        for _ in range(60):  # walk the field list with j until the broken cell is selected
            if page.get_attribute("#detail", "data-field-path") == target:
                break
            with page.expect_navigation():
                page.keyboard.press("j")
        assert page.get_attribute("#detail", "data-field-path") == target
        assert page.locator(".flag[data-status=open]").count() >= 1
        assert page.locator("#field-value").inner_text().startswith("64840547.00")
        assert page.locator("img.page").evaluate("img => img.complete && img.naturalWidth > 0")

        page.keyboard.press("e")
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

        with page.expect_navigation():
            page.keyboard.press("a")
        assert page.get_attribute("#detail", "data-field-path") != target  # accept moves to the next field
        browser.close()

    (action, accepted) = store.history(doc_id)[-2:]
    assert (action.path, action.action, action.new_value) == (target, "correct", "0.00")
    assert accepted.action == "accept" and accepted.reviewer == "alice"
    assert (tmp_path / "review-after-correction.png").stat().st_size > 10_000
