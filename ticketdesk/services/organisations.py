"""Organisations: the companies customers belong to (migration 20), with their customers and
tickets. `customer.company` stays the organisation's name, kept in step here."""

from __future__ import annotations

from typing import NamedTuple

from peewee import fn

from ticketdesk.db.models import Customer, Organisation, Ticket
from ticketdesk.db.store import Store
from ticketdesk.domain import text
from ticketdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from ticketdesk.domain.status import Status
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session


class OrganisationRow(NamedTuple):
    id: int
    name: str
    customers: int
    version: int


class OrganisationTicket(NamedTuple):
    id: int
    subject: str
    status: Status
    customer: str
    updated_at: int


def find_or_create(session: Session, name: str) -> int | None:
    """The organisation called `name` (any case), created if there is none; None for ""."""
    clean = text.optional_line(name, "organisation")
    if not clean:
        return None
    found = Organisation.select(Organisation.id).where(
        fn.lower(Organisation.name) == clean.lower()).scalar()
    if found is not None:
        return int(found)
    return int(Organisation.insert(name=clean, created_at=session.now()).execute())


def name_of(organisation_id: int) -> str:
    return str(Organisation.select(Organisation.name)
               .where(Organisation.id == organisation_id).scalar() or "")


def list_organisations(store: Store) -> list[OrganisationRow]:
    """Every organisation with how many customers it has, by name."""
    with store.read():
        members = (Customer.select(fn.count(Customer.id))
                   .where(Customer.organisation_id == Organisation.id))
        return [OrganisationRow(i, n, int(c or 0), v) for i, n, c, v in
                Organisation.select(Organisation.id, Organisation.name, members,
                                    Organisation.version)
                .order_by(fn.lower(Organisation.name)).tuples()]


def organisation_tickets(store: Store, organisation_id: int,
                         limit: int = 1000) -> list[OrganisationTicket]:
    """The tickets of every customer of the organisation, newest first."""
    with store.read():
        rows = (Ticket.select(Ticket.id, Ticket.subject, Ticket.status, Customer.name,
                              Ticket.updated_at)
                .join(Customer, on=(Ticket.customer == Customer.id))
                .where(Customer.organisation_id == organisation_id)
                .order_by(Ticket.id.desc()).limit(limit).tuples())
        return [OrganisationTicket(i, s, Status(st), c, u) for i, s, st, c, u in rows]


def rename_organisation(session: Session, organisation_id: int, expected_version: int,
                        name: str) -> Changes:
    """Rename it; its customers' company follows (and their tickets' search text)."""
    clean = text.name(name, "organisation's name")
    with session.store.write():
        row = Organisation.get_or_none(Organisation.id == organisation_id)
        if row is None:
            raise NotFoundError(f"There is no organisation with id {organisation_id}.")
        if row.version != expected_version:
            raise ConflictError(f"Organisation {row.name}", expected_version, row.version)
        if row.name == clean:
            return Changes()
        other = Organisation.select(Organisation.name).where(
            (fn.lower(Organisation.name) == clean.lower())
            & (Organisation.id != organisation_id)).scalar()
        if other is not None:
            raise ValidationError(f"There is already an organisation called {other}.")
        Organisation.update(name=clean, version=Organisation.version + 1).where(
            Organisation.id == organisation_id).execute()
        Customer.update(company=clean).where(
            Customer.organisation_id == organisation_id).execute()
        tickets = {t for (t,) in Ticket.select(Ticket.id).join(
            Customer, on=(Ticket.customer == Customer.id))
            .where(Customer.organisation_id == organisation_id).tuples()}
        session.store.reindex(tickets)
    return Changes(customers=True, tickets=frozenset(tickets))
