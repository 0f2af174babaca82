"""Page sources over the service layer's list queries (quotes, customers, leads)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from client.replica.store import LocalStore
from client.services.lists import (
    CustomerRow,
    QuoteQuery,
    QuoteRow,
    count_customers,
    count_quotes,
    customer_page,
    quote_page,
)
from client.services.pipeline import LeadCard, lead_page


class QuoteSource:
    def __init__(self, store: LocalStore, query: QuoteQuery) -> None:
        self.store, self.query = store, query

    def count(self) -> int:
        return count_quotes(self.store, self.query)

    def page(self, offset: int, limit: int) -> Sequence[QuoteRow]:
        return quote_page(self.store, self.query, offset=offset, limit=limit)

    def with_(self, **changes: object) -> QuoteSource:
        return QuoteSource(self.store, replace(self.query, **changes))  # type: ignore[arg-type]


class CustomerSource:
    def __init__(self, store: LocalStore) -> None:
        self.store = store

    def count(self) -> int:
        return count_customers(self.store)

    def page(self, offset: int, limit: int) -> Sequence[CustomerRow]:
        return customer_page(self.store, offset=offset, limit=limit)


class LeadSource:
    """One pipeline lane; the count comes with the lane so no second query is needed."""

    def __init__(self, store: LocalStore, status: str, total: int) -> None:
        self.store, self.status, self.total = store, status, total

    def count(self) -> int:
        return self.total

    def page(self, offset: int, limit: int) -> Sequence[LeadCard]:
        return lead_page(self.store, self.status, offset=offset, limit=limit)
