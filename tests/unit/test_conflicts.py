"""Optimistic versions: every ticket update states the version it read; a stale one is refused
with a ConflictError saying who changed what since, and nothing at all is written. Notes and
customers carry versions of their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import T0, FakeClock
from tests.unit.support import snapshot
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import ChangeSeen, ConflictError
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import assignees, audit, customers, messages, notes, tickets
from ticketdesk.services.attachments import NewFile, attach
from ticketdesk.services.session import Session

Update = Callable[[Session, int, int], Any]

# Every service that updates a ticket's fields, tags or assignees, called with a given version.
UPDATES: dict[str, Update] = {
    "edit subject": lambda s, t, v: tickets.edit_ticket(s, t, v, subject="Mine"),
    "edit description": lambda s, t, v: tickets.edit_ticket(s, t, v, description="Mine"),
    "edit category": lambda s, t, v: tickets.edit_ticket(s, t, v, category="Mine"),
    "set status": lambda s, t, v: tickets.set_status(s, t, v, Status.WAITING),
    "set status with note": lambda s, t, v: tickets.set_status(s, t, v, Status.OPEN,
                                                               note="mine"),
    "set priority": lambda s, t, v: tickets.set_priority(s, t, v, Priority.LOW),
    "escalate": tickets.escalate,
    "set customer": lambda s, t, v: tickets.set_customer(s, t, v, None),
    "assign": lambda s, t, v: assignees.assign(s, t, v, s.agent_id),  # type: ignore[arg-type]
    "unassign": lambda s, t, v: assignees.unassign(
        s, t, v, tickets.get_ticket(t).assignees[0].id),
    "add tag": lambda s, t, v: assignees.add_tag(s, t, v, "mine"),
    "remove tag": lambda s, t, v: assignees.remove_tag(s, t, v, "billing"),
}


@pytest.fixture
def ticket(alice: Session, bob: Session, system: Session) -> int:
    """A ticket with something to change for every update above (version 1): a customer, a
    tag, and Bob assigned (but not Alice)."""
    cust, _ = customers.create_customer(system, "Ann")
    return tickets.create_ticket(alice, subject="Printer", customer_id=cust, tags=["billing"],
                                 assignee_ids=[bob.agent_id]).new_id  # type: ignore[list-item]


@pytest.mark.parametrize("update", sorted(UPDATES))
def test_a_stale_update_is_refused_naming_who_changed_what_and_writes_nothing(
        update: str, store: Store, alice: Session, bob: Session, clock: FakeClock,
        ticket: int) -> None:
    changed_at = clock.advance(60)
    tickets.set_priority(bob, ticket, 1, Priority.HIGH)
    clock.advance(60)
    before = snapshot(store)
    with pytest.raises(ConflictError) as info:
        UPDATES[update](alice, ticket, 1)
    error = info.value
    number = f"TKT-{ticket:06d}"
    assert (error.number, error.read_version, error.current_version) == (number, 1, 2)
    assert error.changes == (ChangeSeen("Bob Builder", changed_at,
                                        "Priority changed: Medium → High"),)
    assert str(error) == (f"{number} was changed by someone else since you opened it; your "
                          "change was not saved.\n  • Bob Builder: Priority changed: Medium → High")
    assert snapshot(store) == before
    # The refusal is about the version, not the update: with the current one it goes through.
    assert not UPDATES[update](alice, ticket, 2).nothing


def test_a_conflict_lists_every_change_since_the_version_read_in_order(
        alice: Session, bob: Session, system: Session, clock: FakeClock, ticket: int) -> None:
    tickets.set_status(bob, ticket, 1, Status.IN_PROGRESS)
    clock.advance(5)
    tickets.edit_ticket(system, ticket, 2, subject="Printer jammed", category="Hardware")
    with pytest.raises(ConflictError) as info:
        tickets.set_priority(alice, ticket, 2, Priority.LOW)
    assert info.value.changes == (
        ChangeSeen("System", T0 + 5, "Subject changed: Printer → Printer jammed"),
        ChangeSeen("System", T0 + 5, "Category changed: Hardware"),
    )
    with pytest.raises(ConflictError) as info:
        tickets.set_priority(alice, ticket, 1, Priority.LOW)
    assert [c.agent for c in info.value.changes] == ["Bob Builder", "System", "System"]
    assert info.value.current_version == 3


def test_a_customer_message_that_reopens_the_ticket_makes_older_versions_stale(
        alice: Session, bob: Session, ticket: int) -> None:
    tickets.set_status(alice, ticket, 1, Status.WAITING)
    messages.add_message(bob, ticket, "Still broken", incoming=True)
    with pytest.raises(ConflictError) as info:
        tickets.set_status(alice, ticket, 2, Status.RESOLVED)
    assert [c.what for c in info.value.changes] == [
        "Status changed: Waiting → Open", "Customer message: Still broken"]


def test_notes_messages_and_files_never_make_a_version_stale(
        alice: Session, bob: Session, ticket: int) -> None:
    notes.add_note(bob, ticket, "a note")
    messages.add_message(bob, ticket, "a reply")
    messages.add_message(bob, ticket, "a question", incoming=True)
    attach(bob, ticket, NewFile("log.txt", b"log"))
    tickets.set_priority(alice, ticket, 1, Priority.URGENT)
    assert tickets.get_ticket(ticket).version == 2


def test_a_version_raced_between_check_and_write_is_still_refused(
        store: Store, alice: Session, bob: Session, ticket: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The UPDATE itself is guarded by the version read, so a change committed between the check
    and the write (possible on PostgreSQL) cannot slip through."""
    tickets.set_priority(bob, ticket, 1, Priority.HIGH)
    stale = tickets.get_ticket(ticket)
    real_fetch = audit.fetch_ticket

    def fetch_as_read_before(ticket_id: int) -> Any:
        row = real_fetch(ticket_id)
        row.version = 1  # what this session read before bob's change committed
        row.priority = int(Priority.MEDIUM)
        return row

    monkeypatch.setattr(audit, "fetch_ticket", fetch_as_read_before)
    before = snapshot(store)
    with pytest.raises(ConflictError) as info:
        tickets.set_priority(alice, ticket, 1, Priority.LOW)
    assert info.value.changes[0].agent == "Bob Builder"
    assert snapshot(store) == before
    assert stale.priority == Priority.HIGH


