"""Per-bucket integrity digests (DESIGN 4), equal to what the client computes.

The hash is BLAKE2b (``shared_models.sync.checksum``), which PostgreSQL lacks,
so the server streams ``(table, id, row version)`` of each bucket's live
entries and sums the hashes here, in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared_models.sync.buckets import BUCKET_TABLES, parse_bucket
from shared_models.sync.checksum import MOD, row_hash

__all__ = ["bucket_checksums"]

_STREAM_ROWS = 10_000


def _sql(tables: Iterable[str]) -> str:
    parts = [
        f"SELECT m.bucket, '{t}' AS table_name, m.row_id, x.version FROM bucket_membership m"
        f' JOIN "{t}" x ON x.id = m.row_id'
        f" WHERE m.bucket = ANY(:buckets) AND m.table_name = '{t}' AND NOT m.removed"
        for t in sorted(tables)
    ]
    return " UNION ALL ".join(parts)


def bucket_checksums(session: Session, buckets: Iterable[str]) -> dict[str, tuple[int, int]]:
    """``{bucket: (count, digest)}`` over live entries; unknown buckets count 0."""
    names = sorted(set(buckets))
    result = {name: (0, 0) for name in names}
    if not names:
        return result
    tables = {t for name in names for t in BUCKET_TABLES[parse_bucket(name)[0]]}
    session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    counts = dict.fromkeys(names, 0)
    digests = dict.fromkeys(names, 0)
    rows = session.execute(
        text(_sql(tables)).execution_options(yield_per=_STREAM_ROWS), {"buckets": names}
    )
    for bucket, table, row_id, version in rows:
        counts[bucket] += 1
        digests[bucket] += row_hash(table, row_id, version)
    return {name: (counts[name], digests[name] % MOD) for name in names}
