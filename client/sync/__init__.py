"""Headless sync library (no Qt): outbox, download state, phases, engine, loop, protocol."""

from __future__ import annotations

from client.sync.backoff import Backoff, call_with_retries
from client.sync.engine import SyncEngine, SyncReport, TokenSource
from client.sync.errors import (
    AuthExpired,
    DeviceRevoked,
    InvalidCredentials,
    PermissionDeniedError,
    ProtocolError,
    RateLimited,
    SchemaOutdated,
    ServerUnavailable,
    SessionExpired,
    SyncError,
    ValidationFailed,
)
from client.sync.loop import SyncLoop
from client.sync.protocol import HttpSyncProtocol, SyncProtocol, Tokens
from client.sync.status import SyncStatus

__all__ = [
    "AuthExpired",
    "Backoff",
    "DeviceRevoked",
    "HttpSyncProtocol",
    "InvalidCredentials",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimited",
    "SchemaOutdated",
    "ServerUnavailable",
    "SessionExpired",
    "SyncEngine",
    "SyncError",
    "SyncLoop",
    "SyncProtocol",
    "SyncReport",
    "SyncStatus",
    "TokenSource",
    "Tokens",
    "ValidationFailed",
    "call_with_retries",
]
