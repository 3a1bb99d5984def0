"""Qt's model tester on every item model of ours (qutebrowser runs it on every model): row and
column counts, parents, indexes, data of every role and the signals around a reset or a sort
must be what views and proxies rely on. One `check` per model: it stays connected and checks
again on every change. The ticket table's model is checked in
test_main_window.py (on a live window)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.conftest import FakeClock
from tests.helpers import new_ticket
from ticketdesk.domain.period import PeriodKind
from ticketdesk.domain.status import Status
from ticketdesk.services import agents, analytics, audit, messages, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.analytics.agents_table import AgentsModel
from ticketdesk.ui.dock.activity_tab import ActivityModel


def _story(system: Session, clock: FakeClock) -> tuple[int, int]:
    alice = system.as_agent(agents.create_agent(system, "Alice Agent")[0])
    bob = agents.create_agent(system, "Bob Builder")[0]
    first = new_ticket(system, assignee_ids=[alice.agent_id or 0, bob], tags=["billing"])
    second = new_ticket(system, subject="Scanner", assignee_ids=[bob])
    clock.advance(3600)
    messages.add_message(alice, first, "Looking into it")
    tickets.set_status(alice, first, tickets.get_ticket(first).version, Status.CLOSED)
    return first, second


def test_the_agents_model_passes_qts_model_tester(qtmodeltester, system: Session,
                                                   clock: FakeClock) -> None:
    _story(system, clock)
    period = analytics.period_for(system.store, PeriodKind.LAST_7D, now=clock.now)
    report = analytics.compute(system.store, period, now=clock.now)
    model = AgentsModel()
    model.set_figures(report.current)
    assert model.rowCount() == 2
    qtmodeltester.check(model, force_py=True)  # and again on every signal below
    model.sort(2, Qt.SortOrder.DescendingOrder)
    model.set_figures(report.current)
    model.set_figures(None)
    assert model.rowCount() == 0


def test_the_activity_model_passes_qts_model_tester(qtmodeltester, system: Session,
                                                     clock: FakeClock) -> None:
    first, _ = _story(system, clock)
    model = ActivityModel()
    model.set_rows(audit.activity_for(first))
    assert model.rowCount() >= 3
    qtmodeltester.check(model, force_py=True)  # and again on every signal below
    model.set_rows([])
    assert model.rowCount() == 0
