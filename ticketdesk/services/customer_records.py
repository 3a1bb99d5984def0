"""A customer as a record: several email addresses (one address belongs to one customer),
phone, organisation, notes, tags, external id, their tickets and their own history.

Each change is one service call in one write transaction with its `customer_activity` rows,
version-checked, refused with a message a person can act on. `customer.email` stays the primary
address (older code, exports and the outbox read it) and is kept in step with
`customer_address`, which holds every address, the primary included (migration 20).

Reads take the store explicitly (the window runs them on a worker thread)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from peewee import JOIN

from ticketdesk.db.models import (
    Agent,
    Customer,
    CustomerActivity,
    CustomerAddress,
    CustomerTag,
    CustomerTagLink,
    Ticket,
)
from ticketdesk.db.store import Store
from ticketdesk.domain import text
from ticketdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from ticketdesk.domain.status import Status
from ticketdesk.services import organisations
from ticketdesk.services.changes import Changes
from ticketdesk.services.customer_addresses import (
    check_addresses_free,
    remember_primary,
    set_addresses,
)
from ticketdesk.services.customers import customers_by_id
from ticketdesk.services.records import SYSTEM
from ticketdesk.services.session import Session

NOTES_MAX = 20_000

# What a customer_activity row records (stored as these words; never renamed).
CREATED, EDITED, ADDRESS_ADDED, ADDRESS_REMOVED, MERGED = (
    "created", "edited", "address_added", "address_removed", "merged")
TICKET_MOVED = "ticket_moved"


@dataclass(frozen=True)
class CustomerDetail:
    id: int
    name: str
    emails: tuple[str, ...]
    """The primary address first."""
    phone: str
    organisation: str
    organisation_id: int | None
    notes: str
    tags: tuple[str, ...]
    external_id: str | None
    version: int


@dataclass(frozen=True)
class CustomerEdit:
    """What the editor saves; the first address is the primary one."""

    name: str
    emails: Sequence[str] = ()
    phone: str = ""
    organisation: str = ""
    notes: str = ""
    tags: Sequence[str] = ()
    external_id: str | None = None


@dataclass(frozen=True)
class HistoryRow:
    at: int
    agent: str
    kind: str
    old: str | None
    new: str | None
    ticket_id: int | None = None


class CustomerTicket(NamedTuple):
    id: int
    subject: str
    status: Status
    created_at: int
    updated_at: int


@dataclass
class _Clean:
    name: str
    emails: list[str]
    phone: str
    organisation: str
    notes: str
    tags: list[str]
    external_id: str | None
    fields: dict[str, Any] = field(default_factory=dict)


def _clean(edit: CustomerEdit) -> _Clean:
    emails: list[str] = []
    for raw in edit.emails:
        if not raw or not raw.strip():
            continue
        email = text.email(raw)
        if email.lower() in (e.lower() for e in emails):
            continue
        emails.append(email)
    notes = text.body(edit.notes, "notes", required=False)
    if len(notes) > NOTES_MAX:
        raise ValidationError(f"The notes are too long (at most {NOTES_MAX:,} characters).")
    return _Clean(
        name=text.name(edit.name, "customer's name"), emails=emails,
        phone=text.optional_line(edit.phone, "phone number", 60),
        organisation=text.optional_line(edit.organisation, "organisation"), notes=notes,
        tags=list(dict.fromkeys(text.tag(t) for t in edit.tags if t.strip())),
        external_id=text.optional_line(edit.external_id, "external customer ID") or None)


def record(session: Session, customer_id: int, kind: str, old: str | None = None,
           new: str | None = None, ticket_id: int | None = None) -> None:
    CustomerActivity.insert(customer=customer_id, agent=session.agent_id, at=session.now(),
                            kind=kind, old=old, new=new, ticket_id=ticket_id).execute()


# -- writes ----------------------------------------------------------------------------------

def _set_tags(customer_id: int, tags: list[str]) -> None:
    CustomerTagLink.delete().where(CustomerTagLink.customer == customer_id).execute()
    if tags:
        CustomerTag.insert_many([{"name": n} for n in tags]).on_conflict_ignore().execute()
        ids = [t for (t,) in CustomerTag.select(CustomerTag.id)
               .where(CustomerTag.name.in_(tags)).tuples()]
        CustomerTagLink.insert_many([{"customer": customer_id, "tag": t} for t in ids]).execute()


def _check_external_id(external_id: str | None, customer_id: int | None) -> None:
    if external_id is None:
        return
    query = Customer.select(Customer.id, Customer.name).where(Customer.external_id == external_id)
    if customer_id is not None:
        query = query.where(Customer.id != customer_id)
    other = query.first()
    if other is not None:
        raise ValidationError(
            f"The external customer ID {external_id!r} already belongs to {other.name}.")


def save_customer(session: Session, customer_id: int | None, expected_version: int,
                  edit: CustomerEdit) -> tuple[int, Changes]:
    """Create (`customer_id` None) or update a customer from the editor, in one transaction
    with a history row for what changed. A stale `expected_version` is refused; saving what is
    stored writes nothing."""
    clean = _clean(edit)
    with session.store.write():
        before = None
        if customer_id is not None:
            before = _detail(customer_id)
            if before.version != expected_version:
                raise ConflictError(f"Customer {before.name}", expected_version, before.version)
        if before is not None and before.emails:  # written by code that knew one address
            remember_primary(before.id, before.emails[0])
        check_addresses_free(clean.emails, customer_id)
        _check_external_id(clean.external_id, customer_id)
        org_id = organisations.find_or_create(session, clean.organisation)
        org_name = organisations.name_of(org_id) if org_id is not None else ""
        values = {"name": clean.name, "phone": clean.phone, "company": org_name,
                  "organisation_id": org_id, "notes": clean.notes,
                  "external_id": clean.external_id}
        if before is None:
            customer_id = int(Customer.insert(created_at=session.now(), email="",
                                              **values).execute())
            set_addresses(customer_id, clean.emails)
            _set_tags(customer_id, clean.tags)
            record(session, customer_id, CREATED, None, clean.name)
            return customer_id, Changes(customers=True, tags=bool(clean.tags))
        assert customer_id is not None
        edits = _edits(before, clean, org_name)
        if not edits:
            return customer_id, Changes()
        Customer.update(version=Customer.version + 1, **values).where(
            Customer.id == customer_id).execute()
        added, removed = set_addresses(customer_id, clean.emails)
        if set(clean.tags) != set(before.tags):
            _set_tags(customer_id, clean.tags)
        for what, old, new in edits:
            if what != "emails":
                record(session, customer_id, EDITED, f"{what}: {old}", new)
        for email in added:
            record(session, customer_id, ADDRESS_ADDED, None, email)
        for email in removed:
            record(session, customer_id, ADDRESS_REMOVED, email, None)
        tickets = frozenset(t for (t,) in Ticket.select(Ticket.id)
                            .where(Ticket.customer == customer_id).tuples())
        if any(what in ("name", "emails", "organisation") for what, _, _ in edits):
            session.store.reindex(set(tickets))
    return customer_id, Changes(customers=True, tags=set(clean.tags) != set(before.tags),
                                tickets=tickets)


def _edits(before: CustomerDetail, clean: _Clean, org: str) -> list[tuple[str, str, str]]:
    pairs = [("name", before.name, clean.name),
             ("emails", ", ".join(before.emails), ", ".join(clean.emails)),
             ("phone", before.phone, clean.phone), ("organisation", before.organisation, org),
             ("notes", before.notes, clean.notes),
             ("tags", ", ".join(sorted(before.tags)), ", ".join(sorted(clean.tags))),
             ("external id", before.external_id or "", clean.external_id or "")]
    return [(w, o, n) for w, o, n in pairs if o != n]


# -- reads -----------------------------------------------------------------------------------

def _detail(customer_id: int) -> CustomerDetail:
    row = Customer.get_or_none(Customer.id == customer_id)
    if row is None:
        raise NotFoundError(f"There is no customer with id {customer_id}.")
    addresses = [e for (e,) in CustomerAddress.select(CustomerAddress.email)
                 .where(CustomerAddress.customer == customer_id)
                 .order_by(CustomerAddress.id).tuples()]
    emails = ([row.email] if row.email else []) + [
        e for e in addresses if e.lower() != (row.email or "").lower()]
    tags = customers_by_id([customer_id])[customer_id].tags
    org = organisations.name_of(row.organisation_id) if row.organisation_id else row.company
    return CustomerDetail(row.id, row.name, tuple(emails), row.phone, org or "",
                          row.organisation_id, row.notes, tags, row.external_id, row.version)


def read_customer(store: Store, customer_id: int) -> CustomerDetail:
    with store.read():
        return _detail(customer_id)


def customer_tickets(store: Store, customer_id: int, limit: int = 1000) -> list[CustomerTicket]:
    """The customer's tickets, newest first."""
    with store.read():
        rows = (Ticket.select(Ticket.id, Ticket.subject, Ticket.status, Ticket.created_at,
                              Ticket.updated_at).where(Ticket.customer == customer_id)
                .order_by(Ticket.id.desc()).limit(limit).tuples())
        return [CustomerTicket(i, s, Status(st), c, u) for i, s, st, c, u in rows]


def customer_history(store: Store, customer_id: int, limit: int = 1000) -> list[HistoryRow]:
    """The customer's own history, newest first."""
    with store.read():
        rows = (CustomerActivity.select(CustomerActivity.at, Agent.name, CustomerActivity.kind,
                                        CustomerActivity.old, CustomerActivity.new,
                                        CustomerActivity.ticket_id)
                .join(Agent, JOIN.LEFT_OUTER, on=(CustomerActivity.agent == Agent.id))
                .where(CustomerActivity.customer == customer_id)
                .order_by(CustomerActivity.id.desc()).limit(limit).tuples())
        return [HistoryRow(at, name or SYSTEM, kind, old, new, t)
                for at, name, kind, old, new, t in rows]
