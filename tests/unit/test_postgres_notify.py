"""Live changes on a team desk: the server's triggers NOTIFY what a committed write changed, and
the listener hears it on a connection of its own, skips its own desk's echo, survives an ended
session, and marks the server down while it cannot get back in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.unit.postgres_team import Collector, end_sessions, lockable_desk
from ticketdesk.db.models import Ticket
from ticketdesk.db.postgres_notify import EVERYTHING, ChangeListener, RemoteChange, parse_payload
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.errors import StorageError
from ticketdesk.services import agents, assignees, customers, messages, notes, tickets
from ticketdesk.services.session import Session

PG_ONLY = [pytest.param("postgres", marks=pytest.mark.postgres)]
ON_POSTGRES = pytest.mark.parametrize("db_url", PG_ONLY, indirect=True)


@pytest.fixture
def writer(db_url: str) -> Iterator[Store]:
    """A second desktop on the same desk: its changes are 'theirs' for `store`'s listener."""
    other = open_database(db_url)
    try:
        yield other
    finally:
        other.close()


@pytest.fixture
def heard(store: Store) -> Iterator[Collector]:
    collector = Collector()
    listener = ChangeListener(store.backend, collector.change, collector.state)  # type: ignore[arg-type]
    listener.start()
    assert listener.wait_listening()
    try:
        yield collector
    finally:
        listener.stop()
        assert not listener.running


@ON_POSTGRES
def test_another_desktops_change_arrives_with_its_tickets_and_kinds(
        store: Store, writer: Store, heard: Collector) -> None:
    them = Session(writer, None)
    agent, _ = agents.create_agent(them, "Ann Other")
    created = tickets.create_ticket(them, subject="Printer on fire", tags=["hardware"]).new_id
    assert heard.wait(lambda: created in heard.merged().created)
    assert {"agents", "tags", "created", "tagged"} <= heard.merged().kinds
    heard.clear()
    notes.add_note(them.as_agent(agent), created, "Checked the toner")
    assert heard.wait(lambda: "note_added" in heard.merged().kinds)
    assert heard.merged().tickets == {created}
    heard.clear()
    messages.add_message(them.as_agent(agent), created, "We are on it")
    assignees.assign(them.as_agent(agent), created, tickets.get_ticket(created).version, agent)
    assert heard.wait(lambda: {"message_out", "assigned"} <= heard.merged().kinds)
    assert not heard.merged().everything


@ON_POSTGRES
def test_own_changes_are_not_echoed_back(store: Store, writer: Store, heard: Collector) -> None:
    mine = tickets.create_ticket(Session(store, None), subject="Mine").new_id
    theirs = tickets.create_ticket(Session(writer, None), subject="Theirs").new_id
    assert heard.wait(lambda: theirs in heard.merged().created)
    assert mine not in heard.merged().created


@ON_POSTGRES
def test_a_rolled_back_write_is_never_announced(store: Store, writer: Store,
                                                heard: Collector) -> None:
    them = Session(writer, None)

    def change_my_mind() -> None:
        with writer.write():
            tickets.create_ticket(them, subject="Never saved")
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        change_my_mind()
    later = tickets.create_ticket(them, subject="Saved").new_id
    assert heard.wait(lambda: later in heard.merged().created)
    assert heard.merged().created == (later,)  # the rolled-back one never came


@ON_POSTGRES
def test_bulk_statements_send_one_reload_not_thousands_of_ids(
        store: Store, writer: Store, heard: Collector) -> None:
    with writer.write():
        Ticket.insert_many([{"subject": f"Bulk {i}", "status": 0, "priority": 1,
                             "created_at": i, "updated_at": i} for i in range(500)]).execute()
    assert heard.wait(lambda: heard.merged().everything)
    assert len(heard.changes) <= 2  # one commit: gathered, never one per row


@ON_POSTGRES
def test_customer_changes_are_flagged_for_the_customer_column(
        store: Store, writer: Store, heard: Collector) -> None:
    them = Session(writer, None)
    customer, _ = customers.create_customer(them, "Jane Doe", tags=["vip"])
    assert heard.wait(lambda: "customers" in heard.merged().kinds)
    heard.clear()
    customers.update_customer(them, customer, 1, name="Jane Roe")
    assert heard.wait(lambda: "customers" in heard.merged().kinds)


def test_payloads_parse_and_extra_keys_are_ignored() -> None:
    assert parse_payload('{"o": "me", "t": [3]}', "me") is None
    assert parse_payload('{"o": "you", "t": [3, 4], "k": ["status"]}', "me") == RemoteChange(
        tickets=frozenset({3, 4}), kinds=frozenset({"status"}))
    assert parse_payload('{"o": "you", "c": [7]}', "me") == RemoteChange(created=(7,))
    assert parse_payload('{"o": "you", "all": true}', "me") == EVERYTHING
    assert parse_payload('{"o": "you", "k": ["everything"]}', "me").everything  # type: ignore[union-attr]
    assert parse_payload('{"o": "you", "t": [5, null], "new": {"x": 1}}', "me") == RemoteChange(
        tickets=frozenset({5}))


