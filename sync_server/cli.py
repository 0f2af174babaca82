"""``cnc-server``: the administrator's command line.

Every failure ends in one line on stderr (``cnc-server: error: ...``) and a
non-zero exit status; a refused command changes nothing.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from pydantic import ValidationError
from sqlalchemy import Engine, select

from sync_server.core.config import Settings
from sync_server.core.db import (
    DatabaseUnavailable,
    check_database,
    create_db_engine,
    resolve_database_url,
    session_scope,
)
from sync_server.core.logging import configure_logging

EXIT_ERROR = 1
PASSWORD_ENV = "CNC_NEW_USER_PASSWORD"


class CliError(Exception):
    """A failure to report as one line."""


@contextmanager
def open_database(settings: Settings) -> Iterator[Engine]:
    """The configured database (embedded when no URL is set), checked to be reachable."""
    with resolve_database_url(settings) as database:
        engine = create_db_engine(database.url)
        try:
            check_database(engine)
            yield engine
        finally:
            engine.dispose()


@contextmanager
def migrated_database(settings: Settings) -> Iterator[Engine]:
    from sync_server.admin.migrations import upgrade

    with open_database(settings) as engine:
        upgrade(engine)
        _add_missing_grants(engine)
        yield engine


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> None:
    from sync_server.admin.migrations import current_revision, downgrade, head_revision, upgrade

    with open_database(settings) as engine:
        before = current_revision(engine)
        target = args.to or "head"
        if target == "base" or (args.to and args.to != "head" and args.down):
            downgrade(engine, target)
        else:
            upgrade(engine, target)
        after = current_revision(engine)
        print(f"schema revision: {before or 'empty'} -> {after or 'base'} (head {head_revision()})")
        if after == head_revision():
            _add_missing_grants(engine)


def _add_missing_grants(engine: Engine) -> None:
    """Tenants created before a grant joined the default matrix get it now (idempotent)."""
    from sync_server.admin.accounts import add_missing_default_permissions

    with session_scope(engine) as session:
        added = add_missing_default_permissions(session)
    if added:
        print(f"permissions: {added} default grants added to existing tenants")


def cmd_init(args: argparse.Namespace, settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with migrated_database(settings) as engine:
        print(f"database ready, data dir {settings.data_dir}")
        if args.demo:
            from shared_models.models import Tenant

            with session_scope(engine) as session:
                exists = session.scalar(select(Tenant.id).where(Tenant.slug == "demo"))
            if exists is not None:
                print("demo data already loaded (cnc-server seed-demo refuses to load it twice)")
            else:
                _seed(engine, settings, seed=args.seed, customers=args.customers)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    from sync_server.core.server import run_server

    if args.host:
        settings = settings.model_copy(update={"host": args.host})
    if args.port is not None:
        settings = settings.model_copy(update={"port": args.port})
    if args.workers is not None:
        if not 1 <= args.workers <= 64:
            raise CliError(f"--workers must be between 1 and 64, got {args.workers}")
        settings = settings.model_copy(update={"workers": args.workers})
    # An unreachable or too-new database is reported before anything listens.
    with migrated_database(settings):
        pass
    run_server(settings)


def cmd_seed_demo(args: argparse.Namespace, settings: Settings) -> None:
    with migrated_database(settings) as engine:
        _seed(engine, settings, seed=args.seed, customers=args.customers)


def _seed(engine: Engine, settings: Settings, *, seed: int, customers: int) -> None:
    from sync_server.seed import SeedError, format_accounts_table, seed_demo, write_demo_accounts

    try:
        with session_scope(engine) as session:
            result = seed_demo(session, seed=seed, hq_customers=customers)
    except SeedError as exc:
        raise CliError(str(exc)) from exc
    path = settings.data_dir / "demo-accounts.json"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    write_demo_accounts(path, result)
    print(format_accounts_table(result))
    print(f"demo accounts written to {path}")


def cmd_create_tenant(args: argparse.Namespace, settings: Settings) -> None:
    from shared_models.geography import DEFAULT_TIMEZONE, parse_province
    from shared_models.models import Location
    from sync_server.admin.accounts import create_tenant

    province = _parse(parse_province, args.hq_province)
    with migrated_database(settings) as engine, session_scope(engine) as session:
        tenant = create_tenant(session, name=args.name, slug=args.slug)
        session.add(
            Location(
                tenant_id=tenant.id,
                name=args.hq_name or f"{args.hq_city} head office",
                code=args.hq_code.upper(),
                address_line1=args.hq_address,
                city=args.hq_city,
                province=province,
                postal_code=args.hq_postal_code,
                timezone=args.hq_timezone or DEFAULT_TIMEZONE[province],
            )
        )
        session.flush()
        print(f"tenant {tenant.slug} created ({tenant.id}) with location {args.hq_code.upper()}")


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> None:
    from sync_server.admin.accounts import create_user, find_location, find_tenant, parse_role

    parse_role(args.role)  # an unknown role fails before any prompt or connection
    password = args.password or os.environ.get(PASSWORD_ENV) or _prompt_password()
    with migrated_database(settings) as engine, session_scope(engine) as session:
        tenant = find_tenant(session, args.tenant)
        location = find_location(session, tenant, args.location)
        user = create_user(
            session,
            tenant=tenant,
            location=location,
            email=args.email,
            full_name=args.name,
            role=args.role,
            password=password,
        )
        role, scope = user.role.value, user.scope.value
        print(f"user {user.email} created: {role}, scope {scope}, location {location.code}")


def cmd_list_devices(args: argparse.Namespace, settings: Settings) -> None:
    from sync_server.admin.accounts import find_tenant
    from sync_server.admin.devices import list_devices

    with migrated_database(settings) as engine, session_scope(engine) as session:
        tenant = find_tenant(session, args.tenant)
        rows = list_devices(session, tenant_id=tenant.id, include_revoked=not args.active)
        for device, user in rows:
            seen = device.last_seen_at.isoformat(timespec="seconds") if device.last_seen_at else "-"
            state = f"revoked {device.revoked_at:%Y-%m-%d}" if device.revoked_at else "active"
            print(
                f"{device.id}  {user.email}  {device.name!r}  {device.platform or '-'}  "
                f"last seen {seen}  {state}"
            )
        print(f"{len(rows)} device(s) in tenant {tenant.slug}")


def cmd_revoke_device(args: argparse.Namespace, settings: Settings) -> None:
    from sync_server.admin.devices import parse_device_id, revoke_device

    device_id = parse_device_id(args.device_id)  # a typo fails before any connection
    with migrated_database(settings) as engine, session_scope(engine) as session:
        device = revoke_device(session, device_id, by=None, reason=args.reason)
        print(f"device {device.id} ({device.name}) revoked; it will wipe its data on next contact")


def cmd_configure_stripe(args: argparse.Namespace, settings: Settings) -> None:
    from sync_server.admin.accounts import find_tenant
    from sync_server.payments.credentials import check_credentials, configure_stripe

    check_credentials(args.api_key, args.webhook_secret)  # refused before any connection
    with migrated_database(settings) as engine, session_scope(engine) as session:
        tenant = find_tenant(session, args.tenant)
        integration = configure_stripe(
            session,
            tenant=tenant,
            api_key=args.api_key,
            webhook_secret=args.webhook_secret,
            server_key=settings.encryption_key_bytes,
        )
        mode = integration.config.get("mode", "test")
        print(f"stripe ({mode} mode) configured for tenant {tenant.slug}")
        print(f"webhook endpoint: /v1/webhooks/stripe/{integration.id}")


def cmd_sweep_overdue(args: argparse.Namespace, settings: Settings) -> None:
    import datetime as dt

    from sync_server.billing.overdue import sweep_overdue
    from sync_server.core.db import make_session_factory

    today = None
    if args.today:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            raise CliError(f"--today must be a date as YYYY-MM-DD, got {args.today!r}") from None
    with migrated_database(settings) as engine:
        result = sweep_overdue(make_session_factory(engine), today=today)
    print(
        f"overdue sweep: {result.marked} invoice(s) marked OVERDUE "
        f"({result.candidates} checked in {result.tenants} tenant(s))"
    )


def _prompt_password() -> str:
    if not sys.stdin.isatty():
        raise CliError(f"no password given: use --password, {PASSWORD_ENV} or a terminal")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CliError("the two passwords differ")
    return first


def _parse(parser: Callable[[str], object], value: str) -> object:
    try:
        return parser(value)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnc-server", description="C&C CRM sync server")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create the data dir and database, migrate, optionally seed")
    p.add_argument("--demo", action="store_true", help="load the demo company if not loaded yet")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--customers", type=int, default=200, help="customers at the head office")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("migrate", help="migrate the database schema (default: to the newest)")
    p.add_argument("--to", help="target revision (default head; 'base' empties the schema)")
    p.add_argument("--down", action="store_true", help="the target is older than the database")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("serve", help="serve the sync API (embedded PostgreSQL if no DATABASE_URL)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument(
        "--workers", type=int, help="server processes on the port (default CNC_WORKERS or 1)"
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("create-tenant", help="create a tenant (moving-company brand) and its HQ")
    p.add_argument("--name", required=True)
    p.add_argument("--slug")
    p.add_argument("--hq-code", default="HQ")
    p.add_argument("--hq-name")
    p.add_argument("--hq-address", required=True)
    p.add_argument("--hq-city", required=True)
    p.add_argument("--hq-province", required=True)
    p.add_argument("--hq-postal-code", required=True)
    p.add_argument("--hq-timezone")
    p.set_defaults(func=cmd_create_tenant)

    p = sub.add_parser(
        "create-user", help="create a user (password from --password, env or prompt)"
    )
    p.add_argument("--tenant", required=True, help="tenant slug or id")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True, help="full name")
    p.add_argument("--role", required=True)
    p.add_argument("--location", help="location code (default: the tenant's first)")
    p.add_argument("--password")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("list-devices", help="list a tenant's registered devices")
    p.add_argument("--tenant", required=True, help="tenant slug or id")
    p.add_argument("--active", action="store_true", help="leave out revoked devices")
    p.set_defaults(func=cmd_list_devices)

    p = sub.add_parser(
        "revoke-device", help="revoke a device (lost laptop): it wipes its data on next contact"
    )
    p.add_argument("device_id", metavar="DEVICE_ID")
    p.add_argument("--reason")
    p.set_defaults(func=cmd_revoke_device)

    p = sub.add_parser(
        "configure-stripe", help="set a tenant's Stripe API key and webhook signing secret"
    )
    p.add_argument("--tenant", required=True, help="tenant slug or id")
    p.add_argument("--api-key", required=True, help="secret key sk_live_... / sk_test_...")
    p.add_argument("--webhook-secret", required=True, help="endpoint signing secret whsec_...")
    p.set_defaults(func=cmd_configure_stripe)

    p = sub.add_parser(
        "sweep-overdue",
        help="mark invoices past their due date OVERDUE (the server does it hourly)",
    )
    p.add_argument("--today", help="judge by this date (YYYY-MM-DD) instead of each branch's")
    p.set_defaults(func=cmd_sweep_overdue)

    p = sub.add_parser("seed-demo", help="load a deterministic demo moving company")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--customers", type=int, default=200, help="customers at the head office")
    p.set_defaults(func=cmd_seed_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        if args.command != "serve":  # serve configures its own logging from settings
            configure_logging(level="WARNING", json=settings.log_json)
        args.func(args, settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        return _fail(f"invalid configuration: {first.get('msg', exc)}")
    except (CliError, DatabaseUnavailable) as exc:
        return _fail(str(exc))
    except (ValueError, RuntimeError) as exc:  # AccountError, WeakPassword, SchemaTooNew
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted")
    return 0


def _fail(message: str) -> int:
    print(f"cnc-server: error: {message}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
