"""Desk ▸ API Tokens… (issue 22): add a token (shown once, copyable, working), list, revoke —
as a user clicks, on SQLite and PostgreSQL, with no database call on the GUI thread (the guard
of tests/ui/test_window_never_waits.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from tests.ui.conftest import answer_modal
from tests.ui.test_window_never_waits import Guard
from ticketdesk.db.store import open_database
from ticketdesk.services import api_tokens
from ticketdesk.services.session import Session
from ticketdesk.ui.agent_picker import ensure_agent
from ticketdesk.ui.api_tokens_dialog import ApiTokensDialog
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.settings import AppSettings


def test_add_copy_and_revoke_a_token_without_waiting(
        db_url: str, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_database(db_url)
    guard = Guard(monkeypatch)
    guard.install(store)
    try:
        answers = iter([("website-form", False), ("dashboard", True)])
        guard.armed = True
        dialog = ApiTokensDialog(Session(store, None), ask_new=lambda _parent: next(answers))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=5000)
        assert dialog.table.topLevelItemCount() == 0
        assert not dialog.token.isVisible()

        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy and dialog.table.topLevelItemCount() == 1,
                        timeout=5000)
        token = dialog.token.text()
        assert token.startswith(api_tokens.PREFIX)
        assert dialog.token.isVisible()
        assert "website-form" in dialog.shown.text()
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
        assert QApplication.clipboard().text() == token

        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy and dialog.table.topLevelItemCount() == 2,
                        timeout=5000)
        rows = {dialog.table.topLevelItem(i).text(0): dialog.table.topLevelItem(i).text(1)
                for i in range(2)}
        assert rows == {"website-form": "read and write", "dashboard": "read-only"}

        dialog.table.setCurrentItem(next(
            dialog.table.topLevelItem(i) for i in range(2)
            if dialog.table.topLevelItem(i).text(0) == "website-form"))

        def yes(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            box.button(QMessageBox.StandardButton.Yes).click()

        answer_modal(yes)
        qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy and any(
            dialog.table.topLevelItem(i).text(1) == "revoked" for i in range(2)), timeout=5000)
        guard.armed = False
        assert guard.seen == []
        assert api_tokens.caller_for(store, token) is None  # revoked: refused from now on
        dialog.close()
        assert dialog.token.text() == ""  # the secret does not outlive the dialog
    finally:
        guard.armed = False
        store.close()


def test_the_desk_menu_opens_the_dialog_without_waiting(
        db_url: str, settings: QSettings, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_database(db_url)
    agent_id = ensure_agent(Session(store, None), None, "Alice Agent")
    guard = Guard(monkeypatch)
    guard.install(store)
    window = MainWindow(store, agent_id, AppSettings(settings))
    qtbot.addWidget(window)
    window.show()
    desk_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Desk")
    assert window.api_tokens_action in desk_menu.actions()
    opened: list[str] = []

    def close(dialog: QWidget) -> None:
        opened.append(dialog.objectName())
        qtbot.waitUntil(lambda: not dialog.busy, timeout=5000)  # type: ignore[attr-defined]
        dialog.reject()  # type: ignore[attr-defined]

    guard.armed = True
    answer_modal(close)
    window.api_tokens_action.trigger()
    guard.armed = False
    assert opened == ["apiTokensDialog"]
    assert guard.seen == []
    window.close()
