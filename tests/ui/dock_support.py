"""Helpers for the dock tests: a seeded desk, opening a ticket as a user does (selecting its row),
reading the Activity tab as a user reads it, and stubbing the desktop."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.conftest import FakeClock
from tests.ui.conftest import wait_listed
from ticketdesk.db.store import open_database
from ticketdesk.services import agents, customers, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.dock import TicketDock
from ticketdesk.ui.dock.ticket_dock import ACTIVITY
from ticketdesk.ui.main_window import MainWindow


@dataclass(frozen=True)
class Desk:
    url: str
    alice: int
    bob: int
    jane: int
    printer: int
    scanner: int


def seed(db_url: str) -> Desk:
    """Two agents, a customer and two tickets, written through services as the system."""
    store = open_database(db_url)
    clock = FakeClock()
    try:
        system = Session(store, None, clock)
        alice, _ = agents.create_agent(system, "Alice Agent")
        bob, _ = agents.create_agent(system, "Bob Builder")
        jane, _ = customers.create_customer(system, "Jane Doe", email="jane@example.com",
                                            company="Acme", tags=["vip"])
        printer = tickets.create_ticket(system, subject="Printer on fire", customer_id=jane,
                                        description="Smoke from tray 2.").new_id
        clock.advance(60)
        scanner = tickets.create_ticket(system, subject="Scanner jams").new_id
    finally:
        store.close()
    return Desk(db_url, alice, bob, jane, printer, scanner)


def settle(qtbot, dock: TicketDock | None = None, timeout: int = 5000) -> None:
    """Wait until every read and save `dock` (None: every open dock) started has been
    answered and shown: the dock never waits on the database, so a test waits as a user
    watching it would."""
    def idle() -> bool:
        docks = [dock] if dock is not None else [
            w for w in QApplication.allWidgets() if isinstance(w, TicketDock)]
        return all(d.is_idle() for d in docks)

    qtbot.waitUntil(idle, timeout=timeout)


def open_ticket(qtbot, window: MainWindow, ticket_id: int) -> TicketDock:
    """Select the ticket's row, as a click would, and wait for the dock to show it."""
    wait_listed(qtbot, window)
    assert window.table.select_ticket(ticket_id)
    dock = window.ticket_dock
    qtbot.waitUntil(lambda: dock.ticket is not None and dock.ticket.id == ticket_id
                    and dock.is_idle(), timeout=5000)
    return dock


def wait_idle(dock: TicketDock, timeout: float = 5.0) -> None:
    """`settle` for helpers that have no qtbot: run the event loop until the dock is idle."""
    deadline = time.monotonic() + timeout
    while not dock.is_idle():
        assert time.monotonic() < deadline, "the dock's reads and saves were not answered"
        QTest.qWait(5)


def activity_lines(dock: TicketDock) -> list[str]:
    """What the Activity tab shows, newest first (switching to the tab as a user does, and
    waiting for what it reads)."""
    wait_idle(dock)
    dock.tabs.setCurrentIndex(ACTIVITY)
    wait_idle(dock)
    return dock.activity_tab.lines()


def ctrl_enter(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


class MessageBoxes:
    """Stands in for QMessageBox.exec: records each text and clicks the button whose text is
    in `answers` (in order), or Cancel."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        self.answers: list[str] = []
        def exec_(box: QMessageBox) -> int:  # replaces the method: `box` is its self
            return self._exec(box)

        monkeypatch.setattr(QMessageBox, "exec", exec_)

    def _exec(self, box: QMessageBox) -> int:
        self.texts.append(box.text())
        wanted = self.answers.pop(0) if self.answers else None
        for button in box.buttons():
            if wanted is not None and button.text().replace("&", "") == wanted:
                button.click()
                return 0
        cancel = box.button(QMessageBox.StandardButton.Cancel)
        if cancel is not None:
            cancel.click()
        return int(QMessageBox.StandardButton.Cancel)
