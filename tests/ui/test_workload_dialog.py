"""Desk ▸ Workload… (issue 21), driven from the main window on both backends: the figures per
agent against capacity, read again when the desk changes and on Refresh, and a double-clicked
figure listing exactly its tickets in the main window — nothing queries on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt

from tests.ui.conftest import wait_listed
from tests.ui.test_window_never_waits import Guard, guard  # noqa: F401 - the fixture
from ticketdesk.db.models import Ticket
from ticketdesk.db.store import open_database
from ticketdesk.domain.filters import DueWindow
from ticketdesk.services import agents, routing, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.workload_dialog import DUE_SOON, OPEN, WorkloadDialog


def seed(url: str) -> dict[str, int]:
    """Ana (capacity 4) with three open tickets, one due in ten minutes; Ben with one."""
    store = open_database(url)
    try:
        system = Session(store, None)
        ids = {name: agents.create_agent(system, name)[0] for name in ("Ana", "Ben")}
        routing.set_availability(system, "Ana", None, capacity=4)
        made = [tickets.create_ticket(system, subject=f"Ana {n}",
                                      assignee_ids=[ids["Ana"]]).new_id for n in range(3)]
        tickets.create_ticket(system, subject="Ben's", assignee_ids=[ids["Ben"]])
        with store.write():
            Ticket.update(sla_due=system.now() + 600).where(Ticket.id == made[0]).execute()
        return ids
    finally:
        store.close()


def rows(dialog: WorkloadDialog) -> dict[str, tuple[str, ...]]:
    model = dialog.model
    return {r.name: tuple(model.text(r, c) for c in range(model.columnCount()))
            for r in model.rows}


def double_click(qtbot, dialog: WorkloadDialog, row: int, column: int) -> None:
    """As a mouse does it: press and release, then the double click (Qt activates the item
    the first press chose)."""
    table = dialog.table
    cell = table.visualRect(dialog.model.index(row, column)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)


def test_the_workload_window_shows_each_agents_load_follows_changes_and_lists_a_figures_tickets(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, guard: Guard,  # noqa: F811
) -> None:
    ids = seed(db_url)
    window = open_window()
    wait_listed(qtbot, window)
    guard.install(window.store)
    guard.armed = True
    window.workload_action.trigger()
    dialog = window.workload_dialog
    assert isinstance(dialog, WorkloadDialog)
    assert dialog.isVisible()
    assert not dialog.isModal()
    qtbot.waitUntil(lambda: not dialog.loading and "Ana" in rows(dialog), timeout=5000)
    assert rows(dialog)["Ana"] == ("Ana", "● Available", "3", "1", "0", "4", "3 / 4")
    assert rows(dialog)["Ben"] == ("Ben", "● Available", "1", "0", "0", "No limit", "1")

    # A ticket the window creates for Ana: the figures follow the announced change.
    guard.armed = False
    session = Session(window.store, None)
    changes = tickets.create_ticket(session, subject="Ana 4", assignee_ids=[ids["Ana"]])
    guard.armed = True
    window.hub.announce(changes, None)
    qtbot.waitUntil(lambda: not dialog.loading and rows(dialog)["Ana"][2] == "4", timeout=5000)
    assert rows(dialog)["Ana"][6] == "4 / 4"

    # A change nobody announced (a script, say): Refresh reads it.
    guard.armed = False
    routing.set_availability(session, "Ben", "away")
    guard.armed = True
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.loading and rows(dialog)["Ben"][1] == "◐ Away",
                    timeout=5000)

    # A double-click on Ana's "due soon" lists exactly that ticket in the main window.
    ana = next(i for i, r in enumerate(dialog.model.rows) if r.name == "Ana")
    double_click(qtbot, dialog, ana, DUE_SOON)
    qtbot.waitUntil(lambda: window.filter_bar.current_filter().assignees
                    == frozenset({ids["Ana"]}), timeout=5000)
    wait_listed(qtbot, window)
    shown = window.filter_bar.current_filter()
    assert shown.due == DueWindow.HOUR
    assert window.model.matching == 1
    assert dialog.isVisible()  # the figures stay beside the list
    double_click(qtbot, dialog, ana, OPEN)
    qtbot.waitUntil(lambda: window.filter_bar.current_filter().due is None, timeout=5000)
    wait_listed(qtbot, window)
    assert window.model.matching == 4

    dialog.reject()
    qtbot.waitUntil(lambda: window.workload_dialog is None, timeout=5000)
    guard.armed = False
    assert guard.seen == []


def test_a_read_asked_for_during_a_read_follows_it_and_never_interrupts_it(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    ids = seed(db_url)
    window = open_window()
    wait_listed(qtbot, window)
    window.workload_action.trigger()
    dialog = window.workload_dialog
    assert isinstance(dialog, WorkloadDialog)
    qtbot.waitUntil(lambda: not dialog.loading and "Ana" in rows(dialog), timeout=5000)
    runner = dialog.runner
    submitted: list[int] = []
    answered: list[int] = []
    real_submit = runner.submit

    def submit(channel: str, generation: int, fn: Callable[[], object]) -> None:
        submitted.append(generation)
        real_submit(channel, generation, fn)

    runner.submit = submit  # type: ignore[method-assign]
    runner.finished.connect(lambda _channel, generation, _result: answered.append(generation))
    tickets.create_ticket(Session(window.store, None), subject="Ana 4",
                          assignee_ids=[ids["Ana"]])
    dialog.load()  # a read runs...
    dialog.load()  # ...a change during it (the timer's, the hub's) asks for one more
    dialog.load()  # and another asks for nothing more: one read follows
    assert dialog.loading
    assert len(submitted) == 1
    # Every read asked for is answered: none dropped or cut short for a newer one. (On a team
    # desk the server's notice of the new ticket may ask for one more read meanwhile.)
    qtbot.waitUntil(lambda: not dialog.loading and not dialog._later.isActive()
                    and answered == submitted, timeout=5000)
    assert len(submitted) >= 2
    assert rows(dialog)["Ana"][2] == "4"
    dialog.reject()
