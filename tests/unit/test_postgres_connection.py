"""A team desk whose server connection dies: reads carry on by themselves, a write that loses its
connection half way leaves nothing behind and says so, and the next write works. The sessions are
ended for real on the server (pg_terminate_backend), as an administrator or a restart would."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.conftest import PG_URL
from tests.unit.postgres_team import end_sessions, sessions_of
from tests.unit.support import snapshot
from ticketdesk.db.models import Activity, Ticket
from ticketdesk.db.postgres_backend import LOST, LOST_AT_COMMIT, OFFLINE, is_connection_loss
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import StorageError
from ticketdesk.domain.status import Status
from ticketdesk.services import audit, ticket_list, tickets
from ticketdesk.services.session import Session

ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


def _origin(store: Store) -> str:
    return store.backend.origin  # type: ignore[union-attr]


@ON_POSTGRES
def test_reads_carry_on_after_the_server_ended_the_session(store: Store,
                                                           pg_admin: Any) -> None:
    tickets.create_ticket(Session(store, None), subject="Still here")
    assert end_sessions(pg_admin, _origin(store)) == 1
    assert tickets.get_ticket(1).subject == "Still here"  # retried on a new connection
    assert [r.subject for r in ticket_list.rows_by_ids(store, [1]).values()] == ["Still here"]
    assert sessions_of(pg_admin, _origin(store)) == 1


@ON_POSTGRES
def test_a_write_that_loses_its_connection_midway_leaves_nothing_and_the_next_one_works(
        store: Store, pg_admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    system = Session(store, None)
    ticket = tickets.create_ticket(system, subject="Printer").new_id
    before = snapshot(store)
    real_record = audit.record

    def record_after_the_server_went_away(*args: Any, **kwargs: Any) -> None:
        end_sessions(pg_admin, _origin(store))  # the ticket row is already updated
        real_record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", record_after_the_server_went_away)
    with pytest.raises(StorageError) as caught:
        tickets.set_status(system, ticket, 1, Status.WAITING)
    assert str(caught.value) == LOST
    monkeypatch.undo()
    assert snapshot(store) == before  # the server dropped the half-done transaction
    tickets.set_status(system, ticket, 1, Status.WAITING)
    assert tickets.get_ticket(ticket).status == Status.WAITING
    assert Activity.select().where(Activity.kind == "status").count() == 1


@ON_POSTGRES
def test_a_connection_lost_at_commit_says_the_outcome_is_unknown(
        store: Store, pg_admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    system = Session(store, None)
    db = store.db
    real_commit = type(db).__bases__[0].commit

    def commit_on_a_dead_connection(self: Any) -> None:
        end_sessions(pg_admin, _origin(store))
        real_commit(self)

    monkeypatch.setattr(type(db).__bases__[0], "commit", commit_on_a_dead_connection)
    with pytest.raises(StorageError) as caught:
        tickets.create_ticket(system, subject="Lost at commit")
    assert str(caught.value) == LOST_AT_COMMIT
    monkeypatch.undo()
    assert Ticket.select().count() == 0  # this time it was not saved: the list shows the truth
    assert tickets.create_ticket(system, subject="Saved").new_id >= 1


@ON_POSTGRES
def test_while_the_server_is_known_to_be_down_writes_are_refused_at_once(
        store: Store, pg_admin: Any) -> None:
    system = Session(store, None)
    end_sessions(pg_admin, _origin(store))
    store.backend.health.mark_down("connection refused")  # what the listener found
    with pytest.raises(StorageError) as caught:
        tickets.create_ticket(system, subject="While down")
    assert str(caught.value) == OFFLINE
    assert sessions_of(pg_admin, _origin(store)) == 0  # did not even try to connect
    store.backend.health.mark_up()
    assert tickets.create_ticket(system, subject="Back").new_id == 1


@ON_POSTGRES
def test_a_worker_thread_interrupting_a_dead_connection_is_harmless(store: Store,
                                                                    pg_admin: Any) -> None:
    raw = store.thread_connection()
    end_sessions(pg_admin, _origin(store))
    with pytest.raises(StorageError):
        store.db.execute_sql("UPDATE ticket SET subject = subject")
    store.interrupt(raw)  # a stale connection: nothing to cancel, no error


@ON_POSTGRES
def test_a_query_is_cancelled_from_a_thread_of_its_own_never_the_callers(store: Store) -> None:
    """A cancel is a connection of its own to the server: the caller (often the GUI thread,
    superseding a query) hands it to another thread and never waits on the network."""
    import threading

    started, ended = threading.Event(), threading.Event()
    connection: list[Any] = []
    outcome: list[str] = []

    def long_query() -> None:
        connection.append(store.thread_connection())
        started.set()
        try:
            store.db.execute_sql("SELECT pg_sleep(30)")
            outcome.append("finished")
        except Exception as exc:
            outcome.append(type(exc).__name__)
        finally:
            store.close_thread()
            ended.set()

    worker = threading.Thread(target=long_query)
    worker.start()
    assert started.wait(10)

    class Recording:
        """The worker's connection, noting which thread sends the cancel."""

        def __init__(self, raw: Any) -> None:
            self.raw, self.closed, self.broken = raw, False, False
            self.sent_from: list[threading.Thread] = []

        def cancel_safe(self, timeout: float) -> None:
            self.sent_from.append(threading.current_thread())
            self.raw.cancel_safe(timeout=timeout)

    raw = Recording(connection[0])
    while not any("pg_sleep" in (q or "") for q in _running_queries(store)):
        pass  # the sleep has reached the server
    store.interrupt(raw)
    assert ended.wait(10)  # cancelled, not slept out
    worker.join()
    assert outcome != ["finished"]
    assert raw.sent_from
    assert raw.sent_from[0] is not threading.current_thread()


def _running_queries(store: Store) -> list[str | None]:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        return [q for (q,) in conn.execute(
            "SELECT query FROM pg_stat_activity WHERE state = 'active'").fetchall()]


@pytest.mark.postgres
def test_lost_sessions_are_told_apart_from_refused_statements(pg_admin: Any) -> None:
    conn = psycopg.connect(PG_URL, autocommit=True)
    try:
        with pytest.raises(psycopg.Error) as refused:
            conn.execute("SELECT 1/0")
        assert not is_connection_loss(refused.value)
        pg_admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
        with pytest.raises(psycopg.Error) as ended:
            conn.execute("SELECT 1")
        assert is_connection_loss(ended.value)
        with pytest.raises(psycopg.Error) as closed:
            conn.execute("SELECT 1")
        assert is_connection_loss(closed.value)
    finally:
        conn.close()
    assert not is_connection_loss(ValueError("connection"))  # only the driver's errors count
