"""Fixtures shared by every test: a desk on each backend, a clock the test controls.

PostgreSQL tests use the server named by TICKETDESK_TEST_PG (default: the local `test`
database over TCP with trust auth). `db_url` gives each test an empty, fully migrated schema: one
schema is migrated per test session and emptied (see SharedSchema.empty) before each test,
which is several times faster than migrating a new schema every time; `pg_schema` gives a truly
fresh, unmigrated schema to tests about opening and migrating. If the server cannot be reached
the test fails; set TICKETDESK_SKIP_PG=1 to skip them knowingly on a machine without one. CI never
sets it.
"""

from __future__ import annotations

import os

# GUI tests never need a screen: offscreen, on a described 1920x1080 screen at 96 dpi so that
# geometry and font metrics are the same on every machine.
os.environ.setdefault(
    "QT_QPA_PLATFORM",
    f"offscreen:configfile={os.path.join(os.path.dirname(__file__), 'offscreen_screen.json')}",
)

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from ticketdesk.db.store import Store, open_database
from ticketdesk.services import agents
from ticketdesk.services.session import Session

PG_URL = os.environ.get("TICKETDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
T0 = 1_780_000_000  # 2026-05-28T20:26:40Z, a fixed "now" for exact histories


class FakeClock:
    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> int:
        self.now += seconds
        return self.now


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    # synchronous_commit=off: the test server need not fsync each of thousands of tiny
    # commits (PostgreSQL's own durability is not what these tests check).
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    return f"{PG_URL}{sep}options={quote(options)}"


def pg_url(schema: str) -> str:
    return _pg_schema_url(schema)


def _schema_name() -> str:
    """td_<pid>_<random>: the pid lets a later run drop what a killed run left behind."""
    return f"td_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(autouse=True, scope="session")
def _heap_left_to_the_collector() -> None:
    """The window freezes its start's objects out of the garbage collector's sight
    (ui/main_window.FREEZE_HEAP_MS); a test process opens hundreds of windows, whose objects
    would then never be collected. tests/ui/test_main_window.py turns it on to test it."""
    from ticketdesk.ui import main_window

    main_window.FREEZE_HEAP = False


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Any]:
    """An autocommit connection to the test server (fails the test if it is unreachable)."""
    if os.environ.get("TICKETDESK_SKIP_PG") == "1":
        pytest.skip("TICKETDESK_SKIP_PG=1: PostgreSQL tests skipped on purpose")
    import psycopg

    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable ({exc}); set TICKETDESK_TEST_PG "
                    "or TICKETDESK_SKIP_PG=1")
    for (name,) in admin.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname ~ '^td_[0-9]+_'").fetchall():
        if not _pid_alive(int(name.split("_")[1])):
            admin.execute(f'DROP SCHEMA "{name}" CASCADE')
    try:
        yield admin
    finally:
        admin.close()


@pytest.fixture
def pg_schema(pg_admin: Any) -> Iterator[str]:
    """A fresh, empty (unmigrated) PostgreSQL schema, dropped afterwards; URL via `pg_url`."""
    name = _schema_name()
    pg_admin.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield name
    finally:
        pg_admin.execute(f'DROP SCHEMA "{name}" CASCADE')


