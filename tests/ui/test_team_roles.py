"""Issue 13, item 15, in the window: a role that may not create the desk's tables gets a message
at start instead of a crash, and a read-only user's note is refused with a message that says
why (roles as in tests/unit/test_postgres_roles.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from tests.ui.dock_support import MessageBoxes, open_ticket, seed
from tests.unit.test_postgres_roles import DML, READ, RoleUrl, migrated, role_url
from ticketdesk.app import build_main_window, run_gui
from ticketdesk.services import notes
from ticketdesk.ui.dock.ticket_dock import NOTES

__all__ = ["migrated", "role_url"]  # fixtures shared with the unit tests
pytestmark = pytest.mark.postgres


def _start_args(url: str) -> argparse.Namespace:
    return argparse.Namespace(db=url, agent="Alice Agent", demo=0)


@pytest.fixture
def boxes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MessageBoxes:
    """The start path's settings in the test's folder, and its message boxes recorded."""
    from ticketdesk.ui import application
    from ticketdesk.ui import settings as app_settings

    def own_settings() -> QSettings:
        return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)

    monkeypatch.setattr(app_settings, "open_settings", own_settings)
    monkeypatch.setattr(application, "open_settings", own_settings)
    return MessageBoxes(monkeypatch)


def test_the_window_start_says_why_a_role_cannot_open_a_desk_it_may_not_create(
        qtbot, role_url: RoleUrl, boxes: MessageBoxes) -> None:
    assert run_gui(_start_args(role_url(""))) == 1
    [text] = boxes.texts
    assert "needs its tables created or brought up to date" in text
    assert "this database user may not do that" in text


def test_the_window_start_says_why_a_read_only_user_cannot_become_a_new_agent(
        qtbot, migrated: str, role_url: RoleUrl, boxes: MessageBoxes) -> None:
    args = _start_args(role_url(READ))
    args.agent = "Newcomer"
    assert run_gui(args) == 1
    [text] = boxes.texts
    assert text.startswith("This database user may not write to this desk")


def test_a_role_without_create_opens_an_up_to_date_desk_in_the_window(
        qtbot, migrated: str, role_url: RoleUrl, settings: QSettings) -> None:
    window = build_main_window(role_url(DML), agent_name="Ann Data", settings=settings)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    finally:
        window.close()


def test_a_read_only_users_note_is_refused_with_a_message(
        qtbot, pg_schema: str, role_url: RoleUrl, settings: QSettings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import pg_url

    desk = seed(pg_url(pg_schema))
    boxes = MessageBoxes(monkeypatch)
    window = build_main_window(role_url(READ), agent_name="Alice Agent", settings=settings)
    qtbot.addWidget(window)
    window.show()
    try:
        dock = open_ticket(qtbot, window, desk.printer)
        dock.tabs.setCurrentIndex(NOTES)
        qtbot.keyClicks(dock.notes_tab.new_note, "Checked the toner")
        qtbot.mouseClick(dock.notes_tab.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dock.notice.text() != "", timeout=5000)
        assert dock.notice.text().startswith("This database user may not write to this desk")
        assert notes.notes_for(desk.printer) == []
        assert dock.notes_tab.new_note.toPlainText() == "Checked the toner"  # kept
    finally:
        boxes.answers.append("Close Anyway")  # its draft cannot be kept either: it asks
        window.close()


