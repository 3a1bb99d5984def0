"""Live refresh on a team desk: a change made by another process (another desktop) shows in the
list and the open dock within about a second, told by the server (LISTEN/NOTIFY) and not found
by polling; a desk file keeps polling its data_version."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.ui.conftest import wait_listed
from tests.ui.dock_support import open_ticket, seed
from ticketdesk.db.postgres_notify import RemoteChange
from ticketdesk.domain.status import Status
from ticketdesk.services import tickets
from ticketdesk.services.changes import Changes
from ticketdesk.ui.live_refresh import to_changes
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.ticket_model import COL_STATUS, COL_SUBJECT

ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)

OTHER_DESKTOP = """
import sys, time
from ticketdesk.db.store import open_database
from ticketdesk.services import agents, notes, tickets
from ticketdesk.services.session import Session

store = open_database(sys.argv[1])
bob = Session(store, agents.find_agent(store, "Bob Builder").id)
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


@ON_POSTGRES
def test_a_burst_of_changes_is_one_announcement_and_at_most_one_a_second(
        db_url: str, open_window, qtbot) -> None:
    window: MainWindow = open_window("Alice Agent")
    live = window.live
    assert live is not None
    times: list[float] = []
    seen: list[Changes] = []
    live.announced.connect(lambda changes: (times.append(time.monotonic()), seen.append(changes)))
    for ticket in (1, 2, 3):
        live._remote.emit(RemoteChange(tickets=frozenset({ticket}), kinds=frozenset({"status"})))
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=2000)
    assert seen[0] == Changes(tickets=frozenset({1, 2, 3}))
    live._remote.emit(RemoteChange(created=(4,), kinds=frozenset({"created"})))
    live._remote.emit(RemoteChange(tickets=frozenset({4}), kinds=frozenset({"note_added"})))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=3000)
    assert seen[1] == Changes(created=(4,), notes=True)
    assert times[1] - times[0] >= 0.95


def test_what_the_server_reports_becomes_the_changes_views_understand() -> None:
    assert to_changes(RemoteChange(everything=True)) == Changes(everything=True)
    assert to_changes(RemoteChange(
        tickets=frozenset({1, 2}), created=(2,),
        kinds=frozenset({"message_in", "attached", "tagged", "customers", "agents"}))) == Changes(
        tickets=frozenset({1}), created=(2,), conversation=True, attachments=True, tags=True,
        customers=True, agents=True)
    assert to_changes(RemoteChange(kinds=frozenset({"note_deleted"}))) == Changes(notes=True)
    assert to_changes(RemoteChange()).nothing


NEW_TICKET = """
import sys
from ticketdesk.db.store import open_database
from ticketdesk.services import tickets
from ticketdesk.services.session import Session

store = open_database(sys.argv[1])
tickets.create_ticket(Session(store, None), subject="Counted by the other desktop")
store.close()
"""


@ON_POSTGRES
def test_the_open_analytics_follow_another_desktops_change(db_url: str, open_window,
                                                            qtbot) -> None:
    seed(db_url)
    window: MainWindow = open_window("Alice Agent")
    window.show_analytics()
    view = window.analytics_view
    assert view is not None
    qtbot.waitUntil(lambda: view.report is not None, timeout=10_000)
    before = view.report.current.summary.created
    subprocess.run([sys.executable, "-c", NEW_TICKET, db_url], check=True, timeout=60)
    # the view waits 1.5 s after a change before recomputing (several changes, one refresh)
    qtbot.waitUntil(lambda: view.report is not None
                    and view.report.current.summary.created == before + 1, timeout=6000)
    assert not window._poll.isActive()


@ON_POSTGRES
def test_malformed_notifications_are_ignored_and_the_window_keeps_refreshing(
        db_url: str, open_window, qtbot, pg_admin) -> None:
    from tests.unit.test_postgres_notify import MALFORMED

    window: MainWindow = open_window("Alice Agent")
    live = window.live
    assert live is not None
    assert live.listener.wait_listening()
    seen: list[Changes] = []
    live.announced.connect(seen.append)
    conn = window.store.backend.connect_raw()  # type: ignore[union-attr]
    try:
        channel = window.store.backend.channel(conn)  # type: ignore[union-attr]
    finally:
        conn.close()
    for payload in MALFORMED:  # anyone who can reach the database may send these
        pg_admin.execute("SELECT pg_notify(%s, %s)", (channel, payload))
    qtbot.wait(300)
    subprocess.run([sys.executable, "-c", NEW_TICKET, db_url], check=True, timeout=60)
    qtbot.waitUntil(lambda: "Counted by the other desktop" in _subjects(window), timeout=5000)
    assert seen
    assert not any(changes.everything for changes in seen)
    assert all(tid > 0 for changes in seen for tid in (*changes.tickets, *changes.created))
    assert live.listener.stats.losses == 0
    assert live.connected
