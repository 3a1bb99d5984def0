"""Bulk actions: one change applied to many tickets at once (issue 18; ticketdesk/ARCHITECTURE.md,
"Many tickets at once").

Each action is **one transaction** over the whole selection, worked through in chunks of
`CHUNK` ids: one `SELECT` of the chunk's current values, one `UPDATE ... WHERE id IN (...)` per
group of equal before-values, one multi-row `INSERT` of activity rows (one per changed ticket).
Never the single-ticket services in a loop: a million tickets is a few thousand statements.

- **Collisions.** A `Selection` carries the newest activity id at the moment its ids were read
  (`mark`). Every ticket change writes an activity row, so a selected ticket with an activity
  row above the mark changed since the user saw it: it is reported in `BulkResult.collisions`
  and left as it is, never overwritten.
- **Cancel.** `progress(done, total, phase)` is called after every chunk; once it returns
  False the transaction is rolled back and `Cancelled` raised: nothing is half done.
- **Undo.** The result carries an `UndoRecord`: the changed ids, the version each one got and
  the before-values (numpy arrays, a few bytes a ticket). `services/bulk_undo.undo` puts them
  back while every ticket still has that version, and refuses otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from peewee import fn

from ticketdesk.db.models import Activity, Agent, Tag, Ticket, TicketAssignee, TicketTag
from ticketdesk.db.store import Store
from ticketdesk.domain import status as rules
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.progress import Cancelled, Progress
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import sla
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.services.tickets import active_agents, tag_ids

CHUNK = 500
"""Ids per statement: under every engine's parameter limit, big enough that a million tickets
is two thousand round trips."""
NULL_TIME = -1
"""A NULL timestamp in the before-value arrays."""
CANCELLED = "Cancelled; no ticket was changed."
CHILD_FROM = 5_000
"""A selection of at least this many tickets is changed (and its undo run) in a child process,
not on the window's thread (services/child.py says why: adding a tag to a million tickets on a
thread stalled the window up to 72 ms; starting the child costs under a second, about what
5,000 tickets take on a thread)."""
EVERYTHING_FROM = 5_000
"""A result touching more tickets says `Changes(everything=True)`: the views reload wholesale,
cheaper than a set of a million ids built and searched."""


class Action(StrEnum):
    STATUS = "status"
    CLOSE = "close"
    PRIORITY = "priority"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    TAG = "tag"
    UNTAG = "untag"
    CATEGORY = "category"


@dataclass(frozen=True)
class BulkChange:
    """What to do: `value` is a Status (STATUS), a Priority, an agent id (ASSIGN, UNASSIGN), a
    tag name (TAG, UNTAG) or a category ("" clears it); CLOSE takes none."""

    action: Action
    value: Any = None


@dataclass(frozen=True)
class Selection:
    ids: np.ndarray
    """The selected ticket ids (int64), in list order."""
    mark: int
    """The newest activity id when the ids were read: later rows are changes the user has not
    seen (`selection_mark`)."""

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class UndoRecord:
    change: BulkChange
    ids: np.ndarray
    """The tickets the action changed (int64)."""
    versions: np.ndarray
    """The version each got from the action: undo applies only while it is still this."""
    before: dict[str, np.ndarray] = field(default_factory=dict)
    """Before-values by column, aligned with `ids` (timestamps with NULL_TIME for NULL)."""
    texts: dict[int, str] = field(default_factory=dict)
    """Before-values too long to keep per ticket in an array and rarely set: resolutions
    cleared by a reopen."""
    ref: int | None = None
    """The tag or agent id a tag or assignment action concerned."""


@dataclass(frozen=True)
class BulkResult:
    change: BulkChange
    changed: int
    """Tickets changed."""
    collisions: tuple[int, ...]
    """Tickets that changed since the selection was read; left as they were."""
    skipped: int
    """Tickets that already had the value, are gone, or cannot make the move (a Closed ticket
    to Waiting)."""
    undo: UndoRecord | None
    changes: Changes


def touched(ids: np.ndarray, tags: bool = False) -> Changes:
    if len(ids) > EVERYTHING_FROM:
        return Changes(everything=True)
    return Changes(tickets=frozenset(ids.tolist()), tags=tags)


def selection_mark(store: Store) -> int:
    """The newest activity id now: read with a selection's ids, it dates the selection."""
    with store.read():
        return int(Activity.select(fn.max(Activity.id)).scalar() or 0)


