"""shared_models.rules stays pure: importing it pulls in no framework or database."""

from __future__ import annotations

import subprocess
import sys


def test_rules_import_no_io_frameworks() -> None:
    code = (
        "import sys, shared_models.rules, shared_models.rules.quote_workflow, "
        "shared_models.rules.invoice_workflow\n"
        "bad = [m for m in ('sqlalchemy', 'PySide6', 'fastapi', 'httpx', 'sqlite3', 'psycopg')"
        " if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
