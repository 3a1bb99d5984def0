"""`ticketdesk migrate`: a demo desk goes SQLite -> PostgreSQL -> SQLite with nothing lost (every
row of every table, ids, numbers, attachment bytes, the id counters, search results), a desk with
data is never overwritten, and a failure or a cancel leaves the target as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import T0, pg_url
from tests.unit.support import snapshot
from ticketdesk.app import main
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.errors import StorageError, ValidationError
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.domain.progress import Cancelled
from ticketdesk.domain.status import Status
from ticketdesk.services import demo, ticket_list, tickets
from ticketdesk.services import desk_migration as dm
from ticketdesk.services.attachments import NewFile, attach, attachment_data
from ticketdesk.services.session import Session

pytestmark = pytest.mark.postgres
SEARCHES = ["refund", "printer", "café", "TKT-000007", "jane@", '"not working"', "inv"]


def _data_tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table except the search engine's own storage, booleans as 0/1."""
    rows = snapshot(store)
    rows["schema_migrations"] = [row[:2] for row in rows["schema_migrations"]]  # not when
    return {table: [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in found]
            for table, found in rows.items()
            if not table.startswith(("ticket_fts", "ticket_search"))}


def _answers(store: Store) -> dict[str, list[int]]:
    """What a user sees: ids per search and per sort, in order."""
    with store.read():
        result = {f"search {text!r}": list(ticket_list.id_snapshot(
            store, TicketFilter(text=text), Sort())) for text in SEARCHES}
        for key in SortKey:
            result[f"sort {key}"] = list(ticket_list.id_snapshot(
                store, TicketFilter(), Sort(key, descending=False)))
    return result


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo desk of 300 tickets plus a binary attachment and a deleted last ticket."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = open_database(f"sqlite:///{path}")
    try:
        demo.generate(store, tickets=300, seed=7, now=T0)
        system = Session(store, None, lambda: T0)
        attach(system, 5, NewFile("blob.bin", bytes(range(256)) * 3))
        last = tickets.create_ticket(system, subject="Removed again").new_id
        store.db.execute_sql("DELETE FROM ticket WHERE id = ?", (last,))
    finally:
        store.close()
    return f"sqlite:///{path}"


@pytest.fixture
def empty_pg(pg_schema: str) -> str:
    return pg_url(pg_schema)


def _open(url: str) -> Iterator[Store]:
    store = open_database(url)
    try:
        yield store
    finally:
        store.close()


def test_a_demo_desk_round_trips_through_the_server_with_nothing_lost(
        demo_desk: str, empty_pg: str, tmp_path: Path) -> None:
    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    there = dm.migrate_desk(demo_desk, empty_pg)
    again = dm.migrate_desk(empty_pg, back)
    assert there.count("ticket") == 300
    assert there.rows > 3000  # conversation, notes, activity...
    assert [(t.table, t.rows, t.checksum) for t in there.tables] == [
        (t.table, t.rows, t.checksum) for t in again.tables]
    assert {t.table for t in there.tables} >= {"ticket", "message", "note", "attachment",
                                               "attachment_content", "activity", "draft"}
    assert there.search_documents == again.search_documents == 300

    for original, copy in ((demo_desk, back), (demo_desk, empty_pg)):
        for source in _open(original):
            expected, answers = _data_tables(source), _answers(source)
        for target in _open(copy):
            if copy == back:
                assert _data_tables(target) == expected  # sqlite_sequence included
            else:
                found = _data_tables(target)
                assert {t: found[t] for t in expected if t in found} == {
                    t: rows for t, rows in expected.items() if t in found}
            assert _answers(target) == answers
            assert attachment_data(max(a for (a,) in target.db.execute_sql(
                "SELECT id FROM attachment").fetchall())) == bytes(range(256)) * 3


def test_numbers_continue_after_the_highest_ever_used(demo_desk: str, empty_pg: str) -> None:
    dm.migrate_desk(demo_desk, empty_pg)
    for store in _open(empty_pg):
        new = tickets.create_ticket(Session(store, None), subject="First on the server")
        assert new.new_id == 302  # 301 was deleted in the source: never handed out again


