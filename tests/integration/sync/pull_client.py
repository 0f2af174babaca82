"""A minimal replica that pulls over real HTTP the way the client library does (DESIGN 5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from shared_models.sync.checksum import bucket_digest
from shared_models.sync.wire import SCHEMA_HEADER, SCHEMA_VERSION
from tests.utils.auth import bearer, login_ok


@dataclass
class Replica:
    base: str
    token: str
    cursors: dict[str, int] = field(default_factory=dict)
    #: bucket -> (table, id) -> row data
    buckets: dict[str, dict[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)
    pages: int = 0
    seen: list[tuple[str, str, str, int, bool]] = field(default_factory=list)
    #: The wire schema it says it speaks, as the client library does (``shapes``).
    schema: int = SCHEMA_VERSION

    @classmethod
    def login(cls, base: str, account: Any) -> Replica:
        body = login_ok(base, account)
        replica = cls(base, body["access_token"])
        replica.adopt(body["buckets"])
        return replica

    def adopt(self, current: list[str]) -> None:
        """New buckets start at 0; dropped ones are purged (DESIGN 5)."""
        for name in current:
            self.cursors.setdefault(name, 0)
            self.buckets.setdefault(name, {})
        for name in set(self.cursors) - set(current):
            del self.cursors[name]
            del self.buckets[name]

    def pull_once(self, limit: int = 1000, buckets: dict[str, int] | None = None) -> httpx.Response:
        return httpx.post(
            f"{self.base}/v1/sync/pull",
            json={"buckets": buckets if buckets is not None else self.cursors, "limit": limit},
            headers={**bearer(self.token), SCHEMA_HEADER: str(self.schema)},
            timeout=30,
        )

    def apply(self, body: dict[str, Any]) -> None:
        for change in body["changes"]:
            key = (change["table"], change["id"])
            self.seen.append((change["bucket"], *key, change["version"], change["removed"]))
            rows = self.buckets.get(change["bucket"])
            if rows is None:
                continue
            if change["removed"]:
                rows.pop(key, None)
            else:
                rows[key] = change["data"]
        for name, cursor in body["cursors"].items():
            if name in self.cursors:
                self.cursors[name] = cursor
        self.adopt(body["buckets"])

    def sync(self, limit: int = 1000, max_pages: int = 10_000) -> None:
        for _ in range(max_pages):
            response = self.pull_once(limit)
            assert response.status_code == 200, response.text
            body = response.json()
            before = set(self.cursors)
            self.apply(body)
            self.pages += 1
            if not body["has_more"] and set(self.cursors) == before:
                return
        raise AssertionError("pull did not converge")

    def rows(self, table: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """The replica's rows (union over buckets), optionally of one table."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for rows in self.buckets.values():
            out.update({k: v for k, v in rows.items() if table is None or k[0] == table})
        return out

    def ids(self, table: str) -> set[str]:
        return {row_id for _, row_id in self.rows(table)}

    def view(self) -> dict[str, dict[tuple[str, str], int]]:
        return {b: {k: v["version"] for k, v in rows.items()} for b, rows in self.buckets.items()}

    def digest(self, bucket: str) -> tuple[int, int]:
        rows = self.buckets[bucket]
        return bucket_digest((t, i, data["version"]) for (t, i), data in rows.items())
