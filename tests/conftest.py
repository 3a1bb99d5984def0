"""Fixtures shared by every test: a desk on each backend, a clock the test controls.

PostgreSQL tests use the server named by TICKETDESK_TEST_PG (default: the local `test`
database over TCP with trust auth). `db_url` gives each test an empty, fully migrated schema: one
schema is migrated per test session and emptied (TRUNCATE ... RESTART IDENTITY) before each test,
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

import uuid
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def pg_shared_schema(pg_admin: Any) -> Iterator[tuple[str, list[str]]]:
    """One migrated schema for the session and the tables to empty between tests."""
    name = _schema_name()
    pg_admin.execute(f'CREATE SCHEMA "{name}"')
    open_database(pg_url(name)).close()
    tables = [t for (t,) in pg_admin.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> "
        "'schema_migrations' ORDER BY tablename", (name,)).fetchall()]
    seeded = [t for t in tables
              if pg_admin.execute(f'SELECT 1 FROM "{name}"."{t}" LIMIT 1').fetchone()]
    try:
        # A migration that seeds rows would make "emptied" differ from "fresh": then every
        # test gets a fresh schema instead (slower, still correct).
        yield name, ([] if seeded else tables)
    finally:
        pg_admin.execute(f'DROP SCHEMA "{name}" CASCADE')


def _emptied_schema(request: pytest.FixtureRequest) -> str:
    import psycopg

    admin = request.getfixturevalue("pg_admin")
    name, tables = request.getfixturevalue("pg_shared_schema")
    if tables:
        listed = ", ".join(f'"{name}"."{t}"' for t in tables)
        try:
            with admin.transaction():
                admin.execute("SET LOCAL lock_timeout = '5s'")
                admin.execute(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")
            return name
        except psycopg.errors.LockNotAvailable:
            pass  # something of an earlier test still holds a lock: use a fresh schema
    return _migrated(request)


def _migrated(request: pytest.FixtureRequest) -> str:
    schema = request.getfixturevalue("pg_schema")
    open_database(pg_url(schema)).close()
    return str(schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty desk: a new SQLite file, or an emptied PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.sqlite'}"
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
