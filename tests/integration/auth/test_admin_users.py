"""``/v1/admin/users`` and the account rules on pushed ``user`` rows, over real HTTP."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from shared_models.models import User
from sync_server.core.db import create_db_engine, session_scope
from sync_server.db.models import RefreshToken
from tests.integration.auth.conftest import LiveServer
from tests.utils.auth import Account, World, bearer, login, login_ok

STRONG = "Quiet-Otter-Lantern-93"
_MUTATION_IDS = itertools.count(1)  # a device's mutation ids never repeat (replays are answered)


def _create(server: LiveServer, token: str, **body: Any) -> httpx.Response:
    payload = {
        "email": "nia@maple.example",
        "full_name": "Nia Mover",
        "role": "CREW_LEAD",
        "password": STRONG,
        **body,
    }
    return httpx.post(f"{server.base}/v1/admin/users", json=payload, headers=bearer(token))


def _push(
    server: LiveServer,
    session: dict[str, Any],
    row_id: uuid.UUID,
    op: str = "update",
    **changes: Any,
) -> dict:
    mutation_id = next(_MUTATION_IDS)
    body = {
        "device_id": session["device_id"],
        "mutations": [
            {
                "mutation_id": mutation_id,
                "table": "user",
                "op": op,
                "id": str(row_id),
                "changes": changes,
                "base": {},
                "hlc": f"{1_800_000_000_000 + mutation_id:013d}-00000-dev",
            }
        ],
    }
    r = httpx.post(
        f"{server.base}/v1/sync/push", json=body, headers=bearer(session["access_token"])
    )
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


def _stored_role(server: LiveServer, user_id: uuid.UUID) -> str:
    engine = create_db_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            return str(session.get_one(User, user_id).role)
    finally:
        engine.dispose()


def test_admin_creates_a_user_who_can_then_sign_in(server: LiveServer, world: World) -> None:
    admin = login_ok(server.base, world.admin_a)
    created = _create(server, admin["access_token"], phone="416 555 0199", license_class="D")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["email"] == "nia@maple.example" and body["role"] == "CREW_LEAD"
    assert body["scope"] == "OWN" and body["status"] == "ACTIVE"
    account = Account(id=uuid.UUID(body["id"]), tenant_id=world.tenant_a, email=body["email"])
    signed_in = login_ok(server.base, account, password=STRONG)
    assert signed_in["user"]["tenant_id"] == str(world.tenant_a)


def test_a_weak_password_is_refused_with_zxcvbn_feedback_and_nothing_is_created(
    server: LiveServer, world: World
) -> None:
    admin = login_ok(server.base, world.admin_a)
    r = _create(server, admin["access_token"], password="password123")
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "validation_failed"
    assert r.json()["details"] == {"field": "password"}
    assert "too weak" in r.json()["message"] or "at least" in r.json()["message"]
    again = _create(server, admin["access_token"])  # the email is still free
    assert again.status_code == 201, again.text


def test_a_duplicate_email_is_a_conflict(server: LiveServer, world: World) -> None:
    admin = login_ok(server.base, world.admin_a)
    r = _create(server, admin["access_token"], email=world.dispatcher_a.email.upper())
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "conflict" and r.json()["details"] == {"field": "email"}


def test_a_bad_email_or_blank_name_names_its_field(server: LiveServer, world: World) -> None:
    admin = login_ok(server.base, world.admin_a)
    bad_email = _create(server, admin["access_token"], email="nia at maple")
    assert bad_email.status_code == 422, bad_email.text
    assert bad_email.json()["error"] == "validation_failed"
    assert bad_email.json()["details"] == {"field": "email"}
    blank = _create(server, admin["access_token"], full_name="   ")
    assert blank.status_code == 422 and blank.json()["details"] == {"field": "full_name"}
    bad_phone = _create(server, admin["access_token"], phone="555")
    assert bad_phone.status_code == 422 and bad_phone.json()["details"] == {"field": "phone"}


def test_a_dispatcher_cannot_create_users(server: LiveServer, world: World) -> None:
    dispatcher = login_ok(server.base, world.dispatcher_a)
    r = _create(server, dispatcher["access_token"])
    assert r.status_code == 403 and r.json()["error"] == "permission_denied"


def test_an_admin_cannot_demote_or_disable_themself_by_a_push(
    server: LiveServer, world: World
) -> None:
    admin = login_ok(server.base, world.admin_a)
    demoted = _push(server, admin, world.admin_a.id, role="DISPATCHER")
    assert demoted["status"] == "rejected" and demoted["reason"] == "rule_violation"
    assert demoted["message"].startswith("self_change")
    disabled = _push(server, admin, world.admin_a.id, status="INACTIVE")
    assert disabled["status"] == "rejected" and disabled["message"].startswith("self_change")
    assert _stored_role(server, world.admin_a.id) == "ADMIN"


def test_the_last_admin_cannot_be_demoted_by_a_push(server: LiveServer, world: World) -> None:
    admin = login_ok(server.base, world.admin_a)
    made = _create(server, admin["access_token"], email="mo@maple.example", role="MANAGER")
    manager = Account(uuid.UUID(made.json()["id"]), world.tenant_a, "mo@maple.example", STRONG)
    as_manager = login_ok(server.base, manager)

    result = _push(server, as_manager, world.admin_a.id, role="DISPATCHER")
    assert result["status"] == "rejected" and result["message"].startswith("last_admin")
    promoted = _push(server, as_manager, world.dispatcher_a.id, role="ADMIN")
    assert promoted["status"] == "rejected" and promoted["message"].startswith("admin_only")
    assert _stored_role(server, world.admin_a.id) == "ADMIN"

    # With a second admin, the same demotion is an ordinary synced update.
    _create(server, admin["access_token"], email="ace@maple.example", role="ADMIN")
    applied = _push(server, as_manager, world.admin_a.id, role="DISPATCHER")
    assert applied["status"] in ("applied", "conflict_resolved"), applied  # no base sent
    assert _stored_role(server, world.admin_a.id) == "DISPATCHER"


def test_the_last_admin_cannot_be_deleted_by_a_push(server: LiveServer, world: World) -> None:
    admin = login_ok(server.base, world.admin_a)
    made = _create(server, admin["access_token"], email="mo@maple.example", role="MANAGER")
    manager = Account(uuid.UUID(made.json()["id"]), world.tenant_a, "mo@maple.example", STRONG)
    result = _push(server, login_ok(server.base, manager), world.admin_a.id, "delete")
    assert result["status"] == "rejected" and result["message"].startswith("last_admin"), result
    assert _stored_role(server, world.admin_a.id) == "ADMIN"


def test_reset_password_signs_the_user_out_everywhere(server: LiveServer, world: World) -> None:
    laptop = login_ok(server.base, world.dispatcher_a, device_name="Truck laptop")
    admin = login_ok(server.base, world.admin_a)
    weak = httpx.post(
        f"{server.base}/v1/admin/users/{world.dispatcher_a.id}/password",
        json={"password": "abc"},
        headers=bearer(admin["access_token"]),
    )
    assert weak.status_code == 422 and weak.json()["details"] == {"field": "password"}
    r = httpx.post(
        f"{server.base}/v1/admin/users/{world.dispatcher_a.id}/password",
        json={"password": STRONG},
        headers=bearer(admin["access_token"]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["sessions_ended"] == 1
    refresh = httpx.post(
        f"{server.base}/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]}
    )
    assert refresh.status_code == 401, refresh.text
    assert login(server.base, world.dispatcher_a).status_code == 401  # the old password
    assert login(server.base, world.dispatcher_a, password=STRONG).status_code == 200
    engine = create_db_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            reasons = session.scalars(
                select(RefreshToken.revoke_reason).where(
                    RefreshToken.user_id == world.dispatcher_a.id
                )
            ).all()
            assert "password_reset" in reasons
    finally:
        engine.dispose()


def test_an_admin_of_another_tenant_cannot_reset_a_password(
    server: LiveServer, world: World
) -> None:
    other = login_ok(server.base, world.admin_b)
    r = httpx.post(
        f"{server.base}/v1/admin/users/{world.dispatcher_a.id}/password",
        json={"password": STRONG},
        headers=bearer(other["access_token"]),
    )
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_overrides_are_added_listed_and_removed(server: LiveServer, world: World) -> None:
    admin = login_ok(server.base, world.admin_a)
    url = f"{server.base}/v1/admin/users/{world.dispatcher_a.id}/permissions"
    headers = bearer(admin["access_token"])
    bad = httpx.post(url, json={"resource": "spaceship", "action": "READ"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["details"] == {"field": "resource"}
    added = httpx.post(
        url,
        json={"resource": "invoice", "action": "UPDATE", "scope": "LOCATION", "reason": "cover"},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    twice = httpx.post(
        url, json={"resource": "invoice", "action": "UPDATE", "scope": "OWN"}, headers=headers
    )
    assert twice.status_code == 409
    listed = httpx.get(url, headers=headers).json()
    assert [(o["resource"], o["action"], o["granted"]) for o in listed["data"]] == [
        ("invoice", "UPDATE", True)
    ]
    gone = httpx.delete(f"{url}/{added.json()['id']}", headers=headers)
    assert gone.status_code == 200, gone.text
    assert httpx.get(url, headers=headers).json()["count"] == 0
