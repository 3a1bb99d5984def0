"""Bulk actions (services/bulk.py, services/bulk_undo.py) on SQLite and PostgreSQL: one
activity row per changed ticket, collisions reported and left alone, undo that restores and
refuses after a newer change, Cancel that leaves nothing half done."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import FakeClock
from tests.helpers import new_ticket
from tests.unit.support import activity, snapshot
from ticketdesk.db.models import Activity, Ticket
from ticketdesk.domain.progress import Cancelled
from ticketdesk.domain.sla import Targets
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import assignees, bulk, bulk_undo, sla, tickets
from ticketdesk.services.bulk import Action, BulkChange, Selection
from ticketdesk.services.session import Session


def _select(session: Session, ids: list[int]) -> Selection:
    return Selection(np.asarray(ids, dtype=np.int64), bulk.selection_mark(session.store))


def _status(tid: int) -> Status:
    return Status(Ticket.get_by_id(tid).status)


def test_a_bulk_status_change_writes_one_activity_row_per_ticket(alice: Session) -> None:
    ids = [new_ticket(alice, f"T{i}") for i in range(7)]
    before = Activity.select().count()
    result = bulk.apply(alice, _select(alice, ids), BulkChange(Action.STATUS, Status.WAITING))
    assert (result.changed, result.collisions, result.skipped) == (7, (), 0)
    assert Activity.select().count() == before + 7
    for tid in ids:
        assert _status(tid) == Status.WAITING
        last = activity(tid)[-1]
        assert (last.kind, last.old, last.new, last.agent_id, last.ticket_version) == (
            "status", "Open", "Waiting", alice.agent_id, 2)
    assert result.changes.tickets == frozenset(ids)


def test_close_and_undo_restore_the_status_and_times(alice: Session) -> None:
    ids = [new_ticket(alice, f"T{i}") for i in range(3)]
    tickets.set_status(alice, ids[0], 1, Status.RESOLVED, note="fixed")
    result = bulk.apply(alice, _select(alice, ids), BulkChange(Action.CLOSE))
    assert result.changed == 3
    assert all(_status(t) == Status.CLOSED for t in ids)
    resolved_before = Ticket.get_by_id(ids[0]).resolved_at
    assert result.undo is not None
    bulk_undo.undo(alice, result.undo)
    assert [_status(t) for t in ids] == [Status.RESOLVED, Status.OPEN, Status.OPEN]
    first = Ticket.get_by_id(ids[0])
    assert first.closed_at is None
    assert first.resolved_at == resolved_before
    assert first.resolution == "fixed"
    assert Ticket.get_by_id(ids[1]).resolved_at is None
    assert activity(ids[1])[-1].kind == "reopened"  # undo writes its own rows


def test_undo_puts_back_each_tickets_own_times_with_one_update_a_chunk(
        alice: Session, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ticket resolved at its own moment: undoing a close writes each one's status and
    times back, in one UPDATE of the tickets a chunk (a statement a ticket was minutes of
    round trips on a team desk)."""
    from peewee import Database

    monkeypatch.setattr(bulk_undo, "CHUNK", 5)
    ids = [new_ticket(alice, f"T{i}") for i in range(12)]
    for n, tid in enumerate(ids):
        clock.advance(60)
        if n % 3:
            tickets.set_status(alice, tid, 1, Status.RESOLVED if n % 3 == 1 else Status.WAITING)
    before = {t: (Ticket.get_by_id(t).status, Ticket.get_by_id(t).resolved_at,
                  Ticket.get_by_id(t).closed_at) for t in ids}
    assert len({b[1] for b in before.values()}) == 5  # four resolved at their own moments
    result = bulk.apply(alice, _select(alice, ids), BulkChange(Action.CLOSE))
    assert result.undo is not None
    updates: list[str] = []
    real = Database.execute_sql

    def counting(db, sql, *args, **kwargs):  # type: ignore[no-untyped-def]
        if sql.lstrip().upper().startswith('UPDATE "TICKET"'):
            updates.append(sql)
        return real(db, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute_sql", counting)
    bulk_undo.undo(alice, result.undo)
    monkeypatch.undo()
    assert {t: (Ticket.get_by_id(t).status, Ticket.get_by_id(t).resolved_at,
                Ticket.get_by_id(t).closed_at) for t in ids} == before
    assert len(updates) == 3  # 12 tickets in chunks of 5


def test_a_collision_is_reported_and_not_overwritten(alice: Session, bob: Session) -> None:
    ids = [new_ticket(alice, f"T{i}") for i in range(4)]
    selection = _select(alice, ids)
    tickets.set_priority(bob, ids[2], 1, Priority.LOW)  # after the selection was read
    result = bulk.apply(alice, selection, BulkChange(Action.PRIORITY, Priority.URGENT))
    assert result.collisions == (ids[2],)
    assert result.changed == 3
    assert Priority(Ticket.get_by_id(ids[2]).priority) == Priority.LOW
    assert all(Priority(Ticket.get_by_id(t).priority) == Priority.URGENT
               for t in ids if t != ids[2])


def test_undo_refuses_after_a_newer_change_and_changes_nothing(
        alice: Session, bob: Session) -> None:
    ids = [new_ticket(alice, f"T{i}") for i in range(3)]
    result = bulk.apply(alice, _select(alice, ids), BulkChange(Action.TAG, "billing"))
    assert result.undo is not None
    assignees.remove_tag(bob, ids[1], 2, "billing")
    before = snapshot(alice.store)
    with pytest.raises(bulk_undo.UndoRefused, match="1 of the tickets changed since"):
        bulk_undo.undo(alice, result.undo)
    assert snapshot(alice.store) == before


@pytest.mark.parametrize(("action", "value"), [
    (Action.TAG, "vip"), (Action.CATEGORY, "Hardware"), (Action.PRIORITY, Priority.HIGH),
    (Action.STATUS, Status.IN_PROGRESS)])
def test_undo_puts_every_ticket_back(alice: Session, action: Action, value: object) -> None:
    ids = [new_ticket(alice, f"T{i}", category="Mail" if i % 2 else "") for i in range(5)]
    tables = ("ticket_tag", "tag")
    before = {t: (Ticket.get_by_id(t).status, Ticket.get_by_id(t).priority,
                  Ticket.get_by_id(t).category) for t in ids}
    tags_before = {k: v for k, v in snapshot(alice.store).items() if k in tables}
    result = bulk.apply(alice, _select(alice, ids), BulkChange(action, value))
    assert result.undo is not None
    assert result.changed == 5
    bulk_undo.undo(alice, result.undo)
    after = {t: (Ticket.get_by_id(t).status, Ticket.get_by_id(t).priority,
                 Ticket.get_by_id(t).category) for t in ids}
    assert after == before
    if action == Action.TAG:
        now = {k: v for k, v in snapshot(alice.store).items() if k == "ticket_tag"}
        assert now["ticket_tag"] == tags_before["ticket_tag"]


def test_assign_and_unassign_skip_tickets_that_already_are(alice: Session, bob: Session) -> None:
    ids = [new_ticket(alice, f"T{i}") for i in range(3)]
    assert bob.agent_id is not None
    assignees.assign(alice, ids[0], 1, bob.agent_id)
    result = bulk.apply(alice, _select(alice, ids), BulkChange(Action.ASSIGN, bob.agent_id))
    assert (result.changed, result.skipped) == (2, 1)
    result = bulk.apply(alice, _select(alice, ids), BulkChange(Action.UNASSIGN, bob.agent_id))
    assert result.changed == 3
    assert activity(ids[1])[-1].kind == "unassigned"


def test_cancel_rolls_everything_back(alice: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 2)
    ids = [new_ticket(alice, f"T{i}") for i in range(7)]
    before = snapshot(alice.store)
    calls: list[int] = []

    def progress(done: int, total: int, phase: str) -> bool:
        calls.append(done)
        return done < 4  # cancel after two chunks were written

    with pytest.raises(Cancelled):
        bulk.apply(alice, _select(alice, ids), BulkChange(Action.CLOSE), progress)
    assert calls[-1] == 4
    assert snapshot(alice.store) == before


def test_a_closed_ticket_is_not_moved_to_waiting(alice: Session) -> None:
    ids = [new_ticket(alice, f"T{i}") for i in range(2)]
    tickets.set_status(alice, ids[0], 1, Status.CLOSED)
    result = bulk.apply(alice, _select(alice, ids), BulkChange(Action.STATUS, Status.WAITING))
    assert (result.changed, result.skipped) == (1, 1)
    assert _status(ids[0]) == Status.CLOSED


def test_bulk_changes_keep_the_stored_sla_as_a_recompute_gives_it(
        alice: Session, clock: FakeClock) -> None:
    hour = 3600
    sla.save_policy(alice, "Standard", priority=Priority.MEDIUM,
                    targets=Targets(first_response=hour, resolution=8 * hour))
    sla.save_policy(alice, "VIP", priority=Priority.HIGH,
                    targets=Targets(first_response=hour // 2), tags=["vip"])
    sla.move_policy(alice, "VIP", 1)
    ids = [new_ticket(alice, f"T{i}") for i in range(6)]
    for change in (BulkChange(Action.TAG, "vip"), BulkChange(Action.PRIORITY, Priority.HIGH),
                   BulkChange(Action.STATUS, Status.WAITING),
                   BulkChange(Action.STATUS, Status.IN_PROGRESS)):
        clock.advance(600)
        bulk.apply(alice, _select(alice, ids[::2] if change.action == Action.TAG else ids),
                   change)

    def stored() -> list[tuple[object, ...]]:
        return list(Ticket.select(Ticket.id, *sla.STORED).order_by(Ticket.id).tuples())

    live = stored()
    assert any(row[1] is not None for row in live)
    with alice.store.write():
        Ticket.update(dict.fromkeys(sla.STORED[:-1]) | {Ticket.sla_state: 0}).execute()
    sla.recompute(alice)
    assert stored() == live
