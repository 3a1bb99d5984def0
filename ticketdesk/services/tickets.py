"""Creating tickets and changing their fields: subject, description, category, status, priority,
customer. Every update states the version it read (see `audit.check_version`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ticketdesk.db.models import Agent, Customer, Note, Tag, Ticket, TicketAssignee, TicketTag
from ticketdesk.domain import status as rules
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.numbers import MAX_NUMBER, format_number, is_valid
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import audit, categories, routing
from ticketdesk.services.changes import Changes
from ticketdesk.services.customers import create_customer, customers_by_id
from ticketdesk.services.records import AgentRecord, TicketDetail
from ticketdesk.services.session import Session
from ticketdesk.services.ticket_counts import TicketCounts, ticket_counts

_UNSET: Any = object()


def tag_ids(names: Iterable[str]) -> tuple[dict[str, int], bool]:
    """Ids for normalised tag names, creating missing tags; also whether any was new."""
    clean = list(dict.fromkeys(text.tag(n) for n in names))
    if not clean:
        return {}, False
    existing = dict(Tag.select(Tag.name, Tag.id).where(Tag.name.in_(clean)).tuples())
    missing = [n for n in clean if n not in existing]
    if missing:
        Tag.insert_many([{"name": n} for n in missing]).on_conflict_ignore().execute()
        existing = dict(Tag.select(Tag.name, Tag.id).where(Tag.name.in_(clean)).tuples())
    return {n: existing[n] for n in clean}, bool(missing)


def active_agents(agent_ids: Iterable[int]) -> dict[int, str]:
    wanted = list(dict.fromkeys(agent_ids))
    found = dict(Agent.select(Agent.id, Agent.name)
                 .where(Agent.id.in_(wanted) & (Agent.active == True)).tuples())  # noqa: E712
    missing = [a for a in wanted if a not in found]
    if missing:
        raise ValidationError(f"No active agent with id {missing[0]}.")
    return {a: found[a] for a in wanted}


def customer_name(customer_id: int | None) -> str | None:
    if customer_id is None:
        return None
    name = Customer.select(Customer.name).where(Customer.id == customer_id).scalar()
    if name is None:
        raise ValidationError(f"There is no customer with id {customer_id}.")
    return str(name)


@dataclass(frozen=True)
class NewCustomer:
    """A customer to create together with the ticket (in the same transaction)."""

    name: str
    email: str = ""
    phone: str = ""
    company: str = ""


def create_ticket(session: Session, *, subject: str, description: str = "",
                  priority: Priority | str = Priority.MEDIUM, category: str = "",
                  customer_id: int | None = None, new_customer: NewCustomer | None = None,
                  tags: Iterable[str] = (), assignee_ids: Iterable[int] = (),
                  channel: str = "window") -> Changes:
    """A new Open ticket. `Changes.new_id` is its id (its number is `TKT-` + id).

    A ticket created without assignees passes through the routing rules in this transaction
    (services/routing.py); `channel` is what rules with a channel condition look at.

    `new_customer` creates the customer in the same transaction, so a ticket refused for bad
    input never leaves a stray customer behind."""
    clean_subject = text.subject(subject)
    clean_description = text.body(description, "description", required=False)
    clean_category = text.optional_line(category, "category", text.CATEGORY_MAX)
    priority = Priority.parse(priority)
    tag_list = list(tags)
    assignees = list(assignee_ids)
    now = session.now()
    created_customer = False
    with session.store.write():
        if new_customer is not None:
            if customer_id is not None:
                raise ValidationError("Give either an existing customer or a new one, not both.")
            customer_id, _ = create_customer(session, new_customer.name, email=new_customer.email,
                                             phone=new_customer.phone,
                                             company=new_customer.company)
            created_customer = True
        cust_name = customer_name(customer_id)
        clean_category, new_category = categories.resolve_added(session, clean_category)
        names = active_agents(assignees)
        ticket_id = int(Ticket.insert(
            subject=clean_subject, description=clean_description, status=Status.OPEN,
            priority=priority, category=clean_category, customer=customer_id, created_at=now,
            updated_at=now, version=1).execute())
        if not is_valid(ticket_id):  # rolled back: the number would not read back
            raise ValidationError(f"This desk has used every ticket number up to "
                                  f"{format_number(MAX_NUMBER)}.")
        ids, new_tags = tag_ids(tag_list)
        if ids:
            TicketTag.insert_many([{"ticket": ticket_id, "tag": t} for t in ids.values()]).execute()
        if names:
            TicketAssignee.insert_many([{"ticket": ticket_id, "agent": a} for a in names]).execute()
        rows: list[tuple[ActivityKind, str | None, str | None]] = [
            (ActivityKind.CREATED, None, clean_subject)]
        if priority != Priority.MEDIUM:
            rows.append((ActivityKind.PRIORITY, None, priority.label))
        if cust_name:
            rows.append((ActivityKind.CUSTOMER, None, cust_name))
        rows += [(ActivityKind.ASSIGNED, None, n) for n in names.values()]
        rows += [(ActivityKind.TAGGED, None, n) for n in ids]
        audit.record_many(session, ticket_id, 1, rows)
        routing.route(session, ticket_id, channel=channel)
        session.store.reindex([ticket_id])
    return Changes(created=(ticket_id,), tags=bool(new_tags or new_category),
                   customers=created_customer)


def edit_ticket(session: Session, ticket_id: int, expected_version: int, *,
                subject: str = _UNSET, description: str = _UNSET,
                category: str = _UNSET) -> Changes:
    """Change any of subject, description and category in one step (one version)."""
    updates: dict[Any, Any] = {}
    rows: list[tuple[ActivityKind, str | None, str | None]] = []
    new_category = False
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        audit.check_version(ticket, expected_version)
        if subject is not _UNSET:
            clean = text.subject(subject)
            if clean != ticket.subject:
                updates[Ticket.subject] = clean
                rows.append((ActivityKind.SUBJECT, ticket.subject, clean))
        if description is not _UNSET:
            clean = text.body(description, "description", required=False)
            if clean != ticket.description:
                updates[Ticket.description] = clean
                rows.append((ActivityKind.DESCRIPTION, ticket.description, clean))
        if category is not _UNSET:
            clean, new_category = categories.resolve_added(session, category)
            if clean != ticket.category:
                updates[Ticket.category] = clean
                rows.append((ActivityKind.CATEGORY, ticket.category or None, clean or None))
        if not updates:
            return Changes()
        version = audit.save_ticket(session, ticket, updates)
        audit.record_many(session, ticket_id, version, rows)
        if Ticket.subject in updates or Ticket.description in updates:
            session.store.reindex([ticket_id])
    return Changes(tickets=frozenset({ticket_id}), tags=new_category)  # a category joined


def set_status(session: Session, ticket_id: int, expected_version: int, status: Status | str, *,
               note: str = "") -> Changes:
    """Move the ticket to `status`; a reopen is recorded as such. `status` may also be a label
    as typed ("in progress"); an unknown one is a ValidationError.

    `note` says how it was resolved when `status` is Resolved or Closed: it becomes the
    ticket's resolution (replacing an earlier one, with a `resolution` activity row holding
    both texts). With an active status it is added as an internal note. Either way, in the same
    step. A reopen clears the resolution (`apply_status`)."""
    status = Status.parse(status)
    clean_note = text.body(note, "note", required=False)
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        audit.check_version(ticket, expected_version)
        old = Status(ticket.status)
        resolution = clean_note if clean_note and not status.is_active else None
        if old == status and not clean_note:
            return Changes()
        changes = Changes(tickets=frozenset({ticket_id}))
        version = ticket.version
        if old != status:
            version = apply_status(session, ticket, old, status, resolution=resolution)
        elif resolution is not None:
            if resolution == ticket.resolution:
                return Changes()
            version = audit.save_ticket(session, ticket, {Ticket.resolution: resolution})
            audit.record(session, ticket_id, version, ActivityKind.RESOLUTION,
                         ticket.resolution or None, resolution)
            session.store.reindex([ticket_id])
        if clean_note and resolution is None:
            note_id = Note.insert(ticket=ticket_id, author=session.agent_id, body=clean_note,
                                  created_at=session.now(), updated_at=session.now()).execute()
            audit.record(session, ticket_id, version, ActivityKind.NOTE_ADDED, None, clean_note,
                         ref_id=int(note_id))
            if old == status:
                audit.touch_ticket(session, ticket_id)
            session.store.reindex([ticket_id])
            changes = changes | Changes(notes=True)
    return changes


def apply_status(session: Session, ticket: Any, old: Status, new: Status, *,
                 resolution: str | None = None) -> int:
    """The status change itself, inside the caller's transaction; returns the new version.

    `resolution` is stored with a move to Resolved or Closed; a reopen clears the ticket's
    resolution. Either change of it gets a `resolution` activity row with the old and new text,
    so the history keeps a resolution that was undone."""
    rules.check_transition(old, new)
    times = rules.times_after(old, new, session.now(),
                              rules.StatusTimes(ticket.resolved_at, ticket.closed_at))
    updates: dict[Any, Any] = {Ticket.status: new, Ticket.resolved_at: times.resolved_at,
                               Ticket.closed_at: times.closed_at}
    before = ticket.resolution or ""
    after = "" if rules.is_reopen(old, new) else resolution
    if after is not None and after != before:
        updates[Ticket.resolution] = after
    version = audit.save_ticket(session, ticket, updates)
    kind = ActivityKind.REOPENED if rules.is_reopen(old, new) else ActivityKind.STATUS
    audit.record(session, ticket.id, version, kind, old.label, new.label)
    if new == Status.RESOLVED and old != Status.RESOLVED:
        from ticketdesk.services import csat_request  # it queues mail: imported when needed

        csat_request.on_resolved(session, ticket)
    if Ticket.resolution in updates:
        audit.record(session, ticket.id, version, ActivityKind.RESOLUTION, before or None,
                     after or None)
        session.store.reindex([ticket.id])  # the resolution is searched with the notes
    return version


def set_priority(session: Session, ticket_id: int, expected_version: int,
                 priority: Priority | str) -> Changes:
    priority = Priority.parse(priority)
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        audit.check_version(ticket, expected_version)
        old = Priority(ticket.priority)
        if old == priority:
            return Changes()
        version = audit.save_ticket(session, ticket, {Ticket.priority: priority})
        audit.record(session, ticket_id, version, ActivityKind.PRIORITY, old.label, priority.label)
    return Changes(tickets=frozenset({ticket_id}))


def escalate(session: Session, ticket_id: int, expected_version: int) -> Changes:
    """One priority step up (Urgent stays Urgent)."""
    current = Priority(Ticket.select(Ticket.priority).where(Ticket.id == ticket_id).scalar() or 0)
    return set_priority(session, ticket_id, expected_version, current.escalated())


def set_customer(session: Session, ticket_id: int, expected_version: int,
                 customer_id: int | None) -> Changes:
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        audit.check_version(ticket, expected_version)
        old_id = ticket.customer_id
        if old_id == customer_id:
            return Changes()
        new_name = customer_name(customer_id)
        old_name = customer_name(old_id) if old_id is not None else None
        version = audit.save_ticket(session, ticket, {Ticket.customer: customer_id})
        audit.record(session, ticket_id, version, ActivityKind.CUSTOMER, old_name, new_name)
        session.store.reindex([ticket_id])
    return Changes(tickets=frozenset({ticket_id}))


def get_ticket(ticket_id: int) -> TicketDetail:
    """Everything the detail view shows about one ticket, read in one consistent snapshot."""
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        raise NotFoundError(f"Ticket {format_number(ticket_id)} does not exist.")
    assignees = tuple(
        AgentRecord(a.id, a.name, a.email, bool(a.active))
        for a in Agent.select().join(TicketAssignee).where(TicketAssignee.ticket == ticket_id)
        .order_by(Agent.name))
    tags = tuple(n for (n,) in Tag.select(Tag.name).join(TicketTag)
                 .where(TicketTag.ticket == ticket_id).order_by(Tag.name).tuples())
    customer = (customers_by_id([ticket.customer_id]).get(ticket.customer_id)
                if ticket.customer_id is not None else None)
    return TicketDetail(
        id=ticket.id, subject=ticket.subject, description=ticket.description,
        status=Status(ticket.status), priority=Priority(ticket.priority),
        category=ticket.category, customer=customer, assignees=assignees, tags=tags,
        created_at=ticket.created_at, updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at, resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at, version=ticket.version, resolution=ticket.resolution)


def ticket_count() -> int:
    from peewee import fn

    return int(Ticket.select(fn.count(Ticket.id)).scalar() or 0)


def read_ticket(session: Session, ticket_id: int) -> tuple[TicketDetail, TicketCounts]:
    """What opening a ticket shows (its detail and the tabs' counts), in one read of the
    session's desk: the window calls this off its GUI thread."""
    with session.store.read():
        return get_ticket(ticket_id), ticket_counts(session.store, ticket_id)


def ticket_version(session: Session, ticket_id: int) -> int | None:
    """The ticket's version now (None if it is gone): what a queued save is based on."""
    with session.store.read():
        version = Ticket.select(Ticket.version).where(Ticket.id == ticket_id).scalar()
    return None if version is None else int(version)
