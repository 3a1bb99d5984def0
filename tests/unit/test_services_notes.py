"""Internal notes: added, edited, deleted, each kept in the activity trail with the old text; the
ticket is touched but its version stays (a note never conflicts with a field edit)."""

from __future__ import annotations

from functools import partial

import pytest

from tests.conftest import T0, FakeClock
from tests.helpers import new_ticket
from tests.unit.support import Attempt, Row, activity, assert_refused, snapshot, version_and_updated
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.services import notes
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import SYSTEM
from ticketdesk.services.session import Session


def test_adding_a_note_records_its_text_and_touches_the_ticket(alice: Session,
                                                               clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(90)
    note_id, changes = notes.add_note(alice, tid, "\n Called the customer. \n\nNo answer.\n")
    assert changes == Changes(tickets=frozenset({tid}), notes=True)
    [note] = notes.notes_for(tid)
    assert note.id == note_id
    assert (note.ticket_id, note.author, note.author_id, note.body, note.created_at,
            note.updated_at, note.version) == (
        tid, "Alice Agent", alice.agent_id, "Called the customer. \n\nNo answer.", now, now, 1)
    assert activity(tid)[1:] == [Row("note_added", None, "Called the customer. \n\nNo answer.",
                                     alice.agent_id, 1, note_id)]
    assert version_and_updated(tid) == (1, now)


def test_a_note_by_the_system_is_signed_system(system: Session) -> None:
    tid = new_ticket(system)
    notes.add_note(system, tid, "Imported")
    assert notes.notes_for(tid)[0].author == SYSTEM


def test_editing_a_note_bumps_the_note_not_the_ticket_and_keeps_the_old_text(
        alice: Session, bob: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    note_id, _ = notes.add_note(alice, tid, "first draft")
    now = clock.advance(60)
    changes = notes.edit_note(bob, note_id, 1, "second draft")
    assert changes == Changes(tickets=frozenset({tid}), notes=True)
    [note] = notes.notes_for(tid)
    assert (note.body, note.version, note.author, note.created_at, note.updated_at) == (
        "second draft", 2, "Alice Agent", T0, now)
    assert activity(tid)[-1] == Row("note_edited", "first draft", "second draft", bob.agent_id,
                                    1, note_id)
    assert version_and_updated(tid) == (1, now)


def test_an_edit_to_the_same_text_writes_nothing(store: Store, alice: Session,
                                                 clock: FakeClock) -> None:
    tid = new_ticket(alice)
    note_id, _ = notes.add_note(alice, tid, "same")
    clock.advance(5)
    before = snapshot(store)
    assert notes.edit_note(alice, note_id, 1, " same \n") == Changes()
    assert snapshot(store) == before


def test_deleting_a_note_keeps_who_and_when_but_not_its_text(alice: Session, bob: Session,
                                                              clock: FakeClock) -> None:
    tid = new_ticket(alice)
    note_id, _ = notes.add_note(alice, tid, "secret plan")
    notes.edit_note(alice, note_id, 1, "secret plan B")
    now = clock.advance(60)
    changes = notes.delete_note(bob, note_id, 2)
    assert changes == Changes(tickets=frozenset({tid}), notes=True)
    assert notes.notes_for(tid) == []
    assert activity(tid)[-3:] == [
        Row("note_added", None, None, alice.agent_id, 1, note_id),
        Row("note_edited", None, None, alice.agent_id, 1, note_id),
        Row("note_deleted", None, None, bob.agent_id, 1, note_id)]
    assert version_and_updated(tid) == (1, now)


def test_notes_list_in_the_order_they_were_written(alice: Session, bob: Session) -> None:
    tid = new_ticket(alice)
    for who, body in ((alice, "one"), (bob, "two"), (alice, "three")):
        notes.add_note(who, tid, body)
    assert [(n.body, n.author) for n in notes.notes_for(tid)] == [
        ("one", "Alice Agent"), ("two", "Bob Builder"), ("three", "Alice Agent")]


def test_a_note_belongs_to_one_ticket(alice: Session) -> None:
    first, second = new_ticket(alice), new_ticket(alice)
    notes.add_note(alice, first, "for the first")
    assert notes.notes_for(second) == []


BAD_NOTES = {
    "empty": ("", "The note cannot be empty."),
    "blank": ("\n \t", "The note cannot be empty."),
    "NUL": ("nul\x00", "The note contains a NUL character, which cannot be stored."),
    "too long": ("n" * 1_000_001, "The note is 1,000,001 characters long; the limit is 1,000,000."),
}


def test_bad_notes_are_refused_on_add_and_edit_and_write_nothing(store: Store,
                                                                 alice: Session) -> None:
    tid = new_ticket(alice)
    note_id, _ = notes.add_note(alice, tid, "kept")
    attempts: dict[str, Attempt] = {}
    for case, (body, message) in BAD_NOTES.items():
        attempts[f"add {case}"] = (partial(notes.add_note, alice, tid, body), ValidationError,
                                   message)
        attempts[f"edit {case}"] = (partial(notes.edit_note, alice, note_id, 1, body),
                                    ValidationError, message)
    attempts["add to a missing ticket"] = (partial(notes.add_note, alice, 31, "hello"),
                                           NotFoundError, "Ticket TKT-000031 does not exist.")
    assert_refused(store, attempts)


def test_editing_or_deleting_a_deleted_note_says_so_and_writes_nothing(
        store: Store, alice: Session, bob: Session) -> None:
    tid = new_ticket(alice)
    note_id, _ = notes.add_note(alice, tid, "soon gone")
    notes.delete_note(bob, note_id, 1)
    before = snapshot(store)
    with pytest.raises(NotFoundError, match=r"^That note was deleted by someone else\.$"):
        notes.edit_note(alice, note_id, 1, "too late")
    with pytest.raises(NotFoundError, match=r"^That note was deleted by someone else\.$"):
        notes.delete_note(alice, note_id, 1)
    assert snapshot(store) == before
