"""An in-process ``SyncProtocol``: a tiny, honest server for engine tests without sockets.

Versions from one counter, a membership log per bucket, exactly-once push by
``mutation_id``, rejections for locked/deleted/out-of-scope rows, checksums
computed like the real server (live members only).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from client.sync.errors import AuthExpired, DeviceRevoked, SyncError
from client.sync.protocol import Tokens
from shared_models.sync.checksum import bucket_digest
from shared_models.sync.codec import encode_row, synced_table
from shared_models.sync.wire import (
    BucketChecksum,
    Change,
    ChecksumsResponse,
    LoginRequest,
    LoginResponse,
    MutationResult,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    UserProfile,
)

TENANT = uuid.UUID("0190a000-0000-7000-8000-000000000001")
LOCATION = uuid.UUID("0190a000-0000-7000-8000-000000000002")
USER = uuid.UUID("0190a000-0000-7000-8000-000000000003")
BUCKET = f"location_sales:{LOCATION}"


def customer_data(row_id: uuid.UUID, last_name: str, **extra: Any) -> dict[str, Any]:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    row = {
        "id": row_id,
        "tenant_id": TENANT,
        "location_id": LOCATION,
        "customer_type": "RESIDENTIAL",
        "last_name": last_name,
        "first_name": None,
        "company_name": None,
        "email": None,
        "phone": None,
        "city": None,
        "country": "CA",
        "preferred_language": "en",
        "tax_exempt": False,
        "is_active": True,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "version": 0,
        **extra,
    }
    table = synced_table("customer")
    return encode_row(table, {c.name: row.get(c.name) for c in table.columns})


class FakeServer:
    def __init__(self, buckets: list[str] | None = None) -> None:
        self.version = 0
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.log: list[tuple[int, str, str, str, bool]] = []
        self.members: dict[str, set[tuple[str, str]]] = {}
        self.user_buckets = list(buckets or [BUCKET])
        self.last_mutation: dict[str, int] = {}
        self.receipts: dict[tuple[str, int], MutationResult] = {}
        self.locked: set[tuple[str, str]] = set()
        self.failures: list[SyncError] = []
        self.token = "token-1"
        self.revoked = False
        self.calls: list[str] = []
        self.on_push: Callable[[PushRequest], None] | None = None

    # -- server-side writes -------------------------------------------------------
    def put(self, table: str, data: dict[str, Any], bucket: str = BUCKET) -> int:
        self.version += 1
        key = (table, str(data["id"]))
        self.rows[key] = {**data, "version": self.version}
        for b in self._buckets_of(key) | {bucket}:
            self.members.setdefault(b, set()).add(key)
            self.log.append((self.version, b, *key, False))
        return self.version

    def remove(self, table: str, row_id: str, bucket: str = BUCKET) -> None:
        self.version += 1
        self.members.get(bucket, set()).discard((table, str(row_id)))
        self.log.append((self.version, bucket, table, str(row_id), True))

    def _buckets_of(self, key: tuple[str, str]) -> set[str]:
        return {b for b, keys in self.members.items() if key in keys}

    def _check(self, name: str, token: str | None) -> None:
        self.calls.append(name)
        if self.failures:
            raise self.failures.pop(0)
        if self.revoked:
            raise DeviceRevoked("revoked")
        if token is not None and token != self.token:
            raise AuthExpired("token_expired")

    # -- the protocol -----------------------------------------------------------------
    def login(self, request: LoginRequest) -> LoginResponse:
        self._check("login", None)
        return LoginResponse(
            access_token=self.token,
            refresh_token="refresh-1",
            expires_in=900,
            device_id=request.device_id or uuid.uuid4(),
            user=UserProfile(
                id=USER,
                tenant_id=TENANT,
                email=request.email,
                full_name="T",
                role="dispatcher",
                scope="location",
                location_id=LOCATION,
            ),
            buckets=self.user_buckets,
        )

    def refresh(self, refresh_token: str) -> Tokens:
        self._check("refresh", None)
        return Tokens(access_token=self.token, refresh_token="refresh-2", expires_in=900)

    def logout(self, refresh_token: str) -> None:
        self._check("logout", None)

    def pull(self, request: PullRequest, *, token: str) -> PullResponse:
        self._check("pull", token)
        wanted = {b: c for b, c in request.buckets.items() if b in self.user_buckets}
        entries = sorted(e for e in self.log if e[1] in wanted and e[0] > wanted[e[1]])
        page, more = entries[: request.limit], len(entries) > request.limit
        cursors = {}
        for b in wanted:
            seen = [e[0] for e in page if e[1] == b]
            cursors[b] = self.version if not more else max(seen, default=wanted[b])
        changes = [
            Change(
                bucket=b,
                table=t,
                id=uuid.UUID(i),
                version=self.rows[(t, i)]["version"],
                removed=removed,
                data=None if removed else self.rows[(t, i)],
            )
            for _, b, t, i, removed in page
        ]
        return PullResponse(
            changes=changes, cursors=cursors, has_more=more, buckets=self.user_buckets
        )

    def push(self, request: PushRequest, *, token: str) -> PushResponse:
        self._check("push", token)
        if self.on_push:
            self.on_push(request)
        device = str(request.device_id)
        results = []
        for m in request.mutations:
            if m.mutation_id <= self.last_mutation.get(device, 0):
                results.append(self.receipts[(device, m.mutation_id)])
                continue
            result = self._apply(m)
            self.receipts[(device, m.mutation_id)] = result
            self.last_mutation[device] = m.mutation_id
            results.append(result)
        return PushResponse(results=results, last_mutation_id=self.last_mutation.get(device, 0))

    def _apply(self, m: Any) -> MutationResult:
        key = (m.table, str(m.id))
        if m.op == "insert":
            self.put(m.table, {**m.changes, "id": str(m.id)}, self.user_buckets[0])
            return MutationResult(mutation_id=m.mutation_id, status="applied", row=self.rows[key])
        row = self.rows.get(key)
        if row is None or row.get("deleted_at"):
            return MutationResult(
                mutation_id=m.mutation_id, status="rejected", reason="row_deleted", row=row
            )
        if not any(key in self.members.get(b, set()) for b in self.user_buckets):
            return MutationResult(
                mutation_id=m.mutation_id,
                status="rejected",
                reason="permission_denied",
                message="not in your scope",
            )
        if key in self.locked:
            return MutationResult(
                mutation_id=m.mutation_id,
                status="rejected",
                reason="locked",
                message="quote accepted",
                row=row,
            )
        if m.op == "delete":
            new = {**row, "deleted_at": "2025-01-02T00:00:00+00:00"}
            self.put(m.table, new)
            for b in self._buckets_of(key):
                self.remove(m.table, str(m.id), b)
        else:
            self.put(m.table, {**row, **m.changes}, next(iter(self._buckets_of(key))))
        return MutationResult(mutation_id=m.mutation_id, status="applied", row=self.rows[key])

    def checksums(self, buckets: list[str], *, token: str) -> ChecksumsResponse:
        self._check("checksums", token)
        out = {}
        for b in buckets:
            live = [(t, i, self.rows[(t, i)]["version"]) for t, i in self.members.get(b, set())]
            count, digest = bucket_digest(live)
            out[b] = BucketChecksum(count=count, digest=str(digest))
        return ChecksumsResponse(buckets=out)
