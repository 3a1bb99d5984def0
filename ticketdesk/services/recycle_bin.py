"""Deleting tickets and customers to a recycle bin, restoring them, purging them.

A deleted ticket leaves the live tables with every row that belongs to it, kept as one JSON
snapshot in `recycle_bin` (its attachments' bytes in `recycle_blob`), so no list, search or
analytics query ever needs a "deleted" filter and the million-ticket list stays as fast as it
was (ticketdesk/ARCHITECTURE.md, "Recycle bin and erasure"). Restoring inserts the rows again
with the same ids: the ticket keeps its number, its history and its authors. Unsent drafts are
not kept. Entries older than the desk's retention (`recycle.days`, default 30) are purged by
`purge_expired`. Every function is one transaction with its desk event; on a team desk only an
admin may delete, restore or purge (the agent group has no DELETE on tickets).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from peewee import Model

from ticketdesk.db import recycle_sql
from ticketdesk.db.models import (
    Activity,
    Attachment,
    AttachmentContent,
    CsatRating,
    Customer,
    CustomerActivity,
    CustomerAddress,
    CustomerTagLink,
    CustomField,
    CustomValue,
    DeskEvent,
    DeskMeta,
    Message,
    Note,
    Organisation,
    Outbox,
    RecycleBin,
    RecycleBlob,
    Tag,
    Ticket,
    TicketAssignee,
    TicketTag,
)
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.progress import Cancelled, Progress
from ticketdesk.services import team_roles
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

DAYS_KEY = "recycle.days"
DEFAULT_DAYS = 30
DAY = 86_400
CHUNK = 500
TICKET, CUSTOMER = "ticket", "customer"

TICKET_ROWS: tuple[tuple[type[Model], str], ...] = (
    (Ticket, "id"), (TicketTag, "ticket"), (TicketAssignee, "ticket"), (Message, "ticket"),
    (Note, "ticket"), (Attachment, "ticket"), (Activity, "ticket"), (CsatRating, "ticket"),
    (CustomValue, "ticket"),
)
"""Every table whose rows belong to a ticket, in restore order, with the field naming the
ticket; `outbox` follows its message, attachment bytes go to `recycle_blob`. Routing's open
counts follow the assignee rows by migration 24's triggers. A new table with a foreign key to
`ticket` belongs here or in `DISCARDED` (tests/unit/test_recycle_bin.py fails until it is)."""

DISCARDED = frozenset({"draft", "ticket_search", "recycle_bin", "ticket_link", "ticket_merge",
                       "customer_ticket_count"})
"""Rows that reference a ticket or customer and are not kept: unsent drafts, the search document
(rebuilt), and the ticket's links to others — "related" links and a merged stub's pointer (issue
18): they name another ticket, which may be gone or changed by the time of a restore; both
tickets' activity rows keep the link's history. A customer's ticket counts (migration 27) are
derived: its triggers take a deleted ticket off its customer's counts and put a restored one
back, and give a restored customer a row of zeros (a binned customer has no tickets)."""

CUSTOMER_ROWS: tuple[tuple[type[Model], str], ...] = (
    (Customer, "id"), (CustomerTagLink, "customer"), (CustomerAddress, "customer"),
    (CustomerActivity, "customer"))
"""A customer's rows; the organisation stays (it may be shared; `_customer_rows`)."""

ADMIN_ONLY = ("On a team desk only an admin may delete, restore, purge or erase; you are "
              "signed in as {role}. Nothing was changed.")


@dataclass(frozen=True)
class BinEntry:
    id: int
    kind: str
    item_id: int
    label: str
    deleted_at: int
    deleted_by: int | None


def check_admin(session: Session) -> None:
    role = team_roles.signed_in_role(session.store)
    if role is not None and role != "admin":
        raise ValidationError(ADMIN_ONLY.format(role=role))


def event(session: Session, kind: str, subject: str, detail: str = "") -> None:
    """One desk event (who, when, what), in the caller's transaction."""
    DeskEvent.insert(agent=session.agent_id, at=session.now(), kind=kind, subject=subject,
                     detail=detail).execute()


def _owner(row: dict[str, Any], field: str) -> int:
    return int(row["id"] if field == "id" else row[field])


# -- deleting -----------------------------------------------------------------------------------


