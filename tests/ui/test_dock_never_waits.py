"""The window never waits on the database: while another program holds the desk's write lock,
a status change in the dock keeps the window painting, says it is waiting, and saves when the
lock goes (or is abandoned with Cancel, saving nothing). No dock code touches the database on
the GUI thread, and one conversation with a 1 MB line opens like any other."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import traceback
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer

from tests.ui.dock_support import MessageBoxes, ctrl_enter, open_ticket, seed, settle
from ticketdesk.db.url import sqlite_path
from ticketdesk.domain.status import Status
from ticketdesk.services import audit, drafts, messages, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.thread_view import SHOWN_CHARS
from ticketdesk.ui.dock.ticket_dock import ACTIVITY, CONVERSATION, DETAIL, NOTES

HOLDER = textwrap.dedent("""
    import sys, time, apsw
    db = apsw.Connection(sys.argv[1])
    db.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    db.execute("ROLLBACK")
    db.close()
""")


def hold_write_lock(db_url: str, seconds: float) -> subprocess.Popen[str]:
    """Another program (an import, a backup...) holding the desk's write lock for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(sqlite_path(db_url)),
                               str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


class Heartbeat:
    """A 5 ms timer on the GUI thread; `longest_gap_ms` is the longest the window went without
    running it (how long it was frozen)."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.last = 0
        self.longest_gap_ms = 0
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._beat)

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.timer.start()

    def _beat(self) -> None:
        now = self.clock.elapsed()
        self.longest_gap_ms = max(self.longest_gap_ms, now - self.last)
        self.last = now

    def stop(self) -> None:
        self._beat()
        self.timer.stop()


SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
"""The lock another process holds here is SQLite's write lock (a PostgreSQL desk's saves wait
on the network instead: tests/bench/bench_latency.py measures that)."""


def _choose_status(qtbot, dock, status: Status) -> None:
    combo = dock.detail_tab.status
    combo.setFocus()
    combo.setCurrentIndex(int(status))
    combo.activated.emit(int(status))  # what picking it from the list sends


@SQLITE_ONLY
def test_a_save_behind_another_programs_lock_never_freezes_the_window(
        db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    holder = hold_write_lock(db_url, 3.0)
    beat = Heartbeat()
    beat.start()
    try:
        _choose_status(qtbot, dock, Status.WAITING)
        assert not dock.detail_tab.status.isEnabled()  # busy while it saves...
        assert dock.detail_tab.priority.isEnabled()  # ...the rest stays usable
        qtbot.waitUntil(dock.wait_banner.isVisible, timeout=2500)
        assert "Waiting for another program using this desk" in dock.wait_banner.text()
        qtbot.waitUntil(lambda: holder.poll() is not None, timeout=6000)
        settle(qtbot, dock, timeout=5000)
    finally:
        beat.stop()
        holder.wait()
    assert beat.longest_gap_ms <= 50, f"the window froze for {beat.longest_gap_ms} ms"
    assert tickets.get_ticket(desk.printer).status == Status.WAITING
    assert not dock.wait_banner.isVisible()
    assert dock.detail_tab.status.isEnabled()
    assert dock.detail_tab.status.currentText() == "Waiting"
    assert audit.activity_for(desk.printer)[0].text == "Status changed: Open → Waiting"


@SQLITE_ONLY
def test_cancel_abandons_a_save_waiting_for_the_lock_and_saves_nothing(
        db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    trail = audit.activity_for(desk.printer)
    holder = hold_write_lock(db_url, 3.0)
    try:
        _choose_status(qtbot, dock, Status.RESOLVED)
        qtbot.waitUntil(dock.wait_banner.isVisible, timeout=2500)
        qtbot.mouseClick(dock.wait_banner.cancel_button, Qt.MouseButton.LeftButton)
        settle(qtbot, dock, timeout=2000)  # answered at once, while the lock is still held
        assert holder.poll() is None
        assert "not saved" in dock.notice.text()
        assert dock.detail_tab.status.currentText() == "Open"
        assert dock.detail_tab.status.isEnabled()
    finally:
        holder.wait()
    qtbot.wait(300)  # a save that only looked abandoned would land now
    assert tickets.get_ticket(desk.printer).status == Status.OPEN
    assert audit.activity_for(desk.printer) == trail


@SQLITE_ONLY
def test_a_draft_written_behind_the_lock_waits_quietly_and_is_stored_once(
        db_url: str, open_window, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot, dock)
    writes: list[int] = []
    original = drafts.save_drafts
    monkeypatch.setattr(drafts, "save_drafts",
                        lambda session, edits: writes.append(1) or original(session, edits))
    holder = hold_write_lock(db_url, 3.0)
    beat = Heartbeat()
    beat.start()
    try:
        qtbot.keyClicks(dock.conversation_tab.reply, "Typed while the desk is busy")
        qtbot.waitUntil(lambda: bool(writes), timeout=3000)  # the debounced write has started
        qtbot.waitUntil(lambda: holder.poll() is not None, timeout=6000)
        settle(qtbot, dock, timeout=5000)
    finally:
        beat.stop()
        holder.wait()
    assert beat.longest_gap_ms <= 50, f"the window froze for {beat.longest_gap_ms} ms"
    assert writes == [1]  # one write that waited, not a retry every few seconds
    assert dock.notice.text() == ""  # typing is saved quietly
    assert not dock.wait_banner.isVisible()
    stored = drafts.drafts_for(Session(window.store, desk.alice), desk.printer)
    assert stored["reply"].body == "Typed while the desk is busy"
    assert dock.conversation_tab.reply.toPlainText() == "Typed while the desk is busy"


def test_two_quick_saves_on_one_ticket_are_applied_in_order(db_url: str, open_window,
                                                            qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    _choose_status(qtbot, dock, Status.IN_PROGRESS)
    _choose_status(qtbot, dock, Status.WAITING)  # sent before the first is answered
    qtbot.mouseClick(dock.detail_tab.escalate_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    assert not dock.conflict.isVisible()
    saved = tickets.get_ticket(desk.printer)
    assert (saved.status, saved.priority.name) == (Status.WAITING, "HIGH")
    assert [a.text for a in audit.activity_for(desk.printer)][:3] == [
        "Priority changed: Medium → High", "Status changed: In Progress → Waiting",
        "Status changed: Open → In Progress"]


def test_a_control_busy_saving_keeps_the_keyboard_focus(db_url: str, open_window,
                                                        qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    window.activateWindow()
    dock = open_ticket(qtbot, window, desk.printer)
    combo = dock.detail_tab.status
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=2000)
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # In Progress, from the keyboard
    settle(qtbot, dock)
    assert tickets.get_ticket(desk.printer).status == Status.IN_PROGRESS
    assert combo.isEnabled()
    assert combo.hasFocus()  # the next arrow key still goes to the status box


@pytest.fixture
def gui_thread_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement dock code sends from the GUI thread (the stack says who sent it)."""
    from peewee import Database

    found: list[str] = []
    original = Database.execute_sql
    main = threading.main_thread()

    def recording(self, sql, params=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread() is main:
            stack = traceback.extract_stack()
            if any("ticketdesk/ui/dock" in Path(f.filename).as_posix() for f in stack):
                found.append(sql)
        return original(self, sql, params, *args, **kwargs)

    monkeypatch.setattr(Database, "execute_sql", recording)
    return found


def test_the_dock_sends_no_query_from_the_gui_thread(db_url: str, open_window, qtbot,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     gui_thread_queries: list[str]) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    messages.add_message(Session(window.store, None), desk.printer, "Is anyone there?",
                         incoming=True)
    dock = open_ticket(qtbot, window, desk.printer)
    for index in (CONVERSATION, NOTES, ACTIVITY, DETAIL):
        dock.tabs.setCurrentIndex(index)
        settle(qtbot, dock)
    _choose_status(qtbot, dock, Status.IN_PROGRESS)
    settle(qtbot, dock)
    dock.detail_tab.agent_menu.aboutToShow.emit()
    next(a for a in dock.detail_tab.agent_menu.actions() if a.text() == "Bob Builder").trigger()
    settle(qtbot, dock)
    dock.tabs.setCurrentIndex(NOTES)
    qtbot.keyClicks(dock.notes_tab.new_note, "Looked at it")
    ctrl_enter(qtbot, dock.notes_tab.new_note)
    settle(qtbot, dock)
    dock.tabs.setCurrentIndex(CONVERSATION)
    qtbot.keyClicks(dock.conversation_tab.reply, "On my way")
    dock.drafts.flush()
    settle(qtbot, dock)
    ctrl_enter(qtbot, dock.conversation_tab.reply)
    settle(qtbot, dock)
    open_ticket(qtbot, window, desk.scanner)
    MessageBoxes(monkeypatch)
    assert window.close()
    assert tickets.get_ticket(desk.printer).status == Status.IN_PROGRESS  # it all happened
    assert gui_thread_queries == []


def test_a_one_megabyte_line_shows_its_start_and_opens_whole_as_text(
        db_url: str, open_window, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    line = "x" * 1_000_000
    messages.add_message(Session(window.store, None), desk.printer, line, incoming=True)
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot, dock)
    shown = dock.conversation_tab.thread_view.toPlainText()
    assert "x" * SHOWN_CHARS in shown
    assert len(shown) < SHOWN_CHARS + 1000  # the rest is not laid out
    assert f"… {1_000_000 - SHOWN_CHARS} more characters" in shown

    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    [message] = dock.conversation_tab.messages
    dock.conversation_tab.thread_view.messageActivated.emit(message.id)
    [path] = opened
    assert Path(path).read_text(encoding="utf-8") == line


def test_the_activity_model_keeps_qt_rules(db_url: str, open_window, qtbot,
                                           qtmodeltester) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(ACTIVITY)
    settle(qtbot, dock)
    assert dock.activity_tab.model.rowCount() == 2
    qtmodeltester.check(dock.activity_tab.model)


def _mnemonic(text: str) -> str | None:
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return None


def test_each_access_key_has_one_owner_with_a_ticket_open(db_url: str, open_window,
                                                          qtbot) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLabel, QTabBar

    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.conflict.show()  # banners that can be on screen with the tabs
    dock.wait_banner.show()
    for index in (DETAIL, CONVERSATION, NOTES, ACTIVITY):
        dock.tabs.setCurrentIndex(index)
        settle(qtbot, dock)
        owners: dict[str, list[str]] = {}
        for action in window.menuBar().actions():
            key = _mnemonic(action.text())
            if key:
                owners.setdefault(key, []).append(f"menu {action.text()}")
        for widget in window.findChildren(QAbstractButton) + window.findChildren(QLabel):
            if not widget.isVisible():
                continue
            if isinstance(widget, QLabel) and widget.buddy() is None:
                continue
            key = _mnemonic(widget.text())
            if key:
                owners.setdefault(key, []).append(widget.text())
        for bar in window.findChildren(QTabBar):
            if bar.isVisible():
                for i in range(bar.count()):
                    key = _mnemonic(bar.tabText(i))
                    if key:
                        owners.setdefault(key, []).append(f"tab {bar.tabText(i)}")
        clashes = {k: v for k, v in owners.items() if len(v) > 1}
        assert clashes == {}, f"tab {index}: {clashes}"
