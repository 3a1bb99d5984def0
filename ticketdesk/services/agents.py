"""Agents: the people who work the desk.

The reads take the store they read explicitly (the window runs them on a worker thread) and
bind their queries to it."""

from __future__ import annotations

from typing import Any

from peewee import Case, fn

from ticketdesk.db.models import Agent, Ticket, TicketAssignee
from ticketdesk.db.store import Store
from ticketdesk.domain import text
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.status import Status
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import AgentRecord
from ticketdesk.services.session import Session


def _record(agent: Agent) -> AgentRecord:
    return AgentRecord(agent.id, agent.name, agent.email, bool(agent.active))


def _check_unique(name: str, except_id: int | None = None) -> None:
    # lower() on both sides, as the unique index agent_name does: SQLite folds only ASCII, so
    # Python's lower() would miss "À" == "À" here and the insert would hit the index instead.
    query = Agent.select(Agent.id).where(fn.lower(Agent.name) == fn.lower(name))
    if except_id is not None:
        query = query.where(Agent.id != except_id)
    if query.exists():
        raise ValidationError(f"There is already an agent called {name!r}.")


def create_agent(session: Session, name: str, email: str = "") -> tuple[int, Changes]:
    clean_name = text.name(name, "agent's name")
    clean_email = text.email(email)
    with session.store.write():
        _check_unique(clean_name)
        agent_id = Agent.insert(name=clean_name, email=clean_email, active=True,
                                created_at=session.now()).execute()
    return int(agent_id), Changes(agents=True)


def update_agent(session: Session, agent_id: int, *, name: str | None = None,
                 email: str | None = None, active: bool | None = None) -> Changes:
    with session.store.write():
        agent = get_agent_row(session.store, agent_id)
        updates: dict[object, object] = {}
        if name is not None:
            clean = text.name(name, "agent's name")
            _check_unique(clean, except_id=agent_id)
            if clean != agent.name:
                updates[Agent.name] = clean
        if email is not None and text.email(email) != agent.email:
            updates[Agent.email] = text.email(email)
        if active is not None and active != bool(agent.active):
            updates[Agent.active] = active
        if not updates:
            return Changes()
        Agent.update(updates).where(Agent.id == agent_id).execute()
    return Changes(agents=True)


def get_agent_row(store: Store, agent_id: int) -> Any:
    agent = Agent.select().where(Agent.id == agent_id).bind(store.db).first()
    if agent is None:
        raise NotFoundError(f"There is no agent with id {agent_id}.")
    return agent


def get_agent(store: Store, agent_id: int) -> AgentRecord:
    return _record(get_agent_row(store, agent_id))


def find_agent(store: Store, name: str) -> AgentRecord | None:
    """The agent called `name` (in any case); None if there is none. No name holds a NUL, and
    PostgreSQL refuses one as a parameter, so such a name is simply not found."""
    if "\x00" in name:
        return None
    agent = (Agent.select().where(fn.lower(Agent.name) == fn.lower(name.strip()))
             .bind(store.db).first())
    return _record(agent) if agent else None


def list_agents(store: Store, *, include_inactive: bool = False) -> list[AgentRecord]:
    query = Agent.select().order_by(fn.lower(Agent.name))
    if not include_inactive:
        query = query.where(Agent.active == True)  # noqa: E712 - peewee expression
    return [_record(a) for a in query.bind(store.db)]


def agent_names(store: Store, agent_ids: list[int] | set[int]) -> dict[int, str]:
    if not agent_ids:
        return {}
    return dict(Agent.select(Agent.id, Agent.name).where(Agent.id.in_(list(agent_ids)))
                .bind(store.db).tuples())


def busiest_agent(store: Store) -> int | None:
    """The active agent with the most unfinished tickets assigned (then the most tickets at
    all; None if nobody has any): on a fresh demo desk, someone a newcomer can work as and find
    work waiting."""
    active = [int(s) for s in Status if s.is_active]
    unfinished = fn.sum(Case(None, [(Ticket.status.in_(active), 1)], 0))
    row = (Agent.select(Agent.id)
           .join(TicketAssignee, on=(TicketAssignee.agent == Agent.id))
           .join(Ticket, on=(Ticket.id == TicketAssignee.ticket))
           .where(Agent.active == True)  # noqa: E712 - peewee expression
           .group_by(Agent.id)
           .order_by(unfinished.desc(), fn.count(Ticket.id).desc(), Agent.id)
           .limit(1).bind(store.db).tuples().first())
    return int(row[0]) if row else None
