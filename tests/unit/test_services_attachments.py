"""Files attached to a ticket: stored bytes and their record, activity rows, the size limit,
hostile names kept as visible labels, and removal."""

from __future__ import annotations

import hashlib
from functools import partial

import pytest

from tests.conftest import FakeClock
from tests.helpers import new_ticket
from tests.unit.support import Row, activity, assert_refused, snapshot, version_and_updated
from ticketdesk.db.store import Store
from ticketdesk.domain.attachments import MAX_BYTES
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.services import attachments
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import SYSTEM
from ticketdesk.services.session import Session


def test_attaching_stores_the_bytes_and_records_the_file(alice: Session,
                                                         clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(30)
    data = bytes(range(256)) * 4
    changes = attachments.attach(alice, tid, NewFile("dump.bin", data))
    assert changes == Changes(tickets=frozenset({tid}), attachments=True)
    [rec] = attachments.attachments_for(tid)
    assert (rec.ticket_id, rec.message_id, rec.name, rec.mime, rec.size, rec.sha256,
            rec.created_at, rec.agent) == (
        tid, None, "dump.bin", "application/octet-stream", 1024,
        hashlib.sha256(data).hexdigest(), now, "Alice Agent")
    assert attachments.attachment_data(rec.id) == data
    assert activity(tid)[1:] == [Row("attached", None, "dump.bin", alice.agent_id, 1, rec.id)]
    assert version_and_updated(tid) == (1, now)


def test_an_empty_file_is_a_valid_attachment(alice: Session) -> None:
    tid = new_ticket(alice)
    attachments.attach(alice, tid, NewFile("empty.txt", b""))
    [rec] = attachments.attachments_for(tid)
    assert (rec.size, rec.mime) == (0, "text/plain")
    assert attachments.attachment_data(rec.id) == b""


def test_a_file_of_exactly_the_size_limit_is_accepted(alice: Session) -> None:
    tid = new_ticket(alice)
    data = b"\xab" * MAX_BYTES
    attachments.attach(alice, tid, NewFile("limit.bin", data))
    [rec] = attachments.attachments_for(tid)
    assert rec.size == MAX_BYTES
    assert attachments.attachment_data(rec.id) == data


def test_bad_files_are_refused_and_nothing_is_written(store: Store, alice: Session) -> None:
    tid = new_ticket(alice)
    assert_refused(store, {
        "over the limit": (partial(attachments.attach, alice, tid,
                                   NewFile("huge.iso", b"\0" * (MAX_BYTES + 1))),
                           ValidationError,
                           "huge.iso is 25.0 MB; attachments can be at most 25.0 MB."),
        "no name": (partial(attachments.attach, alice, tid, NewFile(" \t ", b"data")),
                    ValidationError, "An attachment needs a file name."),
        "missing ticket": (partial(attachments.attach, alice, 12, NewFile("a.txt", b"a")),
                           NotFoundError, "Ticket TKT-000012 does not exist."),
    })


def test_a_disguised_name_is_stored_with_its_trick_made_visible(alice: Session) -> None:
    tid = new_ticket(alice)
    attachments.attach(alice, tid, NewFile("../../invoice\u202egnp.exe", b"MZ"))
    [rec] = attachments.attachments_for(tid)
    assert rec.name == "../../invoice\ufffdgnp.exe"
    assert activity(tid)[-1].new == "../../invoice\ufffdgnp.exe"


def test_an_explicit_mime_type_is_kept(alice: Session) -> None:
    tid = new_ticket(alice)
    attachments.attach(alice, tid, NewFile("x.dat", b"{}", mime="application/json"))
    assert attachments.attachments_for(tid)[0].mime == "application/json"


def test_removing_an_attachment_deletes_its_bytes_and_records_the_name(
        alice: Session, bob: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    attachments.attach(alice, tid, NewFile("keep.txt", b"k"))
    attachments.attach(alice, tid, NewFile("drop.txt", b"d"))
    keep, drop = attachments.attachments_for(tid)
    now = clock.advance(10)
    changes = attachments.remove_attachment(bob, drop.id)
    assert changes == Changes(tickets=frozenset({tid}), attachments=True)
    assert attachments.attachments_for(tid) == [keep]
    with pytest.raises(NotFoundError, match=r"^That attachment was removed\.$"):
        attachments.attachment_data(drop.id)
    assert activity(tid)[-1] == Row("detached", "drop.txt", None, bob.agent_id, 1, drop.id)
    assert version_and_updated(tid) == (1, now)


def test_removing_an_attachment_twice_says_so_and_writes_nothing(store: Store,
                                                                 alice: Session) -> None:
    tid = new_ticket(alice)
    attachments.attach(alice, tid, NewFile("a.txt", b"a"))
    [rec] = attachments.attachments_for(tid)
    attachments.remove_attachment(alice, rec.id)
    before = snapshot(store)
    with pytest.raises(NotFoundError, match=r"^That attachment was already removed\.$"):
        attachments.remove_attachment(alice, rec.id)
    assert snapshot(store) == before


def test_attachments_list_in_order_with_who_attached_them(alice: Session, system: Session) -> None:
    tid = new_ticket(alice)
    attachments.attach(system, tid, NewFile("one.txt", b"1"))
    attachments.attach(alice, tid, NewFile("two.txt", b"2"))
    assert [(a.name, a.agent) for a in attachments.attachments_for(tid)] == [
        ("one.txt", SYSTEM), ("two.txt", "Alice Agent")]