def chunks(ids: np.ndarray, size: int | None = None) -> Iterator[list[int]]:
    size = size or CHUNK
    for start in range(0, len(ids), size):
        yield ids[start:start + size].tolist()  # Python ints, made in C


def changed_since(mark: int, ids: np.ndarray | None = None) -> set[int]:
    """Tickets with an activity row newer than `mark` (of `ids`, when given)."""
    found = {int(t) for (t,) in Activity.select(Activity.ticket).where(Activity.id > mark)
             .distinct().tuples()}
    if ids is not None and found:
        found &= set(np.intersect1d(np.fromiter(found, dtype=np.int64), ids).tolist())
    return found


def write_activity(session: Session, rows: list[tuple[int, int, str, str | None, str | None]]
                   ) -> None:
    """Activity rows `(ticket, version, kind, old, new)` in one INSERT a chunk."""
    if not rows:
        return
    now, agent = session.now(), session.agent_id
    Activity.insert_many(
        [(t, agent, now, kind, old, new, version) for t, version, kind, old, new in rows],
        fields=[Activity.ticket, Activity.agent, Activity.at, Activity.kind, Activity.old,
                Activity.new, Activity.ticket_version]).execute()


def bump(session: Session, ids: Sequence[int], updates: dict[Any, Any] | None = None) -> None:
    """One UPDATE: `updates` and a new version for every ticket of `ids`."""
    if ids:
        Ticket.update({**(updates or {}), Ticket.version: Ticket.version + 1,
                       Ticket.updated_at: session.now()}).where(Ticket.id.in_(list(ids))).execute()


def sla_moves(change: BulkChange) -> bool:
    """Whether `change` can move a ticket's SLA: status and priority always; a tag only if a
    policy names it, a category only if a policy names categories; assignees never. Skipping
    the rest saves a history read per ticket (most of a million-ticket tag's time)."""
    policies = sla.rules().policies
    a = change.action
    if a in (Action.TAG, Action.UNTAG):
        return any(change.value in p.tags for p in policies)
    if a == Action.CATEGORY:
        return any(p.categories for p in policies)
    return a in (Action.STATUS, Action.PRIORITY)


def check_progress(progress: Progress | None, done: int, total: int, phase: str) -> None:
    if progress is not None and progress(done, total, phase) is False:
        raise Cancelled(CANCELLED)


def normalised(change: BulkChange) -> BulkChange:
    """The change with its value checked and cleaned (a ValidationError for bad input)."""
    a, v = change.action, change.value
    if a == Action.CLOSE:
        return BulkChange(Action.STATUS, Status.CLOSED)
    if a == Action.STATUS:
        return BulkChange(a, Status.parse(v))
    if a == Action.PRIORITY:
        return BulkChange(a, Priority.parse(v))
    if a in (Action.TAG, Action.UNTAG):
        return BulkChange(a, text.tag(str(v)))
    if a == Action.CATEGORY:
        return BulkChange(a, text.optional_line(str(v or ""), "category", text.CATEGORY_MAX))
    if a in (Action.ASSIGN, Action.UNASSIGN):
        return BulkChange(a, int(v))
    raise ValidationError(f"Unknown bulk action {a!r}.")


def apply(session: Session, selection: Selection, change: BulkChange,
          progress: Progress | None = None) -> BulkResult:
    """Apply `change` to the selected tickets in one transaction (see the module docstring)."""
    change = normalised(change)
    ids = np.asarray(selection.ids, dtype=np.int64)
    total = len(ids)
    with session.store.write():
        collided = changed_since(selection.mark, ids)
        work = _Work(session, change, collided)
        done = 0
        check_progress(progress, 0, total, "")
        for chunk in chunks(ids):
            work.chunk(chunk)
            done += len(chunk)
            check_progress(progress, done, total, "")
        record = work.record()
    changes = touched(record.ids, work.new_tag)
    return BulkResult(change, len(record.ids), tuple(sorted(collided)),
                      total - len(record.ids) - len(collided),
                      record if len(record.ids) else None, changes)


