"""Issue 18's work, driven by keyboard only, makes no query on the GUI thread (the guard of
tests/ui/test_window_never_waits.py): the command palette with a ticket number, a saved view
saved and opened, canned responses managed and inserted with "/", and the Ticket menu's keys
from the list to the dock and back (open, reply, assign to me, close, next ticket)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget

from tests.ui.conftest import answer_modal, wait_listed
from tests.ui.dock_support import seed, settle
from tests.ui.test_window_never_waits import Guard, guard  # noqa: F401 (the fixture)
from ticketdesk.db.store import open_database
from ticketdesk.domain.status import Status
from ticketdesk.services.session import Session
from ticketdesk.ui.agent_picker import ensure_agent
from ticketdesk.ui.canned_dialog import CannedDialog
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.settings import AppSettings
from ticketdesk.ui.views_panel import SaveViewDialog

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier


def keys(qtbot, window: MainWindow, key: Qt.Key,
         modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    focus = window.focusWidget() or window
    qtbot.keyClick(focus, key, modifiers)


def test_everyday_work_by_keyboard_makes_no_query_on_the_gui_thread(
        db_url: str, settings: QSettings, qtbot, guard: Guard) -> None:  # noqa: F811
    desk = seed(db_url)
    store = open_database(db_url)
    agent_id = ensure_agent(Session(store, None), None, "Alice Agent")
    guard.install(store)
    guard.armed = True
    window = MainWindow(store, agent_id, AppSettings(settings))
    qtbot.addWidget(window)
    window.show()
    wait_listed(qtbot, window)
    qtbot.waitUntil(lambda: len(window.views.views) == 3, timeout=5000)

    def make_canned(dialog: QWidget) -> None:  # Desk ▸ Canned Responses…
        assert isinstance(dialog, CannedDialog)
        qtbot.keyClicks(dialog.title, "Looking into it")
        qtbot.keyClicks(dialog.body, "Hello {{customer.first_name}}, we are on it.")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=5000)
        dialog.reject()

    answer_modal(make_canned)
    window.canned_action.trigger()

    window.table.setFocus()
    window.table.selectRow(0)  # the newest ticket: the scanner
    qtbot.waitUntil(lambda: window.ticket_dock.ticket is not None, timeout=5000)
    keys(qtbot, window, Qt.Key.Key_F8)  # next ticket: the printer
    qtbot.waitUntil(lambda: window.ticket_dock.ticket is not None
                    and window.ticket_dock.ticket.id == desk.printer, timeout=5000)
    settle(qtbot, window.ticket_dock)
    keys(qtbot, window, Qt.Key.Key_Return)  # open: the focus goes into the dock
    qtbot.waitUntil(lambda: window.ticket_dock.isAncestorOf(window.focusWidget()),
                    timeout=3000)
    keys(qtbot, window, Qt.Key.Key_A, CTRL_SHIFT)  # assign to me
    qtbot.waitUntil(lambda: window.ticket_dock.ticket is not None and any(
        a.id == agent_id for a in window.ticket_dock.ticket.assignees), timeout=5000)
    keys(qtbot, window, Qt.Key.Key_R, CTRL)  # reply, with a canned response
    reply = window.ticket_dock.conversation_tab.reply
    qtbot.waitUntil(reply.hasFocus, timeout=3000)
    qtbot.keyClicks(reply, "/look")
    popup = window.ticket_dock.conversation_tab.canned.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: reply.toPlainText() == "Hello Jane, we are on it.", timeout=5000)
    reply.clear()
    settle(qtbot, window.ticket_dock)
    keys(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)  # close the ticket
    qtbot.waitUntil(lambda: window.ticket_dock.ticket is not None
                    and window.ticket_dock.ticket.status == Status.CLOSED, timeout=5000)
    keys(qtbot, window, Qt.Key.Key_L, CTRL)  # back to the list
    qtbot.waitUntil(window.table.hasFocus, timeout=3000)

    def name_view(dialog: QWidget) -> None:  # View ▸ Save as View… (Ctrl+Shift+S)
        assert isinstance(dialog, SaveViewDialog)
        qtbot.keyClicks(dialog.name, "Everything")
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)

    answer_modal(name_view)
    keys(qtbot, window, Qt.Key.Key_S, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(window.views.views) == 4, timeout=5000)

    keys(qtbot, window, Qt.Key.Key_K, CTRL)  # the palette: a view, then a ticket number
    palette = window.command_palette
    qtbot.waitUntil(palette.isVisible, timeout=3000)
    qtbot.keyClicks(palette.input, "unassigned")
    qtbot.keyClick(palette.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.model.ticket_filter.unassigned, timeout=5000)
    wait_listed(qtbot, window)
    keys(qtbot, window, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(palette.isVisible, timeout=3000)
    qtbot.keyClicks(palette.input, f"TKT-{desk.printer}")
    qtbot.waitUntil(lambda: "Printer on fire" in (palette.list.item(0).text()  # type: ignore[union-attr]
                                                  if palette.list.count() else ""),
                    timeout=5000)
    qtbot.keyClick(palette.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.ticket_dock.ticket is not None
                    and window.ticket_dock.ticket.id == desk.printer, timeout=5000)
    qtbot.waitUntil(lambda: window.views.counts.get("builtin:all") == 2, timeout=5000)
    settle(qtbot, window.ticket_dock)

    guard.armed = False
    assert guard.seen == []
    window.close()
