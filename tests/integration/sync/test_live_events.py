"""The live channel over real HTTP: a committed write reaches the right subscribers in < 1 s."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from shared_models.enums import UserRole
from sync_server.app import create_app
from sync_server.core.db import create_db_engine
from tests.integration.sync.scope_world import commit, customer, make_tenant
from tests.utils.auth import bearer, login_ok
from tests.utils.server import make_test_settings, serve_app


class EventReader:
    """Reads one SSE stream in a thread; events land in ``events`` as (name, data, at)."""

    def __init__(self, base: str, token: str) -> None:
        self.events: queue.Queue[tuple[str, str, float]] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(base, token), daemon=True)
        self._thread.start()

    def _run(self, base: str, token: str) -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(10, read=30)) as client,
            client.stream("GET", f"{base}/v1/sync/events", headers=bearer(token)) as response,
        ):
            name = ""
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith(":"):
                    self.events.put(("heartbeat", "", time.monotonic()))
                elif line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    self.events.put((name, line[6:], time.monotonic()))

    def next(self, name: str, timeout: float = 5.0) -> tuple[str, float]:
        deadline = time.monotonic() + timeout
        while True:
            got, data, at = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if got == name:
                return data, at

    def close(self) -> None:
        self._stop.set()


@pytest.fixture
def live(migrated_db_url: str) -> Iterator[tuple[str, object, object]]:
    engine = create_db_engine(migrated_db_url)
    a = make_tenant(
        engine, "acme", {"disp": (UserRole.DISPATCHER, 0), "disp2": (UserRole.DISPATCHER, 1)}
    )
    app = create_app(make_test_settings(database_url=migrated_db_url))
    app.state.sse_heartbeat_s = 0.3
    with serve_app(app) as base:
        yield base, engine, a
    engine.dispose()


def test_a_committed_write_is_announced_within_a_second(live) -> None:
    base, engine, a = live
    disp = login_ok(base, a.accounts["disp"])
    disp2 = login_ok(base, a.accounts["disp2"])
    mine, other = EventReader(base, disp["access_token"]), EventReader(base, disp2["access_token"])
    assert mine.next("ready")[0] and other.next("ready")[0]
    mine.next("heartbeat", timeout=2)

    started = time.monotonic()
    commit(engine, a.id, customer(a, 0, "c1"))
    data, at = mine.next("changed", timeout=2)
    assert at - started < 1.0
    assert f"location_sales:{a.locations[0]}" in data
    assert all(b in disp["buckets"] for b in __import__("json").loads(data)["buckets"])
    # The other branch's dispatcher hears nothing of branch 0 ...
    with pytest.raises(queue.Empty):
        other.next("changed", timeout=0.5)
    # ... and a client that went away does not break the channel for the rest.
    mine.close()
    commit(engine, a.id, customer(a, 1, "c2"))
    data, _ = other.next("changed", timeout=2)
    assert f"location_sales:{a.locations[1]}" in data
    again = EventReader(base, disp["access_token"])
    again.next("ready")
    commit(engine, a.id, customer(a, 0, "c3"))
    assert f"location_sales:{a.locations[0]}" in again.next("changed", timeout=2)[0]
    other.close()
    again.close()
