"""Merging tickets into one, and linking tickets as related (issue 18, migration 18).

A merge moves the sources' conversation, notes, attachments, tags and assignees to the target
(the tabs list them by time, so they fall into place among the target's own) and closes each
source as a stub pointing to the target (`ticket_merge`). Activity rows go on both sides. It is
one transaction and returns a `MergeUndo`: which rows moved from which ticket and the values
before, put back by `undo_merge` while neither side has changed since.

A related link is stored both ways (`ticket_link`), with an activity row on each ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from peewee import fn

from ticketdesk.db.models import (
    Attachment,
    Message,
    Note,
    Ticket,
    TicketAssignee,
    TicketLink,
    TicketMerge,
    TicketTag,
)
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.status import Status
from ticketdesk.services import sla
from ticketdesk.services.bulk import bump, write_activity
from ticketdesk.services.bulk_undo import UndoRefused
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

MOVED = (Message, Note, Attachment)


@dataclass
class MergeUndo:
    target: int
    sources: tuple[int, ...]
    versions: dict[int, int]
    """Each ticket's version after the merge."""
    moved: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    """Table name -> (row id, the ticket it came from)."""
    added_tags: list[int] = field(default_factory=list)
    added_agents: list[int] = field(default_factory=list)
    before: dict[int, tuple[int, int | None, int | None]] = field(default_factory=dict)
    """Source -> (status, resolved_at, closed_at) before it was closed."""
    first_response_at: int | None = None
    """The target's, before."""


@dataclass(frozen=True)
class RelatedTicket:
    id: int
    subject: str
    status: Status


@dataclass(frozen=True)
class TicketLinks:
    """What the dock shows under "Related": links, and where a merge put things."""

    related: tuple[RelatedTicket, ...]
    merged_into: RelatedTicket | None
    merged_from: tuple[RelatedTicket, ...]


def _tickets(ids: Sequence[int]) -> dict[int, Any]:
    found = {t.id: t for t in Ticket.select(Ticket.id, Ticket.version, Ticket.status,
                                            Ticket.resolved_at, Ticket.closed_at,
                                            Ticket.first_response_at)
             .where(Ticket.id.in_(list(ids)))}
    missing = [t for t in ids if t not in found]
    if missing:
        raise NotFoundError(f"Ticket {format_number(missing[0])} does not exist.")
    return found


def merge(session: Session, target: int, sources: Sequence[int]) -> tuple[Changes, MergeUndo]:
    """Merge `sources` into `target` (one transaction); the sources become Closed stubs."""
    sources = tuple(dict.fromkeys(s for s in sources if s != target))
    if not sources:
        raise ValidationError("Choose at least one other ticket to merge into this one.")
    with session.store.write():
        rows = _tickets((target, *sources))
        stubs = {t for (t,) in TicketMerge.select(TicketMerge.ticket)
                 .where(TicketMerge.ticket.in_([target, *sources])).tuples()}
        if stubs:
            raise ValidationError(f"{format_number(min(stubs))} was already merged into "
                                  "another ticket.")
        undo = MergeUndo(target, sources, {}, first_response_at=rows[target].first_response_at)
        for model in MOVED:
            moved = list(model.select(model.id, model.ticket).where(model.ticket.in_(sources))
                         .order_by(model.id).tuples())
            undo.moved[model._meta.table_name] = moved
            if moved:
                model.update({model.ticket: target}).where(model.ticket.in_(sources)).execute()
        for table, column, kept in ((TicketTag, TicketTag.tag, undo.added_tags),
                                    (TicketAssignee, TicketAssignee.agent, undo.added_agents)):
            have = {v for (v,) in table.select(column).where(table.ticket == target).tuples()}
            theirs = {v for (v,) in table.select(column).where(table.ticket.in_(sources))
                      .tuples()}
            kept.extend(sorted(theirs - have))
            if kept:
                table.insert_many([(target, v) for v in kept],
                                  fields=[table.ticket, column]).execute()
        first = (Message.select(fn.min(Message.created_at)).where(
            (Message.ticket == target) & (Message.incoming == False)  # noqa: E712
            & Message.agent.is_null(False)).scalar())
        now = session.now()
        bump(session, [target], {Ticket.first_response_at: first})
        activity: list[tuple[int, int, str, str | None, str | None]] = []
        v_target = rows[target].version + 1
        undo.versions[target] = v_target
        for s in sources:
            ticket = rows[s]
            undo.before[s] = (ticket.status, ticket.resolved_at, ticket.closed_at)
            closing = ticket.status != Status.CLOSED
            bump(session, [s], {Ticket.status: Status.CLOSED,
                                Ticket.resolved_at: ticket.resolved_at or now,
                                Ticket.closed_at: now if closing else ticket.closed_at})
            undo.versions[s] = ticket.version + 1
            activity.append((target, v_target, ActivityKind.MERGED_FROM.value, None,
                             format_number(s)))
            activity.append((s, ticket.version + 1, ActivityKind.MERGED_INTO.value, None,
                             format_number(target)))
            if closing:
                activity.append((s, ticket.version + 1, ActivityKind.STATUS.value,
                                 Status(ticket.status).label, Status.CLOSED.label))
        TicketMerge.insert_many([(s, target, now, session.agent_id) for s in sources],
                                fields=[TicketMerge.ticket, TicketMerge.target,
                                        TicketMerge.merged_at, TicketMerge.agent]).execute()
        write_activity(session, activity)
        everyone = [target, *sources]
        sla.refresh(session, everyone)
        session.store.reindex(everyone)
    return _changes(everyone), undo


