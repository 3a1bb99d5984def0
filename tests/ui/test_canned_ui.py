"""Canned responses in the window (issue 18): made in Desk ▸ Canned Responses…, refused there
when a placeholder is unknown, and inserted in the reply box by typing "/" and a few letters,
with the placeholders filled and the response's actions applied."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from tests.ui.conftest import answer_modal
from tests.ui.dock_support import open_ticket, seed, settle
from ticketdesk.domain.status import Status
from ticketdesk.services import canned
from ticketdesk.ui.canned_dialog import CannedDialog
from ticketdesk.ui.main_window import MainWindow

BODY = "Hi {{customer.first_name}}, about {{ ticket.number }}. -- {{agent.name}}"


def fill_and_save(qtbot, dialog: QWidget, title: str, body: str,
                  status: Status | None = None) -> None:
    assert isinstance(dialog, CannedDialog)
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.title, title)
    qtbot.keyClicks(dialog.body, body)
    if status is not None:
        dialog.status.setCurrentIndex(dialog.status.findData(int(status)))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def manage(qtbot, window: MainWindow, act) -> None:  # type: ignore[no-untyped-def]
    done: list[bool] = []

    def run(dialog: QWidget) -> None:
        act(dialog)
        done.append(True)
        dialog.close()

    answer_modal(run)
    window.canned_action.trigger()
    assert done


def test_a_canned_response_goes_in_with_slash_filled_and_its_actions_applied(
        db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window()

    def create(dialog: QWidget) -> None:
        fill_and_save(qtbot, dialog, "Thanks for waiting", BODY, Status.WAITING)
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=5000)  # type: ignore[attr-defined]

    manage(qtbot, window, create)
    dock = open_ticket(qtbot, window, desk.printer)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    reply = dock.conversation_tab.reply
    qtbot.waitUntil(reply.hasFocus, timeout=3000)
    qtbot.keyClicks(reply, "/wait")
    popup = dock.conversation_tab.canned.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    expected = f"Hi Jane, about TKT-{desk.printer:06d}. -- Alice Agent"
    qtbot.waitUntil(lambda: reply.toPlainText() == expected, timeout=5000)
    settle(qtbot, dock)
    qtbot.waitUntil(lambda: dock.ticket is not None and dock.ticket.status == Status.WAITING,
                    timeout=5000)


def test_an_unknown_placeholder_is_refused_with_a_message(db_url: str, open_window,
                                                          qtbot) -> None:
    seed(db_url)
    window = open_window()

    def typo(dialog: QWidget) -> None:
        assert isinstance(dialog, CannedDialog)
        fill_and_save(qtbot, dialog, "Typo", "Dear {{custmer.name}},")
        qtbot.waitUntil(lambda: "Unknown placeholder" in dialog.error.text(), timeout=5000)
        assert "{{custmer.name}}" in dialog.error.text()
        assert dialog.body.toPlainText() == "Dear {{custmer.name}},"  # kept to be corrected

    manage(qtbot, window, typo)
    assert canned.list_canned(window.store) == []
