"""Likely duplicate customers, and merging two into one.

Duplicates: the same address (any of either's, any case), the same name once normalised
(case, accents, punctuation and word order ignored), or names that differ by a typo
(difflib, compared only between neighbours in sorted order that share their first letters, so
the work stays bounded at 100,000 customers: a sort and a few comparisons a customer, stopping
once `limit` pairs are found).

Merge: one transaction. The tickets move to the customer kept (a "Customer changed" activity
row on each), addresses and tags are joined, blanks are filled from the other record, notes are
appended, both histories say so, and the other record is removed."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise

from peewee import fn

from ticketdesk.db.models import (
    Activity,
    Customer,
    CustomerAddress,
    CustomerTagLink,
    Ticket,
)
from ticketdesk.db.store import Store
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from ticketdesk.services import sla
from ticketdesk.services.changes import Changes
from ticketdesk.services.customer_records import MERGED, TICKET_MOVED, record
from ticketdesk.services.session import Session

SIMILAR = 0.88
"""How alike two normalised names must be (difflib ratio) to be offered as duplicates."""
NEIGHBOURS = 3
"""How many following names (in sorted order) each name is compared with."""


@dataclass(frozen=True)
class DuplicatePair:
    first_id: int
    first_name: str
    second_id: int
    second_name: str
    reason: str
    """"same address x@y", "same name" or "similar names"."""
    first_version: int = 1
    second_version: int = 1


def normalise(name: str) -> str:
    """"  Müller,  Anna " -> "anna muller": accents, case, punctuation and order ignored."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(sorted(re.findall(r"[a-z0-9]+", folded)))


def find_duplicates(store: Store, limit: int = 500) -> list[DuplicatePair]:
    """Pairs of customers that are probably one person, same address first."""
    with store.read():
        names: dict[int, str] = {}
        versions: dict[int, int] = {}
        for cid, name, version in Customer.select(Customer.id, Customer.name,
                                                  Customer.version).tuples():
            names[cid], versions[cid] = name, version
        pairs: dict[tuple[int, int], str] = {}
        # Two customers with one address: a primary (customer.email) another customer holds in
        # customer_address (addresses there are unique), found through its unique index.
        holder = CustomerAddress.alias("holder")
        for cid, other, email in (Customer.select(Customer.id, holder.customer,
                                                  holder.email_key)
                                  .join(holder, on=(holder.email_key == fn.lower(Customer.email)))
                                  .where((Customer.email != "") & (holder.customer != Customer.id))
                                  .order_by(holder.email_key).limit(limit).tuples()):
            pairs.setdefault(_key(cid, other), f"same address {email}")
    keyed = sorted((normalise(n), cid) for cid, n in names.items())
    for (key, cid), (other_key, other) in pairwise(keyed):
        if key and key == other_key:
            pairs.setdefault(_key(cid, other), "same name")
    for i, (key, cid) in enumerate(keyed):
        if len(pairs) >= limit:  # enough to work through; the rest after these are merged
            break
        for other_key, other in keyed[i + 1:i + 1 + NEIGHBOURS]:
            if key and key != other_key and key[:2] == other_key[:2] \
                    and _similar(key, other_key):
                pairs.setdefault(_key(cid, other), "similar names")
    ordered = sorted(pairs.items(), key=lambda p: (not p[1].startswith("same address"),
                                                   p[1] != "same name", p[0]))
    return [DuplicatePair(a, names[a], b, names[b], reason, versions[a], versions[b])
            for (a, b), reason in ordered[:limit] if a in names and b in names]


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _similar(a: str, b: str) -> bool:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR \
        and matcher.ratio() >= SIMILAR


def merge_customers(session: Session, keep_id: int, keep_version: int, other_id: int,
                    other_version: int) -> Changes:
    """Merge customer `other_id` into `keep_id` (both versions as read)."""
    if keep_id == other_id:
        raise ValidationError("A customer cannot be merged into itself: choose two customers.")
    with session.store.write():
        keep, other = (Customer.get_or_none(Customer.id == cid) for cid in (keep_id, other_id))
        for row, cid, version in ((keep, keep_id, keep_version), (other, other_id, other_version)):
            if row is None:
                raise NotFoundError(f"There is no customer with id {cid}.")
            if row.version != version:
                raise ConflictError(f"Customer {row.name}", version, row.version)
        assert keep is not None
        assert other is not None
        moved = _move_tickets(session, keep, other)
        CustomerAddress.update(customer=keep_id).where(
            CustomerAddress.customer == other_id).execute()
        if not keep.email and other.email:
            Customer.update(email=other.email).where(Customer.id == keep_id).execute()
        tags = [t for (t,) in CustomerTagLink.select(CustomerTagLink.tag)
                .where(CustomerTagLink.customer == other_id).tuples()]
        if tags:
            CustomerTagLink.insert_many([{"customer": keep_id, "tag": t} for t in tags]) \
                .on_conflict_ignore().execute()
        fill: dict[str, object] = {}
        for column in ("phone", "company", "organisation_id", "external_id"):
            if not getattr(keep, column) and getattr(other, column):
                fill[column] = getattr(other, column)
        if other.notes:
            fill["notes"] = "\n\n".join(n for n in (keep.notes, other.notes) if n)
        what = f"{other.name} (customer {other_id}, {len(moved)} tickets)"
        Customer.delete().where(Customer.id == other_id).execute()
        Customer.update(version=Customer.version + 1, **fill).where(
            Customer.id == keep_id).execute()
        record(session, keep_id, MERGED, what, keep.name)
        for ticket_id in moved:
            record(session, keep_id, TICKET_MOVED, other.name, keep.name, ticket_id)
        session.store.reindex(moved)
    return Changes(customers=True, tags=bool(tags), tickets=frozenset(moved))


def _move_tickets(session: Session, keep: Customer, other: Customer) -> list[int]:
    rows = list(Ticket.select(Ticket.id, Ticket.version).where(Ticket.customer == other.id)
                .order_by(Ticket.id).tuples())
    if not rows:
        return []
    now = session.now()
    Ticket.update({Ticket.customer: keep.id, Ticket.version: Ticket.version + 1,
                   Ticket.updated_at: now}).where(Ticket.customer == other.id).execute()
    ids = [tid for tid, _ in rows]
    merged = f"{other.name} (merged into {keep.name})"
    for start in range(0, len(rows), 500):
        Activity.insert_many([
            {"ticket": tid, "agent": session.agent_id, "at": now,
             "kind": ActivityKind.CUSTOMER.value, "old": merged, "new": keep.name,
             "ticket_version": version + 1} for tid, version in rows[start:start + 500]
        ]).execute()
    sla.refresh(session, ids)  # another customer may bring another policy (customer tags)
    return ids
