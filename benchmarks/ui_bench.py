"""UI benchmark (issue 6): the quote list's first paint and a customer search, offscreen Qt.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ui_bench.py
    .venv/bin/python benchmarks/ui_bench.py --quotes 5000 --customers 2000   # quick

Setup (not measured): a real SQLCipher replica made by the client's own
unlock path (``open_user_replica``, passphrase-wrapped key, no keyring),
filled through the replica's table metadata with ``--customers`` customers
and ``--quotes`` quotes spread over them, then indexed (``Workspace.prepare``:
list indexes and FTS5) and closed. It is then opened again the way the app
opens it (``open_workspace``) and:

* ``quote_list_first_paint_ms``: from constructing ``QuotesView`` (count and
  first page from the replica) through ``show()`` until the table's viewport
  has painted with rows (a paint event filter on the viewport);
* ``customer_search_ms``: median over several queries of the time from
  setting the search box's text to the model holding the results (the
  150 ms debounce is bypassed; the FTS query still runs on the database
  worker thread, as in the app).

Targets: first paint <= 300 ms, search <= 50 ms. The last line printed is one
JSON object with the keys ``quotes, quote_list_first_paint_ms, customers,
customer_search_ms``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSPHRASE = "benchmark passphrase, not a secret"
SERVER = "https://bench.cnc-crm.invalid"
EMAIL = "dispatcher@bench.example"
QUERIES = ("tremblay", "olivia", "gagnon mont", "maple dental", "singh", "chen vanc", "lea", "wong")


def build(quotes: int, customers: int) -> object:
    """Create, fill and index the replica; returns the Profile that opens it."""
    from client.replica.unlock import open_user_replica
    from client.services.lists import ensure_list_indexes
    from client.services.search import ensure_search_index
    from client.session import META_USER, Profile
    from client.sync.db import META_DEVICE_ID, ensure_sync_schema, replica_tx, set_meta
    from tests.utils.replica_rows import fill_replica

    user_id = uuid.uuid4()
    store = open_user_replica(
        SERVER, EMAIL, passphrase_provider=lambda _: PASSPHRASE, user_id=str(user_id)
    )
    try:
        ensure_sync_schema(store)
        filled = fill_replica(store, customers=customers, quotes=quotes)
        user = {
            "id": str(user_id),
            "tenant_id": str(filled.tenant_id),
            "email": EMAIL,
            "full_name": "Bench Dispatcher",
            "role": "DISPATCHER",
            "scope": "LOCATION",
            "location_id": str(filled.location_id),
        }
        with replica_tx(store) as conn:
            set_meta(conn, META_USER, json.dumps(user))
            set_meta(conn, META_DEVICE_ID, str(uuid.uuid4()))
        ensure_list_indexes(store)
        ensure_search_index(store)
    finally:
        store.close()
    profile = Profile(SERVER, EMAIL, str(user_id))
    return profile


def first_paint_ms(ctx: object, app: object) -> float:
    from PySide6.QtCore import QEvent, QObject

    from client.ui.quotes import QuotesView

    class PaintProbe(QObject):
        painted_at: float | None = None

        def __init__(self, model: object) -> None:
            super().__init__()
            self.model = model

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            painted = event.type() == QEvent.Type.Paint and self.painted_at is None
            if painted and self.model.rowCount() > 0:  # type: ignore[attr-defined]
                self.painted_at = time.perf_counter()
            return False

    start = time.perf_counter()
    view = QuotesView(ctx)  # type: ignore[arg-type]
    probe = PaintProbe(view.model)
    view.table.viewport().installEventFilter(probe)
    view.resize(1360, 820)
    view.show()
    deadline = start + 30
    while probe.painted_at is None and time.perf_counter() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
    if probe.painted_at is None:
        raise RuntimeError("the quote list never painted rows")
    elapsed = (probe.painted_at - start) * 1000
    view.close()
    return elapsed


def search_ms(ctx: object, app: object) -> tuple[float, list[tuple[str, int, float]]]:
    from client.ui.customers import CustomersView

    view = CustomersView(ctx)  # type: ignore[arg-type]
    view.resize(1360, 820)
    view.show()
    app.processEvents()  # type: ignore[attr-defined]
    results: list[tuple[str, int, float]] = []
    done: dict[str, int] = {}
    view.search_done.connect(lambda text, n: done.__setitem__(text, n))
    for text in QUERIES:
        start = time.perf_counter()
        view.search.setText(text)
        view.search.fire()  # what the debounce timer would do 150 ms later
        while text not in done and time.perf_counter() < start + 10:
            app.processEvents()  # type: ignore[attr-defined]
        elapsed = (time.perf_counter() - start) * 1000
        if view.model.rowCount() != done.get(text):
            raise RuntimeError(f"search {text!r} did not reach the model")
        results.append((text, done[text], elapsed))
    view.close()
    return statistics.median(r[2] for r in results), results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quotes", type=int, default=50_000)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()

    import keyring
    import keyring.backends.fail

    from client.replica.paths import DATA_DIR_ENV

    keyring.set_keyring(keyring.backends.fail.Keyring())  # headless: passphrase-wrapped key
    with tempfile.TemporaryDirectory(prefix="cnc-ui-bench-") as tmp:
        os.environ[DATA_DIR_ENV] = tmp
        t = time.perf_counter()
        profile = build(args.quotes, args.customers)
        print(
            f"setup: {args.quotes:,} quotes, {args.customers:,} customers in "
            f"{time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )

        from client.services.workspace import open_workspace
        from client.ui import tasks
        from client.ui.app import make_application
        from client.ui.context import AppContext

        app = make_application()
        workspace = open_workspace(profile, lambda _: PASSPHRASE)  # type: ignore[arg-type]
        try:
            ctx = AppContext(workspace)
            paint = first_paint_ms(ctx, app)
            search, runs = search_ms(ctx, app)
            tasks.wait_idle()
        finally:
            workspace.close()
    for text, hits, ms in runs:
        print(f"search {text!r:16} {hits:4d} hits {ms:6.1f} ms", file=sys.stderr)
    print(f"quote list first paint {paint:.1f} ms (target 300)", file=sys.stderr)
    print(f"customer search median {search:.1f} ms (target 50)", file=sys.stderr)
    result = {
        "quotes": args.quotes,
        "quote_list_first_paint_ms": round(paint, 1),
        "customers": args.customers,
        "customer_search_ms": round(search, 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
