"""Per-tenant Stripe credentials sealed in ``encrypted_data``, and ``cnc-server configure-stripe``."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shared_models.models import EncryptedData, Integration, Tenant
from sync_server.cli import main
from sync_server.core.db import session_scope
from sync_server.payments.credentials import (
    configure_stripe,
    integration_stripe,
    tenant_stripe,
)
from tests.integration.billing.conftest import World

KEY = secrets.token_bytes(32)
API_KEY = "sk_test_" + "SealedKey1" * 3
HOOK = "whsec_" + "SealedHook" * 3


def _configure(engine: Engine, tenant: object, api_key: str = API_KEY, hook: str = HOOK):
    with session_scope(engine) as s:
        return configure_stripe(
            s, tenant=s.get(Tenant, tenant), api_key=api_key, webhook_secret=hook, server_key=KEY
        ).id


def test_secrets_are_sealed_and_open_only_with_the_server_key(engine: Engine, world: World) -> None:
    integration_id = _configure(engine, world.tenant)
    with Session(engine) as s:
        integration = s.get(Integration, integration_id)
        sealed = s.get(EncryptedData, integration.credentials_ref)
        assert (integration.provider, integration.type, integration.status) == (
            "stripe",
            "PAYMENT",
            "ACTIVE",
        )
        assert integration.config == {"mode": "test"}
        assert API_KEY.encode() not in sealed.ciphertext and HOOK.encode() not in sealed.ciphertext
        assert sealed.algorithm == "AES-256-GCM" and len(sealed.nonce) == 12
        opened = tenant_stripe(s, world.tenant, server_key=KEY)
        assert (opened.api_key, opened.webhook_secret) == (API_KEY, HOOK)
        assert API_KEY not in repr(opened) and HOOK not in repr(opened)
        assert tenant_stripe(s, world.tenant, server_key=secrets.token_bytes(32)) is None
        assert tenant_stripe(s, world.other_tenant, server_key=KEY) is None


def test_sealed_secrets_copied_onto_another_tenants_row_do_not_open(
    engine: Engine, world: World
) -> None:
    maple = _configure(engine, world.tenant)
    birch = _configure(engine, world.other_tenant, "sk_test_" + "BirchKey99" * 3)
    with session_scope(engine) as s:
        theirs = s.get(EncryptedData, s.get(Integration, birch).credentials_ref)
        ours = s.get(EncryptedData, s.get(Integration, maple).credentials_ref)
        theirs.ciphertext, theirs.nonce = ours.ciphertext, ours.nonce
    with Session(engine) as s:
        assert integration_stripe(s, birch, server_key=KEY) is None
        assert integration_stripe(s, maple, server_key=KEY).api_key == API_KEY


def test_configuring_again_replaces_the_secrets_in_place(engine: Engine, world: World) -> None:
    first = _configure(engine, world.tenant)
    second = _configure(engine, world.tenant, "sk_live_" + "NewLiveKey" * 3)
    assert first == second
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Integration)) == 1
        assert s.scalar(select(func.count()).select_from(EncryptedData)) == 1
        opened = tenant_stripe(s, world.tenant, server_key=KEY)
        assert opened.api_key.startswith("sk_live_")
        assert s.get(Integration, first).config == {"mode": "live"}


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, write_db_url: str) -> bytes:
    monkeypatch.setenv("CNC_ENVIRONMENT", "test")
    monkeypatch.setenv("CNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", write_db_url)
    monkeypatch.setenv("CNC_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("CNC_ENCRYPTION_KEY", base64.b64encode(KEY).decode())
    return KEY


def test_cli_configure_stripe_stores_the_secrets_and_never_prints_them(
    cli_env: bytes, engine: Engine, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["configure-stripe", "--tenant", "maple", "--api-key", API_KEY, "--webhook-secret", HOOK]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert API_KEY not in out.out + out.err and HOOK not in out.out + out.err
    with Session(engine) as s:
        opened = tenant_stripe(s, world.tenant, server_key=cli_env)
        assert (opened.api_key, opened.webhook_secret) == (API_KEY, HOOK)
        assert f"/v1/webhooks/stripe/{opened.integration_id}" in out.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--api-key", "pk_test_" + "Publishable" * 2], "not a Stripe secret"),
        (["--webhook-secret", "not-a-signing-secret"], "not a Stripe signing secret"),
        (["--tenant", "nobody"], "no tenant 'nobody'"),
    ],
)
def test_cli_refuses_bad_input_in_one_line_and_stores_nothing(
    cli_env: bytes,
    engine: Engine,
    world: World,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    given = {"--tenant": "maple", "--api-key": API_KEY, "--webhook-secret": HOOK}
    given.update(dict(zip(args[::2], args[1::2], strict=True)))
    code = main(["configure-stripe", *[x for pair in given.items() for x in pair]])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and err[0].startswith("cnc-server: error: ") and message in err[0]
    assert given["--api-key"] not in err[0] and given["--webhook-secret"] not in err[0]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Integration)) == 0