@dataclass(frozen=True)
class SharedSchema:
    """The session's migrated schema, as _emptied_schema needs it."""

    name: str
    tables: list[str]  # emptied between tests; none: every test gets a fresh schema instead
    sequences: dict[str, int | None]  # each sequence's last value when freshly migrated
    may_skip_triggers: bool  # a superuser may delete without foreign-key checks and triggers

    def _quoted(self, table: str) -> str:
        return f'"{self.name}"."{table}"'

    def used_tables(self, admin: Any) -> list[str]:
        """The tables holding a row, in one round trip."""
        probe = " UNION ALL ".join(f"(SELECT '{t}' FROM {self._quoted(t)} LIMIT 1)"
                                   for t in self.tables)
        return [t for (t,) in admin.execute(probe).fetchall()]

    def empty(self, admin: Any) -> None:
        """Make the schema as freshly migrated: no rows, every sequence where it started.

        TRUNCATE ... CASCADE of every table cost 0.3-0.5 s a test (a new file for each of ~44
        tables and their indexes), most of a PostgreSQL test's setup. Deleting the rows of the
        few tables a test used, then VACUUM (which gives back the emptied pages, so the next
        rows are stored from the first page as in a new table), takes ~0.04 s. As TRUNCATE
        did, it first waits (at most 5 s) for any writer an earlier test left behind."""
        listed = ", ".join(self._quoted(t) for t in self.tables)
        with admin.transaction():
            admin.execute("SET LOCAL lock_timeout = '5s'")
            if not self.may_skip_triggers:
                admin.execute(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")
                used: list[str] = []
            else:
                admin.execute(f"LOCK TABLE {listed} IN SHARE MODE")  # no writer in between
                used = self.used_tables(admin)
                # Every table with a row is emptied, so no foreign key can be left dangling:
                # skipping their checks (and the tables' triggers) is safe.
                admin.execute("SET LOCAL session_replication_role = replica")
                for table in used:
                    admin.execute(f"DELETE FROM {self._quoted(table)}")
            for sequence, last in admin.execute(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s",
                    (self.name,)).fetchall():
                fresh = self.sequences.get(sequence)
                if last == fresh:
                    continue
                if fresh is None:
                    admin.execute(f"ALTER SEQUENCE {self._quoted(sequence)} RESTART")
                else:
                    admin.execute("SELECT setval(%s, %s)", (self._quoted(sequence), fresh))
        if used:
            admin.execute("VACUUM (SKIP_LOCKED) " + ", ".join(self._quoted(t) for t in used))


@pytest.fixture(scope="session")
def pg_shared_schema(pg_admin: Any) -> Iterator[SharedSchema]:
    """One migrated schema for the session and the tables to empty between tests."""
    name = _schema_name()
    pg_admin.execute(f'CREATE SCHEMA "{name}"')
    open_database(pg_url(name)).close()
    tables = [t for (t,) in pg_admin.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> "
        "'schema_migrations' ORDER BY tablename", (name,)).fetchall()]
    sequences = dict(pg_admin.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s",
        (name,)).fetchall())
    superuser = bool(pg_admin.execute(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0])
    shared = SharedSchema(name, tables, sequences, superuser)
    # A migration that seeds rows would make "emptied" differ from "fresh": then every
    # test gets a fresh schema instead (slower, still correct).
    seeded = bool(tables) and bool(shared.used_tables(pg_admin))
    try:
        yield SharedSchema(name, [] if seeded else tables, sequences, superuser)
    finally:
        pg_admin.execute(f'DROP SCHEMA "{name}" CASCADE')


def _emptied_schema(request: pytest.FixtureRequest) -> str:
    import psycopg

    admin = request.getfixturevalue("pg_admin")
    shared: SharedSchema = request.getfixturevalue("pg_shared_schema")
    if shared.tables:
        try:
            shared.empty(admin)
            return shared.name
        except psycopg.errors.LockNotAvailable:
            pass  # something of an earlier test still holds a lock: use a fresh schema
    return _migrated(request)


def _migrated(request: pytest.FixtureRequest) -> str:
    schema = request.getfixturevalue("pg_schema")
    open_database(pg_url(schema)).close()
    return str(schema)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new SQLite desk, migrated once for the session. Migrating a new file costs 0.15-0.3 s;
    each test's desk is a copy of this one instead (same bytes, same permissions)."""
    from ticketdesk.db.models import database_proxy

    path = tmp_path_factory.mktemp("template") / "desk.sqlite"
    bound = database_proxy.obj  # a desk a module's tests hold open stays the models' desk
    open_database(f"sqlite:///{path}").close()
    if bound is not None:
        database_proxy.initialize(bound)
    leftovers = [p.name for p in path.parent.iterdir()
                 if p.name not in (path.name, f"{path.name}.lock")]
    assert not leftovers, f"closing the template desk left {leftovers}"
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty desk: a new SQLite file, or an emptied PostgreSQL schema."""
    if request.param == "sqlite":
        desk = tmp_path / "desk.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), desk)
        return f"sqlite:///{desk}"
    return pg_url(_emptied_schema(request))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'desk.sqlite'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_database(db_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def system(store: Store, clock: FakeClock) -> Session:
    return Session(store, None, clock)


@pytest.fixture
def alice(system: Session) -> Session:
    agent_id, _ = agents.create_agent(system, "Alice Agent", "alice@desk.example")
    return system.as_agent(agent_id)


@pytest.fixture
def bob(system: Session) -> Session:
    agent_id, _ = agents.create_agent(system, "Bob Builder", "bob@desk.example")
    return system.as_agent(agent_id)


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_db_url(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A desk of its own for one test module (a SQLite file, or a fresh PostgreSQL schema), so
    a module of read-only tests can build its data once; the module's tests must leave it as
    they found it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('module_desk') / 'desk.sqlite'}"
        return
    admin = request.getfixturevalue("pg_admin")
    name = _schema_name()
    admin.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield pg_url(name)
    finally:
        admin.execute(f'DROP SCHEMA "{name}" CASCADE')
