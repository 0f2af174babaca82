"""The product look: Fusion with a light palette, a navy sidebar and one small style sheet."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

INK = "#1f2933"
MUTED = "#616e7c"
LINE = "#dde3ea"
CANVAS = "#f3f5f8"
CARD = "#ffffff"
PRIMARY = "#1f6feb"
PRIMARY_DARK = "#1858c4"
SIDEBAR = "#102a43"
SIDEBAR_ACTIVE = "#243b53"
ACCENT = "#f0a202"
DANGER = "#c62828"
OK = "#1b873f"

#: (background, text) of the status chips, shared by quotes and leads.
CHIP_COLOURS: dict[str, tuple[str, str]] = {
    "DRAFT": ("#e6e9ee", "#3e4c59"),
    "SENT": ("#dbeafe", "#1e40af"),
    "VIEWED": ("#e0e7ff", "#3730a3"),
    "ACCEPTED": ("#dcfce7", "#166534"),
    "REJECTED": ("#fee2e2", "#991b1b"),
    "EXPIRED": ("#fef3c7", "#92400e"),
    "CONVERTED": ("#ccfbf1", "#115e59"),
    "NEW": ("#dbeafe", "#1e40af"),
    "CONTACTED": ("#e0e7ff", "#3730a3"),
    "QUALIFIED": ("#ede9fe", "#5b21b6"),
    "PROPOSAL_SENT": ("#fef3c7", "#92400e"),
    "NEGOTIATION": ("#ffedd5", "#9a3412"),
    "WON": ("#dcfce7", "#166534"),
    "LOST": ("#fee2e2", "#991b1b"),
    "ARCHIVED": ("#e6e9ee", "#3e4c59"),
    # journeys, users and devices
    "PLANNED": ("#e6e9ee", "#3e4c59"),
    "CONFIRMED": ("#dbeafe", "#1e40af"),
    "DISPATCHED": ("#e0e7ff", "#3730a3"),
    "IN_PROGRESS": ("#fef3c7", "#92400e"),
    "COMPLETED": ("#dcfce7", "#166534"),
    "CANCELLED": ("#fee2e2", "#991b1b"),
    "ACTIVE": ("#dcfce7", "#166534"),
    "INACTIVE": ("#e6e9ee", "#3e4c59"),
    "REVOKED": ("#fee2e2", "#991b1b"),
}

QSS = f"""
QMainWindow, QDialog {{ background: {CANVAS}; }}
QWidget {{ color: {INK}; }}
QToolTip {{ background: {INK}; color: white; border: none; padding: 4px 6px; }}

#Sidebar {{ background: {SIDEBAR}; }}
#Sidebar QLabel {{ color: #d9e2ec; }}
#Brand {{ color: white; font-size: 17px; font-weight: 700; }}
#BrandSub {{ color: #9fb3c8; font-size: 11px; }}
#UserName {{ color: white; font-weight: 600; }}
#UserRole {{ color: #9fb3c8; font-size: 11px; }}
#NavList {{ background: transparent; border: none; outline: none; color: #d9e2ec;
            font-size: 14px; }}
#NavList::item {{ padding: 9px 14px; margin: 2px 10px; border-radius: 8px; }}
#NavList::item:hover {{ background: #1c3a57; }}
#NavList::item:selected {{ background: {SIDEBAR_ACTIVE}; color: white;
                           border-left: 3px solid {ACCENT}; }}

#PageTitle {{ font-size: 22px; font-weight: 700; }}
#PageSubtitle, #Muted {{ color: {MUTED}; }}
#SectionTitle {{ font-size: 12px; font-weight: 700; color: {MUTED};
                 letter-spacing: 0.5px; }}
#Card {{ background: {CARD}; border: 1px solid {LINE}; border-radius: 10px; }}
#DetailTitle {{ font-size: 18px; font-weight: 700; }}
#FieldError {{ color: {DANGER}; font-size: 12px; }}
#FieldOk {{ color: {OK}; font-size: 12px; }}
#Banner {{ border-radius: 8px; padding: 2px; }}
#Banner[kind="error"] {{ background: #fdecea; border: 1px solid #f5c2c0; }}
#Banner[kind="warning"] {{ background: #fff7e0; border: 1px solid #f3d58a; }}
#Banner[kind="info"] {{ background: #e8f1fe; border: 1px solid #bcd4fb; }}
#LaneHeader {{ font-weight: 700; }}
#CountBadge {{ background: #e6e9ee; color: #3e4c59; border-radius: 9px; padding: 1px 8px;
               font-size: 11px; font-weight: 700; }}

