"""Tenant reference data: taxes, exchange rates, rate cards, the cube sheet and templates.

All of it lands in the ``tenant_ref`` bucket, so every laptop can price a move
offline with exactly these rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from shared_models.enums import Currency, TemplateType
from shared_models.models import CatalogueItem, ExchangeRate, PriceList, TaxRate, Template
from shared_models.rules.tax import CANADIAN_TAX_RATES_2026, TaxRateRow
from sync_server.seed.catalogue import CATALOGUE, default_rate_card, usd_rate_card
from sync_server.seed.company import BRAND, Company
from sync_server.seed.context import SeedContext

#: Bank of Canada-like daily rates: (CAD per USD, CAD per EUR), drifting over recent weeks.
FX_POINTS = (
    (120, "1.3921", "1.5114"),
    (90, "1.3848", "1.5967"),
    (60, "1.3785", "1.6082"),
    (30, "1.3820", "1.6150"),
    (7, "1.3762", "1.6034"),
    (1, "1.3744", "1.6071"),
)


@dataclass(frozen=True)
class Reference:
    price_list_id: uuid.UUID
    usd_price_list_id: uuid.UUID
    rate_card: dict[str, object]
    tax_rows: tuple[TaxRateRow, ...]
    catalogue_ids: dict[str, uuid.UUID]
    templates: dict[str, uuid.UUID]


def seed_reference(ctx: SeedContext, company: Company) -> Reference:
    at = ctx.epoch + dt.timedelta(days=2)
    ctx.insert(
        TaxRate,
        [
            {
                "id": ctx.new_id(at),
                "created_at": at,
                "province": row.province,
                "kind": row.kind,
                "rate": row.rate,
                "effective_from": row.effective_from,
                "effective_to": row.effective_to,
                "label": row.label,
            }
            for row in CANADIAN_TAX_RATES_2026
        ],
    )
    fx = []
    for days_ago, usd, eur in FX_POINTS:
        day = ctx.today - dt.timedelta(days=days_ago)
        stamp = ctx.local(day, 16, 30, "America/Toronto")
        for base, rate in ((Currency.USD, usd), (Currency.EUR, eur)):
            fx.append(
                {
                    "id": ctx.new_id(stamp),
                    "created_at": stamp,
                    "base_currency": base,
                    "quote_currency": Currency.CAD,
                    "rate": Decimal(rate),
                    "effective_date": day,
                    "source": "Bank of Canada",
                }
            )
    ctx.insert(ExchangeRate, fx)

    card = default_rate_card()
    start = ctx.today - dt.timedelta(days=400)
    price_list_id, usd_id = ctx.new_id(at), ctx.new_id(at)
    windsor = company.site("WIN1")
    ctx.insert(
        PriceList,
        [
            {
                "id": price_list_id,
                "created_at": at,
                "location_id": None,
                "name": f"{BRAND} standard rates",
                "currency": Currency.CAD,
                "effective_from": start,
                "effective_to": None,
                "is_default": True,
                "is_active": True,
                "description": "Local moves priced by the hour (3 h minimum) plus truck and travel fee.",
                **card,
            },
            {
                "id": usd_id,
                "created_at": at,
                "location_id": windsor.id,
                "name": "Windsor cross-border (USD)",
                "currency": Currency.USD,
                "effective_from": start,
                "effective_to": None,
                "is_default": False,
                "is_active": True,
                "description": "Detroit-area moves quoted in US dollars.",
                **usd_rate_card(),
            },
        ],
    )
    catalogue_ids: dict[str, uuid.UUID] = {}
    rows = []
    for order, (name, room, category, cuft, weight, minutes, special) in enumerate(CATALOGUE):
        catalogue_ids[name] = ctx.new_id(at)
        rows.append(
            {
                "id": catalogue_ids[name],
                "created_at": at,
                "name": name,
                "room": room,
                "category": category,
                "cubic_feet": Decimal(cuft),
                "weight_lb": Decimal(weight) if weight else None,
                "handling_minutes": minutes,
                "is_specialty": special,
                "sort_order": order * 10,
                "is_active": True,
            }
        )
    ctx.insert(CatalogueItem, rows)
    return Reference(
        price_list_id,
        usd_id,
        card,
        CANADIAN_TAX_RATES_2026,
        catalogue_ids,
        _seed_templates(ctx, at),
    )


_TEMPLATES = (
    (
        "quote_email",
        TemplateType.EMAIL,
        "Quote email",
        "en-CA",
        "Your moving quote {{ quote.number }} from {{ tenant.name }}",
        (
            "Hi {{ customer.first_name }},\n\nThank you for choosing {{ tenant.name }}. Your quote "
            "{{ quote.number }} for your move on {{ quote.move_date }} comes to {{ quote.total }} "
            "(taxes included) and is valid until {{ quote.valid_until }}.\n\nAccept it online: "
            "{{ quote.accept_url }}\n\n{{ user.full_name }}\n{{ location.phone }}"
        ),
        [
            "customer.first_name",
            "tenant.name",
            "quote.number",
            "quote.move_date",
            "quote.total",
            "quote.valid_until",
            "quote.accept_url",
            "user.full_name",
            "location.phone",
        ],
    ),
    (
        "quote_email_fr",
        TemplateType.EMAIL,
        "Quote email",
        "fr-CA",
        "Votre soumission {{ quote.number }} - {{ tenant.name }}",
        (
            "Bonjour {{ customer.first_name }},\n\nMerci d'avoir choisi {{ tenant.name }}. Votre "
            "soumission {{ quote.number }} pour le {{ quote.move_date }} s'élève à {{ quote.total }} "
            "(taxes incluses).\n\nAccepter en ligne : {{ quote.accept_url }}\n\n{{ user.full_name }}"
        ),
        [
            "customer.first_name",
            "tenant.name",
            "quote.number",
            "quote.move_date",
            "quote.total",
            "quote.accept_url",
            "user.full_name",
        ],
    ),
    (
        "invoice_email",
        TemplateType.EMAIL,
        "Invoice email",
        "en-CA",
        "Invoice {{ invoice.number }} for your move",
        (
            "Hi {{ customer.first_name }},\n\nThanks for moving with {{ tenant.name }}. Invoice "
            "{{ invoice.number }} for {{ invoice.total }} is attached; the balance of "
            "{{ invoice.balance_due }} is due by {{ invoice.due_date }}.\n\nPay online: "
            "{{ invoice.pay_url }}"
        ),
        [
            "customer.first_name",
            "tenant.name",
            "invoice.number",
            "invoice.total",
            "invoice.balance_due",
            "invoice.due_date",
            "invoice.pay_url",
        ],
    ),
    (
        "move_reminder_sms",
        TemplateType.SMS,
        "Move reminder",
        "en-CA",
        None,
        (
            "{{ tenant.name }}: your crew arrives {{ journey.move_date }} between "
            "{{ journey.arrival_window }}. Reply C to confirm or call {{ location.phone }}."
        ),
        ["tenant.name", "journey.move_date", "journey.arrival_window", "location.phone"],
    ),
    (
        "move_reminder_sms_fr",
        TemplateType.SMS,
        "Move reminder",
        "fr-CA",
        None,
        (
            "{{ tenant.name }} : votre équipe arrive le {{ journey.move_date }} entre "
            "{{ journey.arrival_window }}. Répondez C pour confirmer."
        ),
        ["tenant.name", "journey.move_date", "journey.arrival_window"],
    ),
    (
        "quote_document",
        TemplateType.QUOTE,
        "Quote (PDF)",
        "en-CA",
        None,
        (
            "{{ tenant.legal_name }} - GST/HST {{ tenant.gst_hst_number }}\nQuote {{ quote.number }}\n"
            "{% for item in quote.items %}{{ item.description }}  {{ item.line_total }}\n{% endfor %}"
            "Total {{ quote.total }}"
        ),
        [
            "tenant.legal_name",
            "tenant.gst_hst_number",
            "quote.number",
            "quote.items",
            "quote.total",
        ],
    ),
    (
        "invoice_document",
        TemplateType.INVOICE,
        "Invoice (PDF)",
        "en-CA",
        None,
        (
            "{{ tenant.legal_name }} - GST/HST {{ tenant.gst_hst_number }}\nInvoice {{ invoice.number }}\n"
            "{% for item in invoice.items %}{{ item.description }}  {{ item.line_total }}\n{% endfor %}"
            "Total {{ invoice.total }}  Paid {{ invoice.amount_paid }}  Due {{ invoice.balance_due }}"
        ),
        [
            "tenant.legal_name",
            "tenant.gst_hst_number",
            "invoice.number",
            "invoice.items",
            "invoice.total",
            "invoice.amount_paid",
            "invoice.balance_due",
        ],
    ),
)


def _seed_templates(ctx: SeedContext, at: dt.datetime) -> dict[str, uuid.UUID]:
    ids, rows = {}, []
    for key, kind, name, locale, subject, body, variables in _TEMPLATES:
        ids[key] = ctx.new_id(at)
        rows.append(
            {
                "id": ids[key],
                "created_at": at,
                "type": kind,
                "name": name,
                "subject": subject,
                "body": body,
                "variables": variables,
                "locale": locale,
                "is_active": True,
            }
        )
    ctx.insert(Template, rows)
    return ids
