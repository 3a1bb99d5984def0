"""The window's side of email, through the clicks a user makes, against a real dovecot and a
real SMTP receiver: Send Reply queues a mail that the background sender delivers, the thread
shows each mail's state (queued, sent, failed with the reason and Retry), mail delivered to the
mailbox becomes a ticket in the list by itself and with F9, Test Connection says in words what
failed, and none of it sends a query or opens a connection from the GUI thread."""

from __future__ import annotations

import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.mail.servers import Dovecot, SmtpReceiver, running_dovecot, running_smtp
from tests.ui.conftest import answer_modal, wait_listed
from tests.ui.dock_support import Desk, MessageBoxes, open_ticket, seed, settle
from tests.unit.test_mail_intake import mail
from ticketdesk.db.models import Outbox
from ticketdesk.db.store import open_database
from ticketdesk.services.mail import passes
from ticketdesk.services.mail.outbox import queue_reply
from ticketdesk.services.mail.settings import ENV_PASSWORD, MailSettings, save_settings
from ticketdesk.services.session import Session
from ticketdesk.ui import mail_worker
from ticketdesk.ui.dock.ticket_dock import CONVERSATION
from ticketdesk.ui.mail_settings import MailSettingsDialog
from ticketdesk.ui.main_window import MainWindow

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.fixture
def smtp_server() -> Iterator[SmtpReceiver]:
    with running_smtp() as server:
        yield server


