"""Undoing a bulk action (services/bulk.py): the before-values put back, in one transaction,
while every changed ticket still has the version the action gave it. If any ticket changed
since (in the dock, by a colleague, by another bulk action), undo refuses and changes nothing:
putting the old values back would overwrite that newer change.

Undo writes activity rows too (the move back, as any change would), so the trail tells the
whole story; undo is itself not undoable (there is no redo)."""

from __future__ import annotations

from typing import Any

from peewee import Case

from ticketdesk.db.models import Agent, Tag, Ticket, TicketAssignee, TicketTag
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.progress import Progress
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import sla
from ticketdesk.services.bulk import (
    CHUNK,
    NULL_TIME,
    Action,
    UndoRecord,
    bump,
    check_progress,
    sla_moves,
    touched,
    write_activity,
)
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

SHOWN = 5
"""Ticket numbers named in a refusal (then "and N more")."""


class UndoRefused(TicketdeskError):
    """Some of the tickets changed after the action: undoing it would overwrite that."""

    def __init__(self, moved: list[int]) -> None:
        names = ", ".join(format_number(t) for t in moved[:SHOWN])
        more = f" and {len(moved) - SHOWN} more" if len(moved) > SHOWN else ""
        super().__init__(
            f"Cannot undo: {len(moved)} of the tickets changed since ({names}{more}). "
            "Undoing would overwrite those changes; nothing was changed.")
        self.moved = moved

    def __reduce__(self) -> tuple[Any, ...]:  # from a child process whole (services/child.py)
        return (type(self), (self.moved,))


def moved_since(record: UndoRecord) -> list[int]:
    """The tickets whose version is no longer the one the action gave them (or are gone)."""
    moved: list[int] = []
    for start in range(0, len(record.ids), CHUNK):
        ids = record.ids[start:start + CHUNK]
        want = dict(zip(ids.tolist(), record.versions[start:start + CHUNK].tolist(), strict=True))
        now = dict(Ticket.select(Ticket.id, Ticket.version)
                   .where(Ticket.id.in_(list(want))).tuples())
        moved += [t for t, v in want.items() if now.get(t) != v]
    return moved


def undo(session: Session, record: UndoRecord, progress: Progress | None = None) -> Changes:
    """Put back what `record`'s action changed; `UndoRefused` if any ticket moved on since."""
    total = len(record.ids)
    with session.store.write():
        moved = moved_since(record)
        if moved:
            raise UndoRefused(moved)
        check_progress(progress, 0, total, "")
        moves = sla_moves(record.change)
        for start in range(0, total, CHUNK):
            end = min(start + CHUNK, total)
            _undo_chunk(session, record, start, end, moves)
            check_progress(progress, end, total, "")
    return touched(record.ids)


def undo_at(url: str, password: str | None, agent_id: int | None, record: UndoRecord, *,
            progress: Progress) -> Changes:
    """In a child process (services/child.py): open the desk at `url` and `undo` as
    `agent_id`."""
    from ticketdesk.services.child import opened

    with opened(url, password) as store:
        return undo(Session(store, agent_id), record, progress)


def _undo_chunk(session: Session, record: UndoRecord, start: int, end: int,
                sla_moves: bool) -> None:
    a = record.change.action
    ids = record.ids[start:end].tolist()
    versions = (record.versions[start:end] + 1).tolist()
    before = {k: v[start:end] for k, v in record.before.items()}
    rows: list[tuple[int, int, str, str | None, str | None]] = []
    if a == Action.STATUS:
        new = Status(record.change.value)
        for i, tid in enumerate(ids):
            old = Status(int(before["status"][i]))
            kind = ActivityKind.REOPENED if (not new.is_active and old.is_active) \
                else ActivityKind.STATUS
            rows.append((tid, versions[i], kind.value, new.label, old.label))
            if tid in record.texts:
                rows.append((tid, versions[i], ActivityKind.RESOLUTION.value, None,
                             record.texts[tid]))
        # One UPDATE for the chunk, each ticket's own before-values picked by id: grouped by
        # equal values, nearly every ticket was a group of its own (its resolved and closed
        # times), 10,000 statements for 10,000 tickets: 8 minutes behind a 50 ms network.
        bump(session, ids, {
            Ticket.status: _by_id(ids, [int(v) for v in before["status"]], "INTEGER"),
            Ticket.resolved_at: _by_id(ids, [_time(int(v)) for v in before["resolved_at"]],
                                       "BIGINT"),
            Ticket.closed_at: _by_id(ids, [_time(int(v)) for v in before["closed_at"]],
                                     "BIGINT")})
        for tid in set(ids) & set(record.texts):
            bump_text = record.texts[tid]
            Ticket.update({Ticket.resolution: bump_text}).where(Ticket.id == tid).execute()
        if record.texts:
            session.store.reindex([t for t in ids if t in record.texts])
    elif a in (Action.PRIORITY, Action.CATEGORY):
        column = Ticket.priority if a == Action.PRIORITY else Ticket.category
        kind = ActivityKind.PRIORITY if a == Action.PRIORITY else ActivityKind.CATEGORY
        value_groups: dict[Any, list[int]] = {}
        for i, tid in enumerate(ids):
            old_value: Any = before["value"][i]
            old_value = int(old_value) if a == Action.PRIORITY else str(old_value)
            value_groups.setdefault(old_value, []).append(tid)
            shown: tuple[str | None, str | None] = (
                (Priority(old_value).label, Priority(record.change.value).label)
                if a == Action.PRIORITY else (old_value or None, record.change.value or None))
            rows.append((tid, versions[i], kind.value, shown[1], shown[0]))
        for old_value, group in value_groups.items():
            bump(session, group, {column: old_value})
    else:
        tagging = a in (Action.TAG, Action.UNTAG)
        table, column = ((TicketTag, TicketTag.tag) if tagging
                         else (TicketAssignee, TicketAssignee.agent))
        name = (Tag.select(Tag.name).where(Tag.id == record.ref).scalar() if tagging
                else Agent.select(Agent.name).where(Agent.id == record.ref).scalar())
        if a in (Action.TAG, Action.ASSIGN):
            table.delete().where(table.ticket.in_(ids) & (column == record.ref)).execute()
            kind = ActivityKind.UNTAGGED if tagging else ActivityKind.UNASSIGNED
            rows = [(t, versions[i], kind.value, name, None) for i, t in enumerate(ids)]
        else:
            table.insert_many([(t, record.ref) for t in ids],
                              fields=[table.ticket, column]).execute()
            kind = ActivityKind.TAGGED if tagging else ActivityKind.ASSIGNED
            rows = [(t, versions[i], kind.value, None, name) for i, t in enumerate(ids)]
        bump(session, ids)
    write_activity(session, rows)
    if sla_moves:
        sla.refresh(session, ids)


def _by_id(ids: list[int], values: list[Any], sql_type: str) -> Any:
    """An expression that is `values[i]` for the ticket `ids[i]` (a CASE on the id, cast so
    the server types a NULL or a bound number as the column's type)."""
    return Case(Ticket.id, list(zip(ids, values, strict=True))).cast(sql_type)


def _time(value: int) -> int | None:
    return None if value == NULL_TIME else value

