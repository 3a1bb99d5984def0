"""The command palette (Ctrl+K, issue 18), driven with keys: fuzzy text finds a menu command
and runs it; a ticket number goes to the ticket; disabled commands are not offered; the ticket
lookup runs off the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from tests.ui.conftest import wait_listed
from tests.ui.dock_support import seed
from ticketdesk.services import ticket_list
from ticketdesk.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def open_palette(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(window.command_palette.isVisible, timeout=3000)


def shown(window: MainWindow) -> list[str]:
    box = window.command_palette.list
    return [box.item(i).text() for i in range(box.count())]  # type: ignore[union-attr]


def test_fuzzy_text_finds_a_command_and_enter_runs_it(db_url: str, open_window,
                                                      qtbot) -> None:
    seed(db_url)
    window = open_window()
    wait_listed(qtbot, window)
    open_palette(qtbot, window)
    qtbot.keyClicks(window.command_palette.input, "anlytcs")
    assert shown(window)[0].startswith("View ▸ Analytics")
    qtbot.keyClick(window.command_palette.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.analytics_view, timeout=5000)
    assert not window.command_palette.isVisible()


def test_disabled_commands_are_not_offered(db_url: str, open_window, qtbot) -> None:
    seed(db_url)
    window = open_window()
    wait_listed(qtbot, window)
    window.table.clearSelection()
    window.ticket_keys.update(None)
    open_palette(qtbot, window)
    qtbot.keyClicks(window.command_palette.input, "close ticket")
    assert not any("Close Ticket" in label for label in shown(window))


def test_a_ticket_number_goes_to_the_ticket_looked_up_off_the_gui_thread(
        db_url: str, open_window, qtbot, monkeypatch) -> None:
    desk = seed(db_url)
    window = open_window()
    wait_listed(qtbot, window)
    ran_in: list[str] = []
    real = ticket_list.rows_by_ids

    def rows_by_ids(*args, **kwargs):  # type: ignore[no-untyped-def]
        ran_in.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(ticket_list, "rows_by_ids", rows_by_ids)
    open_palette(qtbot, window)
    qtbot.keyClicks(window.command_palette.input, f"TKT-{desk.scanner}")
    qtbot.waitUntil(lambda: shown(window)[0].endswith("Scanner jams"), timeout=5000)
    assert threading.main_thread().name not in ran_in
    qtbot.keyClick(window.command_palette.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.ticket_dock.ticket is not None
                    and window.ticket_dock.ticket.id == desk.scanner, timeout=5000)
    assert window.table.selected_ticket() == desk.scanner


def test_a_saved_view_is_offered_by_name(db_url: str, open_window, qtbot) -> None:
    seed(db_url)
    window = open_window()
    qtbot.waitUntil(lambda: len(window.views.views) == 3, timeout=5000)
    open_palette(qtbot, window)
    qtbot.keyClicks(window.command_palette.input, "unassig")
    assert shown(window)[0] == "View: Unassigned"
    qtbot.keyClick(window.command_palette.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.model.ticket_filter.unassigned, timeout=3000)
