"""Local full-text search (SQLite FTS5, index managed by sqlite-utils): customers, leads, quotes,
invoices.

External-content FTS tables kept current by sqlite-utils' triggers, so pulled
pages and local writes update the index in their own transaction. Quotes are
also found by their customer's name, through the customer index.

The FTS tables are not part of the replica's schema version: a replica made
before a table was indexed gets its index (filled from the rows it holds) the
next time the app opens it, through ``ensure_search_index``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlite_utils

from client.replica.store import LocalStore

#: Indexed columns per table (DESIGN 10: find a customer by name, company, email, phone, city).
FTS_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": ("first_name", "last_name", "company_name", "email", "phone", "city"),
    "lead": (
        "contact_name",
        "contact_email",
        "contact_phone",
        "origin_summary",
        "destination_summary",
    ),
    "quote": ("number", "provisional_number", "origin_city", "destination_city"),
    "invoice": ("number", "provisional_number"),
}
TOKENIZE = "unicode61 remove_diacritics 2"
_TOKEN = re.compile(r"\w+", re.UNICODE)


@contextmanager
def _raw(store: LocalStore) -> Iterator[Any]:
    with store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        yield raw


def ensure_search_index(store: LocalStore) -> None:
    """Create (and fill) the FTS tables and their triggers if missing; cheap when present.

    An index is made again from its table when its columns differ from
    ``FTS_COLUMNS`` or its triggers are gone: ``replica.upgrade`` rebuilds a
    changed table by drop-and-rename, which drops the triggers with it and
    renumbers the rows the index points at.
    """
    with _raw(store) as raw:
        db = sqlite_utils.Database(raw, recursive_triggers=False)
        triggers = set(db.triggers_dict)
        for table, columns in FTS_COLUMNS.items():
            if not db[table].exists():
                continue
            fts = db[table].detect_fts()
            if fts is not None:
                wired = {f"{table}_ai", f"{table}_ad", f"{table}_au"} <= triggers
                if wired and tuple(db[fts].columns_dict) == columns:
                    continue
                db[table].disable_fts()
            db[table].enable_fts(list(columns), create_triggers=True, tokenize=TOKENIZE)


def rebuild_search_index(store: LocalStore) -> None:
    """Rebuild every index from its table (support tool, after a repair)."""
    with _raw(store) as raw:
        db = sqlite_utils.Database(raw, recursive_triggers=False)
        for table in FTS_COLUMNS:
            if db[table].detect_fts():
                db[table].rebuild_fts()


def fts_query(text: str) -> str | None:
    """User text to an FTS5 query: every word must match as a prefix ("jo sm" finds John Smith)."""
    words = _TOKEN.findall(text)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


def _match(raw: Any, table: str, query: str, limit: int) -> list[uuid.UUID]:
    sql = (
        f"SELECT t.id FROM [{table}_fts] f JOIN [{table}] t ON t.rowid = f.rowid "
        f"WHERE [{table}_fts] MATCH ? AND t.deleted_at IS NULL ORDER BY f.rank LIMIT ?"
    )
    return [uuid.UUID(str(r[0])) for r in raw.execute(sql, (query, limit))]


def search(store: LocalStore, table: str, text: str, *, limit: int = 50) -> list[uuid.UUID]:
    """Ids of live rows of ``table`` matching ``text``, best first (bm25)."""
    if table not in FTS_COLUMNS:
        raise KeyError(f"no search index for {table!r}")
    query = fts_query(text)
    if query is None:
        return []
    with _raw(store) as raw:
        ids = _match(raw, table, query, limit)
        if table == "quote" and len(ids) < limit:
            customers = _match(raw, "customer", query, limit)
            if customers:
                marks = ",".join("?" * len(customers))
                rows = raw.execute(
                    f"SELECT id FROM quote WHERE customer_id IN ({marks}) AND deleted_at IS NULL "
                    "ORDER BY created_at DESC LIMIT ?",
                    [c.hex for c in customers] + [limit],
                )
                seen = set(ids)
                ids += [u for u in (uuid.UUID(str(r[0])) for r in rows) if u not in seen]
    return ids[:limit]