def undo_merge(session: Session, undo: MergeUndo) -> Changes:
    """Take the merge back while neither side changed since; `UndoRefused` otherwise."""
    everyone = [undo.target, *undo.sources]
    with session.store.write():
        now = dict(Ticket.select(Ticket.id, Ticket.version).where(Ticket.id.in_(everyone))
                   .tuples())
        moved = [t for t in everyone if now.get(t) != undo.versions[t]]
        if moved:
            raise UndoRefused(moved)
        for model in MOVED:
            by_source: dict[int, list[int]] = {}
            for row_id, source in undo.moved.get(model._meta.table_name, []):
                by_source.setdefault(source, []).append(row_id)
            for source, row_ids in by_source.items():
                for start in range(0, len(row_ids), 500):
                    model.update({model.ticket: source}).where(
                        model.id.in_(row_ids[start:start + 500])).execute()
        for table, column, added in ((TicketTag, TicketTag.tag, undo.added_tags),
                                     (TicketAssignee, TicketAssignee.agent, undo.added_agents)):
            if added:
                table.delete().where((table.ticket == undo.target)
                                     & column.in_(added)).execute()
        bump(session, [undo.target], {Ticket.first_response_at: undo.first_response_at})
        TicketMerge.delete().where(TicketMerge.ticket.in_(list(undo.sources))).execute()
        activity: list[tuple[int, int, str, str | None, str | None]] = []
        for s in undo.sources:
            status, resolved_at, closed_at = undo.before[s]
            bump(session, [s], {Ticket.status: status, Ticket.resolved_at: resolved_at,
                                Ticket.closed_at: closed_at})
            activity.append((undo.target, undo.versions[undo.target] + 1,
                             ActivityKind.UNMERGED.value, format_number(s), None))
            activity.append((s, undo.versions[s] + 1, ActivityKind.UNMERGED.value,
                             format_number(undo.target), None))
            if status != Status.CLOSED:
                activity.append((s, undo.versions[s] + 1, ActivityKind.REOPENED.value,
                                 Status.CLOSED.label, Status(status).label))
        write_activity(session, activity)
        sla.refresh(session, everyone)
        session.store.reindex(everyone)
    return _changes(everyone)


def _changes(ids: list[int]) -> Changes:
    return Changes(tickets=frozenset(ids), conversation=True, notes=True, attachments=True)


def link(session: Session, ticket_id: int, other_id: int) -> Changes:
    """Link two tickets as related (both ways); linking them again changes nothing."""
    if ticket_id == other_id:
        raise ValidationError("A ticket cannot be related to itself.")
    with session.store.write():
        rows = _tickets((ticket_id, other_id))
        if TicketLink.select().where((TicketLink.ticket == ticket_id)
                                     & (TicketLink.other == other_id)).exists():
            return Changes()
        now = session.now()
        TicketLink.insert_many(
            [(ticket_id, other_id, now, session.agent_id),
             (other_id, ticket_id, now, session.agent_id)],
            fields=[TicketLink.ticket, TicketLink.other, TicketLink.created_at,
                    TicketLink.agent]).execute()
        write_activity(session, [
            (ticket_id, rows[ticket_id].version, ActivityKind.RELATED.value, None,
             format_number(other_id)),
            (other_id, rows[other_id].version, ActivityKind.RELATED.value, None,
             format_number(ticket_id))])
    return Changes(tickets=frozenset({ticket_id, other_id}))


def unlink(session: Session, ticket_id: int, other_id: int) -> Changes:
    with session.store.write():
        rows = _tickets((ticket_id, other_id))
        gone = TicketLink.delete().where(
            ((TicketLink.ticket == ticket_id) & (TicketLink.other == other_id))
            | ((TicketLink.ticket == other_id) & (TicketLink.other == ticket_id))).execute()
        if not gone:
            return Changes()
        write_activity(session, [
            (ticket_id, rows[ticket_id].version, ActivityKind.UNRELATED.value,
             format_number(other_id), None),
            (other_id, rows[other_id].version, ActivityKind.UNRELATED.value,
             format_number(ticket_id), None)])
    return Changes(tickets=frozenset({ticket_id, other_id}))


def read_links(session: Session, ticket_id: int) -> TicketLinks:
    """The dock's "Related" box (read off the GUI thread)."""
    with session.store.read():
        related = [o for (o,) in TicketLink.select(TicketLink.other)
                   .where(TicketLink.ticket == ticket_id).tuples()]
        into = TicketMerge.select(TicketMerge.target).where(
            TicketMerge.ticket == ticket_id).scalar()
        merged = [t for (t,) in TicketMerge.select(TicketMerge.ticket)
                  .where(TicketMerge.target == ticket_id).tuples()]
        shown = {t: RelatedTicket(t, subject, Status(status)) for t, subject, status in
                 Ticket.select(Ticket.id, Ticket.subject, Ticket.status)
                 .where(Ticket.id.in_([*related, *merged, *([into] if into else [])])).tuples()}
    return TicketLinks(tuple(shown[t] for t in sorted(related) if t in shown),
                       shown.get(into) if into else None,
                       tuple(shown[t] for t in sorted(merged) if t in shown))
