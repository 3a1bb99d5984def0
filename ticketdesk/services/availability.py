"""Agents' availability as the window shows and sets it (issue 21): the team's statuses for the
status bar, and one agent's own status changed by id. Routing reads the same columns
(services/routing.py: away and off agents are skipped)."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from ticketdesk.db.models import Agent
from ticketdesk.domain.errors import NotFoundError
from ticketdesk.domain.routing import AgentState, AgentStatus
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session


@dataclass(frozen=True)
class AgentAvailability:
    agent_id: int
    name: str
    status: AgentStatus
    capacity: int | None


def team(session: Session) -> list[AgentAvailability]:
    """Every active agent's availability, by name."""
    with session.store.read():
        rows = list(Agent.select(Agent.id, Agent.name, Agent.status, Agent.capacity)
                    .where(Agent.active == True)  # noqa: E712 - peewee expression
                    .order_by(fn.lower(Agent.name), Agent.id).tuples())
    return [AgentAvailability(int(a), name, AgentStatus(status), capacity)
            for a, name, status, capacity in rows]


def set_status(session: Session, agent_id: int, status: AgentStatus) -> Changes:
    """Set one agent's availability (the status bar sets the signed-in agent's own)."""
    with session.store.write():
        changed = Agent.update(status=status.value).where(Agent.id == agent_id).execute()
    if not changed:
        raise NotFoundError("That agent no longer exists.")
    return Changes(agents=True)


def agents_for_routing(session: Session) -> list[AgentState]:
    """Every active agent with availability, capacity, skills and open tickets (the routing
    dialog's agents table)."""
    from ticketdesk.services import routing_reads

    with session.store.read():
        ids = [a for (a,) in Agent.select(Agent.id)
               .where(Agent.active == True).tuples()]  # noqa: E712 - peewee expression
        states = routing_reads.agent_states(ids, counts=True)
    return sorted(states.values(), key=lambda a: (a.name.lower(), a.id))
