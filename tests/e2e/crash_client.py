"""A field laptop's client process that dies hard (``os._exit``) at a chosen moment.

Run by tests/e2e/test_faults_e2e.py as ``python -m tests.e2e.crash_client MODE ...`` with
``CNC_CLIENT_DATA_DIR`` and ``CNC_REPLICA_PASSPHRASE`` set, on a replica signed in before.

* ``write LAST_NAME``: a local write through the service layer, then death before any sync.
* ``pull LIMIT PAGE [TX]``: sync with pages of LIMIT changes; die while applying page PAGE,
  after its rows were written but before its memberships and cursors, mid-transaction.
  TX: a fresh replica's pages are committed every TX changes (``BULK_TX_CHANGES``).
"""

from __future__ import annotations

import os
import sys

from sqlalchemy import event

from client.cli import passphrase_provider
from client.services import LocalWriteService
from client.session import Profile, resume
from client.sync import pull as pull_module
from client.sync.clock import DeviceClock
from client.sync.engine import SyncEngine
from client.sync.protocol import HttpSyncProtocol

KILLED = 9


def main(argv: list[str]) -> int:
    profile = Profile.load()
    assert profile is not None, "sign in first"
    protocol = HttpSyncProtocol(profile.server_url)
    store, session = resume(profile, protocol, passphrase_provider)
    if argv[0] == "write":
        user = session.user
        writes = LocalWriteService(
            store, user_id=user["id"], tenant_id=user["tenant_id"], hlc=DeviceClock.for_store(store)
        )
        row_id = writes.insert(
            "customer", {"location_id": user["location_id"], "last_name": argv[1]}
        )
        print(row_id, flush=True)
        os._exit(KILLED)  # no close, no checkpoint, no sync
    if argv[0] == "pull":
        limit, fatal_page = int(argv[1]), int(argv[2])
        if len(argv) > 3:
            pull_module.BULK_TX_CHANGES = int(argv[3])
        pages = {"n": 0}
        apply = pull_module.apply_page

        # Count pages as they are applied, not fetched: the engine prefetches page N+1
        # while it writes page N.
        def counting_apply(conn, page, summary):  # type: ignore[no-untyped-def]
            pages["n"] += 1
            return apply(conn, page, summary)

        pull_module.apply_page = counting_apply  # type: ignore[assignment]

        def trace(statement: str) -> None:
            # A page writes its rows, then its memberships, then its cursors, in one
            # transaction: die at the first membership write of page ``fatal_page``.
            if pages["n"] == fatal_page and "INTO ROW_BUCKET" in statement.upper():
                print(f"killed in page {fatal_page}", flush=True)
                os._exit(KILLED)

        # SQLite's own statement trace: it sees raw dbapi writes as well as SQLAlchemy's.
        @event.listens_for(store.engine, "checkout")
        def _traced(dbapi_connection, record, proxy):  # type: ignore[no-untyped-def]
            dbapi_connection.set_trace_callback(trace)

        engine = SyncEngine(store, protocol, session, device_id=session.device_id, pull_limit=limit)
        engine.sync_once()
        print(f"sync finished without dying after {pages['n']} page(s)", flush=True)
        return 1
    raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
