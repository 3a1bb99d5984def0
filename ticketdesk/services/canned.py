"""Canned responses: reply texts with placeholders, shared by the desk (issue 18, migration
19). The text is checked on every save (`domain/placeholders.check`): an unknown placeholder is
refused with a message naming it, so it is never sent to a customer. Optional actions (a
status, a priority, tags to add) are applied to the ticket in one transaction when the
response is used (`apply_actions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from peewee import fn

from ticketdesk.db.models import Agent, CannedResponse, Customer, Ticket
from ticketdesk.db.store import Store
from ticketdesk.domain import placeholders
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import assignees, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

TITLE_LIMIT = 120


@dataclass(frozen=True)
class Canned:
    id: int
    title: str
    body: str
    set_status: Status | None = None
    set_priority: Priority | None = None
    add_tags: tuple[str, ...] = ()

    @property
    def has_actions(self) -> bool:
        return self.set_status is not None or self.set_priority is not None or bool(
            self.add_tags)


def _record(row: CannedResponse) -> Canned:
    return Canned(row.id, row.title, row.body,
                  Status(row.set_status) if row.set_status is not None else None,
                  Priority(row.set_priority) if row.set_priority is not None else None,
                  tuple(t for t in row.add_tags.split("\n") if t))


def list_canned(store: Store) -> list[Canned]:
    query = CannedResponse.select().order_by(CannedResponse.title).bind(store.db)
    return [_record(row) for row in query]


def _values(title: str, body: str, tags: Iterable[str]) -> tuple[str, str, str]:
    clean = " ".join(title.split())
    if not clean:
        raise ValidationError("A canned response needs a title.")
    if len(clean) > TITLE_LIMIT:
        raise ValidationError(f"A title has at most {TITLE_LIMIT} characters.")
    if not body.strip():
        raise ValidationError("A canned response needs a text.")
    placeholders.check(body)
    tag_names = [" ".join(t.split()) for t in tags if t.strip()]
    return clean, body, "\n".join(dict.fromkeys(tag_names))


def _check_title(title: str, except_id: int | None = None) -> None:
    query = CannedResponse.select(CannedResponse.id).where(
        fn.lower(CannedResponse.title) == title.lower())
    if except_id is not None:
        query = query.where(CannedResponse.id != except_id)
    if query.exists():
        raise ValidationError(f"A canned response is already called “{title}”.")


def save_canned(session: Session, title: str, body: str, *, canned_id: int | None = None,
                set_status: Status | None = None, set_priority: Priority | None = None,
                add_tags: Iterable[str] = ()) -> Canned:
    """Create (no `canned_id`) or change a canned response; refused, and nothing saved, when
    its text uses an unknown placeholder."""
    clean, text, tags = _values(title, body, add_tags)
    now = session.now()
    fields = {"title": clean, "body": text, "add_tags": tags, "updated_at": now,
              "set_status": int(set_status) if set_status is not None else None,
              "set_priority": int(set_priority) if set_priority is not None else None}
    with session.store.write():
        _check_title(clean, canned_id)
        if canned_id is None:
            canned_id = CannedResponse.insert(created_by=session.agent_id, created_at=now,
                                              **fields).execute()
        elif not CannedResponse.update(**fields).where(
                CannedResponse.id == canned_id).execute():
            raise NotFoundError("That canned response no longer exists.")
        return _record(CannedResponse.get_by_id(canned_id))


def delete_canned(session: Session, canned_id: int) -> None:
    with session.store.write():
        CannedResponse.delete().where(CannedResponse.id == canned_id).execute()


def placeholder_values(store: Store, ticket_id: int, agent_id: int | None) -> dict[str, str]:
    """What each placeholder stands for on this ticket, for this agent (a worker-thread read)."""
    with store.read():
        ticket = Ticket.select(Ticket.id, Ticket.subject, Ticket.customer).where(
            Ticket.id == ticket_id).bind(store.db).first()
        if ticket is None:
            raise NotFoundError(f"{format_number(ticket_id)} does not exist.")
        customer = Customer.select().where(Customer.id == ticket.customer_id).bind(
            store.db).first() if ticket.customer_id else None
        agent = Agent.select().where(Agent.id == agent_id).bind(store.db).first() \
            if agent_id is not None else None
    customer_name = customer.name if customer else ""
    agent_name = agent.name if agent else ""
    return {
        "customer.first_name": placeholders.first_name(customer_name),
        "customer.name": customer_name,
        "customer.email": customer.email if customer else "",
        "ticket.number": format_number(ticket_id),
        "ticket.subject": ticket.subject,
        "agent.name": agent_name,
        "agent.first_name": placeholders.first_name(agent_name),
        "agent.signature": agent.signature if agent else "",
    }


def filled(store: Store, canned: Canned, ticket_id: int, agent_id: int | None) -> str:
    return placeholders.fill(canned.body, placeholder_values(store, ticket_id, agent_id))


def apply_actions(session: Session, ticket_id: int, expected_version: int,
                  canned: Canned) -> Changes:
    """The response's status, priority and tags, each through its own service, in one
    transaction (nested writes join it); a stale version is refused as for any change."""
    changes = Changes()
    with session.store.write():
        version = expected_version
        if canned.set_priority is not None:
            changes |= tickets.set_priority(session, ticket_id, version, canned.set_priority)
            version = _version(ticket_id)
        for tag in canned.add_tags:
            changes |= assignees.add_tag(session, ticket_id, version, tag)
            version = _version(ticket_id)
        if canned.set_status is not None:
            current = Status(Ticket.get_by_id(ticket_id).status)
            if current != canned.set_status:
                changes |= tickets.set_status(session, ticket_id, version, canned.set_status)
    return changes


def _version(ticket_id: int) -> int:
    return int(Ticket.select(Ticket.version).where(Ticket.id == ticket_id).scalar())
