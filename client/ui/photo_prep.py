"""Turn an image file from the laptop's camera app or a phone into a photo we can sync.

Runs off the UI thread (``PHOTO_POOL``): read with EXIF orientation applied,
downscale to ``LONGEST_EDGE``, repaint on white into a fresh image (so no
EXIF, GPS or comment block survives), and encode as JPEG. A file that is not
an image, or still too large after downscaling, is refused with a message the
crew lead can act on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QSize, Qt, QThreadPool
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter

from client.services.journey_log import MAX_PHOTO_BYTES, DamagePhoto

LONGEST_EDGE: Final = 1600
JPEG_QUALITY: Final = 80
#: Tried in turn when a busy picture is still over the limit at ``JPEG_QUALITY``.
FALLBACK_QUALITIES: Final = (70, 60)
#: A phone's panorama or a RAW export is refused before it is decoded at all.
MAX_FILE_BYTES: Final = 40 * 1024 * 1024
MAX_SOURCE_PIXELS: Final = 80_000_000

_pool: QThreadPool | None = None


class PhotoRejected(ValueError):
    """A file that cannot become a damage photo; the message names the file and why."""


def photo_pool() -> QThreadPool:
    """One thread for image work, so it never queues in front of replica reads."""
    global _pool
    if _pool is None:
        _pool = QThreadPool(QCoreApplication.instance())  # goes away with the app, not after
        _pool.setMaxThreadCount(1)
        _pool.setObjectName("cnc-photos")
    return _pool


def known_formats() -> str:
    """The common picture formats Qt can read here, for messages and the file dialog."""
    have = {bytes(f.data()).decode().lower() for f in QImageReader.supportedImageFormats()}
    return ", ".join(f.upper() for f in ("jpeg", "png", "webp", "heic", "tiff", "bmp") if f in have)


def file_filter() -> str:
    """``Images (*.jpg *.png ...)`` for QFileDialog."""
    have = sorted({bytes(f.data()).decode().lower() for f in QImageReader.supportedImageFormats()})
    wanted = [
        f for f in have if f in {"jpg", "jpeg", "jfif", "png", "webp", "heic", "tif", "tiff", "bmp"}
    ]
    return "Images (" + " ".join(f"*.{f}" for f in wanted) + ")"


def prepare_photo(path: str | Path, caption: str = "") -> DamagePhoto:
    """The file at ``path`` as a downscaled, metadata-free JPEG; raises PhotoRejected."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise PhotoRejected(f"“{name}” is not a file on this laptop.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PhotoRejected(
            f"“{name}” is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: "
            "export a smaller copy from the camera app."
        )
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # EXIF orientation: a portrait shot stays upright
    if not reader.canRead():
        raise PhotoRejected(f"“{name}” is not a picture this laptop can read ({known_formats()}).")
    size = reader.size()
    if size.isValid() and size.width() * size.height() > MAX_SOURCE_PIXELS:
        raise PhotoRejected(f"“{name}” has too many pixels ({size.width()}×{size.height()}).")
    if size.isValid() and max(size.width(), size.height()) > LONGEST_EDGE:
        # Decode straight at the target size: a 48 MP photo never sits in memory in full.
        reader.setScaledSize(size.scaled(_box(), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise PhotoRejected(f"“{name}” could not be read as a picture: {reader.errorString()}.")
    flat = _flattened(_fit(image))
    for quality in (JPEG_QUALITY, *FALLBACK_QUALITIES):
        data = _jpeg(flat, quality)
        if len(data) <= MAX_PHOTO_BYTES:
            return DamagePhoto(data, flat.width(), flat.height(), caption)
    raise PhotoRejected(
        f"“{name}” is still {len(data) // 1024} KB after downscaling "
        f"(the limit is {MAX_PHOTO_BYTES // 1024} KB): take a simpler shot."
    )


def _box() -> QSize:
    return QSize(LONGEST_EDGE, LONGEST_EDGE)


def _fit(image: QImage) -> QImage:
    """Formats the reader cannot scale while decoding are scaled here."""
    if max(image.width(), image.height()) <= LONGEST_EDGE:
        return image
    return image.scaled(
        _box(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def _flattened(image: QImage) -> QImage:
    """A new RGB image on white: transparency filled, and no metadata carried over."""
    out = QImage(image.size(), QImage.Format.Format_RGB888)
    out.fill(QColor("white"))
    painter = QPainter(out)
    painter.drawImage(0, 0, image)
    painter.end()
    return out


def _jpeg(image: QImage, quality: int) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "JPEG", quality):
        raise PhotoRejected("this laptop cannot write JPEG images (Qt's JPEG plugin is missing)")
    buffer.close()
    return bytes(data.data())


def decode_jpeg(data: bytes, *, height: int | None = None) -> QImage:
    """A stored photo as an image, optionally scaled to ``height`` (safe off the UI thread)."""
    image = QImage.fromData(data, "JPEG")
    if image.isNull() or height is None:
        return image
    return image.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
