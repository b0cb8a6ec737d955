"""The review web app over real HTTP (FastAPI's TestClient): auth, CSRF, actions, audit, escaping, files."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pymupdf
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import cli
from extractor.review.app import create_app
from extractor.review.auth import hash_password, verify_password
from extractor.store import open_store
from schemas.document import SourceInfo
from schemas.extraction import Budget, Evidence, Flag, ReportExtraction
from tests.store_fixtures import copy_justice_pdf, justice_extraction, row_index, validated

PASSWORD = "correct horse battery"
EVIL = "<script>alert('x')</script>"


@pytest.fixture
def setup(tmp_path):
    pdf_copy = copy_justice_pdf(tmp_path)
    extraction = validated(justice_extraction(pdf_copy))
    extraction.meta.department = f"上海市普陀区司法局{EVIL}"
    name_path = f"tables[0].rows[{row_index(extraction, '2040601')}].name"
    extraction.evidence[name_path] = extraction.evidence[name_path].model_copy(
        update={"quote": '行政运行<img src=x onerror="alert(1)">'})
    extraction.flags.append(Flag(path="meta.department", rule="not_grounded", severity="warning",
                                 message=f"department {EVIL} not found in the text"))
    store = open_store(f"sqlite:///{tmp_path / 'review.db'}")
    doc_id = store.save_extraction(pdf_copy, extraction)
    store.add_user("alice", hash_password(PASSWORD))
    yield store, doc_id, extraction, pdf_copy
    store.close()


@pytest.fixture
def client(setup):
    store = setup[0]
    with TestClient(create_app(store)) as client:
        yield client


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _sign_in(client: TestClient) -> str:
    token = _token(client.get("/login").text)
    response = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token,
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    return _token(client.get("/").text)


def _field(store, doc_id: int, path: str):
    return next(f for f in store.fields(doc_id) if f.path == path)


def _cell(extraction, code: str, column: str = "项目支出") -> str:
    return f"tables[0].rows[{row_index(extraction, code)}].values.{column}"


def test_passwords_are_salted_scrypt_hashes():
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert stored != hash_password(PASSWORD)
    assert verify_password(PASSWORD, stored)
    assert not verify_password("wrong password", stored)
    assert not verify_password(PASSWORD, None)


def test_a_damaged_password_hash_refuses_the_password():
    stored = hash_password(PASSWORD)
    scheme, n, r, p, salt, key = stored.split("$")
    for damaged in (stored[:-3], "$".join([scheme, n, r, p, salt, "abc"]), "$".join([scheme, n, r, p, "abc", key]),
                    "$".join([scheme, "x", r, p, salt, key]), "scrypt$x", "bcrypt$1$2$3$4$5"):
        assert verify_password(PASSWORD, damaged) is False, damaged


def test_every_route_requires_a_session(client, setup):
    store, doc_id, extraction, _ = setup
    field_id = store.fields(doc_id)[0].id
    checked = 0
    for route in client.app.routes:
        if not isinstance(route, APIRoute) or route.path == "/login":
            continue
        url = route.path.format(doc_id=doc_id, field_id=field_id, page=11)
        for method in route.methods:
            response = client.request(method, url, follow_redirects=False)
            if method == "GET":
                assert response.status_code == 303, url
                assert response.headers["location"].startswith("/login"), url
            else:
                assert response.status_code == 401, (method, url)
            checked += 1
    assert checked >= 10
    assert store.history(doc_id) == []


def test_sign_in_needs_the_right_password_and_a_csrf_token(client):
    token = _token(client.get("/login").text)
    wrong = client.post("/login", data={"username": "alice", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text
    unknown = client.post("/login", data={"username": "mallory", "password": PASSWORD, "csrf_token": token})
    assert unknown.status_code == 401
    forged = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_off_site(client):
    token = _token(client.get("/login").text)
    response = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_queue_lists_documents_with_open_flags_and_filters(client, setup):
    store, doc_id, extraction, _ = setup
    _sign_in(client)
    page = client.get("/")
    assert page.status_code == 200
    assert f'href="/documents/{doc_id}"' in page.text
    assert f">{len(extraction.flags)}<" in page.text
    assert "putuo-justice-2026-unit-budget.pdf" in client.get("/?rule=not_grounded&year=2026&type=budget").text
    assert "No documents match" in client.get("/?year=2019").text
    assert "No documents match" in client.get("/?department=财政局").text
    assert client.get("/next", follow_redirects=False).headers["location"] == f"/documents/{doc_id}"


def test_document_view_shows_flagged_fields_first_with_related_values(client, setup):
    store, doc_id, extraction, _ = setup
    _sign_in(client)
    page = client.get(f"/documents/{doc_id}").text
    flagged_section = page.split("<h2>Flagged</h2>")[1].split("<h2>")[0]
    assert "meta.department" in flagged_section
    assert _cell(extraction, "2040601") in flagged_section  # a value of the broken 20406 sum
    sum_flag = next(f for f in extraction.flags if f.path != "meta.department"
                    and (_cell(extraction, "2040601") in f.related or f.path == _cell(extraction, "2040601")))
    selected = _field(store, doc_id, sum_flag.path)
    detail = client.get(f"/documents/{doc_id}?field={selected.id}").text
    assert "Sum of related" in detail
    assert sum_flag.rule in detail
    assert f'src="/documents/{doc_id}/pages/{selected.page}.png?field={selected.id}"' in detail


def test_document_text_is_escaped(client, setup):
    store, doc_id, extraction, _ = setup
    _sign_in(client)
    name = _field(store, doc_id, f"tables[0].rows[{row_index(extraction, '2040601')}].name")
    pages = [client.get(f"/documents/{doc_id}").text, client.get("/").text,
             client.get(f"/documents/{doc_id}?field={name.id}").text]
    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in pages[0]
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in pages[2]
    assert "script-src 'self'" in client.get("/").headers["content-security-policy"]


def test_accept_records_the_action_and_moves_on(client, setup):
    store, doc_id, _, _ = setup
    token = _sign_in(client)
    field = _field(store, doc_id, "meta.department")
    response = client.post(f"/documents/{doc_id}/fields/{field.id}/accept",
                           data={"csrf_token": token, "reason": "as printed", "pos": "0", "next_field": "7:1"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/documents/{doc_id}?field=7&pos=1"
    assert store.field(doc_id, field.id).status == "accepted"
    (action,) = store.history(doc_id, field.id)
    assert (action.reviewer, action.action, action.reason) == ("alice", "accept", "as printed")
    assert not [f for f in store.flags(doc_id, statuses=("open",)) if f.path == "meta.department"]
    page = client.get(f"/documents/{doc_id}?field={field.id}").text
    history = page.split('id="field-history"')[1].split("</table>")[0]
    assert "alice" in history and "accept" in history and "as printed" in history


def test_correct_reruns_the_validators_and_the_page_shows_the_audit(client, setup):
    store, doc_id, extraction, _ = setup
    token = _sign_in(client)
    cell = _cell(extraction, "2040601")
    field = _field(store, doc_id, cell)
    open_before = store.document(doc_id).open_flags
    response = client.post(f"/documents/{doc_id}/fields/{field.id}/correct",
                           data={"csrf_token": token, "value": "0.00", "reason": "belongs to 20406"})
    assert response.status_code == 200
    assert store.field(doc_id, field.id).value == "0.00"
    assert store.document(doc_id).open_flags < open_before
    history = response.text.split('id="field-history"')[1].split("</table>")[0]
    assert "64840547.00" in history and "0.00" in history and "belongs to 20406" in history
    assert "resolved" in history


def test_a_bad_correction_is_refused_with_a_message(client, setup):
    store, doc_id, extraction, _ = setup
    token = _sign_in(client)
    field = _field(store, doc_id, _cell(extraction, "2040601"))
    response = client.post(f"/documents/{doc_id}/fields/{field.id}/correct",
                           data={"csrf_token": token, "value": "abc<b>", "reason": ""})
    assert response.status_code == 400
    assert "is not a valid value for" in response.text and "abc&lt;b&gt;" in response.text
    assert store.field(doc_id, field.id).value == "64840547.00"
    assert store.history(doc_id) == []


def test_not_in_document_sets_null(client, setup):
    store, doc_id, _, _ = setup
    token = _sign_in(client)
    field = _field(store, doc_id, "meta.region")
    client.post(f"/documents/{doc_id}/fields/{field.id}/not-in-document",
                data={"csrf_token": token, "reason": "not printed"})
    assert store.field(doc_id, field.id).status == "not_in_document"
    assert store.load_extraction(doc_id).meta.region is None
    assert client.get(f"/documents/{doc_id}/extraction.json").json()["meta"]["region"] is None


@pytest.mark.parametrize("action", ["accept", "correct", "not-in-document"])
def test_state_changes_without_the_csrf_token_are_rejected(client, setup, action):
    store, doc_id, _, _ = setup
    _sign_in(client)
    field = _field(store, doc_id, "meta.region")
    url = f"/documents/{doc_id}/fields/{field.id}/{action}"
    assert client.post(url, data={"value": "x"}).status_code == 403
    assert client.post(url, data={"value": "x", "csrf_token": "guess"}).status_code == 403
    assert client.post(url, data={"value": "x"}, headers={"X-CSRF-Token": "guess"}).status_code == 403
    assert store.history(doc_id) == [] and store.field(doc_id, field.id).status == "open"
    assert client.post("/logout").status_code == 403


def test_accept_unflagged_values_in_one_go(client, setup):
    store, doc_id, _, _ = setup
    token = _sign_in(client)
    url = f"/documents/{doc_id}/accept-unflagged"
    assert client.post(url, data={}).status_code == 403
    assert store.history(doc_id) == []
    response = client.post(url, data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    summary = store.document(doc_id)
    assert 0 < summary.open_fields < summary.total_fields
    assert {a.reviewer for a in store.history(doc_id)} == {"alice"}


def test_sign_out_ends_the_session(client):
    token = _sign_in(client)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_copy_of_the_session_cookie_is_refused_after_sign_out(client):
    token = _sign_in(client)
    copied = client.cookies["review_session"]
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    client.cookies.set("review_session", copied)
    refused = client.get("/", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    _sign_in(client)
    assert client.get("/", follow_redirects=False).status_code == 200


def test_files_and_pages_only_for_documents_in_the_store(client, setup):
    store, doc_id, extraction, pdf_copy = setup
    _sign_in(client)
    served = client.get(f"/documents/{doc_id}/file")
    assert served.status_code == 200 and served.content == pdf_copy.read_bytes()
    assert served.headers["content-type"] == "application/pdf"
    for url in [f"/documents/{doc_id + 1}/file", f"/documents/{doc_id}/pages/99.png",
                f"/documents/{doc_id}/pages/0.png", f"/documents/{doc_id + 1}/pages/1.png",
                "/documents/..%2F..%2Fetc%2Fpasswd/file", f"/documents/{doc_id}/pages/..%2F..%2Fetc%2Fpasswd.png",
                "/documents/%2e%2e/file", "/static/..%2F..%2Fstore%2Fstore.py", "/static/../app.py",
                f"/documents/{doc_id}/pages/11.png?field=999999"]:
        response = client.get(url)
        assert response.status_code in (404, 422), url
        assert b"%PDF" not in response.content[:10] and b"import" not in response.content


def test_a_text_input_is_shown_without_page_images(client, setup, tmp_path):
    store, _, _, _ = setup
    text_file = tmp_path / "report.txt"
    text_file.write_text("部门预算\n行政运行\t14,348,853.34\n", encoding="utf-8")
    extraction = ReportExtraction(
        source=SourceInfo(file="report.txt", sha256="0" * 64, pages=1, input_kind="text"),
        budget=Budget(spent=Decimal("1434.89")),
        evidence={"budget.spent": Evidence(page=1, quote="14,348,853.34", confidence=0.8)})
    doc_id = store.save_extraction(text_file, extraction)
    _sign_in(client)
    spent = _field(store, doc_id, "budget.spent")
    page = client.get(f"/documents/{doc_id}?field={spent.id}").text
    assert "14,348,853.34" in page and 'class="page"' not in page
    served = client.get(f"/documents/{doc_id}/file")
    assert served.status_code == 200 and "行政运行" in served.text


def test_page_image_highlights_the_evidence_box(client, setup):
    store, doc_id, extraction, _ = setup
    _sign_in(client)
    field = _field(store, doc_id, _cell(extraction, "2040601"))
    plain = client.get(f"/documents/{doc_id}/pages/11.png")
    marked = client.get(f"/documents/{doc_id}/pages/11.png?field={field.id}")
    assert plain.headers["content-type"] == marked.headers["content-type"] == "image/png"
    plain_pixmap = pymupdf.Pixmap(plain.content)
    marked_pixmap = pymupdf.Pixmap(marked.content)
    zoom = plain_pixmap.width / 842
    x0, y0, x1, y1 = (round(v * zoom) for v in field.bbox)
    inside = (x0 + 2, (y0 + y1) // 2)
    outside = (20, 20)
    assert marked_pixmap.pixel(*outside) == plain_pixmap.pixel(*outside)
    assert marked_pixmap.pixel(*inside) != plain_pixmap.pixel(*inside)


def test_review_add_user_command(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'users.db'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough secret\n"))
    assert cli.main(["review", "--db", url, "add-user", "dana", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["review", "add-user", "erin", "--password-stdin", "--db", url]) == 2
    store = open_store(url)
    assert store.password_hash("dana").startswith("scrypt$")
    assert store.password_hash("erin") is None
    assert store.usernames() == ["dana"]
