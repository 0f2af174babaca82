"""What every seeding step shares: the session, the seeded generators and the row writer.

Rows are written with SQLAlchemy Core in chunks (one ``executemany`` per chunk)
with versions reserved from ``sync_version_seq`` in the same order, so a
100,000-row location seeds in seconds and two runs number rows identically.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Table, bindparam, update
from sqlalchemy.orm import Session

from shared_models.base import Base
from sync_server.db.versioning import next_versions
from sync_server.seed.ids import SeededIds

#: Rows per INSERT round trip: bounds memory and statement size.
CHUNK_ROWS = 5000
UTC = dt.UTC


class SeedError(RuntimeError):
    """The demo company cannot be seeded here; the message says why."""


class SeedContext:
    """Seeded randomness, time anchors and the bulk writer for one ``seed_demo`` run."""

    def __init__(self, session: Session, *, seed: int, today: dt.date) -> None:
        self.session = session
        self.seed = seed
        self.today = today
        #: History starts two years back; ids without a row time count up from here.
        self.epoch = dt.datetime.combine(today - dt.timedelta(days=730), dt.time(9), UTC)
        self.ids = SeededIds(seed, self.epoch)
        self.faker = Faker("en_CA")
        self.faker.seed_instance(seed)
        self.tenant_id: uuid.UUID | None = None
        self.counts: Counter[str] = Counter()
        self._zones: dict[str, ZoneInfo] = {}

    def rng(self, *parts: object) -> random.Random:
        """An independent stream per purpose, so adding rows in one step never shifts another."""
        return random.Random(":".join(["cnc-seed", str(self.seed), *map(str, parts)]))

    def zone(self, name: str) -> ZoneInfo:
        if name not in self._zones:
            self._zones[name] = ZoneInfo(name)
        return self._zones[name]

    def local(self, day: dt.date, hour: int, minute: int, tz: str) -> dt.datetime:
        """Wall-clock time at a branch on ``day``, as the UTC instant that is stored."""
        naive = dt.datetime.combine(day, dt.time(hour, minute))
        return naive.replace(tzinfo=self.zone(tz)).astimezone(UTC)

    def new_id(self, at: dt.datetime | None = None) -> uuid.UUID:
        return self.ids.new(at)

    # -- writing -----------------------------------------------------------------

    def insert(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> int:
        """COPY ``rows`` into the model's table in chunks, stamping tenant, sync columns, versions.

        COPY instead of INSERT: it is several times faster for the 100,000-row
        location, and every value is adapted by psycopg as usual. Column defaults
        are Python-side in our models, so the missing ones are filled in here.
        """
        table: Table = model.__table__  # type: ignore[assignment]
        if not rows:
            return 0
        columns = {c.key: c for c in table.c}
        for row in rows:
            if "tenant_id" in columns:
                row.setdefault("tenant_id", self.tenant_id)
            if "created_at" in columns:
                row.setdefault("created_at", self.epoch)
                row.setdefault("updated_at", row["created_at"])
        given = {key for row in rows for key in row}
        unknown = given - set(columns)
        if unknown:
            raise KeyError(f"{table.name}: no columns {sorted(unknown)}")
        defaults = {
            key: _default(col)
            for key, col in columns.items()
            if key not in given and key != "version" and col.default is not None
        }
        keys = sorted(given | set(defaults) | ({"version"} if "version" in columns else set()))
        json_keys = {k for k in keys if isinstance(columns[k].type, JSON)}
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, keys))
        )
        connection = self.session.connection().connection.driver_connection
        assert connection is not None, "the session has no open connection"
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start : start + CHUNK_ROWS]
            versions = iter(next_versions(self.session, len(chunk)) if "version" in columns else ())
            with connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in chunk:
                    values = {**defaults, **row}
                    if "version" in columns:
                        values["version"] = next(versions)
                    copy.write_row([_adapt(values.get(k), k in json_keys) for k in keys])
        self.counts[table.name] += len(rows)
        return len(rows)

    def update(self, model: type[Base], changes: Mapping[uuid.UUID, Mapping[str, Any]]) -> None:
        """Apply per-row changes by id, each taking a new version (a later edit of the row).

        Rows are grouped by the set of columns they change so each group is one executemany.
        """
        table: Table = model.__table__  # type: ignore[assignment]
        groups: dict[tuple[str, ...], list[tuple[uuid.UUID, Mapping[str, Any]]]] = {}
        for row_id, values in changes.items():
            groups.setdefault(tuple(sorted(values)), []).append((row_id, values))
        for keys, items in groups.items():
            statement = (
                update(table)
                .where(table.c.id == bindparam("w_id"))
                .values({key: bindparam(f"b_{key}") for key in (*keys, "version")})
            )
            for start in range(0, len(items), CHUNK_ROWS):
                chunk = items[start : start + CHUNK_ROWS]
                versions = next_versions(self.session, len(chunk))
                params = [
                    {"w_id": row_id, "b_version": version, **{f"b_{k}": v[k] for k in keys}}
                    for (row_id, v), version in zip(chunk, versions, strict=True)
                ]
                self.session.execute(statement, params)


def _default(column: Any) -> Any:
    """The value SQLAlchemy would have used for a column the rows leave out."""
    default = column.default
    if default.is_scalar:
        return default.arg
    if column.key in ("id", "created_at", "updated_at"):
        raise KeyError(f"{column.table.name}.{column.key} must be given: the seed is reproducible")
    return default.arg(None)


def _adapt(value: Any, json: bool) -> Any:
    if json and value is not None:
        return Jsonb(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: seed timestamps must be aware")
    return value


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
