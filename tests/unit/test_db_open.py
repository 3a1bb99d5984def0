"""Opening a desk: private files, no SQLite on a network share, clear refusals of URLs that
cannot work, the storage rules of ticketdesk/ARCHITECTURE.md ("Storage rules") actually in
force, PostgreSQL URLs and passwords."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import apsw
import pytest
from peewee import IntegrityError
from playhouse.apsw_ext import APSWDatabase

from tests.conftest import PG_URL
from ticketdesk.db.network import mount_type, network_share_kind
from ticketdesk.db.postgres_backend import parse_postgres_url
from ticketdesk.db.sqlite_backend import MIN_SQLITE
from ticketdesk.db.store import Store, backend_for, open_database
from ticketdesk.db.url import redact, sqlite_path
from ticketdesk.domain.errors import StorageError, ValidationError
from ticketdesk.services import tickets
from ticketdesk.services.session import Session


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def opened() -> Iterator[list[Store]]:
    """Stores a test opens, closed at the end whatever happens."""
    stores: list[Store] = []
    yield stores
    for s in stores:
        s.close()


# -- files and folders --------------------------------------------------------------------------


@pytest.mark.usefixtures("umask_022")
def test_a_new_desk_and_its_new_folders_are_private_to_the_user(
        tmp_path: Path, opened: list[Store]) -> None:
    tmp_path.chmod(0o755)
    db = tmp_path / "outer" / "inner" / "desk.sqlite"
    opened.append(store := open_database(f"sqlite:///{db}"))
    tickets.create_ticket(Session(store, None), subject="Written through the WAL")
    assert mode(tmp_path / "outer") == 0o700
    assert mode(tmp_path / "outer" / "inner") == 0o700
    assert mode(db) == 0o600
    assert mode(db.with_name("desk.sqlite-wal")) == 0o600
    assert mode(db.with_name("desk.sqlite-shm")) == 0o600
    assert mode(tmp_path) == 0o755  # a folder that already existed keeps what the user gave it


@pytest.mark.usefixtures("umask_022")
def test_an_existing_desk_file_keeps_its_permissions(tmp_path: Path,
                                                     opened: list[Store]) -> None:
    db = tmp_path / "shared.sqlite"
    open_database(f"sqlite:///{db}").close()
    db.chmod(0o640)
    opened.append(open_database(str(db)))
    assert mode(db) == 0o640


def test_a_plain_path_and_the_sqlalchemy_forms_name_the_same_file(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    monkeypatch.chdir(tmp_path)
    assert sqlite_path("sqlite:///desk.sqlite") == Path("desk.sqlite")
    assert sqlite_path(f"sqlite:///{tmp_path}/desk.sqlite") == tmp_path / "desk.sqlite"
    assert sqlite_path(f"  {tmp_path}/desk.sqlite ") == tmp_path / "desk.sqlite"
    assert sqlite_path("~/desk.sqlite") == Path.home() / "desk.sqlite"


@pytest.mark.parametrize(("url", "message"), [
    ("sqlite:///:memory:", "An in-memory database would lose everything on exit; give a file."),
    (":memory:", "An in-memory database would lose everything on exit; give a file."),
    ("sqlite://", "'sqlite://': write sqlite:///file.db for a file in this folder or "
                  "sqlite:////home/me/file.db for an absolute path."),
    ("sqlite:///", "'sqlite:///': write sqlite:///file.db"),
    ("sqlite://desk.db", "'sqlite://desk.db': write sqlite:///file.db"),
    ("mysql://root@localhost/desk", "Unknown database type 'mysql'. Use a file path, "
                                    "sqlite:///file.db or postgresql://user@host/dbname."),
    ("http://example.com/desk.sqlite", "Unknown database type 'http'."),
    ("   ", "No database given."),
])
def test_urls_that_cannot_work_are_refused_with_a_clear_message(
        url: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError) as info:
        open_database(url)
    assert str(info.value).startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_not_a_desk(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is a folder; give the path of a database file"):
        open_database(f"sqlite:///{tmp_path}")


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_bytes(b"Dear diary, " * 1000)
    with pytest.raises(StorageError, match="not a ticketdesk database"):
        open_database(str(other))
    assert other.read_bytes() == b"Dear diary, " * 1000


def test_another_programs_sqlite_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "places.sqlite"
    conn = apsw.Connection(str(other))
    conn.execute("CREATE TABLE bookmarks (url TEXT); INSERT INTO bookmarks VALUES ('x')")
    conn.close()
    before = other.read_bytes()
    with pytest.raises(StorageError) as info:
        open_database(str(other))
    assert "is not a ticketdesk desk" in str(info.value)
    assert other.read_bytes() == before


# -- network shares -------------------------------------------------------------------------------


def _mounts(tmp_path: Path, *lines: str) -> Path:
    table = tmp_path / "mounts"
    table.write_text("\n".join([
        "proc /proc proc rw,nosuid 0 0",
        "/dev/sda1 / ext4 rw,relatime 0 0",
        *lines,
    ]) + "\n")
    return table


@pytest.mark.parametrize("fstype", ["nfs4", "cifs", "fuse.sshfs", "smb3"])
def test_a_desk_on_a_network_share_is_refused_pointing_to_postgresql(
        tmp_path: Path, fstype: str) -> None:
    share = tmp_path / "share"
    share.mkdir()
    table = _mounts(tmp_path, f"server:/export {share} {fstype} rw 0 0")
    db = share / "team" / "desk.sqlite"
    with pytest.raises(StorageError) as info:
        open_database(f"sqlite:///{db}", mounts_file=table)
    message = str(info.value)
    assert f"is on a network share ({fstype})" in message
    assert "postgresql://" in message
    assert list(share.iterdir()) == []  # not even the folder was created


def test_a_mount_point_with_spaces_is_read_from_its_escaped_form(tmp_path: Path) -> None:
    share = tmp_path / "Team Share"
    share.mkdir()
    escaped = str(share).replace(" ", "\\040")
    table = _mounts(tmp_path, f"//nas/team {escaped} cifs rw 0 0")
    assert mount_type(share / "desk.sqlite", table) == "cifs"
    assert network_share_kind(share, table) == "cifs"


def test_the_innermost_mount_decides(tmp_path: Path, opened: list[Store]) -> None:
    local = tmp_path / "share" / "local-cache"
    local.mkdir(parents=True)
    table = _mounts(tmp_path, f"server:/export {tmp_path / 'share'} nfs4 rw 0 0",
                    f"/dev/sdb1 {local} ext4 rw 0 0")
    opened.append(open_database(f"sqlite:///{local / 'desk.sqlite'}", mounts_file=table))
    assert network_share_kind(tmp_path / "share" / "x", table) == "nfs4"


def test_a_local_disk_is_accepted(tmp_path: Path, opened: list[Store]) -> None:
    table = _mounts(tmp_path, f"/dev/sdb1 {tmp_path} xfs rw 0 0")
    opened.append(open_database(f"sqlite:///{tmp_path / 'desk.sqlite'}", mounts_file=table))
    assert mount_type(tmp_path, table) == "xfs"


def test_an_unreadable_mount_table_means_unknown_not_refused(tmp_path: Path) -> None:
    assert mount_type(tmp_path, tmp_path / "no-such-file") is None


# -- the storage rules in force -------------------------------------------------------------------


def _pragmas(store: Store) -> dict[str, object]:
    return {name: store.db.execute_sql(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")}


EXPECTED_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2,  # 2 = FULL
                    "busy_timeout": 10_000}


def test_sqlite_runs_in_wal_with_foreign_keys_full_sync_and_a_busy_timeout(
        sqlite_url: str, opened: list[Store]) -> None:
    opened.append(store := open_database(sqlite_url))
    assert _pragmas(store) == EXPECTED_PRAGMAS


def test_every_thread_gets_a_connection_with_the_same_rules(sqlite_url: str,
                                                            opened: list[Store]) -> None:
    opened.append(store := open_database(sqlite_url))
    seen: dict[str, object] = {}

    def worker() -> None:
        try:
            seen.update(_pragmas(store))
        finally:
            store.close_thread()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == EXPECTED_PRAGMAS


def test_the_sqlite_in_use_is_apsws_and_new_enough(sqlite_url: str, opened: list[Store]) -> None:
    opened.append(store := open_database(sqlite_url))
    assert isinstance(store.db, APSWDatabase)
    assert isinstance(store.db.connection(), apsw.Connection)
    (version,) = store.db.execute_sql("SELECT sqlite_version()").fetchone()
    assert tuple(int(p) for p in version.split(".")) >= MIN_SQLITE == (3, 51, 3)
    assert version == apsw.sqlitelibversion()


def test_foreign_keys_are_enforced(sqlite_url: str, opened: list[Store]) -> None:
    opened.append(store := open_database(sqlite_url))
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), store.write():
        store.db.execute_sql("INSERT INTO note (ticket_id, body, created_at, updated_at, "
                             "version) VALUES (999, 'orphan', 0, 0, 1)")


# -- PostgreSQL URLs ------------------------------------------------------------------------------


def test_a_postgresql_url_gives_every_connection_setting() -> None:
    assert parse_postgres_url("postgresql://desk%40corp:p%40ss%3Aword@db.example:6543/help%20desk"
                              "?sslmode=require&options=-csearch_path%3Dteam") == {
        "database": "help desk", "host": "db.example", "port": 6543, "user": "desk@corp",
        "password": "p@ss:word", "sslmode": "require", "options": "-csearch_path=team"}


def test_the_short_postgres_scheme_and_a_socket_host_are_accepted() -> None:
    assert parse_postgres_url("postgres:///desk?host=/run/postgresql") == {
        "database": "desk", "host": "/run/postgresql"}


@pytest.mark.parametrize(("url", "message"), [
    ("postgresql://user@host", "names no database; write postgresql://user@host/dbname."),
    ("postgresql://user@host/", "names no database"),
    ("postgresql://user@host:port/desk", "The port in 'postgresql://user@host:port/desk' is "
                                          "not a number from 1 to 65535."),
])
def test_malformed_postgresql_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        open_database(url)
    assert message in str(info.value)


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://ann:s3cret@db/desk", "postgresql://ann:***@db/desk"),
    ("postgresql://ann:s3cret@db:5432/desk?sslmode=require",
     "postgresql://ann:***@db:5432/desk?sslmode=require"),
    ("postgresql://ann@db/desk", "postgresql://ann@db/desk"),
    ("postgresql://ann@db/desk?password=s3cret&sslmode=require",
     "postgresql://ann@db/desk?password=***&sslmode=require"),
    ("postgresql://s3cret:s3cret@db/desk", "postgresql://s3cret:***@db/desk"),
])
def test_passwords_never_show_in_what_the_user_sees(url: str, shown: str) -> None:
    assert redact(url) == shown
    assert backend_for(url)[1].location == shown


def test_a_failed_connection_names_the_server_but_not_the_password() -> None:
    with pytest.raises(StorageError) as info:
        open_database("postgresql://ann:s3cret@127.0.0.1:1/desk")
    message = str(info.value)
    assert "s3cret" not in message
    assert "127.0.0.1" in message


@pytest.mark.postgres
@pytest.mark.usefixtures("pg_admin")
@pytest.mark.parametrize("decorate", [
    pytest.param(lambda u: f"  {u}\n", id="surrounding spaces"),
    pytest.param(lambda u: u.replace("postgresql://", "PostgreSQL://", 1), id="scheme case"),
    pytest.param(lambda u: f"{u}&connect_timeout=3&application_name=mine", id="libpq options"),
])
def test_a_postgresql_url_as_people_paste_it_opens(pg_schema: str, decorate: object,
                                                   opened: list[Store]) -> None:
    from tests.conftest import pg_url

    url = decorate(pg_url(pg_schema))  # type: ignore[operator]
    opened.append(store := open_database(url))
    assert not store.is_sqlite
    assert PG_URL.split("@")[-1].split("/")[0] in store.location


@pytest.mark.postgres
def test_writers_of_two_desks_on_one_server_do_not_wait_for_each_other(
        pg_admin: object, opened: list[Store]) -> None:
    """Each desk (schema) has its own write lock: a long write on one team's desk must not hold
    up another desk in the same database. If it did, the second write would hit lock_timeout."""
    from urllib.parse import quote

    from tests.conftest import _schema_name, pg_url

    names = [_schema_name(), _schema_name()]
    for name in names:
        pg_admin.execute(f'CREATE SCHEMA "{name}"')  # type: ignore[attr-defined]
    try:
        first = open_database(pg_url(names[0]))
        opened.append(first)
        second = open_database(pg_url(names[1]) + quote(" -c lock_timeout=3000"))
        opened.append(second)
        with first.write():
            tickets.create_ticket(Session(first, None), subject="Long import on desk one")
            tickets.create_ticket(Session(second, None), subject="Meanwhile on desk two")
        assert tickets.ticket_count() == 1
    finally:
        for s in opened:
            s.close()
        opened.clear()
        for name in names:
            pg_admin.execute(f'DROP SCHEMA "{name}" CASCADE')  # type: ignore[attr-defined]


# -- failures the user can act on, and changes made elsewhere -------------------------------------


def _read_only(store: Store, on: bool) -> None:
    if store.is_sqlite:
        store.db.execute_sql(f"PRAGMA query_only = {int(on)}")
    else:
        store.db.execute_sql(f"SET default_transaction_read_only = {'on' if on else 'off'}")


def test_a_write_the_database_refuses_is_a_clear_error_and_nothing_is_saved(
        store: Store, alice: Session) -> None:
    from tests.unit.support import snapshot

    tid = tickets.create_ticket(alice, subject="Printer").new_id
    before = snapshot(store)
    _read_only(store, True)
    try:
        with pytest.raises(StorageError) as info:
            tickets.set_priority(alice, tid, 1, "high")
        with pytest.raises(StorageError):
            tickets.create_ticket(alice, subject="Another")
    finally:
        _read_only(store, False)
    assert "read-only" in str(info.value)
    assert str(info.value).endswith("Nothing was saved.")
    assert snapshot(store) == before


def test_a_bug_is_not_disguised_as_a_storage_problem(store: Store) -> None:
    with pytest.raises(Exception, match=r"(?i)syntax error") as info, store.write():
        store.db.execute_sql("SELEC 1")
    assert not isinstance(info.value, StorageError)


def test_a_change_made_through_another_connection_is_noticed(db_url: str, store: Store,
                                                             opened: list[Store]) -> None:
    opened.append(other := open_database(db_url))
    seen = store.data_version()
    tickets.create_ticket(Session(other, None), subject="Written elsewhere")
    assert store.data_version() != seen
