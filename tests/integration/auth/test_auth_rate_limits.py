"""Rate limits live in PostgreSQL: shared by every server process, pruned as they age."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends
from sqlalchemy import func, select

from sync_server.api import auth_deps
from sync_server.api.auth_deps import CurrentPrincipal, sync_guard
from sync_server.app import create_app
from sync_server.core.db import create_db_engine, session_scope
from sync_server.core.ratelimit import Limit, RateLimiter, RateLimits
from sync_server.db.models import RateLimitCounter
from tests.integration.auth.conftest import LiveServer
from tests.utils.auth import World, bearer, login, login_ok
from tests.utils.server import make_test_settings, serve_app

REPO = Path(__file__).resolve().parents[3]


def _assert_429(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["error"] == "rate_limited"
    retry = int(response.headers["Retry-After"])
    assert 1 <= retry <= 15 * 60
    assert body["details"] == {"retry_after_s": retry}


def test_the_sixth_wrong_password_is_rate_limited(server: LiveServer, world: World) -> None:
    for _ in range(5):
        assert login(server.base, world.dispatcher_a, password="guess").status_code == 401
    _assert_429(login(server.base, world.dispatcher_a, password="guess"))
    # Even the right password waits now: the attacker cannot tell which guess was right.
    _assert_429(login(server.base, world.dispatcher_a))
    # Other accounts are not locked out by it.
    login_ok(server.base, world.admin_a)


def test_successful_sign_ins_do_not_count_as_failures(server: LiveServer, world: World) -> None:
    for _ in range(4):
        assert login(server.base, world.admin_a, password="typo").status_code == 401
    for _ in range(3):
        login_ok(server.base, world.admin_a)
    assert login(server.base, world.admin_a, password="typo").status_code == 401
    _assert_429(login(server.base, world.admin_a, password="typo"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_processes(
    auth_db_url: str, world: World, secrets_env: dict[str, str], tmp_path: Path
) -> Iterator[list[str]]:
    """Two separate server processes on one database (a load balancer's view)."""
    procs: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        for n in range(2):
            port = _free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("CNC_")}
            env.update(
                DATABASE_URL=auth_db_url,
                CNC_ENVIRONMENT="test",
                CNC_SECRET_KEY=secrets_env["secret_key"],
                CNC_ENCRYPTION_KEY=secrets_env["encryption_key"],
                CNC_DATA_DIR=str(tmp_path / f"server{n}"),
                CNC_PORT=str(port),
                CNC_LOG_LEVEL="WARNING",
                PYTHONPATH=str(REPO),
            )
            code = "from sync_server.core.server import run_server; run_server()"
            procs.append(subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env))
            bases.append(f"http://127.0.0.1:{port}")
        for proc, base in zip(procs, bases, strict=True):
            _wait_healthy(base, proc)
        yield bases
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "a server exited during start-up"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{base} did not turn healthy in {timeout_s}s")


def test_the_limit_holds_across_two_server_processes(
    two_processes: list[str], world: World
) -> None:
    first, second = two_processes
    for attempt in range(5):
        base = two_processes[attempt % 2]
        assert login(base, world.dispatcher_a, password="guess").status_code == 401
    _assert_429(login(second, world.dispatcher_a, password="guess"))
    _assert_429(login(first, world.dispatcher_a, password="guess"))
    # A session opened on one process is refreshed on the other: nothing lives in memory.
    body = login_ok(first, world.admin_a)
    rotated = httpx.post(f"{second}/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    replay = httpx.post(f"{first}/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert replay.json()["error"] == "token_invalid"


def test_sync_requests_are_limited_per_user(
    auth_db_url: str, world: World, secrets_env: dict[str, str]
) -> None:
    app = create_app(make_test_settings(database_url=auth_db_url, **secrets_env))
    app.state.rate_limits = RateLimits(sync_per_user=Limit("sync_user", 3, 60))
    probe = APIRouter(prefix="/v1/sync", dependencies=[Depends(sync_guard)])

    @probe.get("/_probe")
    def read_probe(principal: CurrentPrincipal) -> dict[str, str]:
        return {"user": str(principal.user_id)}

    app.include_router(probe)
    with serve_app(app) as base:
        dispatcher = bearer(login_ok(base, world.dispatcher_a)["access_token"])
        admin = bearer(login_ok(base, world.admin_a)["access_token"])
        for _ in range(3):
            assert httpx.get(f"{base}/v1/sync/_probe", headers=dispatcher).status_code == 200
        limited = httpx.get(f"{base}/v1/sync/_probe", headers=dispatcher)
        assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
        assert int(limited.headers["Retry-After"]) <= 60
        assert httpx.get(f"{base}/v1/sync/_probe", headers=admin).status_code == 200
        # Auth routes are not sync routes: signing in is not counted here.
        login_ok(base, world.dispatcher_a)


def test_a_sync_request_verifies_its_access_token_once(
    server: LiveServer, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    verify = auth_deps.decode_access_token

    def counted(token: str, **kwargs: Any) -> Any:
        checks.append(token)
        return verify(token, **kwargs)

    monkeypatch.setattr(auth_deps, "decode_access_token", counted)
    token = login_ok(server.base, world.dispatcher_a)["access_token"]
    pulled = httpx.post(
        f"{server.base}/v1/sync/pull", headers=bearer(token), json={"buckets": {}, "limit": 1}
    )
    assert pulled.status_code == 200, pulled.text
    assert checks == [token]  # the guard's check serves the route's principal too
    # Routes outside /v1/sync have no guard: the principal checks the token itself.
    other = login_ok(server.base, world.admin_a)["access_token"]
    assert httpx.get(f"{server.base}/v1/calendar/feeds", headers=bearer(other)).status_code == 200
    assert checks[-1] == other


def test_counters_are_upserted_refunded_and_pruned(auth_db_url: str) -> None:
    engine = create_db_engine(auth_db_url)
    limiter, limit = RateLimiter(engine), Limit("t", 2, 60)
    try:
        hits = [limiter.hit(limit, "10.0.0.1") for _ in range(3)]
        assert [h.count for h in hits] == [1, 2, 3] and hits[-1].exceeded
        limiter.refund(hits[-1])
        assert limiter.current(limit, "10.0.0.1").count == 2
        assert limiter.current(limit, "10.0.0.2").count == 0
        long_subject = "x" * 400
        assert limiter.hit(limit, long_subject).key.startswith("t:sha256:")
        old = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        limiter.hit(limit, "10.0.0.1", now=old)
        assert limiter.prune() == 1
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(RateLimitCounter)) == 2
    finally:
        engine.dispose()
