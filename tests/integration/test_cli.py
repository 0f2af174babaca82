"""``cnc-server`` against a real PostgreSQL: each refusal is one line, exit 1, nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from shared_models.models import RolePermission, Tenant, User
from shared_models.permissions import DEFAULT_GRANTS
from sync_server.cli import main
from sync_server.core.db import create_db_engine, session_scope

STRONG = "Blue-Heron-Maple-42"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, empty_db_url: str) -> str:
    monkeypatch.setenv("CNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    monkeypatch.delenv("CNC_NEW_USER_PASSWORD", raising=False)
    return empty_db_url


def _count(url: str, model: type) -> int:
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("cnc-server: error: ")
    return err[0]


def _create_tenant() -> int:
    return main(
        [
            "create-tenant",
            "--name",
            "Maple Movers",
            "--slug",
            "maple",
            "--hq-code",
            "TOR",
            "--hq-address",
            "1 Front St W",
            "--hq-city",
            "Toronto",
            "--hq-province",
            "ON",
            "--hq-postal-code",
            "M5J 2X5",
        ]
    )


def _create_user(
    email: str = "dana@maple.example", role: str = "DISPATCHER", password: str = STRONG
) -> int:
    return main(
        [
            "create-user",
            "--tenant",
            "maple",
            "--email",
            email,
            "--name",
            "Dana Smith",
            "--role",
            role,
            "--location",
            "TOR",
            "--password",
            password,
        ]
    )


def test_migrate_brings_an_empty_database_to_head(cli_env: str, capsys) -> None:
    assert main(["migrate"]) == 0
    assert "-> " in capsys.readouterr().out
    assert main(["migrate"]) == 0  # idempotent


def test_create_tenant_installs_the_permission_matrix_and_user_gets_argon2_hash(
    cli_env: str,
) -> None:
    assert _create_tenant() == 0
    assert _create_user() == 0
    assert _count(cli_env, RolePermission) == len(DEFAULT_GRANTS)
    engine = create_db_engine(cli_env)
    with session_scope(engine) as session:
        user = session.scalars(select(User)).one()
        assert user.password_hash.startswith("$argon2id$")
        assert user.version > 0 and user.tenant_id == session.scalars(select(Tenant.id)).one()
    engine.dispose()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "dana@maple.example"}, "already exists"),
        ({"email": "DANA@Maple.example"}, "already exists"),
        ({"email": "sam@maple.example", "role": "PILOT"}, "unknown role 'PILOT'"),
        ({"email": "sam@maple.example", "password": "password123"}, "too weak"),
        ({"email": "sam@maple.example", "password": "short"}, "at least 10"),
        ({"email": "not-an-email"}, "invalid email"),
    ],
)
def test_create_user_refuses_bad_input_with_one_line_and_writes_nothing(
    cli_env: str, capsys, kwargs: dict[str, str], message: str
) -> None:
    assert _create_tenant() == 0 and _create_user() == 0
    capsys.readouterr()
    assert _create_user(**kwargs) == 1
    assert message in _one_error_line(capsys)
    assert _count(cli_env, User) == 1


def test_migrate_gives_existing_tenants_the_grants_a_newer_matrix_added(
    cli_env: str, capsys
) -> None:
    assert _create_tenant() == 0
    engine = create_db_engine(cli_env)
    with engine.begin() as connection:  # as a tenant made before schedule_conflict grants
        gone = connection.execute(
            text("DELETE FROM role_permission WHERE resource = 'schedule_conflict'")
        ).rowcount
    assert gone > 0
    capsys.readouterr()
    assert main(["migrate"]) == 0
    assert f"{gone} default grants added" in capsys.readouterr().out
    assert _count(cli_env, RolePermission) == len(DEFAULT_GRANTS)
    with session_scope(engine) as session:
        versions = session.scalars(
            select(RolePermission.version).where(RolePermission.resource == "schedule_conflict")
        ).all()
    assert versions and all(v > 0 for v in versions)  # versioned: replicas pull them
    assert main(["migrate"]) == 0
    assert "grants added" not in capsys.readouterr().out
    engine.dispose()


def test_migrate_refuses_a_database_from_a_newer_version(cli_env: str, capsys) -> None:
    assert main(["migrate"]) == 0
    engine = create_db_engine(cli_env)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff00001111'"))
    capsys.readouterr()
    assert main(["migrate"]) == 1
    assert "newer version" in _one_error_line(capsys)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "ffff00001111"
    engine.dispose()


def test_serve_with_an_unreachable_database_exits_with_one_clear_line(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "CNC_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"postgresql://cnc:s3cret-pw@/cnc?host={tmp_path / 'no-server-here'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "sync_server.cli", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "unreachable" in lines[0] and "s3cret-pw" not in lines[0]


def test_seed_demo_loads_once_and_writes_the_demo_accounts(
    cli_env: str, capsys, tmp_path: Path
) -> None:
    import json

    from shared_models.models import Location
    from sync_server.db.models import BucketMembership

    assert main(["seed-demo", "--customers", "10"]) == 0
    out = capsys.readouterr().out
    assert "dispatcher@demo.cnc-crm.ca" in out
    accounts = json.loads((tmp_path / "data" / "demo-accounts.json").read_text())
    assert len(accounts["accounts"] if isinstance(accounts, dict) else accounts) == 50
    assert _count(cli_env, Location) == 43 and _count(cli_env, User) == 50
    assert _count(cli_env, BucketMembership) > 0  # replicas can pull what was seeded
    assert main(["seed-demo"]) == 1
    assert "already" in _one_error_line(capsys)
    assert _count(cli_env, User) == 50
