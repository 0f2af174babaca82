"""Small SQL building blocks the server's hot paths share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY


def one_of(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """``column = ANY(:values)`` with one array parameter.

    ``IN (...)`` renders one placeholder per value, so a 1,000-row push sends a
    new statement text every time, which SQLAlchemy expands and psycopg re-parses
    uncached (about a tenth of such a push). The array form keeps one text for
    1 or 10,000 values.
    """
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
