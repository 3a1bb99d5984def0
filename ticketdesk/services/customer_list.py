"""What the Customers view lists: the sorted ids of a search, the first rows at once, and rows
fetched by id a page at a time (the ticket list's snapshot approach, services/ticket_list.py).

Every function takes the store it reads and binds its queries to it: the window calls them on
a worker thread (ticketdesk/ARCHITECTURE.md, "Threading")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

import numpy as np
from peewee import JOIN, SQL, Node, NodeList, Ordering, fn

from ticketdesk.db.models import Customer, CustomerAddress, CustomerTicketCount, Ticket
from ticketdesk.db.store import Store

PAGE = 200


class CustomerSort(StrEnum):
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    ORGANISATION = "organisation"
    OPEN_TICKETS = "open_tickets"
    TICKETS = "tickets"
    LAST_CONTACT = "last_contact"


@dataclass(frozen=True)
class CustomerQuery:
    text: str = ""
    """Part of a name, an address (any of the customer's), a phone number or a company."""
    sort: CustomerSort = CustomerSort.NAME
    descending: bool = False
    organisation_id: int | None = None


class CustomerRow(NamedTuple):
    id: int
    name: str
    emails: str
    """The primary address first, then the others, comma-separated."""
    phone: str
    organisation: str
    open_tickets: int
    tickets: int
    last_contact: int | None
    """The newest change to any of their tickets (UTC seconds); None without tickets."""


def _like(field: Node, pattern: str) -> Node:
    return NodeList((field, SQL("LIKE"), pattern, SQL("ESCAPE '\\'")))


SEARCH_TEXT = fn.lower(NodeList((Customer.name, SQL("|| '|' ||"), Customer.company,
                                 SQL("|| '|' ||"), Customer.phone)))
"""Name, company and phone in one expression, exactly as migration 20's covering index
`customer_search` holds it (SQLite reads the stored value: one LIKE a customer, no table
read). Addresses, the primary included, are searched in `customer_address`."""


def like_pattern(text: str) -> str | None:
    """The LIKE pattern for typed `text`: containing it from three characters on, starting
    with it below; wildcards typed are plain characters; a NUL is dropped (no stored text
    holds one, and PostgreSQL refuses it as a parameter). None when `text` narrows nothing."""
    needle = text.replace("\x00", "").strip().lower()
    if not needle:
        return None
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%" if len(needle) >= 3 else f"{escaped}%"


def address_holders(pattern: str) -> Node:
    """Customers one of whose addresses (the primary or any other, `customer_address`)
    matches the LIKE `pattern` (lower case), read from the address index."""
    addresses = CustomerAddress.select(CustomerAddress.customer).where(
        _like(CustomerAddress.email_key, pattern))
    return Customer.id.in_(addresses)


def search_condition(text: str) -> Node | None:
    """Customers whose name, company, phone or any address contains `text` (starts with it,
    for one or two characters); None when `text` narrows nothing."""
    pattern = like_pattern(text)
    if pattern is None:
        return None
    return _like(SEARCH_TEXT, pattern) | address_holders(pattern)


def _last_contact() -> Any:
    """Per customer, the newest change to their tickets: one GROUP BY over the covering index
    `ticket_customer_updated` (a correlated max per customer took ~4x longer at 100,000). Not
    stored: a maximum cannot be kept cheaply when tickets are deleted or moved (migration 27)."""
    tickets = Ticket.alias("stat")
    return (tickets.select(tickets.customer.alias("cid"), fn.max(tickets.updated_at)
                           .alias("figure"))
            .where(tickets.customer.is_null(False)).group_by(tickets.customer).alias("figures"))


_COUNTS: dict[CustomerSort, Any] = {
    CustomerSort.TICKETS: CustomerTicketCount.tickets,
    CustomerSort.OPEN_TICKETS: CustomerTicketCount.open_tickets,
}
"""The ticket counts kept by migration 27's triggers, a row for every customer: an inner join
whose index `(count, customer_id)` gives the order, so LIMIT 200 stops after 200 rows."""

_KEYS: dict[CustomerSort, Any] = {
    CustomerSort.NAME: fn.lower(Customer.name),
    CustomerSort.EMAIL: fn.lower(Customer.email),
    CustomerSort.PHONE: Customer.phone,
    CustomerSort.ORGANISATION: fn.lower(Customer.company),
}


def _select(query: CustomerQuery) -> Any:
    select = Customer.select(Customer.id)
    key = _KEYS.get(query.sort)
    tie: Any = Customer.id
    if query.sort in _COUNTS:
        select = select.join(CustomerTicketCount,
                             on=(CustomerTicketCount.customer == Customer.id))
        key, tie = _COUNTS[query.sort], CustomerTicketCount.customer
    elif key is None:
        figures = _last_contact()
        select = select.join(figures, JOIN.LEFT_OUTER, on=(figures.c.cid == Customer.id))
        key = fn.coalesce(figures.c.figure, 0)
    condition = search_condition(query.text)
    if condition is not None:
        select = select.where(condition)
    if query.organisation_id is not None:
        select = select.where(Customer.organisation_id == query.organisation_id)
    if query.descending:
        return select.order_by(Ordering(key, "DESC"), tie.desc())
    return select.order_by(Ordering(key, "ASC"), tie)


def id_snapshot(store: Store, query: CustomerQuery) -> np.ndarray:
    """Every matching customer's id, in the list's order (8 bytes a customer)."""
    return store.id_array(_select(query).bind(store.db))


def first_rows(store: Store, query: CustomerQuery, limit: int = PAGE) -> list[CustomerRow]:
    """The first rows of a search, with LIMIT from an index, shown before the snapshot."""
    ids = [cid for (cid,) in _select(query).limit(limit).bind(store.db).tuples()]
    found = rows_by_ids(store, ids)
    return [found[i] for i in ids if i in found]


def rows_by_ids(store: Store, ids: Iterable[int]) -> dict[int, CustomerRow]:
    """The rows of these customers: the stored counts, and each last contact found by one seek
    in `ticket_customer_updated` (migration 27), however many tickets the customer has."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    db = store.db
    emails: dict[int, list[str]] = {}
    for cid, email in (CustomerAddress.select(CustomerAddress.customer, CustomerAddress.email)
                       .where(CustomerAddress.customer.in_(wanted))
                       .order_by(CustomerAddress.id).bind(db).tuples()):
        emails.setdefault(cid, []).append(email)
    counts = {int(cid): (int(open_), int(total)) for cid, open_, total in (
        CustomerTicketCount.select(CustomerTicketCount.customer, CustomerTicketCount.open_tickets,
                                   CustomerTicketCount.tickets)
        .where(CustomerTicketCount.customer.in_(wanted)).bind(db).tuples())}
    newest = Ticket.alias("newest")
    last_contact = newest.select(fn.max(newest.updated_at)).where(newest.customer == Customer.id)
    rows = {}
    for cid, name, email, phone, company, last in (
            Customer.select(Customer.id, Customer.name, Customer.email, Customer.phone,
                            Customer.company, last_contact)
            .where(Customer.id.in_(wanted)).bind(db).tuples()):
        addresses = [email] if email else []
        addresses += [e for e in emails.get(cid, []) if e.lower() != email.lower()]
        open_, total = counts.get(cid, (0, 0))
        rows[cid] = CustomerRow(cid, name, ", ".join(addresses), phone, company, open_, total,
                                last)
    return rows


def count(store: Store) -> int:
    return int(Customer.select(fn.count(Customer.id)).bind(store.db).scalar() or 0)
