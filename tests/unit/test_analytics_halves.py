"""The agents table computed on its own equals the one `compute` gives (the view computes the
two halves at the same time, on two connections)."""

from __future__ import annotations

from tests.conftest import FakeClock
from ticketdesk.domain.period import PeriodKind
from ticketdesk.domain.status import Status
from ticketdesk.services import analytics, messages, tickets
from ticketdesk.services.session import Session


def test_report_without_agents_plus_agents_table_is_the_whole_report(
        alice: Session, bob: Session, clock: FakeClock) -> None:
    for i in range(6):
        clock.advance(3_600)
        who = alice if i % 2 else bob
        tid = tickets.create_ticket(who, subject=f"case {i}",
                                    assignee_ids=[who.agent_id]).new_id
        messages.add_message(who, tid, "on it")
        if i % 3 == 0:
            tickets.set_status(who, tid, 1, Status.CLOSED)
    store = alice.store
    period = analytics.period_for(store, PeriodKind.LAST_7D, now=clock.now)
    whole = analytics.compute(store, period, now=clock.now)
    half = analytics.compute(store, period, now=clock.now, agents=False)
    table = analytics.agents_table(store, period)
    assert half.current.breakdowns is not None
    assert half.current.breakdowns.agents == ()
    assert whole.current.breakdowns is not None
    assert len(whole.current.breakdowns.agents) == 2
    assert table == whole.current.breakdowns.agents
    assert half.with_agents(table) == whole
