"""A real SQLCipher replica seeded like a pull would leave it, and PDF text extraction."""

from __future__ import annotations

import io
import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from client.replica import LocalStore, new_replica_key
from client.replica.paths import DATA_DIR_ENV
from client.services import LocalWriteService
from client.sync.db import ensure_sync_schema, replica_tx, table_for
from shared_models.ids import uuid7
from shared_models.rules.tax import CANADIAN_TAX_RATES_2026

TENANT = uuid.UUID("0190b000-0000-7000-8000-000000000001")
USER = uuid.UUID("0190b000-0000-7000-8000-000000000003")

Seed = Callable[..., uuid.UUID]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv(DATA_DIR_ENV, str(path))
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = LocalStore.open(tmp_path / "replica" / "replica.db", new_replica_key(), create=True)
    ensure_sync_schema(s)
    yield s
    s.close()


@pytest.fixture
def seed(store: LocalStore) -> Seed:
    """Write a row as a pull writes it: a server version, no outbox entry."""

    def put(table: str, *, version: int = 3, **values: Any) -> uuid.UUID:
        row_id = values.pop("id", None) or uuid7()
        if table != "tenant":
            values.setdefault("tenant_id", TENANT)
        with replica_tx(store) as conn:
            conn.execute(table_for(table).insert().values(id=row_id, version=version, **values))
        return row_id

    return put


@pytest.fixture
def service(store: LocalStore) -> LocalWriteService:
    """The UI's write path: rows it writes stay in the outbox until synced."""
    counter = itertools.count(1)
    return LocalWriteService(
        store,
        user_id=USER,
        tenant_id=TENANT,
        device_id="doc-tests",
        hlc=lambda: f"{1700000000000 + next(counter):013d}-00000-dev",
    )


def seed_tax_rates(seed: Seed) -> None:
    """The seeded Canadian table, as every tenant's replica holds it after a pull."""
    for row in CANADIAN_TAX_RATES_2026:
        seed(
            "tax_rate",
            province=row.province,
            kind=row.kind,
            rate=row.rate,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
            label=row.label,
        )


def pdf_text(data: bytes) -> str:
    """All pages' text, whitespace runs folded to one space."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def page_texts(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