class Guard:
    """Every SQL statement and every network connection the window's code (ticketdesk/ui)
    starts from the GUI thread while armed (the stack says who started it)."""

    def __init__(self) -> None:
        self.armed = False
        self.seen: list[str] = []

    def check(self, what: str) -> None:
        if not self.armed or threading.current_thread() is not threading.main_thread():
            return
        stack = traceback.extract_stack()[:-2]
        ours = [f for f in stack if "ticketdesk/ui/" in Path(f.filename).as_posix()]
        if ours:
            self.seen.append(f"{what} from {ours[-1].filename}:{ours[-1].lineno}")


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[Guard]:
    from peewee import Database

    found = Guard()
    original_sql = Database.execute_sql

    def recording_sql(self, sql, params=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        found.check(sql)
        return original_sql(self, sql, params, *args, **kwargs)

    original_connect = socket.create_connection

    def recording_connect(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        found.check(f"connect {address}")
        return original_connect(address, *args, **kwargs)

    monkeypatch.setattr(Database, "execute_sql", recording_sql)
    monkeypatch.setattr(socket, "create_connection", recording_connect)
    yield found
    found.armed = False


def close(window: MainWindow, guard: Guard | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Close the window as a user does; closing the desk itself is allowed to wait."""
    if guard is not None:
        guard.armed = False
        assert guard.seen == []
    MessageBoxes(monkeypatch)
    assert window.close()


def connect_mail(desk: Desk, dovecot: Dovecot, smtp: SmtpReceiver,
                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk's mailbox, as `ticketdesk mail setup` leaves it (password from the
    environment: the test machine has no keyring)."""
    monkeypatch.setenv(ENV_PASSWORD, dovecot.password)
    store = open_database(desk.url)
    try:
        save_settings(Session(store, None), MailSettings(
            dovecot.url(), smtp.url(), "support@desk.example", "Desk Support"))
    finally:
        store.close()


class Gate:
    """Holds the background sender until the test has seen the reply queued."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.open = threading.Event()
        original = passes.send_outbox

        def held(*args: Any, **kwargs: Any) -> Any:
            self.open.wait(10)
            return original(*args, **kwargs)

        monkeypatch.setattr(passes, "send_outbox", held)


def send_reply(qtbot, window: MainWindow, ticket_id: int, text: str):  # type: ignore[no-untyped-def]
    dock = open_ticket(qtbot, window, ticket_id)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot, dock)
    tab = dock.conversation_tab
    qtbot.waitUntil(lambda: tab.mail_ready, timeout=5000)
    qtbot.keyClicks(tab.reply, text)
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    return dock, tab


def state_lines(tab: Any) -> list[str]:
    return tab.thread_view.state_lines()


def outbox_rows() -> list[tuple[str, str, str | None]]:
    return [(r.state, r.to_address, r.last_error) for r in Outbox.select()]


@SQLITE_ONLY
def test_send_reply_queues_a_mail_that_the_background_sender_delivers(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, dovecot: Dovecot,
        smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch,
        guard: Guard) -> None:
    desk = seed(db_url)
    connect_mail(desk, dovecot, smtp_server, monkeypatch)
    gate = Gate(monkeypatch)
    window = open_window("Alice Agent")
    guard.armed = True
    _dock, tab = send_reply(qtbot, window, desk.printer, "A new tray is on its way.")
    qtbot.waitUntil(lambda: state_lines(tab) == ["✉ Queued for mail"], timeout=5000)
    assert outbox_rows() == [("queued", "jane@example.com", None)]
    gate.open.set()
    qtbot.waitUntil(lambda: state_lines(tab) == ["✉ Sent by mail"], timeout=10_000)
    [got] = smtp_server.received
    assert got.rcpt_tos == ["jane@example.com"]
    assert "A new tray is on its way." in got.message.get_body(("plain",)).get_content()
    assert outbox_rows() == [("sent", "jane@example.com", None)]
    close(window, guard, monkeypatch)


@SQLITE_ONLY
def test_a_refused_mail_shows_the_reason_and_retry_sends_it(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, dovecot: Dovecot,
        smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch,
        guard: Guard) -> None:
    desk = seed(db_url)
    connect_mail(desk, dovecot, smtp_server, monkeypatch)
    smtp_server.reject = "550 5.1.1 Mailbox jane does not exist"
    window = open_window("Alice Agent")
    guard.armed = True
    _dock, tab = send_reply(qtbot, window, desk.printer, "Did the new tray help?")
    qtbot.waitUntil(lambda: state_lines(tab) != [] and "Not delivered" in state_lines(tab)[0],
                    timeout=10_000)
    [line] = state_lines(tab)
    assert "Mailbox jane does not exist" in line
    assert line.endswith("Retry")
    [(state, _to, error)] = outbox_rows()
    assert state == "failed"
    assert "Mailbox jane does not exist" in (error or "")
    smtp_server.reject = None
    [outbox_id] = [r.id for r in Outbox.select()]
    where = tab.thread_view.retry_link_rect(outbox_id)
    assert where is not None
    qtbot.mouseClick(tab.thread_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=where.center())
    qtbot.waitUntil(lambda: state_lines(tab) == ["✉ Sent by mail"], timeout=10_000)
    assert len(smtp_server.received) == 1
    close(window, guard, monkeypatch)


def test_without_a_mailbox_send_reply_records_the_reply_and_says_it_was_not_mailed(
        db_url: str, open_window: Callable[..., MainWindow], qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot, dock)
    tab = dock.conversation_tab
    qtbot.keyClicks(tab.reply, "Noted.")
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    qtbot.waitUntil(lambda: "Noted." in tab.thread_view.toPlainText(), timeout=5000)
    assert "not sent by mail: no mailbox is connected" in dock.notice.text()
    assert state_lines(tab) == []
    assert outbox_rows() == []
    close(window, None, monkeypatch)


def listed_subjects(window: MainWindow) -> list[str]:
    model = window.model
    column = next(c for c in range(model.columnCount())
                  if model.headerData(c, Qt.Orientation.Horizontal) == "Subject")
    return [str(model.index(r, column).data()) for r in range(model.rowCount())]


@SQLITE_ONLY
def test_mail_delivered_to_the_mailbox_becomes_a_ticket_in_the_list_by_itself(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, dovecot: Dovecot,
        smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch,
        guard: Guard) -> None:
    desk = seed(db_url)
    connect_mail(desk, dovecot, smtp_server, monkeypatch)
    window = open_window("Alice Agent")
    guard.armed = True
    wait_listed(qtbot, window)
    qtbot.waitUntil(lambda: window.mail.passes >= 1, timeout=10_000)  # now waiting in IDLE
    dovecot.deliver(mail("Monitor flickers", msgid="<flicker@example.com>"))
    qtbot.waitUntil(lambda: "Monitor flickers" in listed_subjects(window), timeout=15_000)
    close(window, guard, monkeypatch)


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_a_full_mailbox_and_outbox_are_worked_by_a_child_process_while_the_list_fills(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, dovecot: Dovecot,
        smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch,
        guard: Guard) -> None:
    """More than `IN_THREAD_MAX` messages waiting (or mails queued) are fetched (sent) by a
    child process that opens the desk itself; the window hears of each batch and shows the
    new tickets and the sent replies as it would from the thread."""
    from ticketdesk.services import child

    desk = seed(db_url)
    connect_mail(desk, dovecot, smtp_server, monkeypatch)
    monkeypatch.setattr(mail_worker, "IN_THREAD_MAX", 2)
    ran: list[str] = []
    real_call = child.call
    monkeypatch.setattr(child, "call", lambda fn, *a, **k: (ran.append(fn.__name__),
                                                            real_call(fn, *a, **k))[1])
    store = open_database(desk.url)
    try:
        for n in range(3):
            queue_reply(Session(store, desk.alice), desk.printer, f"Update {n}.")
    finally:
        store.close()
    subjects = [f"Laptop {n} will not boot" for n in range(5)]
    for n, subject in enumerate(subjects):
        dovecot.deliver(mail(subject, msgid=f"<boot{n}@example.com>"))
    window = open_window("Alice Agent")
    guard.armed = True
    qtbot.waitUntil(lambda: set(subjects) <= set(listed_subjects(window)), timeout=30_000)
    qtbot.waitUntil(lambda: len(smtp_server.received) == 3, timeout=30_000)
    assert sorted(m.message.get_body(("plain",)).get_content().splitlines()[0]
                  for m in smtp_server.received) == ["Update 0.", "Update 1.", "Update 2."]
    assert ran[:2] == ["send_at", "fetch_at"]
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot, dock)
    qtbot.waitUntil(lambda: state_lines(dock.conversation_tab) == ["✉ Sent by mail"] * 3,
                    timeout=10_000)
    close(window, guard, monkeypatch)


@SQLITE_ONLY
def test_a_window_closed_while_a_child_fetches_kills_it_and_the_next_pass_loses_nothing(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, dovecot: Dovecot,
        smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing the window cuts a child's fetch short wherever it is (it is killed); every
    message is then imported by the next pass, none twice."""
    from ticketdesk.db.models import Ticket
    from ticketdesk.services.mail.fetch import fetch_once

    desk = seed(db_url)
    connect_mail(desk, dovecot, smtp_server, monkeypatch)
    monkeypatch.setattr(mail_worker, "IN_THREAD_MAX", 2)
    subjects = [f"Tablet {n} is cracked" for n in range(600)]
    for n, subject in enumerate(subjects):
        dovecot.deliver(mail(subject, msgid=f"<crack{n}@example.com>"))
    window = open_window("Alice Agent")
    with qtbot.waitSignal(window.mail.changed, timeout=30_000):  # the child's first batch
        pass
    close(window, None, monkeypatch)

    def imported() -> list[str]:
        return [t for (t,) in Ticket.select(Ticket.subject)
                .where(Ticket.subject.startswith("Tablet ")).tuples()]

    store = open_database(desk.url)
    try:
        before = len(imported())
        fetch_once(Session(store, None))
        after = imported()
    finally:
        store.close()
    assert 0 < before < len(subjects)  # the child was stopped part of the way
    assert sorted(after) == sorted(subjects)


@SQLITE_ONLY
def test_f9_fetches_at_once_from_a_server_without_idle(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, dovecot: Dovecot,
        smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch,
        guard: Guard) -> None:
    desk = seed(db_url)
    connect_mail(desk, dovecot, smtp_server, monkeypatch)
    monkeypatch.setattr(mail_worker, "wait_for_mail", lambda *a, **k: False)  # polls: 300 s
    window = open_window("Alice Agent")
    guard.armed = True
    wait_listed(qtbot, window)
    qtbot.waitUntil(lambda: window.mail.passes >= 1, timeout=10_000)
    dovecot.deliver(mail("Keyboard sticky", msgid="<sticky@example.com>"))
    assert "Keyboard sticky" not in listed_subjects(window)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "Keyboard sticky" in listed_subjects(window), timeout=15_000)
    qtbot.waitUntil(lambda: "1 message(s) fetched" in window.statusBar().currentMessage(),
                    timeout=5000)
    close(window, guard, monkeypatch)


@SQLITE_ONLY
def test_test_connection_says_in_words_that_the_login_was_refused(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, dovecot: Dovecot,
        smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch,
        guard: Guard) -> None:
    seed(db_url)
    monkeypatch.delenv(ENV_PASSWORD, raising=False)
    window = open_window("Alice Agent")
    guard.armed = True
    wait_listed(qtbot, window)
    seen: list[str] = []

    def act(dialog: Any) -> None:
        try:
            fill_and_test(dialog)
        finally:
            dialog.reject()

    def fill_and_test(dialog: Any) -> None:
        assert isinstance(dialog, MailSettingsDialog)
        qtbot.waitUntil(dialog.save_button.isEnabled, timeout=5000)  # settings read
        for box, port in ((dialog.imap, dovecot.port), (dialog.smtp, smtp_server.port)):
            box.host.setText("127.0.0.1")
            box.security.setCurrentIndex(box.security.findData("off"))
            box.port.setValue(port)
            box.user.setText(dovecot.user)
        dialog.address.setText("support@desk.example")
        dialog.password.setText("not the password")
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.error.isVisible() or (
            "IMAP" in dialog.test_result.text() and "SMTP" in dialog.test_result.text()),
            timeout=60_000)
        seen.append(dialog.test_result.text() or dialog.error.text())

    answer_modal(act)
    window.mail_settings_action.trigger()
    [text] = seen
    imap_line, smtp_line = text.splitlines()
    assert imap_line.startswith("✗ IMAP: Login refused: the IMAP server did not accept user")
    assert smtp_line.startswith("✗ SMTP: Login refused: the SMTP server did not accept user")
    close(window, guard, monkeypatch)


@SQLITE_ONLY
def test_mail_settings_saved_from_the_dialog_are_the_desks(
        db_url: str, open_window: Callable[..., MainWindow], qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seed(db_url)
    window = open_window("Alice Agent")
    wait_listed(qtbot, window)

    def act(dialog: Any) -> None:
        qtbot.waitUntil(dialog.save_button.isEnabled, timeout=5000)
        dialog.imap.host.setText("imap.example.com")
        dialog.imap.user.setText("support@example.com")
        dialog.smtp.host.setText("smtp.example.com")
        dialog.smtp.security.setCurrentIndex(dialog.smtp.security.findData("starttls"))
        dialog.smtp.security.activated.emit(1)
        dialog.smtp.user.setText("support@example.com")
        dialog.address.setText("Support@Example.com")
        dialog.after_fetch.setCurrentIndex(1)
        dialog.move_folder.setText("Done")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    answer_modal(act)
    window.mail_settings_action.trigger()
    from ticketdesk.services.mail.settings import load_settings

    saved = load_settings()
    assert saved is not None
    assert (saved.imap, saved.smtp, saved.address, saved.after_fetch) == (
        "imaps://support@example.com@imap.example.com/INBOX",
        "smtp://support@example.com@smtp.example.com", "support@example.com", "move:Done")
    assert window.statusBar().currentMessage() == "Mail settings saved."
    close(window, None, monkeypatch)


@SQLITE_ONLY
def test_the_acknowledgement_text_is_edited_in_mail_settings_and_a_typo_placeholder_refused(
        db_url: str, open_window: Callable[..., MainWindow], qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ticketdesk.services.mail.settings import load_settings

    seed(db_url)
    window = open_window("Alice Agent")
    wait_listed(qtbot, window)
    shown: list[str] = []

    def fill(dialog: Any, text: str) -> None:
        qtbot.waitUntil(dialog.save_button.isEnabled, timeout=5000)
        for box in (dialog.imap, dialog.smtp):
            box.host.setText("mail.example.com")
            box.user.setText("support@example.com")
        dialog.address.setText("support@example.com")
        qtbot.mouseClick(dialog.acknowledge, Qt.MouseButton.LeftButton)
        assert dialog.ack_template.isEnabled()
        dialog.ack_template.setPlainText(text)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    def typo(dialog: Any) -> None:
        fill(dialog, "Hi {nmae}, your ticket is {number}.")
        shown.append(dialog.error.text() if dialog.error.isVisible() else "")
        dialog.reject()

    answer_modal(typo)
    window.mail_settings_action.trigger()
    assert shown == ["The acknowledgement uses {nmae}, which ticketdesk does not know. It can "
                     "use {number}, {name}, {subject}."]
    assert load_settings() is None  # nothing was saved

    answer_modal(lambda dialog: fill(dialog, "Hi {name}, your ticket is {number}."))
    window.mail_settings_action.trigger()
    saved = load_settings()
    assert saved is not None
    assert (saved.acknowledge, saved.ack_template) == (
        True, "Hi {name}, your ticket is {number}.\n")
    close(window, None, monkeypatch)


def test_file_import_mail_makes_tickets_of_an_eml_file_and_says_so(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    seed(db_url)
    eml = tmp_path / "question.eml"
    eml.write_bytes(mail("Fax machine haunted", msgid="<fax@example.com>"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(eml), ""))
    window = open_window("Alice Agent")
    wait_listed(qtbot, window)
    window.import_mail_action.trigger()
    qtbot.waitUntil(lambda: "Fax machine haunted" in listed_subjects(window), timeout=10_000)
    qtbot.waitUntil(lambda: "1 message(s): 1 new ticket(s)" in
                    window.statusBar().currentMessage(), timeout=5000)
    close(window, None, monkeypatch)


def _drop(target: Any, paths: list[Path]) -> tuple[bool, bool]:
    """Drag `paths` over `target` and drop them, as a file manager does; (entered, dropped)
    say whether the list accepted the drag and the drop."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = target.rect().center()
    enter = QDragEnterEvent(where, Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(QPointF(where), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_mail_files_dropped_on_the_list_become_tickets_and_other_files_are_refused(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seed(db_url)
    first, second = tmp_path / "printer.eml", tmp_path / "Login.EML"
    first.write_bytes(mail("Printer eats paper", msgid="<printer@example.com>"))
    second.write_bytes(mail("Cannot log in", msgid="<login@example.com>"))
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4")
    window = open_window("Alice Agent")
    wait_listed(qtbot, window)
    before = window.model.total

    assert _drop(window.list_stack, [first, invoice]) == (True, False)
    assert window.statusBar().currentMessage() == \
        "Only mail files (.eml, mbox) can be dropped on the list."
    qtbot.wait(200)
    assert window.model.total == before  # nothing imported

    assert _drop(window.list_stack, [first, second]) == (True, True)
    qtbot.waitUntil(lambda: {"Printer eats paper", "Cannot log in"}
                    <= set(listed_subjects(window)), timeout=10_000)
    qtbot.waitUntil(lambda: "2 files: 2 message(s): 2 new ticket(s)" in
                    window.statusBar().currentMessage(), timeout=5000)
    close(window, None, monkeypatch)
