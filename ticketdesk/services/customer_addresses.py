"""A customer's email addresses: one address belongs to one customer (any case).

`customer_address` holds every address, the primary included; `customer.email` stays the
primary (older code, exports and the outbox read it). Everything that looks a customer up by
address comes through `find_by_email` (mail intake, both imports, New Ticket); everything that
writes `customer.email` alone calls `remember_primary` in the same transaction. All of it runs
inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from peewee import fn

from ticketdesk.db.models import Customer, CustomerAddress
from ticketdesk.domain.errors import ValidationError


def find_by_email(email: str) -> int | None:
    """The customer one of whose addresses is `email` (any case), or None. Mail intake and
    both imports find customers through here."""
    key = email.strip().lower()
    if not key:
        return None
    found = CustomerAddress.select(CustomerAddress.customer).where(
        CustomerAddress.email_key == key).scalar()
    if found is None:  # a customer written by code that knows only customer.email
        found = (Customer.select(Customer.id).where(fn.lower(Customer.email) == key)
                 .order_by(Customer.id).scalar())
    return None if found is None else int(found)


def _holder_name(customer_id: int) -> str:
    return str(Customer.select(Customer.name).where(Customer.id == customer_id).scalar())


def check_addresses_free(emails: Iterable[str], customer_id: int | None) -> None:
    """Refuse an address another customer has, naming them."""
    for email in emails:
        holder = find_by_email(email)
        if holder is not None and holder != customer_id:
            raise ValidationError(
                f"The address {email} already belongs to {_holder_name(holder)} "
                f"(customer {holder}); merge the two customers instead.")


def set_addresses(customer_id: int, emails: Sequence[str]) -> tuple[list[str], list[str]]:
    """Make `emails` the customer's addresses (the first the primary); (added, removed)."""
    current = {e.lower(): e for (e,) in CustomerAddress.select(CustomerAddress.email)
               .where(CustomerAddress.customer == customer_id).tuples()}
    wanted = {e.lower(): e for e in emails}
    removed = [e for k, e in current.items() if k not in wanted]
    added = [e for k, e in wanted.items() if k not in current]
    if removed:
        CustomerAddress.delete().where(
            (CustomerAddress.customer == customer_id)
            & CustomerAddress.email_key.in_([e.lower() for e in removed])).execute()
    for email in added:
        CustomerAddress.insert(customer=customer_id, email=email,
                               email_key=email.lower()).execute()
    for k, e in wanted.items():  # the spelling the user typed last wins
        if k in current and current[k] != e:
            CustomerAddress.update(email=e).where(CustomerAddress.email_key == k).execute()
    Customer.update(email=emails[0] if emails else "").where(
        Customer.id == customer_id).execute()
    return added, removed


def remember_primary(customer_id: int, email: str) -> None:
    """Keep `customer_address` in step after code that wrote only `customer.email` (a new
    customer from New Ticket, mail or an import): the address is added if nobody has it."""
    if email:
        CustomerAddress.insert(customer=customer_id, email=email,
                               email_key=email.lower()).on_conflict_ignore().execute()


def remember_primaries(rows: Iterable[tuple[int, str]]) -> None:
    """`remember_primary` for many new customers at once (an import's chunk)."""
    wanted = [{"customer": cid, "email": e, "email_key": e.lower()} for cid, e in rows if e]
    for start in range(0, len(wanted), 500):
        CustomerAddress.insert_many(wanted[start:start + 500]).on_conflict_ignore().execute()


ADOPT_BULK_CUSTOMERS = (
    # Customers written in bulk (demo data) get their organisation and their address row, as
    # migration 20 gave the customers it found. Plain SQL, the same on both engines.
    "INSERT INTO organisation (name, created_at) "
    "SELECT min(company), min(created_at) FROM customer "
    "WHERE company <> '' AND organisation_id IS NULL "
    "AND lower(company) NOT IN (SELECT lower(name) FROM organisation) "
    "GROUP BY lower(company) ORDER BY min(id)",
    "UPDATE customer SET organisation_id = (SELECT o.id FROM organisation o "
    "WHERE lower(o.name) = lower(customer.company)) "
    "WHERE company <> '' AND organisation_id IS NULL",
    "INSERT INTO customer_address (customer_id, email, email_key) "
    "SELECT min(id), min(email), lower(email) FROM customer c WHERE email <> '' "
    "AND NOT EXISTS (SELECT 1 FROM customer_address a WHERE a.email_key = lower(c.email)) "
    "GROUP BY lower(email) ORDER BY min(id)",
)
