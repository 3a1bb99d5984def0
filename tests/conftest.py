"""Fixtures shared by every test: a desk on each backend, a clock the test controls.

PostgreSQL tests use the server named by TICKETDESK_TEST_PG (default: the local `test`
database over TCP with trust auth), each test in a schema of its own. If the server cannot be
reached the test fails; set TICKETDESK_SKIP_PG=1 to skip them knowingly on a machine without one.
CI never sets it.
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
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema, dropped afterwards; its URL is `_pg_schema_url`."""
    if os.environ.get("TICKETDESK_SKIP_PG") == "1":
        pytest.skip("TICKETDESK_SKIP_PG=1: PostgreSQL tests skipped on purpose")
    import psycopg

    name = "td_" + uuid.uuid4().hex[:12]
    try:
        admin = psycopg.connect(PG_URL.replace("postgresql://", "postgresql://", 1),
                                autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable ({exc}); set TICKETDESK_TEST_PG "
                    "or TICKETDESK_SKIP_PG=1")
    admin.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP SCHEMA "{name}" CASCADE')
        admin.close()


def pg_url(schema: str) -> str:
    return _pg_schema_url(schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.sqlite'}"
    schema = request.getfixturevalue("pg_schema")
    return pg_url(schema)


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