def delete_tickets(session: Session, ids: Sequence[int], progress: Progress | None = None
                   ) -> Changes:
    """Move tickets with all their rows to the recycle bin, in one transaction (a cancel leaves
    everything as it was). Tickets already gone are skipped."""
    check_admin(session)
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return Changes()
    done: list[int] = []
    with session.store.write():
        for start in range(0, len(wanted), CHUNK):
            if progress is not None and progress(start, len(wanted), "") is False:
                raise Cancelled()
            done += _delete_chunk(session, wanted[start:start + CHUNK])
        if not done:
            raise NotFoundError("Those tickets were already deleted; nothing was changed.")
        event(session, "tickets_deleted", _count(len(done), "ticket"),
              ",".join(map(str, done)))
    if progress is not None:
        progress(len(wanted), len(wanted), "")
    return Changes(tickets=frozenset(done), everything=len(done) > CHUNK)


def _delete_chunk(session: Session, chunk: list[int]) -> list[int]:
    per_ticket: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for model, field in TICKET_ROWS:
        for row in recycle_sql.rows_of(model, field, chunk):
            per_ticket[_owner(row, field)].setdefault(model._meta.table_name, []).append(row)
    found = sorted(per_ticket)
    message_owner = {m["id"]: tid for tid, rows in per_ticket.items()
                     for m in rows.get("message", ())}
    if message_owner:
        for row in recycle_sql.rows_of(Outbox, "message", list(message_owner)):
            per_ticket[message_owner[row["message"]]].setdefault("outbox", []).append(row)
    attachment_owner = {a["id"]: tid for tid, rows in per_ticket.items()
                        for a in rows.get("attachment", ())}
    blobs: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
    if attachment_owner:
        for aid, data in (AttachmentContent.select(AttachmentContent.attachment,
                                                   AttachmentContent.data)
                          .where(AttachmentContent.attachment.in_(list(attachment_owner)))
                          .tuples()):
            blobs[attachment_owner[aid]].append((int(aid), bytes(data)))
    now = session.now()
    recycle_sql.bulk_insert(RecycleBin, [
        {"kind": TICKET, "item_id": tid,
         "label": f"{format_number(tid)} {per_ticket[tid]['ticket'][0]['subject']}",
         "customer_id": per_ticket[tid]["ticket"][0]["customer"], "deleted_at": now,
         "deleted_by": session.agent_id,
         "snapshot": json.dumps({"v": 1, "rows": per_ticket[tid]}, separators=(",", ":"))}
        for tid in found])
    if blobs:
        bins = dict(RecycleBin.select(RecycleBin.item_id, RecycleBin.id).where(
            (RecycleBin.kind == TICKET) & RecycleBin.item_id.in_(list(blobs))).tuples())
        for tid, files in blobs.items():
            recycle_sql.bulk_insert(RecycleBlob, [
                {"bin": bins[tid], "attachment_id": aid, "data": data} for aid, data in files])
    if found:
        Ticket.delete().where(Ticket.id.in_(found)).execute()
        recycle_sql.forget_search_docs(session.store, found)
    return found


def delete_customer(session: Session, customer_id: int) -> Changes:
    """Move a customer (record, tags, addresses, history) to the recycle bin. Refused while
    tickets are theirs: delete or move those first, or erase the person (services/erasure.py)."""
    check_admin(session)
    with session.store.write():
        customer = Customer.get_or_none(Customer.id == customer_id)
        if customer is None:
            raise NotFoundError("That customer was already deleted; nothing was changed.")
        count = Ticket.select().where(Ticket.customer == customer_id).count()
        if count:
            raise ValidationError(
                f"{customer.name} still has {_count(count, 'ticket')}; delete or move them "
                "first (or erase the customer). Nothing was changed.")
        rows = {model._meta.table_name: recycle_sql.rows_of(model, field, [customer_id])
                for model, field in CUSTOMER_ROWS}
        RecycleBin.insert(kind=CUSTOMER, item_id=customer_id, label=customer.name,
                          customer_id=customer_id, deleted_at=session.now(),
                          deleted_by=session.agent_id,
                          snapshot=json.dumps({"v": 1, "rows": rows})).execute()
        Customer.delete().where(Customer.id == customer_id).execute()
        event(session, "customer_deleted", customer.name, str(customer_id))
    return Changes(customers=True)


# -- the bin ------------------------------------------------------------------------------------