def test_a_desk_with_data_is_refused_and_left_untouched(demo_desk: str, empty_pg: str) -> None:
    for store in _open(empty_pg):
        tickets.create_ticket(Session(store, None), subject="Already here")
        before = snapshot(store)
    with pytest.raises(ValidationError, match=r"not empty .*1 tickets.*nothing was changed"):
        dm.migrate_desk(demo_desk, empty_pg)
    for store in _open(empty_pg):
        assert snapshot(store) == before


def test_an_existing_file_is_never_overwritten(demo_desk: str, tmp_path: Path) -> None:
    existing = tmp_path / "existing.sqlite"
    existing.write_bytes(b"mine")
    with pytest.raises(ValidationError, match="already exists"):
        dm.migrate_desk(demo_desk, f"sqlite:///{existing}")
    assert existing.read_bytes() == b"mine"
    with pytest.raises(ValidationError, match="There is no desk"):
        dm.migrate_desk(f"sqlite:///{tmp_path / 'missing.sqlite'}", f"sqlite:///{existing}x")
    with pytest.raises(ValidationError, match="same desk"):
        dm.migrate_desk(demo_desk, demo_desk)


def test_a_failure_half_way_keeps_nothing_on_either_kind_of_target(
        demo_desk: str, empty_pg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = dm._copy_table

    def fail_at_activity(source: Store, target: Store, table: Any, report: Any) -> Any:
        if table.name == "activity":
            raise StorageError("the disk is full")
        return real(source, target, table, report)

    monkeypatch.setattr(dm, "_copy_table", fail_at_activity)
    with pytest.raises(StorageError, match="disk is full"):
        dm.migrate_desk(demo_desk, empty_pg)
    for store in _open(empty_pg):
        assert all(not rows for table, rows in snapshot(store).items()
                   if table != "schema_migrations")
    target = tmp_path / "copy.sqlite"
    with pytest.raises(StorageError, match="disk is full"):
        dm.migrate_desk(demo_desk, f"sqlite:///{target}")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert dm.migrate_desk(demo_desk, empty_pg).count("ticket") == 300  # and it can be re-run


def test_a_copy_that_differs_from_its_source_is_rolled_back(
        demo_desk: str, empty_pg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real = dm._converter

    def corrupting(table: Any, engine: Any) -> Any:
        convert = real(table, engine)
        if table.name != "message":
            return convert
        return lambda row: convert((*row[:4], row[4] + " ", *row[5:]))

    monkeypatch.setattr(dm, "_converter", corrupting)
    with pytest.raises(StorageError, match="Verification failed for message"):
        dm.migrate_desk(demo_desk, empty_pg)
    for store in _open(empty_pg):
        assert store.db.execute_sql("SELECT count(*) FROM ticket").fetchone()[0] == 0


def test_cancel_keeps_nothing(demo_desk: str, empty_pg: str) -> None:
    seen: list[str] = []

    def cancel_while_copying_messages(done: int, total: int, phase: str) -> bool:
        seen.append(phase)
        return phase != "Copying message"

    with pytest.raises(Cancelled, match="Migration cancelled"):
        dm.migrate_desk(demo_desk, empty_pg, progress=cancel_while_copying_messages)
    assert "Copying ticket" in seen
    for store in _open(empty_pg):
        assert store.db.execute_sql("SELECT count(*) FROM ticket").fetchone()[0] == 0


def test_command_line_migrates_and_reports(demo_desk: str, empty_pg: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--from", demo_desk, "--to", empty_pg]) == 0
    out = capsys.readouterr().out
    assert "300 tickets" in out
    assert "counts and checksums verified" in out
    assert main(["migrate", "--from", demo_desk, "--to", empty_pg]) == 1
    assert "is not empty" in capsys.readouterr().err
    for store in _open(empty_pg):
        assert ticket_list.count(store, TicketFilter(statuses=frozenset({Status.CLOSED}))) > 0
