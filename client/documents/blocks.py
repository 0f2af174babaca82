"""Content blocks quotes and invoices share: bill-to and move rows, valuation, signature."""

from __future__ import annotations

import io

from fpdf.enums import XPos, YPos
from fpdf.errors import FPDFException

from client.documents.layout import ACCENT, INK, LINE, MUTED, DocumentPDF
from client.documents.model import Acceptance, MoveDetails, Party, Valuation
from client.documents.text import date, local_datetime, money, number
from shared_models.enums import Currency, EstimateType, ValuationOption

ESTIMATE_TITLES: dict[EstimateType, str] = {
    EstimateType.HOURLY: "Hourly estimate",
    EstimateType.FLAT: "Flat rate",
    EstimateType.BINDING: "Binding estimate",
    EstimateType.NON_BINDING: "Non-binding estimate",
    EstimateType.NOT_TO_EXCEED: "Not-to-exceed estimate",
}
VALUATION_TITLES: dict[ValuationOption, str] = {
    ValuationOption.RELEASED_VALUE: "Released value",
    ValuationOption.FULL_VALUE: "Full-value protection",
}

Rows = list[tuple[str, str]]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def party_rows(party: Party) -> Rows:
    rows: Rows = [("", party.name), *(("", line) for line in party.address_lines)]
    rows += [("", x) for x in (party.phone, party.email) if x]
    if party.tax_exemption_number:
        rows.append(("Tax exempt", f"No. {party.tax_exemption_number}"))
    return rows


def move_rows(move: MoveDetails) -> Rows:
    rows: Rows = []
    if move.reference:
        rows.append(("Reference", move.reference))
    if move.origin:
        rows.append(("From", move.origin))
    if move.destination:
        rows.append(("To", move.destination))
    if move.move_date:
        when = date(move.move_date)
        rows.append(
            ("Move date", f"{when}, {move.arrival_window}" if move.arrival_window else when)
        )
    crew = [_plural(move.crew_size, "mover")] if move.crew_size else []
    if move.truck_count:
        crew.append(_plural(move.truck_count, "truck"))
    if crew:
        rows.append(("Crew", ", ".join(crew)))
    if move.hours is not None:
        rows.append((move.hours_label, f"{number(move.hours)} h"))
    size = [f"{number(move.volume_cuft)} cu ft"] if move.volume_cuft else []
    if move.weight_lb:
        size.append(f"{number(move.weight_lb)} lb")
    if size:
        rows.append(("Shipment", " / ".join(size)))
    return rows


def valuation_text(valuation: Valuation, currency: Currency) -> str:
    title = VALUATION_TITLES[valuation.option]
    if valuation.option is ValuationOption.RELEASED_VALUE:
        rate = valuation.released_rate_per_lb
        limit = f" limited to {money(rate, currency)} per pound per article" if rate else ""
        charge = money(valuation.charge, currency) if valuation.charge else "no extra charge"
        return f"{title}: the mover's liability is{limit or ' limited by weight'}; {charge}."
    parts = [f"{title}:"]
    if valuation.declared_value is not None:
        parts.append(f"declared value {money(valuation.declared_value, currency)},")
    if valuation.deductible is not None:
        parts.append(f"deductible {money(valuation.deductible, currency)},")
    parts.append(f"charge {money(valuation.charge, currency)}.")
    return " ".join(parts)


def _checkbox(pdf: DocumentPDF, label: str, ticked: bool) -> None:
    x, y = pdf.get_x(), pdf.get_y() + 0.8
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.25)
    pdf.rect(x, y, 3.2, 3.2)
    if ticked:
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.5)
        pdf.line(x + 0.6, y + 1.7, x + 1.4, y + 2.6)
        pdf.line(x + 1.4, y + 2.6, x + 2.8, y + 0.6)
    pdf.set_x(x + 5)
    pdf.style(8.5, colour=INK)
    pdf.cell(pdf.get_string_width(label) + 8, LINE, label)


def signature_block(
    pdf: DocumentPDF,
    acceptance: Acceptance | None,
    valuation: Valuation | None,
    currency: Currency,
    timezone: str,
) -> None:
    """The valuation choice, then who accepted and when, or blank lines for a wet signature."""
    pdf.ensure_space(48 if valuation else 36)
    pdf.section_title("Valuation and acceptance" if valuation else "Acceptance")
    if valuation is not None:
        pdf.style(8.5, colour=MUTED)
        pdf.cell(32, LINE, "Valuation chosen")
        for option, title in VALUATION_TITLES.items():
            _checkbox(pdf, title, valuation.option is option)
        pdf.ln(LINE + 1)
        pdf.paragraph(valuation_text(valuation, currency), size=8, colour=MUTED)
        pdf.ln(1.5)
    if acceptance is None:
        pdf.paragraph("I accept this quote, its terms and the valuation option marked above.")
        _signature_lines(pdf, None, None)
        return
    when = local_datetime(acceptance.signed_at, timezone) if acceptance.signed_at else ""
    pdf.style(8.5)
    pdf.paragraph(f"Accepted by {acceptance.signer_name}" + (f" on {when}." if when else "."))
    _signature_lines(pdf, acceptance, when)


def _signature_lines(pdf: DocumentPDF, acceptance: Acceptance | None, when: str | None) -> None:
    top = pdf.get_y() + 2
    sig_w, gap = pdf.content_width * 0.55, 10.0
    image_h = 13.0
    if acceptance is not None and acceptance.signature_png:
        try:
            pdf.image(io.BytesIO(acceptance.signature_png), x=pdf.l_margin + 2, y=top, h=image_h)
        except (FPDFException, OSError, ValueError):
            pdf.set_xy(pdf.l_margin, top + image_h - LINE)
            pdf.style(8, italic=True, colour=MUTED)
            pdf.cell(sig_w, LINE, "(signature image could not be read)")
    elif acceptance is not None:
        pdf.set_xy(pdf.l_margin + 2, top + image_h - 7)
        pdf.style(14, italic=True, colour=INK)
        pdf.cell(sig_w, 7, acceptance.signer_name)
    line_y = top + image_h + 1
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, line_y, pdf.l_margin + sig_w, line_y)
    date_x = pdf.l_margin + sig_w + gap
    pdf.line(date_x, line_y, pdf.w - pdf.r_margin, line_y)
    if when:
        pdf.set_xy(date_x, line_y - 6)
        pdf.style(9)
        pdf.cell(0, 5, when)
    pdf.set_xy(pdf.l_margin, line_y + 0.8)
    pdf.style(7.5, colour=MUTED)
    signer = acceptance.signer_name if acceptance else "Customer"
    pdf.cell(sig_w + gap, LINE, f"Signature ({signer})")
    pdf.cell(0, LINE, "Date", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(pdf.get_y() + 3)
