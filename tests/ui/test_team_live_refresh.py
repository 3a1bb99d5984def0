"""Live refresh on a team desk: a change made by another process (another desktop) shows in the
list and the open dock within about a second, told by the server (LISTEN/NOTIFY) and not found
by polling; a desk file keeps polling its data_version."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from ticketdesk.domain.status import Status
from ticketdesk.services import tickets
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.ticket_model import COL_STATUS, COL_SUBJECT

from tests.ui.conftest import wait_listed
from tests.ui.dock_support import open_ticket, seed

ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)

OTHER_DESKTOP = """
import sys, time
from ticketdesk.db.store import open_database
from ticketdesk.services import agents, notes, tickets
from ticketdesk.services.session import Session

store = open_database(sys.argv[1])
bob = Session(store, agents.find_agent("Bob Builder").id)
printer = int(sys.argv[2])
tickets.set_status(bob, printer, tickets.get_ticket(printer).version, "waiting")
notes.add_note(bob, printer, "Asked the customer for the tray number")
new = tickets.create_ticket(bob, subject="From another desktop").new_id
print(time.time(), new, flush=True)
store.close()
"""


def _subjects(window: MainWindow) -> list[str]:
    model = window.model
    return [model.data(model.index(r, COL_SUBJECT)) for r in range(model.rowCount())]


def _status_of(window: MainWindow, ticket_id: int) -> str | None:
    row = window.model.row_of(ticket_id)
    return None if row is None else window.model.data(window.model.index(row, COL_STATUS))


@ON_POSTGRES
def test_a_change_made_in_another_process_shows_at_once_without_polling(
        db_url: str, open_window, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window: MainWindow = open_window("Alice Agent")
    assert window.live is not None
    assert not window._poll.isActive()  # the team desk is told, not polled
    polled: list[int] = []
    monkeypatch.setattr(window.store, "data_version", lambda: polled.append(1) or 0)
    dock = open_ticket(qtbot, window, desk.printer)
    assert dock.ticket is not None
    assert dock.ticket.status == Status.OPEN
    assert window.live.listener.wait_listening()

    done = subprocess.run([sys.executable, "-c", OTHER_DESKTOP, db_url, str(desk.printer)],
                          check=True, timeout=60, capture_output=True, text=True)
    committed, new_id = float(done.stdout.split()[0]), int(done.stdout.split()[1])
    qtbot.waitUntil(lambda: "From another desktop" in _subjects(window)
                    and _status_of(window, desk.printer) == "Waiting"
                    and dock.ticket is not None and dock.ticket.status == Status.WAITING,
                    timeout=5000)
    latency = time.time() - committed
    assert latency < 2.0, f"shown {latency:.2f} s after the other desktop committed"
    assert window.model.row_of(new_id) is not None
    assert dock.ticket.version == 2
    wait_listed(qtbot, window)
    assert window.count_label.text() == "3 tickets"
    assert polled == []
    assert window.live.announcements >= 1


@ON_POSTGRES
def test_own_changes_are_announced_once_not_echoed(db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window: MainWindow = open_window("Alice Agent")
    assert window.live is not None
    assert window.live.listener.wait_listening()
    announced: list[object] = []
    window.hub.changed.connect(lambda changes, initiator: announced.append(initiator))
    tickets.set_status(window.session, desk.scanner, 1, Status.WAITING)  # as the dock would
    qtbot.wait(600)
    assert "external" not in announced  # the server's echo of our own change was skipped
    assert window.live.announcements == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_desk_file_keeps_polling(open_window) -> None:
    window: MainWindow = open_window()
    assert window.live is None
    assert window._poll.isActive()
