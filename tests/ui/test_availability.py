"""The status bar's availability button (issue 21), driven in the main window on both backends:
it shows the signed-in agent's status and the team's, a choice in its menu is saved (off the GUI
thread) and routing then skips the agent, and a change made elsewhere shows."""

from __future__ import annotations

import threading
from collections.abc import Callable

from tests.ui.conftest import wait_listed
from tests.ui.test_window_never_waits import Guard, guard  # noqa: F401 - the fixture
from ticketdesk.db.store import open_database
from ticketdesk.domain.routing import AgentStatus
from ticketdesk.services import agents, availability, routing
from ticketdesk.services.session import Session
from ticketdesk.ui.availability import AvailabilityButton
from ticketdesk.ui.main_window import MainWindow


def seed(url: str) -> None:
    store = open_database(url)
    try:
        system = Session(store, None)
        for name in ("Alice Agent", "Bob Builder"):
            agents.create_agent(system, name)
        routing.set_availability(system, "Bob Builder", "off")
    finally:
        store.close()


def team_texts(button: AvailabilityButton) -> list[str]:
    return [a.text() for a in button.team_actions]


def test_the_button_shows_and_sets_my_availability_without_waiting(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, guard: Guard,  # noqa: F811
) -> None:
    seed(db_url)
    window = open_window()
    wait_listed(qtbot, window)
    button = window.findChild(AvailabilityButton, "availabilityButton")
    assert button is not None
    guard.install(window.store)
    guard.armed = True
    qtbot.waitUntil(lambda: button.text() == "● Available", timeout=5000)
    assert team_texts(button) == ["● Available — Alice Agent", "○ Off — Bob Builder"]
    assert button.status_actions[AgentStatus.AVAILABLE].isChecked()

    with qtbot.waitSignal(button.saved, timeout=5000):
        button.status_actions[AgentStatus.AWAY].trigger()
    assert button.text() == "◐ Away"
    qtbot.waitUntil(lambda: "◐ Away — Alice Agent" in team_texts(button), timeout=5000)
    guard.armed = False
    assert guard.seen == []
    mine = {a.name: a.status for a in availability.team(window.session)}
    assert mine["Alice Agent"] == AgentStatus.AWAY


def test_a_change_made_elsewhere_shows_in_the_team(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    seed(db_url)
    window = open_window()
    button = window.availability
    qtbot.waitUntil(lambda: "○ Off — Bob Builder" in team_texts(button), timeout=5000)

    def elsewhere() -> None:
        store = open_database(db_url)
        try:
            routing.set_availability(Session(store, None), "Bob Builder", "available")
        finally:
            store.close_thread()
            if store.lock is not None:
                store.lock.release()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "● Available — Bob Builder" in team_texts(button), timeout=10_000)
