"""Desk > Preferences: choose a desk file or a team server, test the connection without freezing
the window, keep the password in the system keyring (stubbed here) or nowhere — never in the
settings — and open the chosen desk at the next start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from tests.conftest import PG_URL
from tests.ui.conftest import answer_modal
from ticketdesk.db import credentials
from ticketdesk.db.postgres_backend import parse_postgres_url
from ticketdesk.domain.errors import StorageError
from ticketdesk.ui import preferences
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.preferences import PreferencesDialog, open_desk, saved_desk_url

SECRET = "s3cret-Passw0rd"  # noqa: S105 - a test password for a fake keyring


class FakeKeyring:
    """Stands in for the system keyring (CI has none)."""

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, account: str) -> str | None:
        return self.saved.get((service, account))

    def set_password(self, service: str, account: str, password: str) -> None:
        self.saved[(service, account)] = password

    def delete_password(self, service: str, account: str) -> None:
        self.saved.pop((service, account), None)


@pytest.fixture
def keyring(monkeypatch: pytest.MonkeyPatch) -> FakeKeyring:
    fake = FakeKeyring()
    monkeypatch.setattr(credentials, "_keyring", lambda: fake)
    return fake


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "_keyring", lambda: None)


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


def _server_form(dialog: PreferencesDialog, *, port: int | None = None) -> dict[str, Any]:
    params = parse_postgres_url(PG_URL)
    dialog.server_choice.setChecked(True)
    dialog.host.setText(str(params.get("host", "127.0.0.1")))
    dialog.port.setValue(port or int(params.get("port", 5432)))
    dialog.database.setText(str(params["database"]))
    dialog.user.setText(str(params.get("user", "")))
    return params


def _save(dialog: PreferencesDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


@pytest.mark.postgres
def test_test_connection_runs_off_the_gui_thread_and_says_what_it_found(
        qtbot, qsettings: QSettings, keyring: FakeKeyring, pg_admin: Any) -> None:
    dialog = PreferencesDialog(qsettings)
    qtbot.addWidget(dialog)
    _server_form(dialog)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.test_result.text().startswith("Connecting to postgresql://")
    assert not dialog.test_button.isEnabled()  # the window stays responsive meanwhile
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=10_000)
    assert dialog.test_result.text().startswith("✓ Connected to PostgreSQL 1")
    assert dialog.error.text() == ""


def test_a_failed_test_says_why(qtbot, qsettings: QSettings, keyring: FakeKeyring) -> None:
    dialog = PreferencesDialog(qsettings)
    qtbot.addWidget(dialog)
    _server_form(dialog, port=1)  # nothing listens there
    dialog.test_connection()
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=10_000)
    assert dialog.error.text().startswith("Could not connect: ")
    assert dialog.test_result.text() == ""
    dialog.host.setText("")
    dialog.test_connection()
    assert dialog.error.text() == "Give the server's name or address."


def test_saving_a_server_keeps_the_password_in_the_keyring_never_in_settings(
        qtbot, qsettings: QSettings, keyring: FakeKeyring, tmp_path: Path) -> None:
    dialog = PreferencesDialog(qsettings)
    qtbot.addWidget(dialog)
    params = _server_form(dialog)
    dialog.password.setText(SECRET)
    assert dialog.remember.isEnabled()
    dialog.remember.setChecked(True)
    _save(dialog)
    url = saved_desk_url(qsettings)
    assert url == (f"postgresql://{params.get('user', '')}@{params.get('host')}:"
                   f"{params.get('port', 5432)}/{params['database']}")
    assert dialog.saved_url == url
    assert list(keyring.saved.values()) == [SECRET]
    assert credentials.saved_password(url) == SECRET
    qsettings.sync()
    assert SECRET not in (tmp_path / "prefs.ini").read_text()

    again = PreferencesDialog(qsettings)  # reopened: the form shows the saved choice
    qtbot.addWidget(again)
    assert again.server_choice.isChecked()
    assert again.password.text() == SECRET
    assert again.remember.isChecked()
    again.remember.setChecked(False)  # forget it
    _save(again)
    assert keyring.saved == {}


def test_without_a_keyring_the_password_is_kept_nowhere_and_the_box_says_why(
        qtbot, qsettings: QSettings, no_keyring: None, tmp_path: Path) -> None:
    dialog = PreferencesDialog(qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    _server_form(dialog)
    dialog.password.setText(SECRET)
    assert not dialog.remember.isEnabled()
    assert dialog.keyring_note.isVisible()
    assert "No system keyring" in dialog.keyring_note.text()
    _save(dialog)
    qsettings.sync()
    assert saved_desk_url(qsettings) is not None
    assert SECRET not in (tmp_path / "prefs.ini").read_text()


def test_choosing_a_desk_file(qtbot, qsettings: QSettings, no_keyring: None,
                              tmp_path: Path) -> None:
    dialog = PreferencesDialog(qsettings, "postgresql://me@server.example/helpdesk")
    qtbot.addWidget(dialog)
    assert dialog.server_choice.isChecked()
    assert dialog.host.text() == "server.example"
    dialog.file_choice.setChecked(True)
    assert not dialog.test_button.isEnabled()
    dialog.file_path.setText(str(tmp_path / "mine.sqlite"))
    _save(dialog)
    assert saved_desk_url(qsettings) == f"sqlite:///{tmp_path / 'mine.sqlite'}"


@pytest.mark.postgres
def test_the_next_start_opens_the_saved_desk_and_command_line_choices_still_win(
        qsettings: QSettings, no_keyring: None, db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TICKETDESK_DB", raising=False)
    preferences.save_desk_url(qsettings, db_url)
    store = open_desk(None, qsettings)
    try:
        assert store.url == db_url
    finally:
        store.close()
    one_off = f"sqlite:///{tmp_path / 'one-off.sqlite'}"
    store = open_desk(one_off, qsettings)
    store.close()
    assert store.url == one_off
    monkeypatch.setenv("TICKETDESK_DB", one_off)
    store = open_desk(None, qsettings)
    store.close()
    assert store.url == one_off


def test_a_server_that_wants_a_password_gets_asked_once(
        qsettings: QSettings, keyring: FakeKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TICKETDESK_DB", raising=False)
    url = "postgresql://alice@server.example/helpdesk"
    preferences.save_desk_url(qsettings, url)
    tried: list[str | None] = []

    def fake_open(url: str, *, password: str | None = None) -> Any:
        tried.append(password)
        if password != SECRET:
            raise StorageError(f"Cannot connect to {url}: password authentication failed")
        return "store"

    monkeypatch.setattr(preferences, "open_database", fake_open)
    asked: list[tuple[str, bool]] = []
    store = open_desk(None, qsettings, ask=lambda _p, u, wrong: asked.append((u, wrong))
                      or SECRET)
    assert store == "store"
    assert tried == [None, SECRET]
    assert asked == [(url, False)]
    assert keyring.saved == {}  # typed at start: used for this run, not kept unasked
    with pytest.raises(StorageError):
        open_desk(None, qsettings, ask=lambda *_: None)  # cancelled: the error stands


def test_preferences_are_in_the_desk_menu(window: MainWindow, qtbot, no_keyring: None) -> None:
    assert window.preferences_action.objectName() == "preferencesAction"
    desk_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Desk")
    assert window.preferences_action in desk_menu.actions()
    seen: list[str] = []

    def cancel(dialog: QWidget) -> None:
        seen.append(dialog.objectName())
        dialog.reject()

    answer_modal(cancel)
    window.preferences_action.trigger()
    assert seen == ["preferencesDialog"]
