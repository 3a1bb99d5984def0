"""`ticketdesk --db demo.sqlite --demo`, the README's first command: on an empty desk the demo is
made before anyone is asked who they are, so the question lists the demo's agents and offers one
with work waiting (`app.run_gui` calls `start_demo`, then the picker, in this order)."""

from __future__ import annotations

from ticketdesk.app import start_demo
from ticketdesk.db.store import open_database
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.status import Status
from ticketdesk.services import agents, ticket_list
from ticketdesk.services.session import Session
from ticketdesk.ui.agent_picker import AgentPicker


def test_a_new_demo_desk_offers_the_demos_agents_with_work_waiting(sqlite_url: str,
                                                                   qtbot) -> None:
    store = open_database(sqlite_url)
    try:
        demo = start_demo(store, 2000)  # enough for this week's open work (300 may all be closed)
        assert demo.error is None
        assert ticket_list.count(store, TicketFilter()) == 2000
        picker = AgentPicker(Session(store, None), demo.suggested)
        qtbot.addWidget(picker)
        assert "agent" in picker.windowTitle().lower()  # says what it is for
        qtbot.waitUntil(lambda: picker.loaded, timeout=5000)
        listed = [picker.list.item(i).text() for i in range(picker.list.count())]
        assert listed == [a.name for a in agents.list_agents(store)]
        assert len(listed) > 1  # the demo's agents, not an empty list to type a name into
        assert picker.new_name.text() == ""
        picker.accept()  # OK as offered
        assert picker.agent_id == demo.suggested
        assert picker.agent_id is not None
        waiting = TicketFilter(assignees=frozenset({picker.agent_id}),
                               statuses=frozenset(s for s in Status if s.is_active))
        assert ticket_list.count(store, waiting) > 0
    finally:
        store.close()


def test_an_empty_desk_without_the_demo_still_suggests_the_login_name(sqlite_url: str,
                                                                      qtbot) -> None:
    store = open_database(sqlite_url)
    try:
        picker = AgentPicker(Session(store, None))
        qtbot.addWidget(picker)
        qtbot.waitUntil(lambda: picker.loaded, timeout=5000)
        assert picker.list.count() == 0
        assert picker.new_name.text() != ""
        picker.reject()
    finally:
        store.close()
