"""Request and response bodies of the ``/v1`` protocol (DESIGN 5), exactly as on the wire.

Field names are part of the protocol: older clients and other tools speak it,
so a rename is a new protocol version, never an edit here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# pydantic needs typing_extensions' TypedDict on Python < 3.12.
from typing_extensions import TypedDict

from shared_models.sync.shapes import LATEST_SCHEMA

#: Bumped when a request or response shape changes incompatibly.
PROTOCOL_VERSION = 1
#: Shape of the synced tables this code speaks (``shapes``): which tables and columns
#: a pull may carry. Not the replica file's own layout (client/replica/schema.py).
SCHEMA_VERSION = LATEST_SCHEMA
#: Headers every client request carries, so the server can refuse or upgrade old clients.
PROTOCOL_HEADER = "X-CNC-Protocol"
SCHEMA_HEADER = "X-CNC-Schema"

MAX_PULL_LIMIT = 5000
DEFAULT_PULL_LIMIT = 1000
MAX_PUSH_MUTATIONS = 5000
MAX_BUCKETS_PER_PULL = 200
#: Photos and signatures travel inside rows: counts alone do not bound memory. The
#: server refuses bodies over MAX_REQUEST_BYTES; a client cuts its pushes at
#: PUSH_BATCH_BYTES, the server its pull pages at PULL_PAGE_BYTES (a single row
#: larger than that still comes, alone).
MAX_REQUEST_BYTES = 64 * 1024 * 1024
PUSH_BATCH_BYTES = 8 * 1024 * 1024
PULL_PAGE_BYTES = 8 * 1024 * 1024

Op = Literal["insert", "update", "delete"]
MutationStatus = Literal["applied", "merged", "conflict_resolved", "rejected"]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReplyModel(WireModel):
    """A server answer: fields a newer server adds are ignored, so older clients keep working."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class LoginRequest(WireModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    device_name: str = Field(min_length=1, max_length=120)
    platform: str | None = Field(default=None, max_length=32)
    app_version: str | None = Field(default=None, max_length=32)
    #: A device signing in again keeps its id (and its push watermark).
    device_id: uuid.UUID | None = None


class UserProfile(ReplyModel):
    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    full_name: str
    role: str
    scope: str
    location_id: uuid.UUID


class LoginResponse(ReplyModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    device_id: uuid.UUID
    user: UserProfile
    buckets: list[str]
    #: The replica key lease (DESIGN 7): base64 device key and its expiry.
    lease_key: str | None = None
    lease_expires_at: str | None = None


class RefreshRequest(WireModel):
    refresh_token: str = Field(min_length=16, max_length=512)


class LogoutRequest(WireModel):
    refresh_token: str = Field(min_length=16, max_length=512)


class PullRequest(WireModel):
    #: Bucket name -> the last version this replica holds of it (0 = bootstrap).
    buckets: dict[str, int] = Field(max_length=MAX_BUCKETS_PER_PULL)
    limit: int = Field(default=DEFAULT_PULL_LIMIT, ge=1, le=MAX_PULL_LIMIT)


#: A row id as PostgreSQL renders ``uuid::text``: canonical, lowercase.
RowIdText = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]


class Change(TypedDict):
    """One entry of a pull page.

    A plain validated dict rather than a model: a bootstrap parses ~230,000 of
    them, and model instances with ``uuid.UUID`` ids cost twice the parse time
    (34 vs 20 ms for a 5,000-change page). The id stays text, as the replica
    stores it in ``row_bucket``.
    """

    __pydantic_config__ = ConfigDict(extra="ignore")  # type: ignore[misc]

    bucket: str
    table: str
    id: RowIdText
    version: int
    removed: NotRequired[bool]
    #: The row's columns by name (None when removed); see shared_models.sync.codec.
    data: NotRequired[dict[str, Any] | None]


class PullResponse(ReplyModel):
    changes: list[Change]
    cursors: dict[str, int]
    has_more: bool
    #: The user's current bucket set: new ones start at 0, missing ones are purged.
    buckets: list[str]


def next_cursors(
    asked: Mapping[str, int], answered: Mapping[str, int], buckets: Iterable[str]
) -> dict[str, int]:
    """The cursors of the pull that follows a page: each of the user's current ``buckets``
    where the page left it (``answered``), else where it was ``asked``, else at 0.

    The client asks exactly this next (its replica's cursors once the page is
    applied); the server renders that page ahead while the client is busy.
    """
    return {b: int(answered.get(b, asked.get(b, 0))) for b in buckets}


class Mutation(WireModel):
    mutation_id: int = Field(gt=0)
    table: str = Field(min_length=1, max_length=64)
    op: Op
    id: uuid.UUID
    base_version: int | None = Field(default=None, ge=0)
    #: Old values of the fields changed, as the client saw them (three-way merge).
    base: dict[str, Any] = Field(default_factory=dict)
    changes: dict[str, Any] = Field(default_factory=dict)
    #: Hybrid logical clock of the edit (shared_models.sync.hlc).
    hlc: str = Field(min_length=1, max_length=64)


class PushRequest(WireModel):
    device_id: uuid.UUID
    mutations: list[Mutation] = Field(max_length=MAX_PUSH_MUTATIONS)


class FieldConflictResult(ReplyModel):
    """One field both sides changed: which value the row now holds, and why."""

    field: str
    reason: str
    winner: Literal["client", "server"]
    #: Wire-encoded, as in ``row``.
    client_value: Any = None
    server_value: Any = None
    message: str | None = None


class MutationResult(ReplyModel):
    mutation_id: int
    status: MutationStatus
    reason: str | None = None
    message: str | None = None
    #: The row as the server now holds it (None when rejected for a missing row).
    row: dict[str, Any] | None = None
    #: For ``conflict_resolved``: every field whose two edits collided.
    conflicts: list[FieldConflictResult] = Field(default_factory=list)


class PushResponse(ReplyModel):
    results: list[MutationResult]
    last_mutation_id: int


class BucketChecksum(ReplyModel):
    count: int
    #: Sum of 64-bit hashes mod 2**64, as a decimal string (JSON numbers lose bits).
    digest: str


class ChecksumsResponse(ReplyModel):
    buckets: dict[str, BucketChecksum]


class ErrorBody(ReplyModel):
    error: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)