def list_bin(session: Session, *, kind: str | None = None, limit: int = 10_000) -> list[BinEntry]:
    """The bin's entries, newest first (never their snapshots)."""
    query = (RecycleBin.select(RecycleBin.id, RecycleBin.kind, RecycleBin.item_id,
                               RecycleBin.label, RecycleBin.deleted_at, RecycleBin.deleted_by)
             .order_by(RecycleBin.deleted_at.desc(), RecycleBin.id.desc()).limit(limit))
    if kind is not None:
        query = query.where(RecycleBin.kind == kind)
    with session.store.read():
        return [BinEntry(int(i), k, int(item), label, int(at), by)
                for i, k, item, label, at, by in query.tuples()]


def restore(session: Session, entry_ids: Sequence[int]) -> Changes:
    """Put entries back as they were, with their ids (a ticket keeps its number). Refused, with
    nothing changed, when something now on the desk stands in the way."""
    check_admin(session)
    restored: list[int] = []
    with session.store.write():
        recycle_sql.keep_original_authors(session.store)
        entries = list(RecycleBin.select().where(RecycleBin.id.in_(list(entry_ids)))
                       .order_by(RecycleBin.kind, RecycleBin.id))  # customers first
        if not entries:
            raise NotFoundError("Those entries are no longer in the recycle bin.")
        people = [e for e in entries if e.kind == CUSTOMER]
        for entry in people:
            _guarded(lambda e=entry: _insert_rows(CUSTOMER_ROWS, _customer_rows(e)),
                     entry.label)
        ticket_entries = [e for e in entries if e.kind == TICKET]
        for start in range(0, len(ticket_entries), CHUNK):
            part = ticket_entries[start:start + CHUNK]
            _guarded(lambda part=part: _restore_tickets(session, part),
                     part[0].label if len(part) == 1 else "One of these tickets")
            restored += [int(e.item_id) for e in part]
        for start in range(0, len(entries), CHUNK * 2):
            RecycleBin.delete().where(RecycleBin.id.in_(
                [e.id for e in entries[start:start + CHUNK * 2]])).execute()
        if restored:
            session.store.reindex(restored)
        event(session, "restored", ", ".join(e.label for e in entries[:5])
              + (" …" if len(entries) > 5 else ""), ",".join(str(e.item_id) for e in entries))
    return Changes(tickets=frozenset(restored), created=tuple(restored),
                   customers=bool(people), everything=len(restored) > CHUNK)


def _guarded(insert: Any, label: str) -> None:
    try:
        insert()
    except Exception as exc:
        if not recycle_sql.is_conflict(exc):
            raise
        raise ValidationError(f"{label} cannot be restored: something now on the desk has the same "
                              f"id, email address, Message-ID or import source ({exc}). Nothing "
                              "was changed.") from exc


def _customer_rows(entry: Any) -> dict[str, list[dict[str, Any]]]:
    """A binned customer's rows; one whose organisation was deleted meanwhile comes back without
    one (`customer.company` keeps its name)."""
    rows: dict[str, list[dict[str, Any]]] = json.loads(entry.snapshot)["rows"]
    for customer in rows["customer"]:
        org = customer.get("organisation_id")
        if org is not None and not Organisation.select().where(Organisation.id == org).exists():
            customer["organisation_id"] = None
    return rows


def _live(model: type[Model], ids: set[Any]) -> set[Any]:
    """Which of `ids` are still on the desk (a tag or field may be deleted while binned)."""
    return {i for (i,) in model.select(model.id).where(model.id.in_(list(ids))).tuples()} \
        if ids else set()


