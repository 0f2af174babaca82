"""The permission-to-bucket mapping of DESIGN 4, on the default matrix."""

from __future__ import annotations

import uuid

import pytest

from shared_models import models
from shared_models.enums import PermissionAction, PermissionScope, UserRole
from shared_models.permissions import DEFAULT_GRANTS
from shared_models.sync.buckets import (
    BUCKET_TABLES,
    BucketKind,
    ScopeUser,
    bucket_name,
    bucketed_tables,
    compute_buckets,
    effective_grants,
    parse_bucket,
)

TENANT, HOME, OTHER, USER = (uuid.UUID(int=i) for i in (1, 2, 3, 4))


def buckets_of(role: UserRole, overrides=()) -> set[str]:
    grants = effective_grants(
        ((g.resource, g.action, g.scope) for g in DEFAULT_GRANTS if g.role == role), overrides
    )
    user = ScopeUser(id=USER, tenant_id=TENANT, role=role.value, location_id=HOME)
    return set(compute_buckets(user, grants, [HOME, OTHER]))


def test_crew_lead_gets_reference_own_jobs_and_their_fleet() -> None:
    assert buckets_of(UserRole.CREW_LEAD) == {
        f"tenant_ref:{TENANT}",
        f"own:{USER}",
        f"crew_jobs:{USER}",
        f"location_fleet:{HOME}",
    }


def test_dispatcher_gets_their_location_billing_included_read_only() -> None:
    assert buckets_of(UserRole.DISPATCHER) == {
        f"tenant_ref:{TENANT}",
        f"own:{USER}",
        f"location_sales:{HOME}",
        f"location_ops:{HOME}",
        f"location_fleet:{HOME}",
        f"location_finance:{HOME}",
    }


def test_admin_gets_every_location_of_the_tenant() -> None:
    got = buckets_of(UserRole.ADMIN)
    for kind in ("location_sales", "location_ops", "location_fleet", "location_finance"):
        assert {f"{kind}:{HOME}", f"{kind}:{OTHER}"} <= got
    assert not any(b.startswith("crew_jobs") for b in got)


def test_a_user_override_widens_and_a_deny_narrows() -> None:
    wider = [
        (r, PermissionAction.READ, PermissionScope.CLIENT, True)
        for r in ("customer", "lead", "sales_activity", "quote", "quote_item")
    ]
    assert f"location_sales:{OTHER}" in buckets_of(UserRole.SALES, wider)
    deny = [("equipment", PermissionAction.READ, None, False)]
    assert f"location_fleet:{HOME}" not in buckets_of(UserRole.CREW_LEAD, deny)


def test_names_round_trip_and_malformed_names_fail() -> None:
    name = bucket_name(BucketKind.CREW_JOBS, USER)
    assert parse_bucket(name) == (BucketKind.CREW_JOBS, USER)
    for bad in ("crew_jobs", "nope:" + str(USER), "own:not-a-uuid"):
        with pytest.raises(ValueError):
            parse_bucket(bad)


def test_every_synced_table_has_a_home_and_server_only_tables_none() -> None:
    synced = {t.name for t in models.synced_tables()}
    assert bucketed_tables() <= synced
    assert synced - bucketed_tables() == set()
    assert not {"device", "audit_log", "bucket_membership"} & bucketed_tables()
    assert "user" in BUCKET_TABLES[BucketKind.TENANT_REF]
