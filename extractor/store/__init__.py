"""The store of documents, runs, extracted values, flags and review actions (SQLite by default, any SQLAlchemy URL)."""

from extractor.store.paths import PathError
from extractor.store.store import Store, open_store
from extractor.store.views import ActionView, DocumentSummary, FieldView, FlagView

__all__ = ["ActionView", "DocumentSummary", "FieldView", "FlagView", "PathError", "Store", "open_store"]
