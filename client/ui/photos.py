"""Damage photos on screen: thumbnails in the timeline, the larger view, and the photos
waiting to be saved with a damage note (each with its caption).

Thumbnails are decoded off the UI thread (``thumbnails``); only the click on
one decodes the full photo, once, for the viewer.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.services.crew import EventRow
from client.services.journey_log import MAX_CAPTION, DamagePhoto
from client.ui.photo_prep import decode_jpeg
from client.ui.widgets import button, label
from shared_models.enums import JourneyEventType

THUMB_HEIGHT = 72
#: Photos waiting to be saved are shown larger: the crew lead checks the shot.
PENDING_HEIGHT = 96
VIEW_SIZE = QSize(1000, 720)


@dataclass(frozen=True)
class StoredPhoto:
    """A PHOTO event as the screen needs it: thumbnail decoded, full JPEG kept encoded."""

    id: str
    caption: str
    thumb: QImage
    jpeg_base64: str


def thumbnails(events: Iterable[EventRow]) -> dict[str, StoredPhoto]:
    """Photo id -> its thumbnail, for every PHOTO event whose picture is on this device."""
    out: dict[str, StoredPhoto] = {}
    for event in events:
        if event.event_type is not JourneyEventType.PHOTO:
            continue
        encoded = str(event.payload.get("jpeg_base64") or "")
        try:
            thumb = decode_jpeg(base64.b64decode(encoded), height=THUMB_HEIGHT)
        except (binascii.Error, ValueError):
            continue
        if thumb.isNull():
            continue
        photo_id = str(event.payload.get("photo_id") or event.id)
        caption = str(event.payload.get("caption") or "")
        out[photo_id] = StoredPhoto(photo_id, caption, thumb, encoded)
    return out


def photo_ids(event: EventRow) -> list[str]:
    """The photos a DAMAGE event names, in the order they were taken."""
    return [str(i) for i in event.payload.get("photo_ids") or []]


class PhotoThumb(QToolButton):
    """A clickable thumbnail; ``opened`` after the viewer closed."""

    opened = Signal(str)

    def __init__(self, photo: StoredPhoto, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.photo = photo
        pixmap = QPixmap.fromImage(photo.thumb)
        self.setIcon(QIcon(pixmap))
        self.setIconSize(pixmap.size())
        self.setFixedSize(pixmap.size() + QSize(8, 8))
        self.setObjectName("PhotoThumb")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(photo.caption or "Open the photo")
        self.setStyleSheet(
            "#PhotoThumb { border: 1px solid #d9e2ec; border-radius: 6px; padding: 2px;"
            " background: white; } #PhotoThumb:hover { border-color: #2f80ed; }"
        )
        self.clicked.connect(self.open_viewer)
        self.viewer: PhotoViewer | None = None

    def open_viewer(self) -> None:
        self.viewer = PhotoViewer(self.photo, self.window())
        self.viewer.open()
        self.opened.emit(self.photo.id)


def missing_thumb() -> QLabel:
    """Where a photo synced without its picture (older data) would be."""
    widget = label("Photo not on this device", "Muted")
    widget.setFixedSize(THUMB_HEIGHT * 4 // 3 + 30, THUMB_HEIGHT)
    widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    widget.setWordWrap(True)
    widget.setStyleSheet("border: 1px dashed #bcccdc; border-radius: 6px; font-size: 11px;")
    return widget


def thumb_row(ids: list[str], photos: dict[str, StoredPhoto]) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 4, 0, 0)
    row.setSpacing(8)
    for photo_id in ids:
        photo = photos.get(photo_id)
        row.addWidget(PhotoThumb(photo) if photo is not None else missing_thumb())
    row.addStretch(1)
    return holder


class PhotoViewer(QDialog):
    """The photo at a readable size, with its caption."""

    def __init__(self, photo: StoredPhoto, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(photo.caption or "Damage photo")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        image = decode_jpeg(base64.b64decode(photo.jpeg_base64))
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(640, 480)
        self.picture.setStyleSheet("background: #1f2933; border-radius: 8px; padding: 8px;")
        self.picture.setPixmap(
            QPixmap.fromImage(image).scaled(
                VIEW_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.caption = label(photo.caption or "No caption", "Big", wrap=True)
        size = label(f"{image.width()} × {image.height()} px", "Muted")
        close = button("Close", primary=True)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        texts = QVBoxLayout()
        texts.addWidget(self.caption)
        texts.addWidget(size)
        bottom.addLayout(texts, 1)
        bottom.addWidget(close, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(self.picture, 1)
        layout.addLayout(bottom)


class PendingTile(QWidget):
    """One photo chosen for the note: its thumbnail, a caption field and Remove."""

    removed = Signal(object)

    def __init__(self, photo: DamagePhoto, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.photo = photo
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        self.picture = QLabel()
        self.picture.setPixmap(QPixmap.fromImage(decode_jpeg(photo.jpeg, height=PENDING_HEIGHT)))
        self.picture.setStyleSheet("border: 1px solid #d9e2ec; border-radius: 6px;")
        self.caption = QLineEdit(photo.caption)
        self.caption.setPlaceholderText("Add a caption")
        self.caption.setMaxLength(MAX_CAPTION)
        width = max(self.picture.sizeHint().width(), 150)
        self.caption.setFixedWidth(width)
        self.remove = button("Remove", flat=True)
        self.remove.clicked.connect(lambda: self.removed.emit(self))
        for widget in (self.picture, self.caption, self.remove):
            box.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)

    def value(self) -> DamagePhoto:
        p = self.photo
        return DamagePhoto(p.jpeg, p.width, p.height, self.caption.text().strip())


class PendingPhotos(QWidget):
    """The photos that will be saved with the next damage note."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(10)
        self.row.addStretch(1)
        self.tiles: list[PendingTile] = []
        self.hide()

    def add(self, photo: DamagePhoto) -> None:
        tile = PendingTile(photo)
        tile.removed.connect(self._remove)
        self.tiles.append(tile)
        self.row.insertWidget(len(self.tiles) - 1, tile)
        self.show()
        self.changed.emit()

    def photos(self) -> list[DamagePhoto]:
        return [tile.value() for tile in self.tiles]

    def clear(self) -> None:
        for tile in list(self.tiles):
            self._remove(tile, notify=False)
        self.changed.emit()

    def _remove(self, tile: PendingTile, *, notify: bool = True) -> None:
        self.tiles.remove(tile)
        self.row.removeWidget(tile)
        tile.deleteLater()
        self.setVisible(bool(self.tiles))
        if notify:
            self.changed.emit()