def _restore_tickets(session: Session, entries: list[Any]) -> None:
    snapshots = {e.id: json.loads(e.snapshot)["rows"] for e in entries}
    wanted = {r["ticket"][0]["customer"] for r in snapshots.values()} - {None}
    present = _live(Customer, wanted)
    binned = {int(i) for (i,) in RecycleBin.select(RecycleBin.item_id).where(
        (RecycleBin.kind == CUSTOMER) & RecycleBin.item_id.in_(list(wanted - present))
    ).tuples()} if wanted - present else set()
    live_tags = _live(Tag, {r["tag"] for rows in snapshots.values()
                            for r in rows.get("ticket_tag", [])})
    live_fields = _live(CustomField, {r["field"] for rows in snapshots.values()
                                      for r in rows.get("custom_value", [])})
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    notes: dict[int, str | None] = {}
    for entry in entries:
        rows = snapshots[entry.id]
        ticket = rows["ticket"][0]
        notes[entry.id] = None
        if ticket["customer"] is not None and ticket["customer"] not in present:
            if ticket["customer"] in binned:
                raise ValidationError(f"The customer of {entry.label} is in the recycle bin: "
                                      "restore them first. Nothing was changed.")
            ticket["customer"], notes[entry.id] = None, "customer no longer on the desk"
        rows["ticket_tag"] = [r for r in rows.get("ticket_tag", []) if r["tag"] in live_tags]
        rows["custom_value"] = [r for r in rows.get("custom_value", [])
                                if r["field"] in live_fields]
        for table, found in rows.items():
            merged[table] += found
    _insert_rows((*TICKET_ROWS, (Outbox, "message")), merged)
    blobs = list(RecycleBlob.select(RecycleBlob.attachment_id, RecycleBlob.data)
                 .where(RecycleBlob.bin.in_([e.id for e in entries])).tuples())
    recycle_sql.bulk_insert(AttachmentContent,
                            [{"attachment": aid, "data": data} for aid, data in blobs])
    Activity.insert_many([
        {"ticket": e.item_id, "agent": session.agent_id, "at": session.now(),
         "kind": ActivityKind.RESTORED.value, "new": notes[e.id],
         "ticket_version": snapshots[e.id]["ticket"][0]["version"]} for e in entries
    ]).execute()


def _insert_rows(order: tuple[tuple[type[Model], str], ...],
                 rows: dict[str, list[dict[str, Any]]]) -> None:
    for model, _field in order:
        recycle_sql.bulk_insert(model, rows.get(model._meta.table_name, []))


def purge(session: Session, entry_ids: Sequence[int] | None = None,
          progress: Progress | None = None) -> int:
    """Delete entries for good (all of them when `entry_ids` is None); the number purged."""
    check_admin(session)
    with session.store.write():
        if entry_ids is None:
            ids = [i for (i,) in RecycleBin.select(RecycleBin.id).tuples()]
        else:
            ids = sorted({int(i) for i in entry_ids})
        purged = _purge_ids(ids, progress)
        if purged:
            event(session, "purged", _count(purged, "entry", "entries"))
    return purged


def _purge_ids(ids: list[int], progress: Progress | None) -> int:
    purged = 0
    for start in range(0, len(ids), CHUNK * 2):
        if progress is not None and progress(start, len(ids), "") is False:
            raise Cancelled()
        part = ids[start:start + CHUNK * 2]
        RecycleBlob.delete().where(RecycleBlob.bin.in_(part)).execute()
        purged += RecycleBin.delete().where(RecycleBin.id.in_(part)).execute()
    return purged


def purge_expired(session: Session) -> int:
    """Purge what has been in the bin longer than the desk's retention; the number purged.
    On a team desk only an admin's desktop does it (others leave it for them). Nothing expired
    (the usual answer at start): one read, no write lock taken."""
    role = team_roles.signed_in_role(session.store)
    if role is not None and role != "admin":
        return 0
    days = retention_days(session)
    cutoff = session.now() - days * DAY
    expired = RecycleBin.select(RecycleBin.id).where(RecycleBin.deleted_at < cutoff)
    with session.store.read():
        if not expired.exists():
            return 0
    with session.store.write():
        purged = _purge_ids([i for (i,) in expired.tuples()], None)
        if purged:
            event(session, "purged", _count(purged, "entry", "entries"),
                  f"older than {days} days")
    return purged


def retention_days(session: Session) -> int:
    with session.store.read():
        value = DeskMeta.select(DeskMeta.value).where(DeskMeta.key == DAYS_KEY).scalar()
    try:
        return int(value) if value is not None else DEFAULT_DAYS
    except ValueError:
        return DEFAULT_DAYS


def set_retention_days(session: Session, days: int) -> Changes:
    if not 1 <= days <= 3650:
        raise ValidationError("Keep deleted items between 1 and 3650 days.")
    check_admin(session)
    with session.store.write():
        DeskMeta.insert(key=DAYS_KEY, value=str(days)).on_conflict(
            conflict_target=[DeskMeta.key], update={DeskMeta.value: str(days)}).execute()
        event(session, "recycle_days", str(days))
    return Changes()


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
