"""Health, metrics and the error shape, over real HTTP against a real PostgreSQL."""

from __future__ import annotations

import re
import uuid

import httpx
import psycopg
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import text

from sync_server import __version__
from sync_server.api.deps import SessionDep
from sync_server.app import create_app
from tests.utils.pg import libpq_uri, render_url
from tests.utils.server import live_server, make_test_settings, serve_app


def test_healthz_is_green_on_a_reachable_database(empty_db_url: str) -> None:
    with live_server(empty_db_url) as base:
        response = httpx.get(f"{base}/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "schema_revision": None,
        "version": __version__,
    }


def test_healthz_reports_the_alembic_revision(empty_db_url: str) -> None:
    with psycopg.connect(libpq_uri(empty_db_url), autocommit=True) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('abc123def456')")
    with live_server(empty_db_url) as base:
        assert httpx.get(f"{base}/healthz").json()["schema_revision"] == "abc123def456"


def _assert_database_unavailable(response: httpx.Response, password: str) -> None:
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "database_unavailable"
    assert body["message"]
    assert body["details"]["database"] == "unavailable"
    assert password not in response.text


def test_healthz_is_503_when_the_database_does_not_exist(pg_server_url: str) -> None:
    from sqlalchemy.engine import make_url

    missing = make_url(pg_server_url).set(
        database=f"missing_{uuid.uuid4().hex}", password="s3cr3t-pw"
    )
    with live_server(render_url(missing)) as base:
        _assert_database_unavailable(httpx.get(f"{base}/healthz"), "s3cr3t-pw")


def test_healthz_is_503_when_no_server_listens(tmp_path) -> None:
    url = f"postgresql://postgres:s3cr3t-pw@/cnc?host={tmp_path}"
    with live_server(url) as base:
        _assert_database_unavailable(httpx.get(f"{base}/healthz"), "s3cr3t-pw")
        metrics = httpx.get(f"{base}/metrics").text
    assert "cnc_database_up 0" in metrics.splitlines()


class _ItemCreate(BaseModel):
    name: str = Field(min_length=1)
    quantity: int


_test_router = APIRouter(prefix="/_test")


@_test_router.post("/items")
def _create_item(item: _ItemCreate) -> dict[str, str]:
    return {"name": item.name}


@_test_router.get("/count")
def _count(session: SessionDep) -> dict[str, int]:
    return {"n": session.execute(text("SELECT count(*) FROM pg_class")).scalar_one()}


@_test_router.get("/bad-sql")
def _bad_sql(session: SessionDep) -> None:
    session.execute(text("SELECT * FROM no_such_table"))


@_test_router.get("/boom")
def _boom() -> None:
    raise RuntimeError("internal detail: password=hunter2")


@pytest.fixture
def extended_server(empty_db_url: str):
    """The real app plus a test-only router (never part of the app itself)."""
    app = create_app(make_test_settings(database_url=empty_db_url))
    app.include_router(_test_router)
    with serve_app(app) as base:
        yield base


def test_malformed_body_is_422_validation_failed_with_field_paths(extended_server: str) -> None:
    response = httpx.post(f"{extended_server}/_test/items", json={"name": "", "quantity": "many"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed"
    paths = {field["path"] for field in body["details"]["fields"]}
    assert paths == {"body.name", "body.quantity"}
    assert all(field["message"] for field in body["details"]["fields"])


def test_body_that_is_not_json_is_422(extended_server: str) -> None:
    response = httpx.post(
        f"{extended_server}/_test/items",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "validation_failed"


def test_unhandled_exception_is_500_internal_error_without_internals(extended_server: str) -> None:
    response = httpx.get(f"{extended_server}/_test/boom", headers={"X-Request-ID": "req-boom-1"})
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    assert response.headers["x-request-id"] == "req-boom-1"


def test_session_dependency_reads_the_database(extended_server: str) -> None:
    response = httpx.get(f"{extended_server}/_test/count")
    assert response.status_code == 200 and response.json()["n"] > 0


def test_a_failing_statement_is_500_not_503(extended_server: str) -> None:
    response = httpx.get(f"{extended_server}/_test/bad-sql")
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
    assert "no_such_table" not in response.text


def test_lost_database_inside_a_route_is_503(tmp_path) -> None:
    app = create_app(make_test_settings(database_url=f"postgresql://postgres@/cnc?host={tmp_path}"))
    app.include_router(_test_router)
    with serve_app(app) as base:
        response = httpx.get(f"{base}/_test/count")
    assert response.status_code == 503
    assert response.json()["error"] == "database_unavailable"
    assert str(tmp_path) not in response.text


def test_unknown_path_is_404_not_found_json(empty_db_url: str) -> None:
    with live_server(empty_db_url) as base:
        response = httpx.get(f"{base}/v1/no-such-thing")
        wrong_method = httpx.delete(f"{base}/healthz")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "Not Found", "details": {}}
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"


def test_request_id_is_echoed_or_generated(empty_db_url: str) -> None:
    with live_server(empty_db_url) as base:
        echoed = httpx.get(f"{base}/healthz", headers={"X-Request-ID": "abc-123"})
        generated = httpx.get(f"{base}/healthz")
        rejected = httpx.get(f"{base}/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert echoed.headers["x-request-id"] == "abc-123"
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", rejected.headers["x-request-id"])


def test_metrics_count_requests_per_route_and_status(empty_db_url: str) -> None:
    with live_server(empty_db_url) as base:
        for _ in range(3):
            httpx.get(f"{base}/healthz")
        httpx.get(f"{base}/nowhere")
        response = httpx.get(f"{base}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = response.text.splitlines()
    assert 'cnc_http_requests_total{method="GET",route="/healthz",status="200"} 3' in lines
    assert 'cnc_http_requests_total{method="GET",route="<unmatched>",status="404"} 1' in lines
    assert (
        'cnc_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 3'
        in lines
    )
    assert any(
        line.startswith('cnc_http_request_duration_seconds_bucket{method="GET",route="/healthz",')
        and 'le="+Inf"' in line
        and line.endswith(" 3")
        for line in lines
    )
    assert "cnc_database_up 1" in lines
