"""Merging and linking tickets (services/merge.py) on SQLite and PostgreSQL: everything moves
to the target in time order, the others become Closed stubs pointing to it, activity on both
sides, undo puts it all back and refuses after a newer change; related links both ways."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock
from tests.helpers import new_ticket
from tests.unit.support import activity, snapshot
from ticketdesk.db.models import Ticket
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import assignees, merge, messages, notes, tickets
from ticketdesk.services.attachments import NewFile, attach, attachments_for
from ticketdesk.services.bulk_undo import UndoRefused
from ticketdesk.services.session import Session


def _story(alice: Session, bob: Session, clock: FakeClock) -> tuple[int, int, int]:
    """Two tickets written to alternately: target and source turns interleave in time."""
    assert bob.agent_id is not None
    target = new_ticket(alice, "Printer jam", tags=["printer"])
    source = new_ticket(alice, "Printer still jammed", tags=["urgent-ish"],
                        assignee_ids=[bob.agent_id])
    other = new_ticket(alice, "Also the printer")
    for n, tid in enumerate((target, source, target, other, source)):
        clock.advance(60)
        messages.add_message(alice, tid, f"turn {n}", incoming=True)
        notes.add_note(alice, tid, f"note {n}")
    clock.advance(60)
    attach(alice, source, NewFile("log.txt", b"paper", "text/plain"))
    return target, source, other


def test_merge_moves_everything_in_time_order_and_leaves_stubs(
        alice: Session, bob: Session, clock: FakeClock) -> None:
    target, source, other = _story(alice, bob, clock)
    merge.merge(alice, target, [source, other])
    with alice.store.read():
        assert [m.body for m in messages.messages_for(target)] == [
            f"turn {n}" for n in range(5)]
        assert [n.body for n in notes.notes_for(target)] == [f"note {n}" for n in range(5)]
        assert [a.name for a in attachments_for(target)] == ["log.txt"]
        assert messages.messages_for(source) == []
        detail = tickets.get_ticket(target)
    assert detail.tags == ("printer", "urgent-ish")
    assert [a.id for a in detail.assignees] == [bob.agent_id]
    for stub in (source, other):
        assert Ticket.get_by_id(stub).status == Status.CLOSED
        assert activity(stub)[-2].kind == "merged_into"
    links = merge.read_links(alice, source)
    assert links.merged_into is not None
    assert links.merged_into.id == target
    assert {t.id for t in merge.read_links(alice, target).merged_from} == {source, other}
    kinds = [r.kind for r in activity(target)]
    assert kinds.count("merged_from") == 2


def test_undo_merge_puts_everything_back(alice: Session, bob: Session, clock: FakeClock) -> None:
    target, source, other = _story(alice, bob, clock)
    tickets.set_status(alice, other, Ticket.get_by_id(other).version, Status.WAITING)
    before = {k: v for k, v in snapshot(alice.store).items()
              if k in ("message", "note", "attachment", "ticket_tag", "ticket_assignee")}
    statuses = {t: Ticket.get_by_id(t).status for t in (target, source, other)}
    _, undo = merge.merge(alice, target, [source, other])
    merge.undo_merge(alice, undo)
    after = {k: v for k, v in snapshot(alice.store).items() if k in before}
    assert after == before
    assert {t: Ticket.get_by_id(t).status for t in (target, source, other)} == statuses
    assert merge.read_links(alice, source).merged_into is None
    assert activity(target)[-1].kind == "unmerged"


def test_undo_merge_refuses_after_a_newer_change(
        alice: Session, bob: Session, clock: FakeClock) -> None:
    target, source, _other = _story(alice, bob, clock)
    _, undo = merge.merge(alice, target, [source])
    tickets.set_priority(bob, target, Ticket.get_by_id(target).version, Priority.HIGH)
    before = snapshot(alice.store)
    with pytest.raises(UndoRefused):
        merge.undo_merge(alice, undo)
    assert snapshot(alice.store) == before


def test_a_stub_cannot_be_merged_again(alice: Session, bob: Session, clock: FakeClock) -> None:
    target, source, other = _story(alice, bob, clock)
    merge.merge(alice, target, [source])
    with pytest.raises(Exception, match="already merged"):
        merge.merge(alice, other, [source])


def test_related_links_show_both_ways_with_activity(alice: Session) -> None:
    a, b = new_ticket(alice, "A"), new_ticket(alice, "B")
    merge.link(alice, a, b)
    assert [t.id for t in merge.read_links(alice, a).related] == [b]
    assert [t.id for t in merge.read_links(alice, b).related] == [a]
    assert activity(a)[-1].kind == activity(b)[-1].kind == "related"
    assert merge.link(alice, b, a).nothing  # linked already
    merge.unlink(alice, b, a)
    assert merge.read_links(alice, a).related == ()
    assert activity(a)[-1].kind == "unrelated"
    assignees.add_tag(alice, a, Ticket.get_by_id(a).version, "x")  # versions still checked
