"""Issue 13, item 15: team desks opened by database roles with fewer rights than the desk's owner.

PostgreSQL 15 no longer lets every role create tables in the public schema, and a team often
gives agents a data-only or a read-only role. Such a role opens an up-to-date desk and works
within its rights; what it may not do (create the desk's tables, write as a read-only user) is
refused with a clear message and a non-zero exit, never a traceback, with nothing changed. The
roles are real server roles, dropped after each test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import pg_url
from tests.unit.support import snapshot
from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.domain.errors import StorageError
from ticketdesk.services import agents, notes, tickets
from ticketdesk.services.session import Session

pytestmark = pytest.mark.postgres

DML = ("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}; "
       "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
READ = "GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"

RoleUrl = Callable[[str], str]
"""role_url(grants): a new login role with USAGE on the test's schema (never CREATE) and the
given GRANT statements ("" for none); returns the desk URL that connects as that role."""


def url_as(url: str, role: str) -> str:
    """`url` with the role as its user (the test server trusts local connections)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    netloc = f"{role}@{host}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


@pytest.fixture
def role_url(pg_admin: Any, pg_schema: str) -> Iterator[RoleUrl]:
    made: list[str] = []

    def make(grants: str) -> str:
        role = f"td_role_{uuid.uuid4().hex[:10]}"
        pg_admin.execute(f'CREATE ROLE "{role}" LOGIN')
        made.append(role)
        pg_admin.execute(f'GRANT USAGE ON SCHEMA "{pg_schema}" TO "{role}"')
        if grants:
            pg_admin.execute(grants.format(schema=f'"{pg_schema}"', role=f'"{role}"'))
        return url_as(pg_url(pg_schema), role)

    try:
        yield make
    finally:
        for role in made:
            pg_admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE usename = %s", (role,))
            pg_admin.execute(f'DROP OWNED BY "{role}"')
            pg_admin.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def migrated(pg_schema: str) -> str:
    """The test's schema made an up-to-date desk by its owner, with one ticket in it."""
    store = open_database(pg_url(pg_schema))
    try:
        tickets.create_ticket(Session(store, None), subject="Printer on fire")
    finally:
        store.close()
    return pg_url(pg_schema)


def test_a_desk_that_needs_tables_a_role_may_not_create_is_refused_clearly(
        role_url: RoleUrl, pg_schema: str, pg_admin: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = role_url("")
    assert main(["check", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ticketdesk: ")
    assert "needs its tables created or brought up to date" in err
    assert "this database user may not do that (permission denied for schema" in err
    assert "Traceback" not in err
    assert pg_admin.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s",
                            (pg_schema,)).fetchone()[0] == 0  # nothing was created
    with pytest.raises(StorageError, match="may not do that"):
        open_database(url)


def test_an_up_to_date_desk_opens_and_works_for_a_role_without_create(
        migrated: str, role_url: RoleUrl, capsys: pytest.CaptureFixture[str]) -> None:
    url = role_url(DML)
    assert main(["check", "--db", url]) == 0, capsys.readouterr().err
    store = open_database(url)
    try:
        agent, _ = agents.create_agent(Session(store, None), "Ann Data")
        created = tickets.create_ticket(Session(store, agent), subject="Scanner jams").new_id
        notes.add_note(Session(store, agent), created, "Tray 2 again")
        assert [n.body for n in notes.notes_for(created)] == ["Tray 2 again"]
    finally:
        store.close()


def test_a_read_only_users_save_is_refused_with_a_clear_message(
        migrated: str, role_url: RoleUrl, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = role_url(READ)
    store = open_database(url)
    try:
        before = snapshot(store)
        with pytest.raises(StorageError) as refused:
            notes.add_note(Session(store, None), 1, "Checked the toner")
        message = str(refused.value)
        assert message.startswith("This database user may not write to this desk (permission "
                                  "denied for ")
        assert "Nothing was saved." in message
        assert snapshot(store) == before
    finally:
        store.close()
    path = tmp_path / "one.csv"
    path.write_text("subject\nFrom a file\n", encoding="utf-8")
    assert main(["import", "--db", url, "tickets", str(path)]) == 1
    err = capsys.readouterr().err
    assert "This database user may not write to this desk" in err
    assert "Traceback" not in err
