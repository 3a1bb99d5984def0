"""Workload (issue 21): open, due-soon and breached tickets per agent against their capacity
(`ticketdesk agents workload`, Desk ▸ Workload… in the window), and the ticket list's filter
behind each figure, so a double-click lists exactly the tickets counted."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from peewee import JOIN, SQL, Case, fn

from ticketdesk.db.models import Agent, Ticket, TicketAssignee
from ticketdesk.domain.filters import DueWindow, TicketFilter
from ticketdesk.domain.routing import AgentStatus
from ticketdesk.domain.sla import SlaState
from ticketdesk.domain.status import Status
from ticketdesk.services.session import Session

DUE_SOON_SECONDS = 3600
"""Workload's "due soon": an SLA due within the hour (the list's "Due within the hour")."""

_OPEN = [int(s) for s in Status if s.is_active]


def _open_per_agent(*extra: Any) -> Any:
    """SELECT agent, count(*), *extra over the open tickets' assignee rows, per agent; CROSS
    JOIN keeps SQLite from starting at the agents (PostgreSQL plans it on its own)."""
    return (Ticket.select(TicketAssignee.agent, fn.COUNT(SQL("*")), *extra)
            .join(TicketAssignee, JOIN.CROSS)
            .where((TicketAssignee.ticket == Ticket.id) & Ticket.status.in_(_OPEN))
            .group_by(TicketAssignee.agent))


class WorkloadFigure(StrEnum):
    """A workload column a person can ask the tickets of."""

    OPEN = "open"
    DUE_SOON = "due-soon"
    BREACHED = "breached"


@dataclass(frozen=True)
class Workload:
    agent_id: int
    name: str
    status: AgentStatus
    capacity: int | None
    open: int
    due_soon: int
    breached: int

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.open, 0)

    def tickets(self, figure: WorkloadFigure = WorkloadFigure.OPEN) -> TicketFilter:
        """The ticket list's filter for exactly the tickets behind a figure: the agent's open
        tickets, those due within the hour (the filter bar's "Due within the hour"), or those
        breached."""
        f = TicketFilter(statuses=frozenset(s for s in Status if s.is_active),
                         assignees=frozenset({self.agent_id}))
        if figure == WorkloadFigure.DUE_SOON:
            return f.with_(due=DueWindow.HOUR)
        if figure == WorkloadFigure.BREACHED:
            return f.with_(sla=frozenset({SlaState.BREACHED}))
        return f


def workload(session: Session, *, soon: int = DUE_SOON_SECONDS) -> list[Workload]:
    """Open, due-soon (an SLA due within the next `soon` seconds: the list's "due within the
    hour") and breached tickets per active agent, against their capacity; one grouped query
    over the open tickets. A ticket breached on one target with another due soon counts in
    both, as the list's filters show it."""
    now = session.now()
    breached = Ticket.sla_breach_at.is_null(False) & (Ticket.sla_breach_at <= now)
    due_soon = (Ticket.sla_due.is_null(False) & (Ticket.sla_due >= now)
                & (Ticket.sla_due < now + soon))
    with session.store.read():
        counts = {aid: (n, s, b) for aid, n, s, b in _open_per_agent(
            fn.SUM(Case(None, [(due_soon, 1)], 0)),
            fn.SUM(Case(None, [(breached, 1)], 0))).tuples()}
        agents = list(Agent.select(Agent.id, Agent.name, Agent.status, Agent.capacity)
                      .where(Agent.active == True)  # noqa: E712 - peewee expression
                      .order_by(fn.lower(Agent.name)).tuples())
    return [Workload(aid, name, AgentStatus(status), capacity,
                     *(int(v or 0) for v in counts.get(aid, (0, 0, 0))))
            for aid, name, status, capacity in agents]


