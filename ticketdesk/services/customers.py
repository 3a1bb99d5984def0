"""Customers and their tags.

The reads take the store they read explicitly (the window runs them on a worker thread) and
bind their queries to it."""

from __future__ import annotations

from collections.abc import Iterable

from peewee import SQL, Node, NodeList, fn

from ticketdesk.db.models import (
    Customer,
    CustomerTag,
    CustomerTagLink,
    Ticket,
    database_proxy,
)
from ticketdesk.db.store import Store
from ticketdesk.domain import text
from ticketdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from ticketdesk.services import customer_list
from ticketdesk.services.changes import Changes
from ticketdesk.services.customer_addresses import check_addresses_free, remember_primary
from ticketdesk.services.records import CustomerRecord
from ticketdesk.services.session import Session


def _clean(name: str, email: str, phone: str, company: str,
           external_id: str | None) -> dict[str, object]:
    return {
        "name": text.name(name, "customer's name"),
        "email": text.email(email),
        "phone": text.optional_line(phone, "phone number", 60),
        "company": text.optional_line(company, "company"),
        "external_id": text.optional_line(external_id, "external customer ID") or None,
    }


def _check_external_id(external_id: object, except_id: int | None = None) -> None:
    if external_id is None:
        return
    query = Customer.select(Customer.id, Customer.name).where(Customer.external_id == external_id)
    if except_id is not None:
        query = query.where(Customer.id != except_id)
    other = query.first()
    if other is not None:
        raise ValidationError(
            f"The external customer ID {external_id!r} already belongs to {other.name}."
        )


def _tag_ids(names: Iterable[str]) -> list[int]:
    clean = list(dict.fromkeys(text.tag(n) for n in names))
    if not clean:
        return []
    CustomerTag.insert_many([{"name": n} for n in clean]).on_conflict_ignore().execute()
    return [tid for (tid,) in
            CustomerTag.select(CustomerTag.id).where(CustomerTag.name.in_(clean)).tuples()]


def create_customer(session: Session, name: str, *, email: str = "", phone: str = "",
                    company: str = "", external_id: str | None = None,
                    tags: Iterable[str] = ()) -> tuple[int, Changes]:
    values = _clean(name, email, phone, company, external_id)
    tag_list = list(tags)
    with session.store.write():
        _check_external_id(values["external_id"])
        if values["email"]:
            check_addresses_free([str(values["email"])], None)
        customer_id = int(Customer.insert(created_at=session.now(), **values).execute())
        remember_primary(customer_id, str(values["email"]))
        tag_ids = _tag_ids(tag_list)
        if tag_ids:
            CustomerTagLink.insert_many(
                [{"customer": customer_id, "tag": t} for t in tag_ids]).execute()
    return customer_id, Changes(customers=True, tags=bool(tag_list))


def update_customer(session: Session, customer_id: int, expected_version: int, *, name: str,
                    email: str = "", phone: str = "", company: str = "",
                    external_id: str | None = None, tags: Iterable[str] | None = None) -> Changes:
    """Replace the customer's details (and tags, if given). Their tickets are re-indexed so a
    search for the new name finds them. Saving what is already stored writes nothing and keeps
    the version, so an unchanged form never makes a colleague's edit conflict."""
    values = _clean(name, email, phone, company, external_id)
    tag_list = None if tags is None else list(dict.fromkeys(text.tag(n) for n in tags))
    with session.store.write():
        row = Customer.get_or_none(Customer.id == customer_id)
        if row is None:
            raise NotFoundError(f"There is no customer with id {customer_id}.")
        if row.version != expected_version:
            raise ConflictError(f"Customer {row.name}", expected_version, row.version)
        same_tags = tag_list is None or set(tag_list) == set(
            customers_by_id([customer_id], session.store)[customer_id].tags)
        if same_tags and all(values[k] == getattr(row, k) for k in values):
            return Changes()
        _check_external_id(values["external_id"], except_id=customer_id)
        if values["email"] and str(values["email"]).lower() != (row.email or "").lower():
            check_addresses_free([str(values["email"])], customer_id)
        Customer.update(version=Customer.version + 1, **values).where(
            Customer.id == customer_id).execute()
        remember_primary(customer_id, str(values["email"]))  # the old one stays theirs too
        if tag_list is not None:
            CustomerTagLink.delete().where(CustomerTagLink.customer == customer_id).execute()
            tag_ids = _tag_ids(tag_list)
            if tag_ids:
                CustomerTagLink.insert_many(
                    [{"customer": customer_id, "tag": t} for t in tag_ids]).execute()
        affected = [tid for (tid,) in
                    Ticket.select(Ticket.id).where(Ticket.customer == customer_id).tuples()]
        search_changed = any(values[k] != getattr(row, k) for k in ("name", "email", "company"))
        if search_changed:
            session.store.reindex(affected)
    return Changes(customers=True, tags=tag_list is not None,
                   tickets=frozenset(affected) if search_changed else frozenset())


def get_customer(store: Store, customer_id: int) -> CustomerRecord:
    records = customers_by_id([customer_id], store)
    if customer_id not in records:
        raise NotFoundError(f"There is no customer with id {customer_id}.")
    return records[customer_id]


def customers_by_id(ids: Iterable[int],
                    store: Store | None = None) -> dict[int, CustomerRecord]:
    """The customers with `ids`, read from `store` (None: the desk the models point at, for a
    service already inside its transaction)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    db = store.db if store is not None else database_proxy
    tags: dict[int, list[str]] = {}
    for cid, name in (CustomerTagLink.select(CustomerTagLink.customer, CustomerTag.name)
                      .join(CustomerTag).where(CustomerTagLink.customer.in_(wanted))
                      .order_by(CustomerTag.name).bind(db).tuples()):
        tags.setdefault(cid, []).append(name)
    return {
        c.id: CustomerRecord(c.id, c.name, c.email, c.phone, c.company, c.external_id,
                             tuple(tags.get(c.id, ())), c.version)
        for c in Customer.select().where(Customer.id.in_(wanted)).bind(db)
    }


def find_customers(store: Store, query: str, limit: int = 20) -> list[CustomerRecord]:
    """Customers for the picker (the dock's and New Ticket's): name, company or ANY of their
    addresses (`customer_address`, through the Customers view's own address lookup) starting
    with `query` (containing it, from three characters on), in name order. A NUL typed or
    pasted into the picker is ignored."""
    pattern = customer_list.like_pattern(query)
    base = Customer.select(Customer.id)
    if pattern is not None:
        base = base.where(_like(fn.lower(Customer.name), pattern)
                          | _like(fn.lower(Customer.email), pattern)
                          | _like(fn.lower(Customer.company), pattern)
                          | customer_list.address_holders(pattern))
    ids = [cid for (cid,) in
           base.order_by(fn.lower(Customer.name), Customer.id).limit(limit)
           .bind(store.db).tuples()]
    found = customers_by_id(ids, store)
    return [found[i] for i in ids]


def _like(field: Node, pattern: str) -> Node:
    """LIKE with an explicit escape character, the same on SQLite and PostgreSQL."""
    return NodeList((field, SQL("LIKE"), pattern, SQL("ESCAPE '\\'")))


def list_customer_tags(store: Store) -> list[str]:
    return [n for (n,) in CustomerTag.select(CustomerTag.name).order_by(CustomerTag.name)
            .bind(store.db).tuples()]


def customer_count(store: Store) -> int:
    return int(Customer.select(fn.count(Customer.id)).bind(store.db).scalar() or 0)

