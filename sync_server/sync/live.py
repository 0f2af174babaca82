"""The live channel (DESIGN 5): PostgreSQL LISTEN/NOTIFY fanned out to SSE subscribers.

Writers call ``notify_buckets`` inside their transaction; PostgreSQL delivers
the notification only on commit, so a client told "your bucket changed"
always finds the change when it pulls. One listener connection per server
process (``LiveHub``) serves every subscriber; any number of processes can
listen on one database (the server stays stateless).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session

from sync_server.core.logging import get_logger

__all__ = ["CHANNEL", "LiveHub", "Subscription", "notify_buckets", "sse_stream"]

CHANNEL = "cnc_sync"
#: NOTIFY payloads must stay under 8000 bytes; beyond it the whole tenant is told.
MAX_PAYLOAD = 7900
HEARTBEAT_S = 15.0
log = get_logger(__name__)


def notify_buckets(session: Session, tenant_id: uuid.UUID, buckets: Iterable[str]) -> None:
    """Queue a notification for ``buckets``; sent by PostgreSQL when the transaction commits."""
    names = sorted(set(buckets))
    if not names:
        return
    payload = json.dumps({"tenant_id": str(tenant_id), "buckets": names})
    if len(payload) > MAX_PAYLOAD:
        payload = json.dumps({"tenant_id": str(tenant_id), "buckets": None})
    session.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload}
    )


class Subscription:
    """One SSE client: its buckets and the changes not yet sent (coalesced)."""

    def __init__(self, tenant_id: str, buckets: Iterable[str]) -> None:
        self.tenant_id = tenant_id
        self.buckets = frozenset(buckets)
        self.pending: set[str] = set()
        self.wakeup = asyncio.Event()

    def offer(self, buckets: Iterable[str] | None) -> None:
        hit = self.buckets if buckets is None else self.buckets.intersection(buckets)
        if hit:
            self.pending |= hit
            self.wakeup.set()

    def take(self) -> list[str]:
        names, self.pending = sorted(self.pending), set()
        self.wakeup.clear()
        return names


class LiveHub:
    """The process's LISTEN connection and its subscribers, on one event loop."""

    def __init__(self, conninfo: str, *, retry_s: float = 1.0) -> None:
        self.conninfo = conninfo
        self.retry_s = retry_s
        self.listening = asyncio.Event()
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, tenant_id: uuid.UUID, buckets: Iterable[str]) -> Subscription:
        sub = Subscription(str(tenant_id), buckets)
        self._subs[sub.tenant_id].add(sub)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen(), name="cnc-live")
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.tenant_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.tenant_id]

    def dispatch(self, payload: str) -> None:
        try:
            message = json.loads(payload)
            tenant, buckets = str(message["tenant_id"]), message.get("buckets")
        except (ValueError, KeyError, TypeError):
            log.warning("live_bad_payload", payload=payload[:200])
            return
        for sub in tuple(self._subs.get(tenant, ())):
            sub.offer(buckets)

    async def _listen(self) -> None:
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    if not first:  # notifications may have been lost while disconnected
                        for subs in self._subs.values():
                            for sub in tuple(subs):
                                sub.offer(None)
                    first = False
                    self.listening.set()
                    async for notify in conn.notifies():
                        self.dispatch(notify.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - database restarts: retry, never die
                log.warning("live_listener_lost", error=str(exc))
            self.listening.clear()
            await asyncio.sleep(self.retry_s)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


async def sse_stream(
    hub: LiveHub, sub: Subscription, *, heartbeat_s: float = HEARTBEAT_S
) -> AsyncIterator[str]:
    """``ready`` once, then ``changed`` with bucket names; a comment line as heartbeat."""
    try:
        # "ready" means LISTEN is active: no commit after it can go unheard.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(hub.listening.wait(), 5.0)
        yield _event("ready", {"buckets": sorted(sub.buckets)})
        while True:
            try:
                await asyncio.wait_for(sub.wakeup.wait(), heartbeat_s)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            yield _event("changed", {"buckets": sub.take()})
    finally:
        hub.unsubscribe(sub)
