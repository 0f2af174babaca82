"""Push benchmark: the ``push1000_ms`` figure of ``sync_bench.py`` alone, repeated, profilable.

    .venv/bin/python benchmarks/push_bench.py                      # 7 timed pushes, 10k rows
    .venv/bin/python benchmarks/push_bench.py --runs 11 --rows 100000
    .venv/bin/python benchmarks/push_bench.py --profile py-spy     # wall-clock stacks of the push
    .venv/bin/python benchmarks/push_bench.py --profile cprofile   # cProfile of push_mutations
    .venv/bin/python benchmarks/push_bench.py --profile sql        # time per SQL statement

What it does: starts a throw-away embedded PostgreSQL, migrates and seeds it
exactly as ``sync_bench.py`` does (its ``build_dataset``), serves the real app
under uvicorn on 127.0.0.1 (its ``serve``), signs the head-office dispatcher in
as one device (its ``Editor``) and pushes the same batch ``sync_bench`` times:
500 customer inserts + 500 customer updates (``customer_insert`` /
``customer_update``) in one ``POST /v1/sync/push``, timed from the client's
side. The updates take their base version and notes from PostgreSQL right
before each push, so every mutation applies cleanly (a rejection fails the run).
One untimed push warms the server first.

Profiles cover only the timed pushes:

* ``py-spy``: ``/tmp/tools/bin/py-spy record --idle -f raw`` on this process
  (py-spy is a tool on this machine, not a project dependency; ``--py-spy``
  names another binary). Only stacks through ``push_mutations`` are counted, so
  time spent waiting for PostgreSQL shows up where it is waited for. The raw
  file is kept and the top functions by own and by inclusive samples printed.
* ``cprofile``: ``cProfile`` around the route's ``push_mutations`` call (the
  bench wraps the route module's reference; nothing in the app changes),
  written to ``<tmp>/push.prof`` and summarised (``pstats``, cumulative).
* ``sql``: wall time of each statement the server runs, per push, by statement.

The instruments live in ``push_profiling.py``.

``--gc-freeze`` collects and freezes the process's objects once the server is
up (``gc.freeze()``): a 1,000-mutation push allocates enough to trigger about
one full cycle collection, which otherwise walks every object of the process
(the app's modules, models and metadata). ``cnc-server serve`` does this at
start-up (``sync_server.core.server``), so ``sync_bench`` measures it; this
benchmark serves the app in its own process, where the flag does the same.

Besides the client's figure, each push's time inside the server (ASGI, request
in to response out), inside its ``push_mutations`` and the time the cycle
collector ran during the run (its untimed preparation included) are printed.

The last line printed is one JSON object: ``rows, runs, gc_freeze, push1000_ms``
(median), ``push1000_min_ms``, ``push1000_max_ms``, ``samples_ms``,
``server_ms``, ``push_mutations_ms`` and ``gc_ms`` (medians), ``warmup_ms`` and, when
profiled, ``profile``.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import pstats
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.push_profiling import (
    PY_SPY,
    TOP,
    RequestTimer,
    cprofile_route,
    py_spy,
    server_timings,
    sql_timings,
    summarize_raw,
    summarize_sql,
)
from benchmarks.sync_bench import (
    DISPATCHER,
    Editor,
    bad_results,
    build_dataset,
    customer_insert,
    customer_update,
    log,
    serve,
)

BATCH = 500  # inserts, and as many updates, per push (sync_bench's push1000)


# ============================================================================ the pushes


def customer_targets(db_url: str, location_id: str, limit: int, offset: int) -> list[Any]:
    """``(id, version, notes)`` of live customers of the location, as ``customer_update`` wants."""
    from sqlalchemy import text

    from sync_server.core.db import create_db_engine

    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, version, notes FROM customer WHERE location_id = :loc"
                    " AND deleted_at IS NULL ORDER BY id"
                ),
                {"loc": uuid.UUID(location_id)},
            ).all()
    finally:
        engine.dispose()
    if len(rows) < limit:
        raise RuntimeError(f"only {len(rows)} customers in the location; use more --rows")
    start = offset % (len(rows) - limit + 1)
    return [(str(r[0]), r[1], r[2]) for r in rows[start : start + limit]]


def one_push(editor: Editor, db_url: str, location_id: str, run_no: int) -> float:
    """Build the 1,000 mutations (untimed), push them, check them; the push's wall ms."""
    rows = customer_targets(db_url, location_id, BATCH, run_no * BATCH)
    mutations = [customer_insert(editor, location_id, f"pb{run_no}-{i}") for i in range(BATCH)]
    mutations += [customer_update(editor, row, f"push {run_no} {i}") for i, row in enumerate(rows)]
    started = time.perf_counter()
    response = editor.push(mutations)
    elapsed = (time.perf_counter() - started) * 1000
    bad = bad_results(response)
    if len(response.results) != len(mutations) or bad:
        raise RuntimeError(f"push {run_no}: {len(bad)} rejected, e.g. {bad[:3]}")
    return elapsed


