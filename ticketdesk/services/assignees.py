"""Assigning agents to tickets (several per ticket) and tagging tickets."""

from __future__ import annotations

from ticketdesk.db.models import Tag, TicketAssignee, TicketTag
from ticketdesk.db.store import Store
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.services import audit
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.services.tickets import active_agents, tag_ids


def assign(session: Session, ticket_id: int, expected_version: int, agent_id: int) -> Changes:
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        audit.check_version(ticket, expected_version)
        name = active_agents([agent_id])[agent_id]
        exists = TicketAssignee.select().where(
            (TicketAssignee.ticket == ticket_id) & (TicketAssignee.agent == agent_id)).exists()
        if exists:
            return Changes()
        TicketAssignee.insert(ticket=ticket_id, agent=agent_id).execute()
        version = audit.save_ticket(session, ticket, {})
        audit.record(session, ticket_id, version, ActivityKind.ASSIGNED, None, name)
    return Changes(tickets=frozenset({ticket_id}))


def unassign(session: Session, ticket_id: int, expected_version: int, agent_id: int) -> Changes:
    """Removing an agent who has since left the desk is allowed (they stay unassignable)."""
    from ticketdesk.services.agents import agent_names

    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        audit.check_version(ticket, expected_version)
        removed = TicketAssignee.delete().where(
            (TicketAssignee.ticket == ticket_id) & (TicketAssignee.agent == agent_id)).execute()
        if not removed:
            return Changes()
        version = audit.save_ticket(session, ticket, {})
        name = agent_names(session.store, [agent_id]).get(agent_id, f"agent {agent_id}")
        audit.record(session, ticket_id, version, ActivityKind.UNASSIGNED, name, None)
    return Changes(tickets=frozenset({ticket_id}))


def add_tag(session: Session, ticket_id: int, expected_version: int, name: str) -> Changes:
    """Tag the ticket, creating the tag if it is new."""
    clean = text.tag(name)
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        audit.check_version(ticket, expected_version)
        ids, created = tag_ids([clean])
        exists = TicketTag.select().where(
            (TicketTag.ticket == ticket_id) & (TicketTag.tag == ids[clean])).exists()
        if exists:
            return Changes()
        TicketTag.insert(ticket=ticket_id, tag=ids[clean]).execute()
        version = audit.save_ticket(session, ticket, {})
        audit.record(session, ticket_id, version, ActivityKind.TAGGED, None, clean)
    return Changes(tickets=frozenset({ticket_id}), tags=created)


def remove_tag(session: Session, ticket_id: int, expected_version: int, name: str) -> Changes:
    clean = text.tag(name)
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        audit.check_version(ticket, expected_version)
        tag_id = Tag.select(Tag.id).where(Tag.name == clean).scalar()
        removed = tag_id is not None and TicketTag.delete().where(
            (TicketTag.ticket == ticket_id) & (TicketTag.tag == tag_id)).execute()
        if not removed:
            return Changes()
        version = audit.save_ticket(session, ticket, {})
        audit.record(session, ticket_id, version, ActivityKind.UNTAGGED, clean, None)
    return Changes(tickets=frozenset({ticket_id}))


def list_tags(store: Store) -> list[str]:
    """Every ticket tag, for the filter bar and the pickers (read on a worker thread)."""
    return [n for (n,) in Tag.select(Tag.name).order_by(Tag.name).bind(store.db).tuples()]