def test_a_stale_note_edit_is_refused_naming_who_edited_it_and_writes_nothing(
        store: Store, alice: Session, bob: Session, clock: FakeClock, ticket: int) -> None:
    note_id, _ = notes.add_note(alice, ticket, "draft")
    edited_at = clock.advance(30)
    notes.edit_note(bob, note_id, 1, "bob's version")
    before = snapshot(store)
    with pytest.raises(ConflictError) as info:
        notes.edit_note(alice, note_id, 1, "alice's version")
    error = info.value
    assert (error.read_version, error.current_version) == (1, 2)
    assert error.changes == (ChangeSeen("Bob Builder", edited_at, "Note edited"),)
    assert str(error).startswith(f"A note on TKT-{ticket:06d} was changed by someone else")
    assert "Bob Builder: Note edited" in str(error)
    with pytest.raises(ConflictError):
        notes.delete_note(alice, note_id, 1)
    assert snapshot(store) == before
    assert notes.notes_for(ticket)[0].body == "bob's version"


def test_a_note_edit_with_the_current_version_goes_through(alice: Session, bob: Session,
                                                           ticket: int) -> None:
    note_id, _ = notes.add_note(alice, ticket, "draft")
    notes.edit_note(bob, note_id, 1, "second")
    notes.edit_note(alice, note_id, 2, "third")
    notes.delete_note(bob, note_id, 3)
    assert notes.notes_for(ticket) == []


def test_a_stale_customer_update_is_refused_and_writes_nothing(store: Store,
                                                               system: Session) -> None:
    cid, _ = customers.create_customer(system, "Ann")
    customers.update_customer(system, cid, 1, name="Ann Lee")
    before = snapshot(store)
    with pytest.raises(ConflictError) as info:
        customers.update_customer(system, cid, 1, name="Ann Smith")
    assert (info.value.read_version, info.value.current_version) == (1, 2)
    assert str(info.value).startswith("Customer Ann Lee was changed by someone else")
    assert snapshot(store) == before
