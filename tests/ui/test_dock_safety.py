"""Untrusted text and files in the dock: what a customer or agent wrote is shown literally, never
as HTML and never loading anything; attachments open from a private copy under a safe name, and
a program only after a warning; dropped files are attached, too-big ones refused clearly."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel

from tests.ui.dock_support import MessageBoxes, activity_lines, open_ticket, seed, settle
from ticketdesk.services import messages, notes, tickets
from ticketdesk.services.attachments import NewFile, attachments_for
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.ticket_dock import CONVERSATION, NOTES

HOSTILE = "<b>x</b><img src=http://127.0.0.1:1/>"


def test_hostile_text_is_shown_literally_everywhere(db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    session = Session(window.store, desk.bob)
    tickets.edit_ticket(session, desk.printer, 1, subject=HOSTILE, description=HOSTILE,
                        category="<i>c</i>")
    messages.add_message(session, desk.printer, HOSTILE, incoming=True,
                         files=[NewFile("<b>evil</b>.txt", b"hi")])
    notes.add_note(session, desk.printer, HOSTILE)
    dock = open_ticket(qtbot, window, desk.printer)

    assert dock.detail_tab.subject.value() == HOSTILE
    assert dock.detail_tab.subject.label.text() == HOSTILE
    assert dock.title.full.endswith(HOSTILE)
    assert dock.detail_tab.description.view_text is not None
    assert dock.detail_tab.description.view_text.toPlainText() == HOSTILE
    assert dock.detail_tab.category.label.text() == "<i>c</i>"
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    thread = dock.conversation_tab.thread_view.toPlainText()
    assert HOSTILE in thread
    assert "<b>evil</b>.txt" in thread
    dock.tabs.setCurrentIndex(NOTES)
    settle(qtbot)
    assert dock.notes_tab.texts() == [HOSTILE]
    lines = activity_lines(dock)
    assert f"Customer message: {HOSTILE}" in lines
    # every label showing the text is a plain-text one: Qt never guesses HTML for it
    showing = [w for w in dock.findChildren(QLabel) if "<" in w.text()]
    assert len(showing) >= 4  # title, subject, category, note
    assert {w.textFormat() for w in showing} == {Qt.TextFormat.PlainText}


def _attach(window, desk, name: str, data: bytes) -> int:
    session = Session(window.store, desk.bob)
    messages.add_message(session, desk.printer, "see attached", incoming=True,
                         files=[NewFile(name, data)])
    return next(a.id for a in attachments_for(desk.printer) if a.name == name)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the desktop was asked to open (nothing is really opened)."""
    urls: list[str] = []

    def fake_open(url: QUrl) -> bool:
        urls.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(fake_open))
    return urls


def test_a_program_opens_only_after_a_warning(db_url: str, open_window, qtbot, opened,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    exe = _attach(window, desk, "invoice.pdf.exe", b"MZ\x90\x00 not really a program")
    disguised = _attach(window, desk, "photo.jpg", b"\x7fELF pretending to be a photo")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    boxes = MessageBoxes(monkeypatch)

    dock.conversation_tab.open_file(exe)  # the warning is answered Cancel
    settle(qtbot)
    assert opened == []
    assert "can run code" in boxes.texts[0]
    assert "invoice.pdf.exe" in boxes.texts[0]

    dock.conversation_tab.open_file(disguised)  # by its first bytes, whatever the name
    settle(qtbot)
    assert opened == []
    assert len(boxes.texts) == 2

    boxes.answers.append("Open Anyway")
    dock.conversation_tab.open_file(exe)
    settle(qtbot)
    [path] = opened
    assert Path(path).name == "invoice.pdf.exe"
    assert Path(path).read_bytes() == b"MZ\x90\x00 not really a program"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_help_files_web_pages_and_macro_documents_open_only_after_a_warning(
        db_url: str, open_window, qtbot, opened, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    names = ["manual.chm", "invoice.html", "logo.svg", "contract.doc"]
    ids = [_attach(window, desk, name, b"harmless looking bytes") for name in names]
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    boxes = MessageBoxes(monkeypatch)
    for attachment_id in ids:
        dock.conversation_tab.open_file(attachment_id)  # each warning is answered Cancel
        settle(qtbot)
    assert opened == []
    assert len(boxes.texts) == len(names)
    for name, text in zip(names, boxes.texts, strict=True):
        assert f"“{name}” can run code" in text


def test_a_harmless_file_opens_from_a_private_copy_with_a_safe_name(
        db_url: str, open_window, qtbot, opened, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    attachment = _attach(window, desk, "../../etc/con.txt", b"plain words")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    boxes = MessageBoxes(monkeypatch)
    dock.conversation_tab.open_file(attachment)
    settle(qtbot)
    assert boxes.texts == []
    [path] = opened
    copy = Path(path)
    assert copy.read_bytes() == b"plain words"
    assert ".." not in copy.parts[-1]
    assert copy.name == "_con.txt"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.parent.stat().st_mode) == 0o700
    assert window.close()
    assert not copy.exists()  # temporary copies go with the window


def test_save_as_writes_the_bytes_where_the_user_chose(db_url: str, open_window, qtbot,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    attachment = _attach(window, desk, "report.csv", b"a,b\n1,2\n")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    offered: list[str] = []
    target = tmp_path / "saved.csv"

    def fake_save(_parent, _title, suggested, *_a, **_k) -> tuple[str, str]:
        offered.append(suggested)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    dock.conversation_tab.save_file(attachment)
    settle(qtbot)
    assert Path(offered[0]).name == "report.csv"
    assert target.read_bytes() == b"a,b\n1,2\n"


def _drop(widget, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    widget.insertFromMimeData(mime)


def test_dropped_files_are_attached_and_too_big_ones_refused(db_url: str, open_window, qtbot,
                                                             tmp_path: Path) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    conversation = dock.conversation_tab
    small = tmp_path / "screenshot.png"
    small.write_bytes(b"\x89PNG" + b"0" * 100)
    huge = tmp_path / "video.mp4"
    with huge.open("wb") as fh:
        fh.truncate(26 * 1024 * 1024)  # sparse: nothing is really written
    _drop(conversation.reply, [small, huge, tmp_path])
    assert conversation.pending_row.texts() == ["screenshot.png (104 bytes)"]
    assert conversation.error.isVisible()
    assert "video.mp4 is 26.0 MB; attachments can be at most 25.0 MB." in \
        conversation.error.text()
    assert "folders cannot be attached" in conversation.error.text()
    assert conversation.reply.toPlainText() == ""  # the paths were not pasted as text
    # files wait per ticket: another ticket has none, coming back finds them
    open_ticket(qtbot, window, desk.scanner)
    assert conversation.pending_row.texts() == []
    open_ticket(qtbot, window, desk.printer)
    assert conversation.pending_row.texts() == ["screenshot.png (104 bytes)"]
    # a file can be sent without text
    qtbot.mouseClick(conversation.send_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    [sent] = messages.messages_for(desk.printer)
    assert (sent.body, [a.name for a in sent.attachments]) == ("", ["screenshot.png"])
    assert activity_lines(dock)[0] == "File attached: screenshot.png"


def test_closing_with_files_waiting_asks_first(db_url: str, open_window, qtbot, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    waiting = tmp_path / "log.txt"
    waiting.write_text("x")
    _drop(dock.conversation_tab.reply, [waiting])
    boxes = MessageBoxes(monkeypatch)
    assert not window.close()  # Cancel: the window stays
    assert "not sent" in boxes.texts[0]
    boxes.answers.append("Close Anyway")
    assert window.close()
