"""Damage photos on the Journey screen: chosen or dropped, downscaled, saved with the note
offline in one transaction, synced to the real server with their ids linked.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage, QLinearGradient, QPainter
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from client.services.workspace import Workspace
from client.sync import outbox
from client.ui.journey import JourneyView
from client.ui.main_window import MainWindow
from client.ui.photo_prep import LONGEST_EDGE
from client.ui.photos import PhotoThumb, PhotoViewer
from shared_models.enums import JourneyEventType
from tests.gui.crew_fixtures import CrewDay, NetworkSwitch, crew_day, network  # noqa: F401
from tests.utils.e2e import Scene, ServerDb

E = JourneyEventType
WAIT = 20_000
SECRET = b"GPS 43.6532N 79.3832W secret-serial-1234"


def _scene_image(width: int, height: int, *, alpha: bool = False) -> QImage:
    """A photo-like picture: a gradient with a few shapes (noise would defeat JPEG)."""
    fmt = QImage.Format.Format_ARGB32 if alpha else QImage.Format.Format_RGB32
    image = QImage(width, height, fmt)
    image.fill(QColor(0, 0, 0, 0) if alpha else QColor("white"))
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, width, height)
    gradient.setColorAt(0, QColor("#7b4b2a"))
    gradient.setColorAt(1, QColor("#e9d8b4"))
    painter.fillRect(0, 0, width, height * 3 // 4, gradient)
    painter.setBrush(QColor("#c0392b"))
    painter.drawEllipse(width // 3, height // 3, width // 4, height // 5)
    painter.end()
    return image


def _with_exif(jpeg: bytes, orientation: int) -> bytes:
    """``jpeg`` with an EXIF block: an orientation and a description holding ``SECRET``."""
    count = len(SECRET) + 1
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 2 * 12 + 4
    tiff = b"MM\x00\x2a" + struct.pack(">I", ifd_offset) + struct.pack(">H", 2)
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)  # Orientation, SHORT
    tiff += struct.pack(">HHII", 0x010E, 2, count, data_offset)  # ImageDescription, ASCII
    tiff += struct.pack(">I", 0) + SECRET + b"\x00"
    body = b"Exif\x00\x00" + tiff
    app1 = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    return jpeg[:2] + app1 + jpeg[2:]


@pytest.fixture
def pictures(tmp_path: Path) -> dict[str, Path]:
    """A 4000×3000 landscape JPEG shot sideways (EXIF orientation 6), a PNG with
    transparency from a phone, a text file, and a picture too busy to shrink enough."""
    out = {}
    camera = tmp_path / "IMG_0412.jpg"
    _scene_image(4000, 3000).save(str(camera), "JPEG", 92)
    camera.write_bytes(_with_exif(camera.read_bytes(), orientation=6))
    out["camera"] = camera
    phone = tmp_path / "scratch-closeup.png"
    _scene_image(1200, 900, alpha=True).save(str(phone), "PNG")
    out["phone"] = phone
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    out["text"] = notes
    noise = tmp_path / "static.png"
    size = LONGEST_EDGE
    QImage(os.urandom(size * size * 3), size, size, size * 3, QImage.Format.Format_RGB888).save(
        str(noise), "PNG"
    )
    out["noise"] = noise
    return out


def _pending(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return outbox.count(conn)


def _drop(widget: QWidget, paths: list[Path]) -> None:
    """Drag files over ``widget`` and drop them, as the window system delivers it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()  # the card takes files
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    assert QApplication.sendEvent(widget, event)


def _open_journey(
    qtbot: QtBot,
    window: MainWindow,
    crew_day: CrewDay,  # noqa: F811
) -> JourneyView:
    today = window.show_section("today")
    view = today.open_journey(crew_day.morning)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: view.detail is not None, timeout=WAIT)
    return view


