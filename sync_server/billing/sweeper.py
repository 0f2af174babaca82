"""The OVERDUE sweep as a background task of the server: at start, then every interval.

It runs in a worker thread (the sweep is blocking database work) and never
stops the server: a failed run is logged and the next one tries again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sync_server.billing.overdue import sweep_overdue
from sync_server.core.logging import get_logger

log = get_logger(__name__)


async def run_overdue_sweeps(sessions: Callable[[], Session], interval_s: float) -> None:
    """Sweep now and then every ``interval_s`` seconds until cancelled."""
    while True:
        try:
            await run_in_threadpool(sweep_overdue, sessions)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the server keeps running; next run retries
            log.warning("overdue_sweep_failed", error=type(exc).__name__, reason=str(exc)[:300])
        await asyncio.sleep(interval_s)


def start_overdue_sweeps(
    sessions: Callable[[], Session], interval_s: float
) -> asyncio.Task[None] | None:
    """The running task, or None when the sweep is switched off (interval 0)."""
    if interval_s <= 0:
        return None
    return asyncio.create_task(run_overdue_sweeps(sessions, interval_s), name="overdue-sweep")


async def stop_overdue_sweeps(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
