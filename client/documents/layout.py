"""Page furniture shared by quotes and invoices: letterhead, title block, footers.

One look for every document: a thin accent bar, the tenant's letterhead on
the left and the document title block on the right, a compact running head
on continuation pages, and "Page x of y" in the footer.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from client.documents.model import DocumentHeading, Letterhead
from client.documents.text import PDF_ENCODING, pdf_safe

Colour = tuple[int, int, int]

ACCENT: Colour = (22, 78, 112)
ACCENT_TINT: Colour = (231, 239, 245)
ZEBRA: Colour = (246, 248, 250)
INK: Colour = (33, 37, 41)
MUTED: Colour = (110, 118, 128)
RULE: Colour = (210, 215, 221)
WHITE: Colour = (255, 255, 255)

FONT = "Helvetica"
MARGIN = 16.0
LINE = 4.6


class DocumentPDF(FPDF):
    """An FPDF page set up for one document; every string goes through ``pdf_safe``."""

    def __init__(self, *, title: str, heading: DocumentHeading, letterhead: Letterhead) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.core_fonts_encoding = PDF_ENCODING
        self.doc_title = title
        self.heading = heading
        self.letterhead = letterhead
        self.set_margins(MARGIN, 14, MARGIN)
        self.set_auto_page_break(True, margin=20)
        self.set_title(f"{title} {heading.number}")
        self.set_author(letterhead.name)
        self.set_creator("C&C CRM")
        self.add_page()

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def normalize_text(self, text: str) -> str:
        # Every path that prints or measures text passes here, so nothing escapes the fold.
        return super().normalize_text(pdf_safe(text))

    # -- fpdf hooks ------------------------------------------------------------

    def header(self) -> None:
        self.fill(ACCENT)
        self.rect(0, 0, self.w, 3.2, style="F")
        if self.page_no() == 1:
            self.set_y(14)
            return
        self.set_y(9)
        self.style(8.5, bold=True)
        self.cell(self.content_width / 2, LINE, self.letterhead.name)
        self.style(8.5, colour=MUTED)
        self.cell(
            self.content_width / 2,
            LINE,
            f"{self.doc_title} {self.heading.number}",
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.rule(self.get_y() + 1.5)
        self.set_y(self.get_y() + 5)

    def footer(self) -> None:
        self.set_y(-14)
        self.rule(self.get_y())
        self.set_y(self.get_y() + 1.8)
        self.style(7.5, colour=MUTED)
        left = f"{self.letterhead.name}  ·  {self.doc_title} {self.heading.number}"
        self.cell(self.content_width * 0.7, LINE, left)
        self.cell(self.content_width * 0.3, LINE, f"Page {self.page_no()} of {{nb}}", align="R")

    # -- primitives ------------------------------------------------------------

    def style(
        self, size: float, *, bold: bool = False, italic: bool = False, colour: Colour = INK
    ) -> None:
        self.set_font(FONT, ("B" if bold else "") + ("I" if italic else ""), size)
        self.set_text_color(*colour)

    def fill(self, colour: Colour) -> None:
        self.set_fill_color(*colour)

    def rule(self, y: float, colour: Colour = RULE, width: float = 0.25) -> None:
        self.set_draw_color(*colour)
        self.set_line_width(width)
        self.line(self.l_margin, y, self.w - self.r_margin, y)

    def lines_of(self, width: float, text: str) -> list[str]:
        """How ``text`` wraps in ``width`` with the current font (nothing is drawn)."""
        out = self.multi_cell(width, LINE, text, dry_run=True, output=MethodReturnValue.LINES)
        assert isinstance(out, list)  # LINES asks for the wrapped lines alone
        return [str(line) for line in out] or [""]

    def ensure_space(self, height: float) -> bool:
        """Start a new page when ``height`` does not fit; True if it did."""
        if self.will_page_break(height):
            self.add_page()
            return True
        return False

    def section_title(self, text: str, *, width: float = 0, space_after: float = 1.5) -> None:
        """An accent heading with a rule under it, ``width`` wide from the left margin."""
        self.ensure_space(LINE * 3)
        self.style(8, bold=True, colour=ACCENT)
        self.cell(width, LINE, text.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.35)
        y = self.get_y() + 0.4
        self.line(self.l_margin, y, self.l_margin + (width or self.content_width), y)
        self.set_y(y + space_after)

    def paragraph(
        self, text: str, *, size: float = 8.5, colour: Colour = INK, width: float = 0
    ) -> None:
        self.style(size, colour=colour)
        self.multi_cell(width, LINE, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # -- blocks ----------------------------------------------------------------

    def letterhead_block(self, facts: Sequence[tuple[str, str]]) -> None:
        """Tenant and branch on the left, title and key facts on the right."""
        top = self.get_y()
        left_w = self.content_width * 0.56
        right_x = self.l_margin + left_w
        right_w = self.content_width - left_w
        head = self.letterhead
        self.style(17, bold=True, colour=ACCENT)
        self.multi_cell(left_w, 7.5, head.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if head.legal_name and head.legal_name != head.name:
            self.style(8, italic=True, colour=MUTED)
            self.multi_cell(left_w, LINE, head.legal_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(self.get_y() + 1)
        self.style(8.5)
        for line in head.address_lines:
            self.multi_cell(left_w, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        contact = "  ·  ".join(x for x in (head.phone, head.email, head.website) if x)
        if contact:
            self.style(8.5, colour=MUTED)
            self.multi_cell(left_w, LINE, contact, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if head.registrations:
            self.set_y(self.get_y() + 1)
            for reg in head.registrations:
                self.style(7.5, colour=MUTED)
                label_w = self.get_string_width(f"{reg.label} ") + 1
                self.cell(label_w, 3.8, f"{reg.label} ")
                self.style(7.5, bold=True)
                self.cell(left_w - label_w, 3.8, reg.number, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()

        self.set_xy(right_x, top - 1)
        self.style(24, bold=True, colour=ACCENT)
        self.cell(right_w, 10, self.doc_title.upper(), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_y(self.get_y() + 1.5)
        label_w = right_w * 0.45
        for label, value in facts:
            self.set_x(right_x)
            self.style(8.5, colour=MUTED)
            self.cell(label_w, LINE + 0.4, label, align="R")
            self.style(8.5, bold=True)
            self.multi_cell(
                right_w - label_w, LINE + 0.4, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        if self.heading.provisional:
            self.set_x(right_x)
            self.style(7.5, italic=True, colour=MUTED)
            self.multi_cell(
                right_w,
                LINE,
                "Final number assigned when this device syncs",
                align="R",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        self.set_y(max(left_bottom, self.get_y()) + 4)
        self.rule(self.get_y())
        self.set_y(self.get_y() + 4)

    def info_columns(self, columns: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> None:
        """Side-by-side blocks ("Bill to", "Move details").

        A row with an empty label is plain text; a plain first row (the name) is bold.
        """
        top = self.get_y()
        gap = 8.0
        width = (self.content_width - gap * (len(columns) - 1)) / len(columns)
        bottoms: list[float] = []
        for index, (title, rows) in enumerate(columns):
            x = self.l_margin + index * (width + gap)
            self.set_xy(x, top)
            self.style(7.5, bold=True, colour=ACCENT)
            self.cell(width, LINE, title.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_y(self.get_y() + 0.8)
            for row_index, (label, value) in enumerate(rows):
                self.set_x(x)
                if label:
                    label_w = min(30.0, width * 0.4)
                    self.style(8.5, colour=MUTED)
                    self.cell(label_w, LINE, label)
                    self.style(8.5)
                    self.multi_cell(width - label_w, LINE, value, new_x=XPos.LEFT, new_y=YPos.NEXT)
                else:
                    self.style(8.5, bold=row_index == 0)  # the name heads its block
                    self.multi_cell(width, LINE, value, new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottoms.append(self.get_y())
        self.set_xy(self.l_margin, max(bottoms) + 5)
