"""Alembic history of the server's PostgreSQL schema (DESIGN 1, 6)."""
from __future__ import annotations

from pathlib import Path

#: Folder holding env.py and versions/, for building an Alembic Config in code.
SCRIPT_LOCATION = Path(__file__).resolve().parent
