"""The reviewers' web page: a queue of documents, a two-pane document view, and review actions.

Server-rendered with Jinja (autoescaped), one small script for keyboard shortcuts. Every route but the
sign-in page requires a session; every POST carries the session's CSRF token; files and page images
are looked up by document id in the store, never by a path from the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from extractor.errors import StoreError
from extractor.review.auth import csrf_matches, new_csrf_token, verify_password
from extractor.review.pages import PageImageError, render_page
from extractor.store import FieldView, FlagView, PathError, Store
from extractor.store.paths import as_decimal

HERE = Path(__file__).parent
SESSION_HOURS = 8
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    """Raised by the session check; answered with a redirect to the sign-in page (or 401 for non-GET)."""


class CSRFRejected(Exception):
    """Raised when a state-changing request lacks the session's CSRF token."""


class NotFound(Exception):
    """A document, field or page that is not in the store."""


@dataclass(frozen=True)
class FlagContext:
    """A flag with the values of its related paths and their sum, as the document view shows it."""

    flag: FlagView
    field_id: int | None
    related: list[tuple[str, int | None, Any]]
    related_sum: Decimal | None
    value: Any


def create_app(store: Store) -> FastAPI:
    """The review application over one store."""
    app = FastAPI(title="Extraction review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.add_middleware(SessionMiddleware, secret_key=store.session_secret(), session_cookie="review_session",
                       max_age=SESSION_HOURS * 3600, same_site="strict", https_only=False)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    environment.filters["show"] = _show
    templates = Jinja2Templates(env=environment)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired):
        if request.method == "GET":
            return RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)
        return JSONResponse({"detail": "sign in first"}, status_code=401)

    @app.exception_handler(CSRFRejected)
    async def csrf_rejected(_request: Request, _exc: CSRFRejected):
        return JSONResponse({"detail": "missing or wrong CSRF token"}, status_code=403)

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound):
        return JSONResponse({"detail": str(exc) or "not found"}, status_code=404)

    def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
        context = {"user": request.session.get("user"), "csrf_token": _csrf_token(request)} | context
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    # --- sign in -----------------------------------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/"):
        return render(request, "login.html", {"next": _local(next), "error": None})

    @app.post("/login")
    def login(request: Request, username: str = Form(...), password: str = Form(...),
              next: str = Form("/"), csrf_token: str = Form("")):
        if not csrf_matches(request.session.get("csrf"), csrf_token):
            raise CSRFRejected()
        if not verify_password(password, store.password_hash(username)):
            return render(request, "login.html", {"next": _local(next), "error": "Wrong name or password."},
                          status_code=401)
        request.session.clear()
        request.session["user"] = username
        request.session["generation"] = store.session_generation(username)
        request.session["csrf"] = new_csrf_token()
        return RedirectResponse(_local(next), status_code=303)

    @app.post("/logout")
    def logout(request: Request, user: str = Depends(_user), _csrf: None = Depends(_check_csrf)):
        # the session is a signed cookie: a copy kept elsewhere stays valid unless the store says otherwise
        store.end_sessions(user)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # --- queue -------------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def queue(request: Request, rule: str = "", department: str = "", year: str = "", type: str = "",
              _user: str = Depends(_user)):
        documents = store.list_documents(
            rule=rule or None, department=department or None,
            year=int(year) if year.strip().isdigit() else None, report_type=type or None)
        return render(request, "queue.html", {
            "documents": documents, "rules": store.rules(),
            "filters": {"rule": rule, "department": department, "year": year, "type": type},
            "report_types": ["performance_self_evaluation", "final_accounts", "budget", "project_self_evaluation"]})

    @app.get("/next")
    def next_document(after: int | None = None, _user: str = Depends(_user)):
        target = store.next_document_with_open_flags(after)
        return RedirectResponse(f"/documents/{target}" if target else "/", status_code=303)

    # --- one document ------------------------------------------------------------------------------

    @app.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document_view(request: Request, doc_id: int, field: int | None = None, pos: int | None = None,
                      _user: str = Depends(_user)):
        return render(request, "document.html", _document_context(store, doc_id, field, None, pos))

    @app.get("/documents/{doc_id}/extraction.json")
    def extraction_json(doc_id: int, _user: str = Depends(_user)):
        extraction = _lookup(lambda: store.load_extraction(doc_id))
        return JSONResponse(extraction.model_dump(mode="json"))

    @app.get("/documents/{doc_id}/file")
    def document_file(doc_id: int, _user: str = Depends(_user)):
        summary = _lookup(lambda: store.document(doc_id))
        path = Path(summary.file_path)
        if not path.is_file():
            raise NotFound(f"the file of document {doc_id} is no longer on disk")
        media = "application/pdf" if path.suffix.lower() == ".pdf" else "text/plain; charset=utf-8"
        return FileResponse(path, media_type=media, filename=summary.file_name)

    @app.get("/documents/{doc_id}/pages/{page}.png")
    def page_image(doc_id: int, page: int, field: int | None = None, _user: str = Depends(_user)):
        summary = _lookup(lambda: store.document(doc_id))
        highlight = None
        if field is not None:
            view = _lookup(lambda: store.field(doc_id, field))
            highlight = view.bbox if view.page == page else None
        try:
            png = render_page(Path(summary.file_path), page, highlight)
        except PageImageError as exc:
            raise NotFound(f"page {page} of document {doc_id} cannot be shown") from exc
        return Response(png, media_type="image/png")

    # --- actions -----------------------------------------------------------------------------------

    def act(request: Request, doc_id: int, field_id: int, action, pos: str, go_to: str | None) -> Response:
        position = int(pos) if pos.isdigit() else None
        try:
            action()
        except PathError as exc:
            context = _document_context(store, doc_id, field_id, str(exc), position)
            return render(request, "document.html", context, status_code=400)
        except StoreError as exc:
            raise NotFound(str(exc)) from exc
        query = {"field": field_id} | ({"pos": position} if position is not None else {})
        if go_to and ":" in go_to:
            target, target_pos = go_to.split(":", 1)
            if target.isdigit() and target_pos.isdigit():
                query = {"field": int(target), "pos": int(target_pos)}
        return RedirectResponse(f"/documents/{doc_id}?{urlencode(query)}", status_code=303)

    @app.post("/documents/{doc_id}/fields/{field_id}/accept")
    def accept(request: Request, doc_id: int, field_id: int, reason: str = Form(""), pos: str = Form(""),
               next_field: str = Form(""), user: str = Depends(_user), _csrf: None = Depends(_check_csrf)):
        return act(request, doc_id, field_id, lambda: store.accept(doc_id, field_id, user, reason), pos,
                   next_field)

    @app.post("/documents/{doc_id}/accept-unflagged")
    def accept_unflagged(doc_id: int, reason: str = Form(""), user: str = Depends(_user),
                         _csrf: None = Depends(_check_csrf)):
        _lookup(lambda: store.accept_unflagged(doc_id, user, reason or "accepted in bulk: no open flag"))
        return RedirectResponse(f"/documents/{doc_id}", status_code=303)

    @app.post("/documents/{doc_id}/fields/{field_id}/correct")
    def correct(request: Request, doc_id: int, field_id: int, value: str = Form(""), reason: str = Form(""),
                pos: str = Form(""), user: str = Depends(_user), _csrf: None = Depends(_check_csrf)):
        return act(request, doc_id, field_id, lambda: store.correct(doc_id, field_id, user, value, reason), pos,
                   None)

    @app.post("/documents/{doc_id}/fields/{field_id}/not-in-document")
    def not_in_document(request: Request, doc_id: int, field_id: int, reason: str = Form(""),
                        pos: str = Form(""), user: str = Depends(_user), _csrf: None = Depends(_check_csrf)):
        return act(request, doc_id, field_id,
                   lambda: store.mark_not_in_document(doc_id, field_id, user, reason), pos, None)

    return app


