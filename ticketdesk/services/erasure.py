"""Erasing a person: "Erase customer" removes their personal data everywhere the desk stores it
(issue 19; ticketdesk/ARCHITECTURE.md, "Recycle bin and erasure").

In one transaction: the customer's record and tags go; on their tickets the customer link is
cleared and their name, addresses and phone number are replaced by `ERASED` in subjects,
descriptions, resolutions, message and note texts, activity rows, rating comments and outgoing
mail records (addresses, subjects, Message-IDs and reply headers), every draft on those tickets
is discarded, the attachments their messages brought are deleted, their custom field values
cleaned (with `messages=True`, every message text and every attachment of those tickets);
activity rows that name them on other tickets ("customer changed") are cleared; other tickets
whose texts name them (their address or full name, found through the search index) are cleaned
the same way; recycle-bin entries about them are purged; the search documents are rebuilt. The
record goes with its addresses, notes and history (migration 20); its organisation is deleted
when no one else belongs to it, else its name and notes are cleaned; other customers' history
rows of a merge, and agents' saved views (a search may name the person) are cleaned too
(`_clean_records`). Each ticket changed gets an `erased` activity row, and the desk an `erased`
event, neither naming the person. On SQLite the freed bytes are zeroed (`secure_delete`), the
search index merged, the file vacuumed and the write-ahead log emptied, so the text is gone
from the file; on PostgreSQL the tables are vacuumed. Backups made before keep the data until
they are deleted: the report says so. On a team desk only an admin may erase.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peewee import Model

from ticketdesk.db import recycle_sql
from ticketdesk.db.models import (
    Activity,
    Attachment,
    CsatRating,
    Customer,
    CustomerActivity,
    CustomerAddress,
    CustomValue,
    DeskEvent,
    Message,
    Note,
    Organisation,
    Outbox,
    RecycleBin,
    RecycleBlob,
    SavedView,
    Ticket,
)
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import NotFoundError
from ticketdesk.domain.filters import Sort, TicketFilter
from ticketdesk.services import recycle_bin, ticket_list
from ticketdesk.services.changes import Changes
from ticketdesk.services.customer_records import MERGED, TICKET_MOVED
from ticketdesk.services.session import Session

ERASED = "[erased]"
BACKUPS = ("Backups made before this erasure still hold this person's data until those backups "
           "are deleted; on a team desk, so do the server's own backups and archived logs.")
TOUCHED_TABLES = ("customer", "customer_tag_link", "ticket", "message", "note", "attachment",
                  "attachment_content", "activity", "draft", "outbox", "csat_rating",
                  "recycle_bin", "recycle_blob", "desk_event", "ticket_search",
                  "customer_address", "customer_activity", "organisation", "custom_value",
                  "saved_view")


@dataclass(frozen=True)
class ErasureReport:
    customer_id: int
    tickets: int
    attachments: int
    bin_entries: int
    changes: Changes
    mentions: int = 0
    """Other customers' tickets that named them (found through the search index)."""
    left: str | None = None
    """What could not be done after the erasure was committed (compacting the file)."""

    @property
    def summary(self) -> str:
        return (f"Erased customer {self.customer_id}: {self.tickets:,} tickets cleaned, "
                f"{self.mentions:,} other tickets that named them cleaned, "
                f"{self.attachments:,} attachments and {self.bin_entries:,} recycle-bin entries "
                f"deleted. {self.left + ' ' if self.left else ''}{BACKUPS}")


