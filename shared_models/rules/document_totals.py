"""A stored quote or invoice priced from its rows: the inputs both sides must build alike.

The server recomputes a document's totals on push (sync_server/sync/derived.py) and
the client prices unsynced documents offline (PDFs, the quote editor). Both read
the same row fields the same way here, so a total shown on a laptop equals the one
the server stores, to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from shared_models.enums import Province
from shared_models.rules.errors import RuleViolation
from shared_models.rules.tax import TaxRateRow
from shared_models.rules.totals import DocumentInput, LineInput, Totals, compute_totals

__all__ = ["document_totals"]


def document_totals(
    table: str,
    doc: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    *,
    province: Province | str | None,
    tax_exempt: bool,
    tax_rows: tuple[TaxRateRow, ...],
    today: dt.date,
) -> Totals:
    """Totals of a ``quote`` or ``invoice`` row and its live item rows.

    Quotes discount by ``discount_pct`` (else a fixed ``discount_amount``); invoices by
    amount only. Tax is that of the move date (quote) or issue date (invoice), else
    ``today``. A fixed discount larger than what is left after items were removed is
    capped at the subtotal rather than refused.
    """
    pct = doc.get("discount_pct") or Decimal(0) if table == "quote" else Decimal(0)
    tax_date = doc.get("move_date" if table == "quote" else "issue_date") or today
    lines = tuple(
        LineInput(
            quantity=i["quantity"],
            unit_price=i["unit_price"],
            discount_pct=i["discount_pct"],
            taxable=i["taxable"],
            category=i["category"],
        )
        for i in items
    )

    def totals(amount: Decimal) -> Totals:
        return compute_totals(
            DocumentInput(
                currency=doc["currency"],
                lines=lines,
                tax_date=tax_date,
                province=province,
                tax_exempt=bool(tax_exempt),
                tax_rows=tax_rows,
                document_discount_pct=pct,
                document_discount_amount=amount,
            )
        )

    amount = Decimal(0) if pct else (doc.get("discount_amount") or Decimal(0))
    try:
        return totals(amount)
    except RuleViolation as exc:
        if exc.field != "document_discount_amount":
            raise
        return totals(totals(Decimal(0)).subtotal)
