"""The per-bucket integrity digest of DESIGN 4, computed identically on both sides."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

MOD = 2**64


def row_hash(table: str, row_id: uuid.UUID | str, version: int) -> int:
    """64-bit hash of ``(table, id, version)``: BLAKE2b, 8 bytes, big-endian."""
    key = f"{table}:{str(row_id).lower()}:{int(version)}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")


def bucket_digest(rows: Iterable[tuple[str, uuid.UUID | str, int]]) -> tuple[int, int]:
    """``(count, digest)`` over live rows; order does not matter (a sum)."""
    count = 0
    digest = 0
    for table, row_id, version in rows:
        count += 1
        digest = (digest + row_hash(table, row_id, version)) % MOD
    return count, digest
