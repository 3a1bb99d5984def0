"""Several desktops on one team desk: each works as its own agent and every activity row names
who did it; two desktops editing one ticket, the second save is refused with who changed what
(also when both saves are in flight at once); a desktop never hangs behind another's long write."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.unit.support import snapshot
from ticketdesk.db.models import Activity
from ticketdesk.db.store import open_database
from ticketdesk.domain.errors import ConflictError, StorageError
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, assignees, audit, messages, notes, tickets
from ticketdesk.services.session import Session

ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


@pytest.fixture
def desktops(db_url: str) -> Iterator[tuple[Session, Session]]:
    """Alice's desktop and Bob's: two stores, two sets of connections, one desk."""
    first, second = open_database(db_url), open_database(db_url)
    try:
        alice, _ = agents.create_agent(Session(first, None), "Alice Agent")
        bob, _ = agents.create_agent(Session(second, None), "Bob Builder")
        yield Session(first, alice), Session(second, bob)
    finally:
        second.close()
        first.close()


@ON_POSTGRES
def test_every_activity_row_names_the_agent_of_the_desktop_that_did_it(
        desktops: tuple[Session, Session]) -> None:
    alice, bob = desktops
    ticket = tickets.create_ticket(alice, subject="Printer on fire").new_id
    assignees.assign(bob, ticket, 1, bob.agent_id)  # type: ignore[arg-type]
    notes.add_note(alice, ticket, "Toner checked")
    messages.add_message(bob, ticket, "We are on it")
    tickets.set_status(alice, ticket, tickets.get_ticket(ticket).version, Status.RESOLVED)
    with bob.store.read():
        trail = [(a.kind, a.agent) for a in audit.activity_for(ticket, newest_first=False)]
    assert trail == [("created", "Alice Agent"), ("assigned", "Bob Builder"),
                     ("note_added", "Alice Agent"), ("message_out", "Bob Builder"),
                     ("status", "Alice Agent")]


@ON_POSTGRES
def test_the_second_save_of_one_ticket_is_refused_with_who_changed_what(
        desktops: tuple[Session, Session]) -> None:
    alice, bob = desktops
    ticket = tickets.create_ticket(alice, subject="Printer on fire").new_id
    read_by_bob = tickets.get_ticket(ticket).version  # both desktops show version 1
    tickets.set_priority(alice, ticket, 1, Priority.URGENT)
    before = snapshot(bob.store)
    with pytest.raises(ConflictError) as refused:
        tickets.edit_ticket(bob, ticket, read_by_bob, subject="Printer smoking")
    assert "Alice Agent" in str(refused.value)
    assert "Priority changed: Medium → Urgent" in str(refused.value)
    assert refused.value.current_version == 2
    assert snapshot(bob.store) == before  # nothing of Bob's save was written
    tickets.edit_ticket(bob, ticket, refused.value.current_version, subject="Printer smoking")
    saved = tickets.get_ticket(ticket)
    assert (saved.subject, saved.priority, saved.version) == (
        "Printer smoking", Priority.URGENT, 3)


@ON_POSTGRES
def test_two_saves_in_flight_at_once_one_wins_the_other_is_refused(
        desktops: tuple[Session, Session], monkeypatch: pytest.MonkeyPatch) -> None:
    alice, bob = desktops
    ticket = tickets.create_ticket(alice, subject="Printer on fire").new_id
    checked, release = threading.Event(), threading.Event()
    real_check = audit.check_version

    def check_then_linger(row: Any, expected: int) -> None:
        real_check(row, expected)
        if threading.current_thread().name == "alice-save":
            checked.set()
            assert release.wait(10)

    monkeypatch.setattr(audit, "check_version", check_then_linger)
    outcome: dict[str, object] = {}

    def save(name: str, session: Session, priority: Priority) -> None:
        try:
            outcome[name] = tickets.set_priority(session, ticket, 1, priority)
        except Exception as exc:
            outcome[name] = exc
        finally:
            session.store.close_thread()

    alice_save = threading.Thread(target=save, args=("alice", alice, Priority.HIGH),
                                  name="alice-save")
    bob_save = threading.Thread(target=save, args=("bob", bob, Priority.LOW), name="bob-save")
    alice_save.start()
    assert checked.wait(10)  # Alice's save has read version 1 and holds the desk's write turn
    bob_save.start()
    time.sleep(0.3)
    assert bob_save.is_alive()  # Bob's save waits for its turn instead of interleaving
    release.set()
    alice_save.join(10)
    bob_save.join(10)
    assert not isinstance(outcome["alice"], Exception)
    assert isinstance(outcome["bob"], ConflictError)
    saved = tickets.get_ticket(ticket)
    assert (saved.priority, saved.version) == (Priority.HIGH, 2)
    assert Activity.select().where(Activity.kind == "priority").count() == 1


@ON_POSTGRES
def test_a_desktop_waits_for_another_desktops_long_write_a_limited_time(
        desktops: tuple[Session, Session]) -> None:
    alice, bob = desktops
    ticket = tickets.create_ticket(alice, subject="Printer on fire").new_id
    bob.store.backend.write_wait_seconds = 0.5  # type: ignore[union-attr]
    holding, done = threading.Event(), threading.Event()

    def long_import() -> None:
        with alice.store.write():
            holding.set()
            done.wait(10)
        alice.store.close_thread()

    importer = threading.Thread(target=long_import)
    importer.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with pytest.raises(StorageError, match="busy for too long"):
            tickets.set_priority(bob, ticket, 1, Priority.HIGH)
        assert time.monotonic() - started < 3
    finally:
        done.set()
        importer.join(10)
    tickets.set_priority(bob, ticket, 1, Priority.HIGH)  # its turn came
    assert tickets.get_ticket(ticket).priority == Priority.HIGH


@ON_POSTGRES
def test_a_change_another_desktop_committed_is_seen_at_once(
        desktops: tuple[Session, Session]) -> None:
    alice, bob = desktops
    ticket = tickets.create_ticket(alice, subject="Printer on fire").new_id
    tickets.set_status(bob, ticket, 1, Status.WAITING)
    with alice.store.read():
        assert tickets.get_ticket(ticket).status == Status.WAITING