MALFORMED = [
    "", "not json", "[1, 2]", "null", '"text"', "42",
    '{"t": ["x"]}', '{"c": 5}', '{"t": "12"}', '{"t": {"1": 2}}',
    '{"t": [1.5]}', '{"t": [true]}', '{"t": [0]}', '{"c": [-3]}', '{"t": [-1, 2]}',
    '{"c": [9223372036854775808]}', '{"t": [1e999]}', '{"t": [NaN]}', '{"t": [Infinity]}',
    '{"t": [' + "9" * 5000 + "]}",
    '{"k": [1]}', '{"k": "status"}', '{"k": [{"a": 2}]}', '{"k": ["' + "x" * 7000 + '"]}',
    '{"k": ["Robert\'); DROP"]}', '{"all": "yes"}', '{"all": 1}',
    "{" + '"t": [1],' * 800 + '"t": "x"}', '{"t": ' + "[" * 3900 + "]" * 3900 + "}",
]


@pytest.mark.parametrize("payload", MALFORMED)
def test_a_malformed_notification_is_ignored_quietly(payload: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG", logger="ticketdesk.db.postgres_notify"):
        assert parse_payload(payload, "me") is None
    assert all(r.levelname == "DEBUG" for r in caplog.records)


@ON_POSTGRES
def test_malformed_notifications_on_the_desks_channel_never_break_the_listener(
        store: Store, writer: Store, heard: Collector, pg_admin: Any) -> None:
    conn = store.backend.connect_raw()  # type: ignore[union-attr]
    try:
        channel = store.backend.channel(conn)  # type: ignore[union-attr]
    finally:
        conn.close()
    for payload in MALFORMED:
        pg_admin.execute("SELECT pg_notify(%s, %s)", (channel, payload))
    created = tickets.create_ticket(Session(writer, None), subject="After the noise").new_id
    assert heard.wait(lambda: created in heard.merged().created)
    assert heard.merged().created == (created,)  # nothing of the noise got in
    assert heard.merged().tickets <= {created}
    assert not heard.merged().everything
    assert heard.states == []


@ON_POSTGRES
def test_listener_comes_back_by_itself_after_its_session_is_ended(
        store: Store, writer: Store, pg_admin: Any) -> None:
    heard = Collector()
    listener = ChangeListener(store.backend, heard.change, heard.state)  # type: ignore[arg-type]
    listener.start()
    try:
        assert listener.wait_listening()
        assert end_sessions(pg_admin, store.backend.origin) >= 1  # type: ignore[union-attr]
        assert heard.wait(lambda: EVERYTHING in heard.changes)  # missed notices: reload
        assert listener.stats.losses == 1
        assert listener.stats.connects == 2
        assert heard.states == []  # back at once: the window never showed a banner
        assert not store.backend.health.down  # type: ignore[union-attr]
        later = tickets.create_ticket(Session(writer, None), subject="After").new_id
        assert heard.wait(lambda: later in heard.merged().created)
    finally:
        listener.stop()


@pytest.mark.postgres
def test_unreachable_server_marks_the_desk_down_refuses_writes_at_once_and_recovers(
        pg_admin: Any) -> None:
    with lockable_desk(pg_admin) as (url, allow):
        desk = open_database(url)
        heard = Collector()
        backend: Any = desk.backend
        listener = ChangeListener(backend, heard.change, heard.state, backoff=(0.0, 0.2))
        listener.start()
        try:
            assert listener.wait_listening()
            system = Session(desk, None)
            tickets.create_ticket(system, subject="Before")
            allow(False)
            end_sessions(pg_admin, backend.origin)
            assert heard.wait(lambda: any(not up for up, _, _ in heard.states))
            _, reason, retry_in = heard.states[0]
            assert "not permitted to log in" in reason
            assert retry_in == 0.2
            assert backend.health.down
            started = time.monotonic()
            with pytest.raises(StorageError, match="not connected to the database server"):
                tickets.create_ticket(system, subject="While down")
            assert time.monotonic() - started < 0.5  # refused at once, no connect timeout
            allow(True)
            assert heard.wait(lambda: heard.states[-1][0], timeout=10)
            assert not backend.health.down
            assert heard.wait(lambda: EVERYTHING in heard.changes)
            after = tickets.create_ticket(system, subject="After").new_id
            with desk.read():
                assert [t.subject for t in map(tickets.get_ticket, range(1, after + 1))] == [
                    "Before", "After"]
        finally:
            listener.stop()
            desk.close()