def apply_at(url: str, password: str | None, agent_id: int | None, selection: Selection,
             change: BulkChange, *, progress: Progress) -> BulkResult:
    """In a child process (services/child.py): open the desk at `url` and `apply` as
    `agent_id`."""
    from ticketdesk.services.child import opened

    with opened(url, password) as store:
        return apply(Session(store, agent_id), selection, change, progress)


class _Work:
    """One bulk action's chunks, gathering what undo needs."""

    def __init__(self, session: Session, change: BulkChange, collided: set[int]) -> None:
        self.session, self.change, self.collided = session, change, collided
        self.ids: list[np.ndarray] = []
        self.versions: list[np.ndarray] = []
        self.before: dict[str, list[np.ndarray]] = {}
        self.texts: dict[int, str] = {}
        self.new_tag = False
        self.ref: int | None = None
        self.ref_name = ""
        self.sla = sla_moves(change)
        a = change.action
        if a in (Action.TAG, Action.UNTAG):
            if a == Action.TAG:
                found, self.new_tag = tag_ids([change.value])
                self.ref = found[change.value]
            else:
                self.ref = Tag.select(Tag.id).where(Tag.name == change.value).scalar()
            self.ref_name = change.value
        elif a == Action.ASSIGN:
            self.ref_name = active_agents([change.value])[change.value]
            self.ref = change.value
        elif a == Action.UNASSIGN:
            name = Agent.select(Agent.name).where(Agent.id == change.value).scalar()
            if name is None:
                raise ValidationError(f"No agent with id {change.value}.")
            self.ref, self.ref_name = change.value, str(name)

    def chunk(self, chunk: list[int]) -> None:
        a = self.change.action
        if a == Action.STATUS:
            self._status(chunk)
        elif a == Action.PRIORITY:
            self._column(chunk, Ticket.priority, ActivityKind.PRIORITY,
                         lambda v: Priority(v).label)
        elif a == Action.CATEGORY:
            self._column(chunk, Ticket.category, ActivityKind.CATEGORY, lambda v: v or None)
        else:
            self._link(chunk)

    def _current(self, chunk: list[int], *columns: Any) -> list[tuple[Any, ...]]:
        rows = (Ticket.select(Ticket.id, Ticket.version, *columns)
                .where(Ticket.id.in_(chunk)).tuples())
        return [r for r in rows if r[0] not in self.collided]

    def _keep(self, ids: list[int], versions: list[int], **before: np.ndarray) -> None:
        self.ids.append(np.asarray(ids, dtype=np.int64))
        self.versions.append(np.asarray(versions, dtype=np.int64) + 1)
        for name, values in before.items():
            self.before.setdefault(name, []).append(values)

    def _status(self, chunk: list[int]) -> None:
        new: Status = self.change.value
        now = self.session.now()
        rows = [r for r in self._current(chunk, Ticket.status, Ticket.resolved_at,
                                         Ticket.closed_at, Ticket.resolution)
                if r[2] != new and not (r[2] == Status.CLOSED and new in (Status.WAITING,
                                                                          Status.RESOLVED))]
        if not rows:
            return
        groups: dict[int, list[int]] = {}
        for tid, _v, old, _r, _c, _res in rows:
            groups.setdefault(int(old), []).append(tid)
        for old, ids in groups.items():
            rules.check_transition(Status(old), new)
            updates: dict[Any, Any] = {Ticket.status: new}
            if new == Status.RESOLVED:
                updates.update({Ticket.resolved_at: now, Ticket.closed_at: None})
            elif new == Status.CLOSED:
                updates.update({Ticket.resolved_at: fn.coalesce(Ticket.resolved_at, now),
                                Ticket.closed_at: now})
            else:
                updates.update({Ticket.resolved_at: None, Ticket.closed_at: None})
                if rules.is_reopen(Status(old), new):
                    updates[Ticket.resolution] = ""
            bump(self.session, ids, updates)
        activity: list[tuple[int, int, str, str | None, str | None]] = []
        reindex: list[int] = []
        for tid, version, old, _r, _c, resolution in rows:
            reopen = rules.is_reopen(Status(old), new)
            kind = ActivityKind.REOPENED if reopen else ActivityKind.STATUS
            activity.append((tid, version + 1, kind.value, Status(old).label, new.label))
            if reopen and resolution:
                self.texts[tid] = resolution
                activity.append((tid, version + 1, ActivityKind.RESOLUTION.value, resolution,
                                 None))
                reindex.append(tid)
        write_activity(self.session, activity)
        ids = [r[0] for r in rows]
        self._refresh_sla(ids)
        if reindex:
            self.session.store.reindex(reindex)
        self._keep(ids, [r[1] for r in rows],
                   status=np.asarray([r[2] for r in rows], dtype=np.int16),
                   resolved_at=_times([r[3] for r in rows]),
                   closed_at=_times([r[4] for r in rows]))

    def _column(self, chunk: list[int], column: Any, kind: ActivityKind, show: Any) -> None:
        new = self.change.value
        rows = [r for r in self._current(chunk, column) if r[2] != new]
        if not rows:
            return
        ids = [r[0] for r in rows]
        bump(self.session, ids, {column: new})
        write_activity(self.session, [(tid, v + 1, kind.value, show(old), show(new))
                                      for tid, v, old in rows])
        self._refresh_sla(ids)
        values = [r[2] for r in rows]
        kept = (np.asarray(values, dtype=np.int16) if column is Ticket.priority
                else np.asarray(values, dtype=object))
        self._keep(ids, [r[1] for r in rows], value=kept)

    def _link(self, chunk: list[int]) -> None:
        """Tags and assignees: a row in a link table added or removed, and a new version."""
        a = self.change.action
        if self.ref is None:  # removing a tag nobody has
            return
        table, column = ((TicketTag, TicketTag.tag) if a in (Action.TAG, Action.UNTAG)
                         else (TicketAssignee, TicketAssignee.agent))
        have = {int(t) for (t,) in table.select(table.ticket)
                .where(table.ticket.in_(chunk) & (column == self.ref)).tuples()}
        adding = a in (Action.TAG, Action.ASSIGN)
        rows = [r for r in self._current(chunk) if (r[0] in have) != adding]
        if not rows:
            return
        ids = [r[0] for r in rows]
        if adding:
            table.insert_many([(t, self.ref) for t in ids],
                              fields=[table.ticket, column]).execute()
        else:
            table.delete().where(table.ticket.in_(ids) & (column == self.ref)).execute()
        bump(self.session, ids)
        kind = {Action.TAG: ActivityKind.TAGGED, Action.UNTAG: ActivityKind.UNTAGGED,
                Action.ASSIGN: ActivityKind.ASSIGNED, Action.UNASSIGN: ActivityKind.UNASSIGNED}[a]
        old, new = (None, self.ref_name) if adding else (self.ref_name, None)
        write_activity(self.session, [(tid, v + 1, kind.value, old, new) for tid, v in rows])
        self._refresh_sla(ids)
        self._keep(ids, [r[1] for r in rows])

    def _refresh_sla(self, ids: list[int]) -> None:
        if self.sla:
            sla.refresh(self.session, ids)

    def record(self) -> UndoRecord:
        def joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
            return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

        return UndoRecord(self.change, joined(self.ids, np.int64),
                          joined(self.versions, np.int64),
                          {k: np.concatenate(v) for k, v in self.before.items()},
                          self.texts, self.ref)


def _times(values: list[int | None]) -> np.ndarray:
    return np.asarray([NULL_TIME if v is None else v for v in values], dtype=np.int64)