def test_crew_lead_records_damage_with_two_photos_offline_and_server_links_them(
    qtbot: QtBot,
    scene: Scene,
    crew_day: CrewDay,  # noqa: F811
    network: NetworkSwitch,  # noqa: F811
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    pictures: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    lead = signed_in(scene.accounts["lead1"], network.url)
    lead.engine().sync_once()
    network.off()
    window = open_window(lead, write_sync_delay_ms=3_600_000)
    window.resize(1440, 1000)
    view = _open_journey(qtbot, window, crew_day)
    damage = view.damage

    # One photo through the file dialog, one dropped on the card.
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(pictures["camera"])], "")
    )
    with qtbot.waitSignal(damage.photos_ready, timeout=WAIT):
        qtbot.mouseClick(damage.photo_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(damage.photos_ready, timeout=WAIT):
        _drop(damage, [pictures["phone"]])
    assert len(damage.photos.tiles) == 2 and damage.photo_message.isHidden()
    shot, phone = (tile.photo for tile in damage.photos.tiles)
    assert (shot.width, shot.height) == (1200, 1600)  # 4000×3000 turned upright, then fit
    assert (phone.width, phone.height) == (1200, 900)  # small enough: kept at its size
    assert SECRET not in shot.jpeg and b"Exif" not in shot.jpeg
    qtbot.keyClicks(damage.photos.tiles[0].caption, "Left leg, close up")

    qtbot.keyClicks(damage.item.edit, "Dining table")
    qtbot.keyClicks(damage.description.edit, "Scratch on the left leg, 5 cm")
    damage.acknowledged.setChecked(True)
    assert damage.add_button.text() == "Add damage note with 2 photos"
    out = Path(os.environ.get("CNC_SCREENSHOT_DIR") or tmp_path)
    qtbot.wait(100)  # pending layout requests land before the grab
    assert damage.grab().save(str(out / "crew-damage-panel.png"))
    before = _pending(lead)
    count = len(view.detail.events)
    qtbot.mouseClick(damage.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.detail.events) == count + 3, timeout=WAIT)
    assert _pending(lead) == before + 3  # DAMAGE and both PHOTOs queued together
    assert not damage.photos.tiles and damage.item.text == ""  # ready for the next note

    events = view.detail.events
    note = next(e for e in events if e.event_type is E.DAMAGE)
    photos = {str(e.id): e for e in events if e.event_type is E.PHOTO}
    assert note.payload["photo_ids"] == list(photos)  # in the order they were added

    # The timeline shows the note with its two thumbnails, not two loose photo rows.
    def thumbs() -> list[PhotoThumb]:  # rows of an earlier reload may await deletion
        return [t for t in view.timeline.findChildren(PhotoThumb) if t.isVisibleTo(view)]

    qtbot.waitUntil(lambda: [t.photo.id for t in thumbs()] == note.payload["photo_ids"])
    first = thumbs()[0]
    assert first.photo.caption == "Left leg, close up"
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    viewer = first.viewer
    assert isinstance(viewer, PhotoViewer) and viewer.isVisible()
    assert viewer.caption.text() == "Left leg, close up"
    qtbot.wait(200)
    assert window.grab().save(str(out / "crew-damage-photos.png"))
    assert viewer.grab().save(str(out / "crew-damage-photo-viewer.png"))
    viewer.accept()

    qtbot.waitUntil(lambda: "waiting to sync" in window.status.pending.text(), timeout=WAIT)
    network.on()
    window.sync_now()
    qtbot.waitUntil(lambda: window.status.pending.text() == "All changes synced", timeout=60_000)
    stored = server_db.row("journey_event", note.id)
    assert stored is not None and stored["event_type"] == "DAMAGE"
    assert stored["payload"]["photo_ids"] == note.payload["photo_ids"]
    assert stored["payload"]["customer_acknowledged"] is True
    for photo_id in stored["payload"]["photo_ids"]:
        row = server_db.row("journey_event", photo_id)
        assert row is not None and row["event_type"] == "PHOTO"
        assert row["journey_id"] == crew_day.morning
        assert row["payload"]["photo_id"] == photo_id
        picture = QImage.fromData(base64.b64decode(row["payload"]["jpeg_base64"]), "JPEG")
        assert not picture.isNull()
        assert max(picture.width(), picture.height()) <= LONGEST_EDGE
    captioned = server_db.row("journey_event", stored["payload"]["photo_ids"][0])
    assert captioned is not None and captioned["payload"]["caption"] == "Left leg, close up"

    # The office sees the note and both photos in its journey pane after its own sync.
    office = signed_in(scene.accounts["disp"], network.url)
    office.engine().sync_once()
    desk = open_window(office, sync=False)
    journeys = desk.show_section("journeys")
    qtbot.waitUntil(lambda: journeys.model.rowCount() > 0, timeout=WAIT)
    rows = [journeys.model.row(i) for i in range(journeys.model.rowCount())]
    journeys.table.selectRow(next(i for i, r in enumerate(rows) if r.id == crew_day.morning))

    def pane_thumbs() -> list[str]:
        shown = journeys.pane.findChildren(PhotoThumb)
        return [t.photo.id for t in shown if t.isVisibleTo(journeys)]

    qtbot.waitUntil(lambda: pane_thumbs() == note.payload["photo_ids"], timeout=WAIT)