def _pattern(identifiers: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({w.strip() for w in identifiers if w and w.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def _scrub(model: type[Model], fields: tuple[str, ...], where: Any, pattern: re.Pattern[str],
           *, everything: bool = False) -> int:
    """Replace the person's identifiers in `fields` of the rows `where` selects (or the whole
    text, `everything`); the number of rows changed."""
    changed = 0
    keys = model._meta.get_primary_keys()  # one, or a composite key's fields (custom_value)
    columns = [*keys, *(getattr(model, f) for f in fields)]
    for row in model.select(*columns).where(where).tuples():
        updates: dict[Any, Any] = {}
        for field, value in zip(fields, row[len(keys):], strict=True):
            if not isinstance(value, str) or not value:
                continue
            new = ERASED if everything else pattern.sub(ERASED, value)
            if new != value:
                updates[getattr(model, field)] = new
        if updates:
            same = [key == value for key, value in zip(keys, row, strict=False)]
            model.update(updates).where(*same).execute()
            changed += 1
    return changed


def _placeholder(header: str | None) -> str | None:
    if not header:
        return header
    digest = hashlib.sha256(header.encode()).hexdigest()[:32]
    return f"<{digest}@erased.invalid>"


def erase_customer(session: Session, customer_id: int, *, messages: bool = False) -> ErasureReport:
    recycle_bin.check_admin(session)
    store = session.store
    with store.write():
        customer = Customer.get_or_none(Customer.id == customer_id)
        binned = list(RecycleBin.select().where(RecycleBin.customer_id == customer_id))
        if customer is None and not binned:
            raise NotFoundError(f"There is no customer {customer_id}, in the desk or its recycle "
                                "bin; nothing was changed.")
        identifiers = _identifiers(customer, binned)
        pattern = _pattern(identifiers) or re.compile(re.escape(ERASED))
        ticket_ids = [t for (t,) in Ticket.select(Ticket.id)
                      .where(Ticket.customer == customer_id).tuples()]
        removed = _clean_tickets(session, ticket_ids, pattern, messages)
        mentioned = _clean_mentions(session, identifiers, set(ticket_ids), pattern)
        names = [n for n in identifiers if n]
        if names:
            Activity.update(old=None).where((Activity.kind == ActivityKind.CUSTOMER.value)
                                            & Activity.old.in_(names)).execute()
            Activity.update(new=None).where((Activity.kind == ActivityKind.CUSTOMER.value)
                                            & Activity.new.in_(names)).execute()
            _scrub(DeskEvent, ("subject", "detail"), DeskEvent.id > 0, pattern)
            for name in names:
                if "@" in name:  # the person's address on mail to them from other tickets
                    _scrub(Outbox, ("to_address", "subject"), Outbox.to_address.contains(name),
                           pattern)
        _clean_records(customer_id, customer, binned, pattern)
        bin_ids = [b.id for b in binned]
        bin_ids += [i for (i,) in RecycleBin.select(RecycleBin.id).where(
            (RecycleBin.kind == recycle_bin.CUSTOMER) & (RecycleBin.item_id == customer_id))
            .tuples() if i not in bin_ids]
        RecycleBlob.delete().where(RecycleBlob.bin.in_(bin_ids)).execute()
        RecycleBin.delete().where(RecycleBin.id.in_(bin_ids)).execute()
        if customer is not None:
            Customer.delete().where(Customer.id == customer_id).execute()
        store.reindex([*ticket_ids, *mentioned])
        recycle_bin.event(session, "erased", f"customer {customer_id}",
                          f"{len(ticket_ids)} tickets; messages erased: {messages}")
        recycle_sql.overwrite_freed_space(store)
    left = recycle_sql.after_erasure(store, TOUCHED_TABLES)
    return ErasureReport(customer_id, len(ticket_ids), removed, len(bin_ids),
                         Changes(tickets=frozenset(ticket_ids) | frozenset(mentioned),
                                 customers=True, everything=True), len(mentioned), left)


def _identifiers(customer: Any, binned: list[Any]) -> list[str]:
    found: list[str] = []
    if customer is not None:
        found += [customer.name, customer.email, customer.phone, customer.external_id or ""]
        found += [e for (e,) in CustomerAddress.select(CustomerAddress.email).where(
            CustomerAddress.customer == customer.id).tuples()]
    for entry in binned:
        if entry.kind == recycle_bin.CUSTOMER:
            rows = json.loads(entry.snapshot)["rows"]
            row = rows["customer"][0]
            found += [row.get("name", ""), row.get("email", ""), row.get("phone", ""),
                      row.get("external_id") or ""]
            found += [a["email"] for a in rows.get("customer_address", [])]
    return [f for f in found if f]


def _clean_records(customer_id: int, customer: Any, binned: list[Any],
                   pattern: re.Pattern[str]) -> None:
    """The customer's own rows (addresses, history) go with the record by the foreign keys'
    cascade. Their organisation is deleted when no other customer (on the desk or in the bin)
    belongs to it, or else is a company's, shared: only the person's identifiers are cleaned
    from its name and notes. Other customers' history rows of a merge name the merged record;
    saved views' names and searches are agents' texts that may name the person."""
    orgs = {customer.organisation_id} if customer is not None else set()
    orgs |= {json.loads(e.snapshot)["rows"]["customer"][0].get("organisation_id")
             for e in binned if e.kind == recycle_bin.CUSTOMER}
    for org in orgs - {None}:
        others = Customer.select().where((Customer.organisation_id == org)
                                         & (Customer.id != customer_id)).exists() or any(
            json.loads(snap)["rows"]["customer"][0].get("organisation_id") == org
            for (snap,) in RecycleBin.select(RecycleBin.snapshot).where(
                (RecycleBin.kind == recycle_bin.CUSTOMER)
                & (RecycleBin.item_id != customer_id)).tuples())
        if others:
            _scrub(Organisation, ("name", "notes"), Organisation.id == org, pattern)
        else:
            Organisation.delete().where(Organisation.id == org).execute()
    _scrub(CustomerActivity, ("old", "new"), CustomerActivity.kind.in_([MERGED, TICKET_MOVED])
           & (CustomerActivity.customer != customer_id), pattern)
    _scrub(SavedView, ("name", "filter_json"), SavedView.id > 0, pattern)


def _clean_mentions(session: Session, identifiers: list[str], own: set[int],
                    pattern: re.Pattern[str]) -> list[int]:
    """Other tickets whose texts name the person (their address, or their full name), found
    through the search index (a superset: all the words, anywhere), then cleaned where the
    identifier itself appears; each ticket changed gets an `erased` activity row."""
    candidates: set[int] = set()
    for identifier in identifiers:
        if len(identifier) >= 5 and any(c.isalpha() for c in identifier):
            found = ticket_list.id_snapshot(session.store, TicketFilter(text=identifier), Sort())
            candidates |= {int(i) for i in found}
    changed: list[int] = []
    for tid in sorted(candidates - own):
        count = _scrub(Ticket, ("subject", "description", "resolution"), Ticket.id == tid,
                       pattern)
        count += _scrub(Message, ("body",), Message.ticket == tid, pattern)
        count += _scrub(Note, ("body",), Note.ticket == tid, pattern)
        count += _scrub(Activity, ("old", "new"), Activity.ticket == tid, pattern)
        count += _scrub(CsatRating, ("comment",), CsatRating.ticket == tid, pattern)
        count += _scrub(CustomValue, ("value",), CustomValue.ticket == tid, pattern)
        count += _scrub(Outbox, ("subject", "to_address"), Outbox.message.in_(
            Message.select(Message.id).where(Message.ticket == tid)), pattern)
        if count:
            version = Ticket.select(Ticket.version).where(Ticket.id == tid).scalar()
            Activity.insert(ticket=tid, agent=session.agent_id, at=session.now(),
                            kind=ActivityKind.ERASED.value, ticket_version=version).execute()
            changed.append(tid)
    return changed


def _clean_tickets(session: Session, ticket_ids: list[int], pattern: re.Pattern[str],
                   messages: bool) -> int:
    removed = 0
    for start in range(0, len(ticket_ids), 500):
        part = ticket_ids[start:start + 500]
        Ticket.update(customer=None).where(Ticket.id.in_(part)).execute()
        _scrub(Ticket, ("subject", "description", "resolution"), Ticket.id.in_(part), pattern)
        _scrub(Message, ("body",), Message.ticket.in_(part), pattern, everything=messages)
        for mid, rfc, reply, refs in (Message.select(Message.id, Message.rfc_message_id,
                                                     Message.in_reply_to, Message.refs)
                                      .where(Message.ticket.in_(part)
                                             & (Message.rfc_message_id.is_null(False)
                                                | Message.in_reply_to.is_null(False)
                                                | Message.refs.is_null(False))).tuples()):
            Message.update(rfc_message_id=_placeholder(rfc), in_reply_to=_placeholder(reply),
                           refs=_placeholder(refs)).where(Message.id == mid).execute()
        _scrub(Note, ("body",), Note.ticket.in_(part), pattern)
        _scrub(Activity, ("old", "new"), Activity.ticket.in_(part), pattern)
        _scrub(CsatRating, ("comment",), CsatRating.ticket.in_(part), pattern)
        _scrub(CustomValue, ("value",), CustomValue.ticket.in_(part), pattern)
        in_part = Message.select(Message.id).where(Message.ticket.in_(part))
        for oid, rfc, reply, refs in (Outbox.select(Outbox.id,
                                                        Outbox.rfc_message_id,
                                                        Outbox.in_reply_to, Outbox.refs)
                                          .where(Outbox.message.in_(in_part)).tuples()):
            Outbox.update(to_address="", rfc_message_id=_placeholder(rfc) or "",
                          in_reply_to=_placeholder(reply), refs=_placeholder(refs),
                          last_error=None).where(Outbox.id == oid).execute()
        _scrub(Outbox, ("subject",), Outbox.message.in_(in_part), pattern)
        gone = Attachment.select(Attachment.id).where(Attachment.ticket.in_(part))
        if not messages:
            brought = Message.select(Message.id).where(Message.ticket.in_(part)
                                                       & (Message.incoming == True))  # noqa: E712
            gone = gone.where(Attachment.message.in_(brought))
        gone_ids = [a for (a,) in gone.tuples()]
        removed += Attachment.delete().where(Attachment.id.in_(gone_ids)).execute()
        # the activity rows that quote a removed file's name or (messages=True) a message
        quoting = (Activity.kind.in_(["attached", "detached"]) & Activity.ref_id.in_(gone_ids))
        if messages:
            quoting = quoting | Activity.kind.in_(["message_in", "message_out"])
        Activity.update(old=None, new=None).where(Activity.ticket.in_(part) & quoting).execute()
        recycle_sql.erase_drafts(session.store, part)
        version = dict(Ticket.select(Ticket.id, Ticket.version).where(Ticket.id.in_(part))
                       .tuples())
        Activity.insert_many([
            {"ticket": tid, "agent": session.agent_id, "at": session.now(),
             "kind": ActivityKind.ERASED.value, "ticket_version": version[tid]}
            for tid in part]).execute()
    return removed
