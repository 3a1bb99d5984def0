"""A team desk whose server goes away, driven as a user would see it. The server really ends the
window's sessions (pg_terminate_backend); to make it unreachable, the desk's own role is refused
at login. An ended session costs nothing; an unreachable server shows a banner, refuses writes
with a message, keeps what the user typed, and everything works again once it is back."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import wait_listed
from tests.ui.dock_support import open_ticket, seed, settle
from tests.unit.postgres_team import end_sessions, lockable_desk
from ticketdesk.db.store import open_database
from ticketdesk.services import notes, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.ticket_dock import NOTES
from ticketdesk.ui.main_window import MainWindow

ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


def _origin(window: MainWindow) -> str:
    return window.store.backend.origin  # type: ignore[union-attr]


@ON_POSTGRES
def test_sessions_ended_by_the_server_cost_the_user_nothing(
        db_url: str, open_window, qtbot, pg_admin: Any) -> None:
    desk = seed(db_url)
    window: MainWindow = open_window("Alice Agent")
    assert window.live is not None
    assert window.live.banner is not None
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(NOTES)
    settle(qtbot, dock)
    qtbot.keyClicks(dock.notes_tab.new_note, "Typed before the restart")
    assert window.live.listener.wait_listening()

    assert end_sessions(pg_admin, _origin(window)) >= 2  # the window's and the listener's
    window.refresh()
    wait_listed(qtbot, window)
    qtbot.waitUntil(lambda: window.live is not None and window.live.listener.stats.connects == 2,
                    timeout=5000)
    assert not window.live.banner.isVisible()
    assert dock.notes_tab.new_note.toPlainText() == "Typed before the restart"
    qtbot.mouseClick(dock.notes_tab.add_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    assert [n.body for n in notes.notes_for(desk.printer)] == ["Typed before the restart"]

    other = open_database(db_url)  # another desktop: still heard after the reconnect
    try:
        tickets.create_ticket(Session(other, None), subject="After the restart")
    finally:
        other.close()
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=5000)


@ON_POSTGRES
def test_an_unreachable_server_shows_a_banner_refuses_writes_keeps_text_and_recovers(
        open_window, qtbot, pg_admin: Any) -> None:
    with lockable_desk(pg_admin) as (url, allow):
        desk = seed(url)
        window: MainWindow = open_window("Alice Agent", url=url)
        live = window.live
        assert live is not None
        assert live.banner is not None
        live.listener.backoff = (0.0, 60.0)  # no automatic retry during the test
        dock = open_ticket(qtbot, window, desk.printer)
        dock.tabs.setCurrentIndex(NOTES)
        settle(qtbot, dock)
        assert live.listener.wait_listening()

        allow(False)
        end_sessions(pg_admin, _origin(window))
        qtbot.waitUntil(live.banner.isVisible, timeout=5000)
        assert "Not connected to the database server" in live.banner.message.text()
        assert "Trying again in" in live.banner.message.text()

        qtbot.keyClicks(dock.notes_tab.new_note, "Typed while the server is gone")
        qtbot.mouseClick(dock.notes_tab.add_button, Qt.MouseButton.LeftButton)
        settle(qtbot, dock)
        assert "not connected to the database server" in dock.notice.text()
        assert dock.notes_tab.new_note.toPlainText() == "Typed while the server is gone"

        allow(True)
        qtbot.mouseClick(live.banner.retry_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not live.banner.isVisible(), timeout=5000)
        assert "again" in window.statusBar().currentMessage()
        qtbot.mouseClick(dock.notes_tab.add_button, Qt.MouseButton.LeftButton)
        settle(qtbot, dock)
        assert [n.body for n in notes.notes_for(desk.printer)] == [
            "Typed while the server is gone"]
        assert dock.notes_tab.new_note.toPlainText() == ""
        wait_listed(qtbot, window)
        assert window.model.rowCount() == 2
        window.close()
