"""The store: documents, runs, every extracted value, flags and review actions in one SQL database.

`open_store(url)` opens (and migrates) the database; `Store` holds the repository functions the
pipeline, the review page and the exports call. A correction never overwrites without a trace:
each action is a row with reviewer, time, old and new value and reason, and the validators are rerun
so that flags the correction settles are closed by that action.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from extractor.errors import StoreError
from extractor.store.database import open_engine
from extractor.store.models import (
    DocumentRow,
    FieldRow,
    FlagRow,
    ReviewActionRow,
    RunRow,
    StoreSetting,
    UserRow,
)
from extractor.store.paths import (
    PathError,
    apply_value,
    get_path,
    iter_leaves,
    json_value,
    set_path,
)
from extractor.store.views import (
    ActionView,
    DocumentSummary,
    FieldView,
    FlagView,
    action_view,
    field_view,
    flag_view,
)
from schemas.extraction import Flag, ReportExtraction

ACTIVE_FLAG_STATUSES = ("open", "accepted")
_ITEM = re.compile(r"^(?P<top>tables|projects)\[(?P<index>\d+)\]")
_TABLE_CELL = re.compile(r"^tables\[(?P<index>\d+)\]\.rows\[\d+\]\.values\.")


def open_store(url: str) -> Store:
    """Open the database at a SQLAlchemy URL (`sqlite:///extractor.db`, `postgresql://...`) and migrate it."""
    return Store(open_engine(url))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Store:
    """Repository functions over one database. Safe to share between threads."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._writer = engine.execution_options(sqlite_immediate=True)

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        bind = self._writer if write else self.engine
        with Session(bind, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()

    # --- writing extractions -------------------------------------------------------------------

    def save_extraction(self, file_path: Path, extraction: ReportExtraction) -> int:
        """Store a run of one document: the document, the run, every value as a field, the flags.

        A document is identified by the sha256 of its file; saving it again adds a new run, which
        becomes the one the review page shows. Returns the document id.
        """
        file_path = Path(file_path)
        if not file_path.is_file():
            raise StoreError("the extracted file does not exist; the store keeps a path to it", file=str(file_path))
        sha256 = file_sha256(file_path)
        data = extraction.model_dump(mode="json")
        run_info = extraction.run
        now = _now()
        with self._session(write=True) as session:
            document = session.scalar(select(DocumentRow).where(DocumentRow.sha256 == sha256))
            if document is None:
                document = DocumentRow(sha256=sha256, created_at=now, file_path="", file_name="", pages=0)
                session.add(document)
            document.file_path = str(file_path.resolve())
            document.file_name = file_path.name
            document.pages = extraction.source.pages if extraction.source else _page_count(file_path)
            document.input_kind = extraction.source.input_kind if extraction.source else None
            session.flush()
            run = RunRow(
                document_id=document.id,
                engine=run_info.engine if run_info else "unknown",
                model=run_info.model if run_info else None,
                prompts_json=_dumps([p.model_dump(mode="json") for p in run_info.prompts] if run_info else []),
                schema_version=run_info.schema_version if run_info else extraction.schema_version,
                git_commit=run_info.git_commit if run_info else None,
                usage_json=_dumps(run_info.usage.model_dump(mode="json") if run_info else {}),
                timings_json=_dumps(run_info.timings_ms if run_info else {}),
                started_at=(run_info.started_at if run_info else None) or now.isoformat(),
                created_at=now,
                extraction_json=_dumps(data),
            )
            session.add(run)
            session.flush()
            for position, (path, value) in enumerate(iter_leaves(data)):
                evidence = extraction.evidence.get(path)
                session.add(FieldRow(
                    run_id=run.id, document_id=document.id, position=position, path=path,
                    section=_section(data, path), value_json=_dumps(value), extracted_json=_dumps(value),
                    unit=_unit(data, path), page=evidence.page if evidence else None,
                    bbox_json=_dumps(list(evidence.bbox)) if evidence and evidence.bbox else None,
                    quote=evidence.quote if evidence else None,
                    confidence=evidence.confidence if evidence else None, status="open"))
            for flag in extraction.flags:
                session.add(_flag_row(flag, run.id, document.id, now, None))
            previous_run_id = document.current_run_id
            document.current_run_id = run.id
            session.flush()
            if previous_run_id is not None:
                self._carry_over(session, document, previous_run_id, run.id)
            return document.id

    def _carry_over(self, session: Session, document: DocumentRow, previous_run_id: int, run_id: int) -> None:
        """Keep the reviews of the previous run for values the new run extracted exactly as before.

        A value extracted differently stays open for a reviewer. Each kept review is an action of
        its own (reviewer `carry-over`, naming the run and the reviewers), and the validators rerun.
        """
        reviewed = {row.path: row for row in session.scalars(select(FieldRow).where(
            FieldRow.run_id == previous_run_id, FieldRow.status != "open"))}
        if not reviewed:
            return
        before = self._extraction(session, document)
        last_action = None
        for row in session.scalars(select(FieldRow).where(FieldRow.run_id == run_id)):
            old = reviewed.get(row.path)
            if old is None or old.extracted_json != row.extracted_json:
                continue
            reviewers = sorted(set(session.scalars(select(ReviewActionRow.reviewer).where(
                ReviewActionRow.field_id == old.id, ReviewActionRow.action != "carry_over")))) or ["carry-over"]
            last_action = self._record(
                session, row, "carry_over", "carry-over", old.value_json, old.status,
                f"kept from run {previous_run_id}: {old.status} by {', '.join(reviewers)}")
            row.value_json = old.value_json
            if old.status == "accepted":
                for flag in session.scalars(select(FlagRow).where(
                        FlagRow.run_id == run_id, FlagRow.path == row.path, FlagRow.status == "open")):
                    flag.status, flag.closed_at, flag.closed_by_action_id = "accepted", last_action.at, last_action.id
        if last_action is not None:
            session.flush()
            after = self._extraction(session, document)
            if after != before:
                self._revalidate(session, run_id, document.id, before, after, last_action)

    # --- reading ---------------------------------------------------------------------------------

    def load_extraction(self, doc_id: int) -> ReportExtraction:
        """The document's current run with the reviewed values applied and the flags still standing."""
        with self._session() as session:
            return self._extraction(session, self._document(session, doc_id))

    def _extraction(self, session: Session, document: DocumentRow) -> ReportExtraction:
        run = session.get(RunRow, document.current_run_id)
        data = json.loads(run.extraction_json)
        for row in session.scalars(select(FieldRow).where(FieldRow.run_id == run.id)):
            set_path(data, row.path, json.loads(row.value_json))
        flags = session.scalars(select(FlagRow).where(
            FlagRow.run_id == run.id, FlagRow.status.in_(ACTIVE_FLAG_STATUSES)).order_by(FlagRow.id))
        data["flags"] = [_flag_model(row).model_dump(mode="json") for row in flags]
        return ReportExtraction.model_validate(data)

    def _document(self, session: Session, doc_id: int) -> DocumentRow:
        document = session.get(DocumentRow, doc_id)
        if document is None or document.current_run_id is None:
            raise StoreError(f"no document with id {doc_id} in the store")
        return document

    def document(self, doc_id: int) -> DocumentSummary:
        """One document with its counts; StoreError when the id is not in the store."""
        with self._session() as session:
            return self._summary(session, self._document(session, doc_id))

    def find_document(self, reference: str) -> int:
        """A document id from an id, a file name or a sha256 (or a unique prefix of one)."""
        with self._session() as session:
            if reference.isdigit() and session.get(DocumentRow, int(reference)) is not None:
                return int(reference)
            rows = session.scalars(select(DocumentRow)).all()
            matches = [row.id for row in rows if reference in (row.file_name, Path(row.file_name).stem)
                       or (len(reference) >= 8 and row.sha256.startswith(reference))]
            if len(matches) != 1:
                raise StoreError(f"{reference!r} names {len(matches)} documents in the store, not one")
            return matches[0]

    def list_documents(self, *, rule: str | None = None, department: str | None = None,
                       year: int | None = None, report_type: str | None = None) -> list[DocumentSummary]:
        """The review queue: every document with its open flag count, filtered as asked."""
        with self._session() as session:
            rows = session.scalars(select(DocumentRow).where(
                DocumentRow.current_run_id.is_not(None)).order_by(DocumentRow.id)).all()
            summaries = [self._summary(session, row) for row in rows]
        return [s for s in summaries
                if (rule is None or rule in s.rules)
                and (department is None or (s.department and department in s.department))
                and (year is None or s.fiscal_year == year)
                and (report_type is None or s.report_type == report_type)]

    def _summary(self, session: Session, document: DocumentRow) -> DocumentSummary:
        fields = session.scalars(select(FieldRow).where(FieldRow.run_id == document.current_run_id)).all()
        meta = {row.path: json.loads(row.value_json) for row in fields if row.path.startswith("meta.")}
        open_flags = session.scalars(select(FlagRow).where(
            FlagRow.run_id == document.current_run_id, FlagRow.status == "open")).all()
        year = meta.get("meta.fiscal_year")
        return DocumentSummary(
            id=document.id, file_name=document.file_name, file_path=document.file_path,
            sha256=document.sha256, pages=document.pages, input_kind=document.input_kind,
            department=meta.get("meta.department"), fiscal_year=int(year) if year is not None else None,
            report_type=meta.get("meta.report_type"), open_flags=len(open_flags),
            open_fields=sum(1 for row in fields if row.status == "open"), total_fields=len(fields),
            rules=tuple(sorted({flag.rule for flag in open_flags})))

    def rules(self) -> list[str]:
        """Every rule that has raised a flag in the store."""
        with self._session() as session:
            return sorted(set(session.scalars(select(FlagRow.rule).distinct())))

    def next_document_with_open_flags(self, after: int | None = None) -> int | None:
        """The next document (by id, wrapping round) with open flags, other than `after`."""
        ids = [s.id for s in self.list_documents() if s.open_flags]
        later = [i for i in ids if after is None or i > after]
        earlier = [i for i in ids if after is not None and i < after]
        return (later or earlier or [None])[0]

    def fields(self, doc_id: int) -> list[FieldView]:
        """Every value of the document's current run, in document order."""
        with self._session() as session:
            document = self._document(session, doc_id)
            rows = session.scalars(select(FieldRow).where(
                FieldRow.run_id == document.current_run_id).order_by(FieldRow.position))
            return [field_view(row) for row in rows]

    def field(self, doc_id: int, field_id: int) -> FieldView:
        """One field of the document's current run; StoreError when it is not one."""
        with self._session() as session:
            return field_view(self._field(session, doc_id, field_id))

    def _field(self, session: Session, doc_id: int, field_id: int) -> FieldRow:
        document = self._document(session, doc_id)
        row = session.get(FieldRow, field_id)
        if row is None or row.document_id != doc_id or row.run_id != document.current_run_id:
            raise StoreError(f"no field {field_id} in the current run of document {doc_id}")
        return row

    def flags(self, doc_id: int, *,
              statuses: tuple[str, ...] = ("open", "accepted", "resolved", "superseded")) -> list[FlagView]:
        """Flags of the document's current run with the given statuses."""
        with self._session() as session:
            document = self._document(session, doc_id)
            rows = session.scalars(select(FlagRow).where(
                FlagRow.run_id == document.current_run_id, FlagRow.status.in_(statuses)).order_by(FlagRow.id))
            return [flag_view(row) for row in rows]

    def history(self, doc_id: int, field_id: int | None = None) -> list[ActionView]:
        """Review actions on a document (or one field of it), oldest first, with the flags each closed."""
        with self._session() as session:
            query = select(ReviewActionRow).where(ReviewActionRow.document_id == doc_id)
            if field_id is not None:
                query = query.where(ReviewActionRow.field_id == field_id)
            actions = session.scalars(query.order_by(ReviewActionRow.id)).all()
            flags = session.scalars(select(FlagRow).where(FlagRow.document_id == doc_id)).all()
            return [action_view(action, flags) for action in actions]

    def reviewers(self, doc_id: int) -> list[str]:
        """Everyone who acted on the document, sorted (reviews kept across runs are not new reviewers)."""
        return sorted({action.reviewer for action in self.history(doc_id) if action.action != "carry_over"})

    def run_info(self, doc_id: int) -> dict[str, Any]:
        """The current run's record (engine, model, prompts, schema version, commit, usage, timings, time)."""
        with self._session() as session:
            run = session.get(RunRow, self._document(session, doc_id).current_run_id)
            return {"id": run.id, "engine": run.engine, "model": run.model,
                    "prompts": json.loads(run.prompts_json), "schema_version": run.schema_version,
                    "git_commit": run.git_commit, "usage": json.loads(run.usage_json),
                    "timings_ms": json.loads(run.timings_json), "started_at": run.started_at,
                    "stored_at": run.created_at.isoformat()}

    # --- review actions --------------------------------------------------------------------------

    def accept(self, doc_id: int, field_id: int, reviewer: str, reason: str = "") -> ActionView:
        """Confirm a value as extracted; the open flags on its path are marked accepted by this action."""
        with self._session(write=True) as session:
            row = self._field(session, doc_id, field_id)
            action = self._record(session, row, "accept", reviewer, row.value_json, "accepted", reason)
            for flag in session.scalars(select(FlagRow).where(
                    FlagRow.run_id == row.run_id, FlagRow.path == row.path, FlagRow.status == "open")):
                flag.status, flag.closed_at, flag.closed_by_action_id = "accepted", action.at, action.id
            session.flush()
            return action_view(action, self._action_flags(session, action))

    def accept_unflagged(self, doc_id: int, reviewer: str, reason: str = "") -> int:
        """Accept every unreviewed value that no open flag names (path or related); one action each.

        Returns how many values were accepted.
        """
        with self._session(write=True) as session:
            document = self._document(session, doc_id)
            flagged: set[str] = set()
            for flag in session.scalars(select(FlagRow).where(
                    FlagRow.run_id == document.current_run_id, FlagRow.status == "open")):
                flagged.add(flag.path)
                flagged.update(json.loads(flag.related_json))
            rows = session.scalars(select(FieldRow).where(
                FieldRow.run_id == document.current_run_id, FieldRow.status == "open").order_by(FieldRow.position))
            accepted = 0
            for row in rows:
                if row.path not in flagged:
                    self._record(session, row, "accept", reviewer, row.value_json, "accepted", reason)
                    accepted += 1
            return accepted

    def correct(self, doc_id: int, field_id: int, reviewer: str, value: Any, reason: str = "") -> ActionView:
        """Replace a value by a typed one (checked by the schema), then rerun the validators.

        Raises PathError with a readable message when the value does not fit the schema at that path.
        """
        if isinstance(value, str) and not value.strip():
            raise PathError("an empty correction is not a value; use 'not in document' for a value the report lacks")
        return self._change(doc_id, field_id, reviewer, value, "correct", "corrected", reason)

    def mark_not_in_document(self, doc_id: int, field_id: int, reviewer: str, reason: str = "") -> ActionView:
        """Record that the report does not state this value: it becomes null, and the validators rerun."""
        return self._change(doc_id, field_id, reviewer, None, "not_in_document", "not_in_document", reason)

    def _change(self, doc_id: int, field_id: int, reviewer: str, value: Any, action_name: str, status: str,
                reason: str) -> ActionView:
        with self._session(write=True) as session:
            row = self._field(session, doc_id, field_id)
            document = self._document(session, doc_id)
            before = self._extraction(session, document)
            after = apply_value(before, row.path, value)
            new_json = _dumps(json_value(after, row.path))
            action = self._record(session, row, action_name, reviewer, new_json, status, reason)
            row.value_json = new_json
            self._revalidate(session, row.run_id, doc_id, before, after, action)
            session.flush()
            return action_view(action, self._action_flags(session, action))

    def _record(self, session: Session, row: FieldRow, action_name: str, reviewer: str, new_json: str,
                status: str, reason: str) -> ReviewActionRow:
        if not reviewer:
            raise StoreError("a review action needs a reviewer")
        action = ReviewActionRow(
            document_id=row.document_id, field_id=row.id, path=row.path, action=action_name, reviewer=reviewer,
            at=_now(), old_value_json=row.value_json, new_value_json=new_json, old_status=row.status,
            new_status=status, reason=reason or "")
        row.status = status
        session.add(action)
        session.flush()
        return action

    def _revalidate(self, session: Session, run_id: int, doc_id: int, before: ReportExtraction,
                    after: ReportExtraction, action: ReviewActionRow) -> None:
        """Close the flags the validators raised before the change and no longer raise; open new ones.

        Flags the validators did not raise before (from extraction: grounding, disagreement) are kept.
        """
        raised_before = _validator_flags(before)
        raised_after = _validator_flags(after)
        active = session.scalars(select(FlagRow).where(
            FlagRow.run_id == run_id, FlagRow.status.in_(ACTIVE_FLAG_STATUSES))).all()
        active_keys = set()
        for flag in active:
            key = (flag.path, flag.rule)
            if key in raised_before and key not in raised_after:
                flag.status, flag.closed_at, flag.closed_by_action_id = "resolved", action.at, action.id
            elif key in raised_after and raised_after[key].message != flag.message:
                # the check still fails with other numbers: the old flag is kept, closed, and a new one opens
                flag.status, flag.closed_at, flag.closed_by_action_id = "superseded", action.at, action.id
            else:
                active_keys.add(key)
        for key, flag in raised_after.items():
            if key not in active_keys:
                session.add(_flag_row(flag, run_id, doc_id, action.at, action.id))

    def _action_flags(self, session: Session, action: ReviewActionRow) -> list[FlagRow]:
        return list(session.scalars(select(FlagRow).where(
            (FlagRow.closed_by_action_id == action.id) | (FlagRow.created_by_action_id == action.id))))

    # --- users and settings ----------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str) -> None:
        """Create a reviewer account; StoreError when the name is taken."""
        with self._session(write=True) as session:
            if session.scalar(select(UserRow).where(UserRow.username == username)) is not None:
                raise StoreError(f"user {username!r} exists already")
            session.add(UserRow(username=username, password_hash=password_hash, created_at=_now()))

    def usernames(self) -> list[str]:
        """Every reviewer account, sorted."""
        with self._session() as session:
            return sorted(session.scalars(select(UserRow.username)))

    def password_hash(self, username: str) -> str | None:
        """The stored password hash of a user, None for an unknown user."""
        with self._session() as session:
            user = session.scalar(select(UserRow).where(UserRow.username == username))
            return user.password_hash if user else None

    def session_generation(self, username: str) -> int:
        """How often the user has signed out; a session made at an older generation no longer counts."""
        with self._session() as session:
            setting = session.get(StoreSetting, _generation_key(username))
            return int(setting.value) if setting else 0

    def end_sessions(self, username: str) -> None:
        """Sign the user out everywhere: every session made so far stops counting."""
        with self._session(write=True) as session:
            setting = session.get(StoreSetting, _generation_key(username))
            if setting is None:
                session.add(StoreSetting(key=_generation_key(username), value="1"))
            else:
                setting.value = str(int(setting.value) + 1)

    def session_secret(self) -> str:
        """The secret signing review sessions, made once per database."""
        with self._session(write=True) as session:
            setting = session.get(StoreSetting, "session_secret")
            if setting is None:
                setting = StoreSetting(key="session_secret", value=secrets.token_hex(32))
                session.add(setting)
            return setting.value


def _generation_key(username: str) -> str:
    # hashed: a user name may be longer than the 64 characters a settings key holds
    return "session_generation:" + hashlib.sha256(username.encode()).hexdigest()[:40]


def _validator_flags(extraction: ReportExtraction) -> dict[tuple[str, str], Flag]:
    from extractor.validate import validate  # imported late: validate imports the extraction stack

    checked = validate(extraction.model_copy(update={"flags": []}, deep=True), doc=None)
    return {(flag.path, flag.rule): flag for flag in checked.flags}


def _page_count(path: Path) -> int:
    import pymupdf

    try:
        with pymupdf.open(path) as pdf:
            return pdf.page_count
    except Exception:  # a text input has no pages to count
        return 0


def _section(data: dict[str, Any], path: str) -> str:
    item = _ITEM.match(path)
    if item:
        top, index = item.group("top"), int(item.group("index"))
        label = data[top][index].get("title" if top == "tables" else "name")
        return f"{top}[{index}] {label or ''}".strip()
    return _top(path)


def _unit(data: dict[str, Any], path: str) -> str | None:
    # paths are matched as text, not split: a column name may hold dots or brackets
    cell = _TABLE_CELL.match(path)
    if cell:
        if path[cell.end():] == "execution_rate":
            return "%"
        return get_path(data, f"tables[{cell.group('index')}].unit")
    top, last = _top(path), path.rsplit(".", 1)[-1]
    if last == "execution_rate":
        return "%"
    if top in ("budget", "three_public") or (top == "projects" and last in ("budget", "spent")):
        return "万元"
    return None


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _flag_row(flag: Flag, run_id: int, doc_id: int, now: datetime, action_id: int | None) -> FlagRow:
    return FlagRow(run_id=run_id, document_id=doc_id, path=flag.path, rule=flag.rule, severity=flag.severity,
                   message=flag.message, related_json=_dumps(flag.related), status="open", created_at=now,
                   created_by_action_id=action_id)


def _flag_model(row: FlagRow) -> Flag:
    return Flag(path=row.path, rule=row.rule, severity=row.severity, message=row.message,
                related=json.loads(row.related_json))