def test_a_file_that_is_not_a_usable_picture_is_refused_and_the_others_kept(
    qtbot: QtBot,
    scene: Scene,
    crew_day: CrewDay,  # noqa: F811
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    pictures: dict[str, Path],
) -> None:
    lead = signed_in(scene.accounts["lead1"])
    lead.engine().sync_once()
    window = open_window(lead, sync=False)
    view = _open_journey(qtbot, window, crew_day)
    damage = view.damage
    before = _pending(lead)

    damage.add_files([pictures["text"], pictures["phone"], pictures["noise"]])
    qtbot.waitUntil(lambda: damage.preparing == 0, timeout=WAIT)
    assert len(damage.photos.tiles) == 1  # the phone picture
    message = damage.photo_message.text()
    assert not damage.photo_message.isHidden()
    assert "Not added: “notes.txt” is not a picture" in message
    assert "“static.png” is still" in message and "after downscaling" in message
    assert _pending(lead) == before  # nothing is written before the note is added

    # Removing the photo before saving leaves a plain note.
    qtbot.mouseClick(damage.photos.tiles[0].remove, Qt.MouseButton.LeftButton)
    assert not damage.photos.tiles and damage.photos.isHidden()
    qtbot.keyClicks(damage.item.edit, "Hallway wall")
    qtbot.keyClicks(damage.description.edit, "Scuff by the door")
    count = len(view.detail.events)
    qtbot.mouseClick(damage.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.detail.events) == count + 1, timeout=WAIT)
    note = view.detail.events[-1]
    assert note.event_type is E.DAMAGE and note.payload["photo_ids"] == []
    assert _pending(lead) == before + 1


def test_the_service_refuses_photos_that_are_not_jpeg_or_too_many(
    scene: Scene,
    crew_day: CrewDay,  # noqa: F811
    signed_in: Callable[..., Workspace],
) -> None:
    from client.services.journey_log import (
        MAX_PHOTOS_PER_DAMAGE,
        DamagePhoto,
        JourneyLog,
    )
    from shared_models.rules.errors import RuleViolation

    lead = signed_in(scene.accounts["lead1"])
    lead.engine().sync_once()
    log = JourneyLog(lead.writes)
    before = _pending(lead)
    png = DamagePhoto(b"\x89PNG\r\n\x1a\n" + bytes(64), 10, 10)
    with pytest.raises(RuleViolation, match="photo 1 is not a JPEG"):
        log.record_damage(crew_day.morning, item="Lamp", description="Bent", photos=[png])
    jpeg = DamagePhoto(b"\xff\xd8\xff\xe0" + bytes(64), 10, 10)
    with pytest.raises(RuleViolation, match=f"at most {MAX_PHOTOS_PER_DAMAGE} photos"):
        log.record_damage(
            crew_day.morning,
            item="Lamp",
            description="Bent",
            photos=[jpeg] * (MAX_PHOTOS_PER_DAMAGE + 1),
        )
    assert _pending(lead) == before  # nothing half-written
