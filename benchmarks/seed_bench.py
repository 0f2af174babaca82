"""Seed benchmark: the DESIGN 9 "100,000-row location" (20k customers, 20k quotes, 60k items).

Starts a throw-away embedded PostgreSQL in a temp dir, creates the schema,
seeds the demo company with ``hq_customers=20000`` and reports rows/s. The
last line is one JSON object: {"rows": ..., "seconds": ...}.

    .venv/bin/python benchmarks/seed_bench.py [--customers 20000] [--seed 42]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

# Run as a plain script from a checkout: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shared_models.models  # noqa: F401  (registers every table)
from shared_models.base import Base
from sync_server.core.db import create_db_engine, session_scope
from sync_server.core.embedded import EmbeddedPostgres
from sync_server.db import versioning  # noqa: F401  (registers sync_version_seq)
from sync_server.seed import seed_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000, help="head-office customers")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cnc-seed-bench-") as tmp:
        server = EmbeddedPostgres(Path(tmp) / "pgdata", database="bench", cleanup_mode="delete")
        url = server.start()
        try:
            engine = create_db_engine(url)
            Base.metadata.create_all(engine)
            started = time.perf_counter()
            with session_scope(engine) as session:
                result = seed_demo(
                    session, seed=args.seed, today=dt.date(2026, 6, 15), hq_customers=args.customers
                )
            seconds = time.perf_counter() - started
            engine.dispose()
        finally:
            server.stop()
    rows = result.total_rows
    for table, count in result.counts.items():
        print(f"{table:24} {count:>8}")
    print(
        f"seeded {rows} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s), "
        "including 50 argon2 password hashes"
    )
    print(json.dumps({"rows": rows, "seconds": round(seconds, 2)}))


if __name__ == "__main__":
    main()