def _user(request: Request) -> str:
    user = request.session.get("user")
    if not user:
        raise LoginRequired()
    if request.session.get("generation") != request.app.state.store.session_generation(user):
        request.session.clear()  # signed out since (perhaps in another browser)
        raise LoginRequired()
    return user


async def _check_csrf(request: Request) -> None:
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()
        given = form.get("csrf_token")
    if not csrf_matches(request.session.get("csrf"), given if isinstance(given, str) else None):
        raise CSRFRejected()


def _csrf_token(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = new_csrf_token()
    return request.session["csrf"]


def _local(target: str) -> str:
    """Only paths on this site are followed after sign-in (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _lookup(fetch):
    try:
        return fetch()
    except StoreError as exc:
        raise NotFound(str(exc)) from exc


def _show(value: Any) -> str:
    """A stored JSON value as a reviewer reads it."""
    if value is None:
        return "—"
    return str(value)


def _document_context(store: Store, doc_id: int, field_id: int | None, error: str | None,
                      pos: int | None = None) -> dict[str, Any]:
    summary = _lookup(lambda: store.document(doc_id))
    fields = store.fields(doc_id)
    flags = store.flags(doc_id)
    by_path = {f.path: f for f in fields}
    open_flags = [f for f in flags if f.status == "open"]
    flagged_paths = {f.path for f in open_flags}
    involved_paths = {p for f in open_flags for p in f.related} - flagged_paths
    flagged = [f for f in fields if f.path in flagged_paths] + [f for f in fields if f.path in involved_paths]
    sections: dict[str, list[FieldView]] = {}
    for view in fields:
        sections.setdefault(view.section, []).append(view)
    groups = ([("Flagged", flagged)] if flagged else []) + list(sections.items())
    order = [view.id for _, views in groups for view in views]
    selected = None
    if field_id is not None:
        selected = next((f for f in fields if f.id == field_id), None)
        if selected is None:
            raise NotFound(f"no field {field_id} in document {doc_id}")
    elif fields:
        selected = flagged[0] if flagged else fields[0]
    if selected is None:
        position = 0
    elif pos is not None and 0 <= pos < len(order) and order[pos] == selected.id:
        position = pos
    else:
        position = order.index(selected.id)
    return {
        "doc": summary, "groups": groups, "labels": _labels(fields, by_path), "selected": selected, "error": error,
        "flagged_paths": flagged_paths, "involved_paths": involved_paths,
        "flag_contexts": _flag_contexts(selected, flags, by_path) if selected else [],
        "history": store.history(doc_id, selected.id) if selected else [],
        "document_history": store.history(doc_id)[-20:],
        "position": position,
        "next_field": (order[position + 1], position + 1) if position + 1 < len(order) else None,
        "open_flag_count": len(open_flags), "run": store.run_info(doc_id),
    }


_CELL = re.compile(r"^(?P<row>tables\[\d+\]\.rows\[\d+\])\.values\.(?P<column>.+)$")


def _labels(fields: list[FieldView], by_path: dict[str, FieldView]) -> dict[int, str]:
    """A reader's label for table cells: 「2040601 行政运行 · 项目支出」."""
    labels = {}
    for view in fields:
        match = _CELL.match(view.path)
        if match:
            row = match.group("row")
            code = by_path.get(f"{row}.code")
            name = by_path.get(f"{row}.name")
            head = " ".join(str(f.value) for f in (code, name) if f is not None and f.value is not None)
            labels[view.id] = f"{head} · {match.group('column')}" if head else match.group("column")
    return labels


def _flag_contexts(selected: FieldView, flags: list[FlagView], by_path: dict[str, FieldView]) -> list[FlagContext]:
    contexts = []
    for flag in flags:
        if flag.path != selected.path and selected.path not in flag.related:
            continue
        related = [(path, by_path[path].id if path in by_path else None,
                    by_path[path].value if path in by_path else None) for path in flag.related]
        numbers = [as_decimal(value) for _, _, value in related]
        total = sum((n for n in numbers if n is not None), Decimal(0)) if any(n is not None for n in numbers) else None
        own = by_path.get(flag.path)
        contexts.append(FlagContext(flag=flag, field_id=own.id if own else None, related=related,
                                    related_sum=total, value=own.value if own else None))
    return contexts
