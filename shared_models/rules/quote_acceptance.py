"""What the customer's acceptance of a quote records: who signed, the signature, the valuation.

The signature is stored on the quote as ``{png_base64, method, ip, device_id}``
(``Quote.signature``). The valuation the customer confirms must be the one the
quote was priced with: choosing another changes the price, and a price change
on a sent quote sends it back to DRAFT (DESIGN 6.8), so it is re-priced and
sent again rather than changed at signing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from shared_models.enums import ValuationOption
from shared_models.rules.errors import SIGNATURE_REQUIRED, VALUATION_CHANGED, RuleViolation
from shared_models.rules.valuation import ValuationChoice

#: The keys a stored signature may carry.
SIGNATURE_KEYS = frozenset({"png_base64", "method", "ip", "device_id"})
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def signer(name: str | None) -> str:
    """The signer's name, trimmed; a blank one is refused."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise RuleViolation(
            SIGNATURE_REQUIRED, "the signer's name is required", field="signer_name"
        )
    if len(cleaned) > 200:
        raise RuleViolation(
            SIGNATURE_REQUIRED,
            "the signer's name is longer than 200 characters",
            field="signer_name",
        )
    return cleaned


def signature_document(
    signature: bytes | Mapping[str, Any],
    *,
    method: str = "on_screen",
    device_id: str | None = None,
    ip: str | None = None,
) -> dict[str, Any]:
    """The JSON stored on the quote, from PNG bytes or an already-built document."""
    if isinstance(signature, bytes | bytearray):
        doc: dict[str, Any] = {
            "png_base64": base64.b64encode(bytes(signature)).decode("ascii"),
            "method": method,
            "ip": ip,
            "device_id": device_id,
        }
    elif isinstance(signature, Mapping):
        unknown = set(signature) - SIGNATURE_KEYS
        if unknown:
            raise RuleViolation(
                SIGNATURE_REQUIRED,
                f"unknown signature fields {sorted(unknown)}",
                field="signature",
            )
        doc = {"method": method, "ip": ip, "device_id": device_id, **signature}
    else:
        raise TypeError(f"signature: {type(signature).__name__} is neither bytes nor a mapping")
    _check_png(doc.get("png_base64"))
    return doc


def _check_png(encoded: Any) -> None:
    try:
        raw = base64.b64decode(encoded or "", validate=True)
    except (binascii.Error, TypeError, ValueError):
        raw = b""
    if not raw.startswith(PNG_MAGIC):
        raise RuleViolation(
            SIGNATURE_REQUIRED, "the signature must be a PNG image", field="signature"
        )


def check_valuation(quote: Mapping[str, Any], choice: ValuationChoice | None) -> None:
    """Refuse a confirmed valuation other than the one the quote was priced with."""
    if choice is None:
        return
    priced = ValuationOption(quote.get("valuation_option") or ValuationOption.RELEASED_VALUE)
    differs = [
        name
        for name, wanted, have in (
            ("option", choice.option, priced),
            ("declared value", choice.declared_value, quote.get("declared_value")),
            ("deductible", choice.deductible, quote.get("valuation_deductible")),
        )
        if wanted is not None and wanted != have
    ]
    if differs:
        raise RuleViolation(
            VALUATION_CHANGED,
            f"the quote was priced with another valuation ({', '.join(differs)}): "
            "re-price it with the customer's choice and send it again",
            field="valuation_option",
        )
