"""``cnc-client``: the desktop app (no arguments); sign in, sync, status and check from a terminal.

Exit codes: 0 ok, 1 error, 2 usage, 3 server unreachable, 4 sign in again,
5 device revoked (replica wiped), 6 client update required, 7 verify found drift.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from client.replica.errors import ReplicaError
from client.replica.passphrase import PassphrasePrompt
from client.session import Profile, lease_expires_at, resume, sign_in
from client.sync.backoff import Backoff, call_with_retries
from client.sync.engine import SyncEngine
from client.sync.errors import (
    DeviceRevoked,
    InvalidCredentials,
    SchemaOutdated,
    ServerUnavailable,
    SessionExpired,
    SyncError,
)
from client.sync.protocol import HttpSyncProtocol
from client.sync.report import describe

PASSPHRASE_ENV = "CNC_REPLICA_PASSPHRASE"
EXIT_CODES: dict[type[BaseException], int] = {
    ServerUnavailable: 3,
    SessionExpired: 4,
    InvalidCredentials: 4,
    DeviceRevoked: 5,
    SchemaOutdated: 6,
}


class CliError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def passphrase_provider(prompt: PassphrasePrompt) -> str:
    """``$CNC_REPLICA_PASSPHRASE``, else ask (twice when creating)."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CliError(f"no OS keyring: set {PASSPHRASE_ENV} or run in a terminal")
    first = getpass.getpass("Replica passphrase: ")
    if prompt == "create" and getpass.getpass("Repeat passphrase: ") != first:
        raise CliError("the passphrases differ")
    return first


def _engine(store: Any, session: Any, protocol: HttpSyncProtocol) -> SyncEngine:
    device_id = session.device_id
    if not device_id:
        raise CliError("this replica was never signed in: run cnc-client login", 4)
    return SyncEngine(store, protocol, session, device_id=device_id)


def _sync(engine: SyncEngine, retries: int) -> None:
    def on_retry(attempt: int, wait: float, exc: BaseException) -> None:
        print(f"server unreachable ({exc}); retry {attempt} in {wait:.1f}s", file=sys.stderr)

    report = call_with_retries(
        engine.sync_once,
        backoff=Backoff(base=0.5, cap=30.0),
        attempts=max(1, retries + 1),
        on_retry=on_retry,
    )
    print(
        f"synced: pushed {report.push.sent} ({report.push.rejected} rejected), "
        f"pulled {report.pull.changes} change(s) in {report.pull.pages} page(s)"
    )


def cmd_login(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
    protocol = HttpSyncProtocol(args.server)
    store, session, profile = sign_in(
        args.server,
        args.email,
        password,
        protocol=protocol,
        passphrase_provider=passphrase_provider,
        device_name=args.device_name,
    )
    with store:
        print(f"signed in as {profile.email} on {profile.server_url} (device {session.device_id})")
        if not args.no_sync:
            _sync(_engine(store, session, protocol), args.retries)
    return 0


def _profile() -> Profile:
    profile = Profile.load()
    if profile is None:
        raise CliError("nobody signed in on this machine: run cnc-client login", 4)
    return profile


def cmd_sync(args: argparse.Namespace) -> int:
    profile = _profile()
    protocol = HttpSyncProtocol(profile.server_url)
    store, session = resume(profile, protocol, passphrase_provider)
    try:
        _sync(_engine(store, session, protocol), args.retries)
    finally:
        store.close()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    profile = _profile()
    store, session = resume(profile, HttpSyncProtocol(profile.server_url), passphrase_provider)
    with store:
        info = describe(store)
        info["server_url"], info["email"] = profile.server_url, profile.email
        info["device_id"] = session.device_id
        expiry = lease_expires_at(store)
        info["lease_expires_at"] = expiry.isoformat() if expiry else None
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    print(
        f"server:        {info['server_url']}  user: {info['email']}  device: {info['device_id']}"
    )
    print(f"status:        {info['summary']}")
    print(f"last sync:     {info['last_synced_at'] or 'never'}")
    print(f"last error:    {info['last_error'] or '-'}")
    print(f"pending:       {info['pending']} mutation(s)")
    for m in info["pending_mutations"]:
        print(
            f"  #{m['mutation_id']} {m['op']} {m['table']} {m['row_id']} "
            f"attempts={m['attempts']} {m['last_error'] or ''}".rstrip()
        )
    print(f"buckets:       {len(info['buckets'])}")
    for bucket, cursor in info["buckets"].items():
        print(f"  {bucket} @ {cursor}")
    print(f"rejections:    {len(info['rejections'])}")
    for r in info["rejections"]:
        print(
            f"  [{r['reason']}] {r['op']} {r['table']} {r['row_id']}: {r['message'] or ''} "
            f"changes={json.dumps(r['changes'])}"
        )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from client.sync.verify import verify

    profile = _profile()
    protocol = HttpSyncProtocol(profile.server_url)
    store, session = resume(profile, protocol, passphrase_provider)
    with store:
        checks = verify(_engine(store, session, protocol), repair=not args.no_repair)
    for c in checks:
        state = "ok" if c.ok else "MISMATCH"
        print(
            f"{state:9} {c.bucket}: local {c.local_count}/{c.local_digest} "
            f"server {c.server_count}/{c.server_digest}"
        )
    bad = [c for c in checks if not c.ok]
    if bad:
        action = "left as is" if args.no_repair else "re-synced"
        print(f"{len(bad)} bucket(s) differed and were {action}")
        return 7
    print(f"all {len(checks)} bucket(s) match the server")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from client.ui.app import main as gui_main  # Qt loads only for the window

    argv = [f"--{k}={v}" for k in ("server", "email", "password") if (v := getattr(args, k))]
    return gui_main(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnc-client", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    login = sub.add_parser("login", help="sign in (online) and bootstrap the replica")
    login.add_argument("--server", required=True)
    login.add_argument("--email", required=True)
    login.add_argument("--password-stdin", action="store_true")
    login.add_argument("--device-name")
    login.add_argument("--no-sync", action="store_true")
    login.add_argument("--retries", type=int, default=0)
    login.set_defaults(func=cmd_login)
    sync = sub.add_parser("sync", help="push pending changes and pull new ones")
    sync.add_argument(
        "--retries",
        type=int,
        default=3,
        help="retries with backoff while the server is unreachable",
    )
    sync.set_defaults(func=cmd_sync)
    status = sub.add_parser("status", help="pending changes, last sync, buckets, rejections")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    verify = sub.add_parser("verify", help="compare bucket checksums with the server")
    verify.add_argument("--no-repair", action="store_true")
    verify.set_defaults(func=cmd_verify)
    gui = sub.add_parser("gui", help="open the desktop app (signed in directly with --server...)")
    gui.add_argument("--server", help="or $CNC_SERVER_URL")
    gui.add_argument("--email", help="or $CNC_EMAIL")
    gui.add_argument("--password", help="or $CNC_PASSWORD")
    gui.set_defaults(func=cmd_gui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from client.ui.app import main as gui_main

        return gui_main([])
    try:
        return int(args.func(args))
    except CliError as exc:
        print(f"cnc-client: {exc}", file=sys.stderr)
        return exc.code
    except SyncError as exc:
        code = next((c for t, c in EXIT_CODES.items() if isinstance(exc, t)), 1)
        hint = {4: " (run cnc-client login)", 5: " (local data erased)"}.get(code, "")
        print(f"cnc-client: {exc.code}: {exc}{hint}", file=sys.stderr)
        return code
    except ReplicaError as exc:
        print(f"cnc-client: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
