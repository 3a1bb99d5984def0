"""Numbered migrations: a desk from every older version opens and reaches LATEST with its data,
a newer desk is refused, a failed migration leaves the previous version intact, the schema agrees
with the peewee models on both backends, and two processes opening one fresh desk at once both
succeed with the schema applied once."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peewee import (
    AutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
)

from tests.conftest import pg_url
from tests.unit.support import snapshot
from ticketdesk.db import migrations
from ticketdesk.db.migrations import LATEST, MIGRATIONS, Migration, MigrationContext
from ticketdesk.db.models import ALL_MODELS, DERIVED_MODELS
from ticketdesk.db.search_index import ticket_document
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.errors import StorageError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import attachments, customers, messages, notes, ticket_list, tickets
from ticketdesk.services.session import Session


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """An empty database: a new SQLite file or a new, unmigrated PostgreSQL schema."""
    if request.param == "sqlite":
        return sqlite_url
    return pg_url(request.getfixturevalue("pg_schema"))


@pytest.fixture
def opened() -> Iterator[list[Store]]:
    stores: list[Store] = []
    yield stores
    for s in stores:
        s.close()


def versions(store: Store) -> list[tuple[int, str]]:
    return [(int(v), n) for v, n in store.db.execute_sql(
        "SELECT version, name FROM schema_migrations ORDER BY version").fetchall()]


def test_a_new_desk_records_every_migration_once(fresh_url: str, opened: list[Store]) -> None:
    opened.append(store := open_database(fresh_url))
    assert versions(store) == [(m.version, m.name) for m in MIGRATIONS]
    assert migrations.current_version(store.db) == LATEST


def test_migrate_to_zero_creates_nothing(fresh_url: str, opened: list[Store]) -> None:
    opened.append(store := open_database(fresh_url, migrate_to=0))
    assert [t for t in store.db.get_tables() if not t.startswith("sqlite_")] == []


# Rows of every table of the first schema, written with the first schema's own columns (the
# models follow the latest schema, so they cannot be used to write an old desk).
V1_ROWS = [
    "INSERT INTO agent (id, name, email, active, created_at) VALUES (7, 'Old Agent', "
    "'old@desk.example', {true}, 1700000000)",
    "INSERT INTO customer (id, name, email, phone, company, external_id, created_at, version) "
    "VALUES (3, 'Old Customer', 'c@example.com', '555', 'Old Co', 'EXT-1', 1700000000, 2)",
    "INSERT INTO customer_tag (id, name) VALUES (1, 'vip')",
    "INSERT INTO customer_tag_link (customer_id, tag_id) VALUES (3, 1)",
    "INSERT INTO tag (id, name) VALUES (1, 'legacy')",
    "INSERT INTO ticket (id, subject, description, status, priority, category, customer_id, "
    "created_at, updated_at, first_response_at, resolved_at, closed_at, version) VALUES "
    "(41, 'Old ticket', 'From the first schema', 3, 2, 'Hardware', 3, 1700000000, 1700000500, "
    "1700000100, 1700000400, NULL, 5)",
    "INSERT INTO ticket_tag (ticket_id, tag_id) VALUES (41, 1)",
    "INSERT INTO ticket_assignee (ticket_id, agent_id) VALUES (41, 7)",
    "INSERT INTO note (id, ticket_id, author_id, body, created_at, updated_at, version) VALUES "
    "(5, 41, 7, 'An old note', 1700000200, 1700000200, 1)",
    "INSERT INTO message (id, ticket_id, incoming, agent_id, body, created_at) VALUES "
    "(6, 41, {false}, 7, 'An old reply', 1700000100)",
    "INSERT INTO attachment (id, ticket_id, message_id, name, mime, size, sha256, created_at, "
    "agent_id) VALUES (8, 41, 6, 'old.txt', 'text/plain', 3, 'x', 1700000100, 7)",
    "INSERT INTO attachment_content (attachment_id, data) VALUES (8, {blob})",
    "INSERT INTO activity (ticket_id, agent_id, at, kind, old, new, ref_id, ticket_version) "
    "VALUES (41, 7, 1700000000, 'created', NULL, 'Old ticket', NULL, 1)",
    "INSERT INTO desk_meta (key, value) VALUES ('name', 'Old desk')",
]


def _write_v1_rows(store: Store) -> None:
    sqlite = store.is_sqlite
    values = {"true": "1" if sqlite else "TRUE", "false": "0" if sqlite else "FALSE",
              "blob": "X'6f6c64'" if sqlite else "'\\x6f6c64'::bytea"}
    with store.write():
        for sql in V1_ROWS:
            store.db.execute_sql(sql.format(**values))
        if not sqlite:  # ids were given explicitly: move the sequences past them
            for table in ("agent", "customer", "customer_tag", "tag", "ticket", "note",
                          "message", "attachment"):
                store.db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)")
        # The document as the first schema's code wrote it (rebuild_search reads today's).
        store.backend.replace_search_docs(store.db, [ticket_document(
            41, "Old ticket", "From the first schema", "Old Customer", "c@example.com",
            "Old Co", ["An old reply"], ["An old note"])])


@pytest.mark.parametrize("start", [m.version for m in MIGRATIONS[:-1]] or [1])
def test_a_desk_from_an_older_version_migrates_with_its_data_intact(
        fresh_url: str, start: int, opened: list[Store]) -> None:
    old = open_database(fresh_url, migrate_to=start)
    assert migrations.current_version(old.db) == start
    _write_v1_rows(old)
    old.close()

    opened.append(store := open_database(fresh_url))
    assert migrations.current_version(store.db) == LATEST
    assert versions(store)[-1][0] == LATEST
    t = tickets.get_ticket(41)
    assert (t.subject, t.description, t.status, t.priority, t.category, t.version) == (
        "Old ticket", "From the first schema", Status.RESOLVED, Priority.HIGH, "Hardware", 5)
    assert (t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at) == (
        1700000000, 1700000500, 1700000100, 1700000400, None)
    assert t.resolution == ""  # m0006: a resolution written as a note before stays a note
    assert t.customer == customers.CustomerRecord(3, "Old Customer", "c@example.com", "555",
                                                  "Old Co", "EXT-1", ("vip",), 2)
    assert [a.name for a in t.assignees] == ["Old Agent"]
    assert t.tags == ("legacy",)
    assert [n.body for n in notes.notes_for(41)] == ["An old note"]
    [msg] = messages.messages_for(41)
    assert (msg.body, msg.agent, [a.name for a in msg.attachments]) == (
        "An old reply", "Old Agent", ["old.txt"])
    assert attachments.attachment_data(8) == b"old"
    assert ticket_list.count(store, TicketFilter(text="first schema")) == 1

    # The migrated desk works: new rows get new ids, the old ticket can be changed.
    session = Session(store, 7)
    new_id = tickets.create_ticket(session, subject="New ticket").new_id
    assert new_id > 41
    tickets.set_status(session, 41, 5, Status.CLOSED)
    assert tickets.get_ticket(41).version == 6


def test_a_desk_from_a_newer_ticketdesk_is_refused_and_left_alone(
        fresh_url: str, opened: list[Store]) -> None:
    store = open_database(fresh_url)
    with store.write():
        store.db.execute_sql(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
            f"({LATEST + 1}, 'm9999_future', 0)")
    before = snapshot(store)
    store.close()
    with pytest.raises(StorageError) as info:
        open_database(fresh_url)
    assert str(info.value) == (
        f"This database was written by a newer ticketdesk (schema {LATEST + 1}; this version "
        f"knows up to {LATEST}). Update ticketdesk to open it.")
    opened.append(raw := _raw_store(fresh_url))
    assert snapshot(raw) == before


def _raw_store(url: str) -> Store:
    """The desk opened without migrating (a newer desk cannot be opened normally)."""
    from ticketdesk.db.models import database_proxy
    from ticketdesk.db.store import backend_for

    url, backend = backend_for(url)
    db = backend.make_database()
    db.connect()
    database_proxy.initialize(db)
    return Store(url, backend, db)


def test_a_failing_migration_leaves_the_previous_version_intact(
        fresh_url: str, opened: list[Store], monkeypatch: pytest.MonkeyPatch) -> None:
    opened.append(store := open_database(fresh_url))
    tickets.create_ticket(Session(store, None), subject="Before the upgrade")
    before = snapshot(store)

    def half_done(ctx: MigrationContext) -> None:
        ctx.execute("CREATE TABLE upgrade_part_one (id {pk})")
        ctx.execute("ALTER TABLE ticket ADD COLUMN upgrade_flag {int}")
        raise RuntimeError("disk pulled out mid-migration")

    broken = Migration(LATEST + 1, "m9999_broken", half_done)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "LATEST", LATEST + 1)
    with pytest.raises(RuntimeError, match="mid-migration"):
        migrations.migrate(store.db, store.backend.dialect,
                           lambda: store.backend.write_lock(store.db), LATEST + 1)
    assert migrations.current_version(store.db) == LATEST
    assert "upgrade_part_one" not in store.db.get_tables()
    assert "upgrade_flag" not in [c.name for c in store.db.get_columns("ticket")]
    assert snapshot(store) == before


def test_a_migration_numbered_below_the_newest_applied_one_still_runs(
        fresh_url: str, opened: list[Store], monkeypatch: pytest.MonkeyPatch) -> None:
    """Numbers are reserved by parallel work, so a migration may land after higher ones were
    released: a desk that lacks it gets it, whatever its highest version."""
    opened.append(store := open_database(fresh_url))

    def late(ctx: MigrationContext) -> None:
        ctx.execute("CREATE TABLE late_arrival (id {pk})")

    taken = {m.version for m in MIGRATIONS}
    number = next(v for v in range(2, LATEST + 2) if v not in taken)
    if number > LATEST:
        pytest.skip("no free number below the newest migration in this tree")
    monkeypatch.setattr(migrations, "MIGRATIONS", tuple(sorted(
        (*MIGRATIONS, Migration(number, "m_late", late)), key=lambda m: m.version)))
    migrations.migrate(store.db, store.backend.dialect,
                       lambda: store.backend.write_lock(store.db))
    assert "late_arrival" in store.db.get_tables()
    assert number in [v for v, _ in versions(store)]


def test_another_programs_postgresql_schema_is_refused_and_left_alone(
        pg_schema: str, pg_admin: Any) -> None:
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".invoices (id int)')
    with pytest.raises(StorageError, match=r"not a ticketdesk desk: it already holds other "
                                           r"tables \(invoices\)"):
        open_database(pg_url(pg_schema))
    tables = [t for (t,) in pg_admin.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s", (pg_schema,)).fetchall()]
    assert tables == ["invoices"]


# -- the schema agrees with the models ------------------------------------------------------------

SQLITE_TYPES = {
    AutoField: {"INTEGER"}, BigIntegerField: {"INTEGER"}, IntegerField: {"INTEGER"},
    SmallIntegerField: {"INTEGER"}, BooleanField: {"INTEGER", "BOOLEAN"}, TextField: {"TEXT"},
    BlobField: {"BLOB"}, ForeignKeyField: {"INTEGER"},
}
POSTGRES_TYPES = {
    AutoField: {"bigint", "integer"}, BigIntegerField: {"bigint"},
    IntegerField: {"integer", "bigint"}, SmallIntegerField: {"smallint", "integer"},
    BooleanField: {"boolean"}, TextField: {"text"}, BlobField: {"bytea"},
    ForeignKeyField: {"bigint", "integer"},
}


def _allowed(field: Any, sqlite: bool) -> set[str]:
    table = SQLITE_TYPES if sqlite else POSTGRES_TYPES
    for kind in type(field).__mro__:
        if kind in table:
            return table[kind]
    raise AssertionError(f"no expected type for {type(field).__name__}")


def test_the_migrated_schema_agrees_with_the_models(fresh_url: str, opened: list[Store]) -> None:
    opened.append(store := open_database(fresh_url))
    problems = []
    tables = set(store.db.get_tables())
    for model in (*ALL_MODELS, *DERIVED_MODELS):  # the derived tables too (m0024, m0027)
        table = model._meta.table_name
        if table not in tables:
            problems.append(f"{table}: table missing")
            continue
        columns = {c.name: c for c in store.db.get_columns(table)}
        for field in model._meta.sorted_fields:
            column = columns.pop(field.column_name, None)
            if column is None:
                problems.append(f"{table}.{field.column_name}: column missing")
                continue
            if column.data_type.split("(")[0] not in _allowed(field, store.is_sqlite):
                problems.append(f"{table}.{field.column_name}: {column.data_type} for a "
                                f"{type(field).__name__}")
            if not field.primary_key and not isinstance(field, AutoField) \
                    and bool(column.null) != bool(field.null):
                problems.append(f"{table}.{field.column_name}: NULL allowed in the schema is "
                                f"{column.null}, in the model {field.null}")
        for extra in columns.values():
            if not extra.null and extra.default is None:
                problems.append(f"{table}.{extra.name}: NOT NULL without a default, unknown "
                                "to the model (its inserts would fail)")
    assert problems == []


def test_every_model_can_be_read_from_the_migrated_schema(store: Store) -> None:
    for model in (*ALL_MODELS, *DERIVED_MODELS):
        assert list(model.select().limit(1)) == []


# -- two processes at once ------------------------------------------------------------------------


def _open_in_child(url: str, barrier: Any, results: Any) -> None:
    try:
        barrier.wait(timeout=60)
        store = open_database(url)
        results.put(("ok", migrations.current_version(store.db)))
        store.close()
    except BaseException as exc:  # report anything to the parent
        results.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.slow
def test_processes_opening_one_fresh_desk_at_once_all_succeed_and_migrate_once(
        fresh_url: str, opened: list[Store]) -> None:
    ctx = multiprocessing.get_context("spawn")
    count = 3
    barrier = ctx.Barrier(count)
    results = ctx.Queue()
    children = [ctx.Process(target=_open_in_child, args=(fresh_url, barrier, results))
                for _ in range(count)]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert outcomes == [("ok", LATEST)] * count
    assert [child.exitcode for child in children] == [0] * count
    opened.append(store := open_database(fresh_url))
    assert versions(store) == [(m.version, m.name) for m in MIGRATIONS]


def test_windows_opening_a_new_desk_file_at_the_same_moment_all_open_it(tmp_path: Path) -> None:
    """Switching a new file to WAL needs it alone; two openers doing that at once deadlock and
    SQLite fails one at once ("database is locked"), which raw connections did in about one
    round of seven here. Threads stand in for processes (SQLite's file locks are the same)."""
    rounds, count = 40, 6
    failures: list[str] = []
    for round_no in range(rounds):
        path = tmp_path / f"desk{round_no}.sqlite"
        barrier = threading.Barrier(count)

        def open_it(path: Path = path, barrier: threading.Barrier = barrier) -> None:
            barrier.wait(timeout=30)
            try:
                open_database(f"sqlite:///{path}", migrate_to=0).close()
            except Exception as exc:  # collected and asserted below
                failures.append(f"{path.name}: {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=open_it) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert failures == []


def test_an_imported_tickets_source_is_unique_where_it_is_set(
        fresh_url: str, opened: list[Store]) -> None:
    """m0011: the (source system, source id) pair finds a ticket imported before; tickets made
    in the desk have neither, and any number of them may."""
    from peewee import IntegrityError

    from ticketdesk.db.models import Ticket

    opened.append(store := open_database(fresh_url))
    row = {"subject": "s", "status": 0, "priority": 1, "created_at": 1, "updated_at": 1}
    with store.write():
        Ticket.insert_many([row, row]).execute()
        Ticket.insert(**row, source_system="zendesk", source_id="7").execute()
        Ticket.insert(**row, source_system="freshdesk", source_id="7").execute()
    assert Ticket.select().where(Ticket.source_id.is_null()).count() == 2
    with pytest.raises(IntegrityError), store.write():
        Ticket.insert(**row, source_system="zendesk", source_id="7").execute()


def test_opening_a_desk_waits_past_the_busy_timeout_for_another_process_migrating_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Store]) -> None:
    """A migration that holds the write lock longer than one busy timeout (a large desk, or a
    loaded machine) makes a second opener wait again, not fail with "busy"."""
    import threading

    import apsw

    from ticketdesk.db import sqlite_backend

    monkeypatch.setattr(sqlite_backend, "BUSY_SECONDS", 0.2)
    path = tmp_path / "desk.sqlite"
    holder = apsw.Connection(str(path))
    holder.execute("PRAGMA journal_mode=WAL")  # as ticketdesk's own connections
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        opened.append(store := open_database(f"sqlite:///{path}"))
    finally:
        release.join()
        holder.close()
    assert versions(store) == [(m.version, m.name) for m in MIGRATIONS]
