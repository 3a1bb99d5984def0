"""The customer conversation: replies and customer messages, first response time, a customer's
message reopening a ticket, files sent with a message, and bad input refused with nothing
written."""

from __future__ import annotations

import hashlib
from functools import partial

import pytest

from tests.conftest import T0, FakeClock
from tests.helpers import new_ticket
from tests.unit.support import Row, activity, assert_refused, version_and_updated
from ticketdesk.db.store import Store
from ticketdesk.domain.attachments import MAX_BYTES
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.status import Status
from ticketdesk.services import messages, tickets
from ticketdesk.services.attachments import NewFile, attachment_data
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import SYSTEM
from ticketdesk.services.session import Session


def test_a_reply_is_recorded_touches_the_ticket_and_keeps_its_version(
        alice: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(120)
    changes = messages.add_message(alice, tid, "  We are on it.\n")
    assert changes == Changes(tickets=frozenset({tid}), conversation=True)
    [msg] = messages.messages_for(tid)
    assert (msg.incoming, msg.agent, msg.agent_id, msg.body, msg.created_at, msg.attachments) == (
        False, "Alice Agent", alice.agent_id, "We are on it.", now, ())
    assert activity(tid)[1:] == [
        Row("message_out", None, "We are on it.", alice.agent_id, 1, msg.id)]
    assert version_and_updated(tid) == (1, now)


def test_the_first_reply_by_an_agent_sets_the_first_response_time_once(
        alice: Session, bob: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    first = clock.advance(600)
    messages.add_message(bob, tid, "Hello")
    clock.advance(600)
    messages.add_message(alice, tid, "Hello again")
    assert tickets.get_ticket(tid).first_response_at == first


def test_a_customer_message_is_not_a_response(alice: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    clock.advance(60)
    changes = messages.add_message(alice, tid, "Any news?", incoming=True)
    assert changes == Changes(tickets=frozenset({tid}), conversation=True)
    [msg] = messages.messages_for(tid)
    assert msg.incoming
    assert tickets.get_ticket(tid).first_response_at is None
    assert activity(tid)[1:] == [Row("message_in", None, "Any news?", alice.agent_id, 1, msg.id)]


def test_a_message_sent_by_the_system_is_not_a_first_response(alice: Session,
                                                              system: Session) -> None:
    """ticketdesk/ARCHITECTURE.md ("Data"): first response = first outgoing message *by an agent*;
    an automatic acknowledgement must not make the desk look faster than it is."""
    tid = new_ticket(alice)
    messages.add_message(system, tid, "We received your request.")
    assert tickets.get_ticket(tid).first_response_at is None
    assert messages.messages_for(tid)[0].agent == SYSTEM


@pytest.mark.parametrize(("status", "kind"), [(Status.WAITING, "status"),
                                              (Status.RESOLVED, "reopened")])
def test_a_customer_message_puts_a_waiting_or_resolved_ticket_back_to_open(
        alice: Session, bob: Session, clock: FakeClock, status: Status, kind: str) -> None:
    tid = new_ticket(alice)
    tickets.set_status(alice, tid, 1, status)
    now = clock.advance(60)
    changes = messages.add_message(bob, tid, "It broke again", incoming=True)
    assert changes == Changes(tickets=frozenset({tid}), conversation=True)
    t = tickets.get_ticket(tid)
    assert (t.status, t.version, t.resolved_at, t.updated_at) == (Status.OPEN, 3, None, now)
    [msg] = messages.messages_for(tid)
    assert activity(tid)[2:] == [
        Row(kind, status.label, "Open", bob.agent_id, 3),
        Row("message_in", None, "It broke again", bob.agent_id, 3, msg.id),
    ]


def test_a_customer_message_leaves_a_closed_ticket_closed(alice: Session) -> None:
    tid = new_ticket(alice)
    tickets.set_status(alice, tid, 1, Status.CLOSED)
    messages.add_message(alice, tid, "Thanks!", incoming=True)
    t = tickets.get_ticket(tid)
    assert (t.status, t.version) == (Status.CLOSED, 2)


@pytest.mark.parametrize("status", [Status.OPEN, Status.IN_PROGRESS])
def test_a_customer_message_leaves_active_work_as_it_is(alice: Session, status: Status) -> None:
    tid = new_ticket(alice)
    if status != Status.OPEN:
        tickets.set_status(alice, tid, 1, status)
    version = tickets.get_ticket(tid).version
    messages.add_message(alice, tid, "More details", incoming=True)
    t = tickets.get_ticket(tid)
    assert (t.status, t.version) == (status, version)


def test_a_reply_on_a_waiting_ticket_keeps_it_waiting(alice: Session) -> None:
    tid = new_ticket(alice)
    tickets.set_status(alice, tid, 1, Status.WAITING)
    messages.add_message(alice, tid, "Did that help?")
    assert tickets.get_ticket(tid).status == Status.WAITING


def test_the_activity_keeps_a_one_line_excerpt_and_the_message_keeps_everything(
        alice: Session) -> None:
    tid = new_ticket(alice)
    body = "Line one\n\n" + "word " * 100
    messages.add_message(alice, tid, body)
    excerpt = activity(tid)[-1].new
    assert excerpt is not None
    assert len(excerpt) == messages.EXCERPT
    assert excerpt.startswith("Line one word word")
    assert excerpt.endswith("…")
    assert "\n" not in excerpt
    assert messages.messages_for(tid)[0].body == body.strip()


def test_files_sent_with_a_message_belong_to_it(alice: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(5)
    changes = messages.add_message(alice, tid, "Here is the log", files=[
        NewFile("log.txt", b"line\n"), NewFile("shot.png", b"\x89PNG", mime="image/x-custom")])
    assert changes == Changes(tickets=frozenset({tid}), conversation=True, attachments=True)
    [msg] = messages.messages_for(tid)
    log, shot = msg.attachments
    assert (log.name, log.mime, log.size, log.sha256, log.message_id, log.agent,
            log.created_at) == ("log.txt", "text/plain", 5,
                                hashlib.sha256(b"line\n").hexdigest(), msg.id, "Alice Agent", now)
    assert (shot.name, shot.mime) == ("shot.png", "image/x-custom")
    assert attachment_data(shot.id) == b"\x89PNG"
    assert activity(tid)[1:] == [
        Row("message_out", None, "Here is the log", alice.agent_id, 1, msg.id),
        Row("attached", None, "log.txt", alice.agent_id, 1, log.id),
        Row("attached", None, "shot.png", alice.agent_id, 1, shot.id),
    ]


def test_a_message_may_be_only_files(alice: Session) -> None:
    tid = new_ticket(alice)
    messages.add_message(alice, tid, "  ", files=[NewFile("a.txt", b"a")])
    [msg] = messages.messages_for(tid)
    assert (msg.body, len(msg.attachments)) == ("", 1)


def test_the_conversation_reads_oldest_first_with_who_said_what(
        alice: Session, bob: Session, system: Session) -> None:
    tid = new_ticket(alice)
    messages.add_message(alice, tid, "one", incoming=True)
    messages.add_message(bob, tid, "two")
    messages.add_message(system, tid, "three")
    assert [(m.body, m.agent, m.incoming) for m in messages.messages_for(tid)] == [
        ("one", "Alice Agent", True), ("two", "Bob Builder", False), ("three", SYSTEM, False)]


def test_bad_messages_are_refused_and_write_nothing(store: Store, alice: Session) -> None:
    tid = new_ticket(alice)
    tickets.set_status(alice, tid, 1, Status.WAITING)  # a customer message would reopen it

    def send(body: str, *files: NewFile, ticket: int = tid) -> object:
        return messages.add_message(alice, ticket, body, incoming=True, files=files)

    v = ValidationError
    assert_refused(store, {
        "empty": (partial(send, ""), v, "The message cannot be empty."),
        "blank": (partial(send, " \n\t "), v, "The message cannot be empty."),
        "NUL": (partial(send, "a\x00b"), v, "The message contains a NUL character"),
        "too long": (partial(send, "x" * 1_000_001), v,
                     "The message is 1,000,001 characters long"),
        "oversize file": (partial(send, "see file", NewFile("big.iso", b"\0" * (MAX_BYTES + 1))),
                          v, "big.iso is 25.0 MB; attachments can be at most 25.0 MB."),
        "a file without a name": (partial(send, "see file", NewFile("ok.txt", b"ok"),
                                          NewFile("  ", b"x")),
                                  v, "An attachment needs a file name."),
        "missing ticket": (partial(send, "Hello?", ticket=9), NotFoundError,
                           "Ticket TKT-000009 does not exist."),
    })


def test_first_response_time_is_measured_from_the_fixed_clock(alice: Session,
                                                               clock: FakeClock) -> None:
    tid = new_ticket(alice)
    clock.advance(3600)
    messages.add_message(alice, tid, "On it")
    t = tickets.get_ticket(tid)
    assert t.first_response_at is not None
    assert t.first_response_at - t.created_at == 3600
    assert t.created_at == T0