QLineEdit, QComboBox, QSpinBox, QDateEdit {{ background: white; border: 1px solid #cbd2d9;
    border-radius: 7px; padding: 6px 9px; min-height: 20px;
    selection-background-color: {PRIMARY}; }}
QLineEdit:focus, QComboBox:focus, QDateEdit:focus {{ border: 1px solid {PRIMARY}; }}
QLineEdit[invalid="true"] {{ border: 1px solid {DANGER}; }}
#SearchBox {{ padding-left: 10px; border-radius: 16px; }}
QComboBox::drop-down, QDateEdit::drop-down {{ border: none; width: 22px; }}

QPushButton {{ background: white; border: 1px solid #cbd2d9; border-radius: 7px;
    padding: 6px 14px; }}
QPushButton:hover {{ background: #eef2f6; }}
QPushButton:disabled {{ color: #9aa5b1; }}
QPushButton[primary="true"] {{ background: {PRIMARY}; color: white; border: 1px solid {PRIMARY};
    font-weight: 600; }}
QPushButton[primary="true"]:hover {{ background: {PRIMARY_DARK}; }}
QPushButton[primary="true"]:disabled {{ background: #9bbcf5; border-color: #9bbcf5; }}
QPushButton[flat="true"] {{ border: none; background: transparent; color: {PRIMARY}; }}

QTableView {{ background: white; border: 1px solid {LINE}; border-radius: 10px;
    gridline-color: transparent; selection-background-color: #e8f1fe;
    selection-color: {INK}; alternate-background-color: #fafbfc; }}
QTableView::item {{ padding: 0 8px; border-bottom: 1px solid #eef1f4; }}
QHeaderView::section {{ background: white; color: {MUTED}; border: none;
    border-bottom: 1px solid {LINE}; padding: 8px; font-weight: 600; }}
QListView {{ background: transparent; border: none; outline: none; }}

QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ background: transparent; padding: 8px 16px; margin-right: 4px;
    color: {MUTED}; border-bottom: 2px solid transparent; font-weight: 600; }}
QTabBar::tab:selected {{ color: {INK}; border-bottom: 2px solid {PRIMARY}; }}

QStatusBar {{ background: white; border-top: 1px solid {LINE}; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 8px; }}
#StatusPill[online="true"] {{ color: {OK}; font-weight: 600; }}
#StatusPill[online="false"] {{ color: #b54708; font-weight: 600; }}
#PendingLabel[waiting="true"] {{ color: {INK}; font-weight: 600; }}
#IssuesLabel[issues="true"] {{ color: {DANGER}; font-weight: 600; }}
QProgressBar {{ border: 1px solid {LINE}; border-radius: 5px; background: #eef1f4;
    height: 10px; text-align: center; font-size: 10px; }}
QProgressBar::chunk {{ background: {PRIMARY}; border-radius: 5px; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
QScrollBar::handle {{ background: #c5ccd6; border-radius: 3px; min-height: 28px;
    min-width: 28px; }}
QScrollBar::handle:hover {{ background: #9aa5b1; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
QSplitter::handle {{ background: transparent; }}
"""


def apply_style(app: QApplication) -> None:
    """Fusion, a light palette (dark desktop themes must not leak in) and the style sheet."""
    app.setStyle("Fusion")
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: CANVAS,
        QPalette.ColorRole.WindowText: INK,
        QPalette.ColorRole.Base: CARD,
        QPalette.ColorRole.AlternateBase: "#fafbfc",
        QPalette.ColorRole.Text: INK,
        QPalette.ColorRole.Button: CARD,
        QPalette.ColorRole.ButtonText: INK,
        QPalette.ColorRole.Highlight: PRIMARY,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: INK,
        QPalette.ColorRole.ToolTipText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#9aa5b1",
        QPalette.ColorRole.Link: PRIMARY,
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    app.setStyleSheet(QSS)