# ============================================================================ entry point


def run(args: argparse.Namespace) -> dict[str, Any]:
    from sync_server.app import create_app
    from sync_server.core.config import Settings
    from sync_server.core.embedded import EmbeddedPostgres

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cnc-push-bench-")))
        pg = EmbeddedPostgres(tmp / "pgdata", database="bench", cleanup_mode="delete")
        stack.callback(pg.stop)
        db_url = pg.start().render_as_string(hide_password=False)
        dataset = build_dataset(db_url, args.rows, args.seed)
        settings = Settings(
            environment="test",
            database_url=db_url,
            secret_key=secrets.token_urlsafe(48),
            encryption_key=base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
            host="127.0.0.1",
            port=0,
            log_level="WARNING",
            log_json=False,
        )
        timer = RequestTimer(create_app(settings))
        base = stack.enter_context(serve(timer))
        log(f"server on {base}")
        account = next(a for a in dataset["accounts"] if a["email"] == DISPATCHER)
        editor = Editor(base, DISPATCHER, account["password"], "push-bench")
        location_id = str(editor.answer.user.location_id)

        if args.gc_freeze:
            # What a server would do once after start-up: the app's long-lived objects
            # (models, metadata, routes) leave the cycle collector's full passes.
            gc.collect()
            gc.freeze()
            log(f"gc.freeze(): {gc.get_freeze_count()} objects")
        warmup = one_push(editor, db_url, location_id, 0)
        log(f"warm-up push: {warmup:.0f} ms")
        result: dict[str, Any] = {"rows": args.rows, "runs": args.runs, "gc_freeze": args.gc_freeze}
        Path(args.profile_dir).mkdir(parents=True, exist_ok=True)
        profile_out = Path(args.profile_dir) / (
            "push.prof" if args.profile == "cprofile" else "push.pyspy.txt"
        )
        with ExitStack() as profiling:
            if args.profile == "py-spy":
                profiling.enter_context(py_spy(args.py_spy, profile_out))
            elif args.profile == "cprofile":
                profiling.enter_context(cprofile_route(profile_out))
            elif args.profile == "sql":
                statements = profiling.enter_context(sql_timings())
            server = profiling.enter_context(server_timings())
            samples = []
            for run_no in range(1, args.runs + 1):
                server["gc"].append(0.0)
                samples.append(one_push(editor, db_url, location_id, run_no))
        log("pushes of 1,000 mutations (ms): " + ", ".join(f"{s:.0f}" for s in samples))
        in_server = timer.last(args.runs)
        log("  in the server:     " + ", ".join(f"{s:.0f}" for s in in_server))
        log("  in push_mutations: " + ", ".join(f"{s:.0f}" for s in server["push_mutations"]))
        log("  cycle collector:   " + ", ".join(f"{s:.0f}" for s in server["gc"]))
        if args.profile == "sql":
            log(summarize_sql(statements, args.runs))
        elif args.profile == "py-spy":
            log(summarize_raw(profile_out))
        elif args.profile == "cprofile":
            pstats.Stats(str(profile_out)).sort_stats("cumulative").print_stats(TOP)
        if args.profile in ("py-spy", "cprofile"):
            log(f"profile written to {profile_out}")
            result["profile"] = str(profile_out)
        result.update(
            push1000_ms=round(statistics.median(samples), 1),
            push1000_min_ms=round(min(samples), 1),
            push1000_max_ms=round(max(samples), 1),
            samples_ms=[round(s, 1) for s in samples],
            server_ms=round(statistics.median(in_server), 1),
            push_mutations_ms=round(statistics.median(server["push_mutations"]), 1),
            gc_ms=round(statistics.median(server["gc"]), 1),
            warmup_ms=round(warmup, 1),
        )
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=10_000, help="rows of the head office (customers = rows / 5)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=7, help="timed pushes (after one warm-up)")
    parser.add_argument("--profile", choices=("py-spy", "cprofile", "sql"), default=None)
    parser.add_argument("--py-spy", default=PY_SPY, help="the py-spy binary (--profile py-spy)")
    parser.add_argument("--profile-dir", default=tempfile.gettempdir())
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() once the server is up (not what sync_bench does; see the docstring)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    result = run(args)
    log(
        f"push1000_ms median {result['push1000_ms']:.0f} ms, min {result['push1000_min_ms']:.0f}"
        f" ms over {args.runs} runs (target <= 500)"
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
