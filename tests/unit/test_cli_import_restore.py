"""`ticketdesk import tickets` and `ticketdesk restore` as a user runs them: exit codes,
messages, and what is (and is not) changed."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest

from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, customers, notes, tickets
from ticketdesk.services.session import Session
from ticketdesk.services.ticket_list import count


def _fill(url: str) -> None:
    store = open_database(url)
    try:
        system = Session(store, None)
        alice, _ = agents.create_agent(system, "Smith, Alice")
        cust, _ = customers.create_customer(system, "=HYPERLINK(\"http://x\")", company="+Evil",
                                            email="evil@example.com", external_id="C-1")
        tickets.create_ticket(system, subject="Refund please", customer_id=cust,
                              tags=["billing", "@mention"], assignee_ids=[alice],
                              priority=Priority.HIGH, description="line one\nline \"two\"")
        second = tickets.create_ticket(system, subject="-1 is not a price").new_id
        tickets.set_status(system, second, 1, Status.CLOSED)
    finally:
        store.close()


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    _fill(url)
    out = tmp_path / "tickets.csv"
    assert main(["export", "tickets", "--db", url, "--out", str(out), "--bom"]) == 0
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_import_reads_the_exports_own_format_back_exactly(exported: Path, tmp_path: Path,
                                                          capsys) -> None:
    new = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert main(["import", "tickets", str(exported), "--db", new]) == 0
    said = capsys.readouterr().out
    assert "Imported 2 tickets" in said
    assert "new agents: Smith, Alice" in said
    again = tmp_path / "again.csv"
    assert main(["export", "tickets", "--db", new, "--out", str(again), "--bom"]) == 0
    assert again.read_bytes() == exported.read_bytes()
    store = open_database(new)
    try:
        assert count(store, TicketFilter(text="refund")) == 1  # the search index covers them
        kinds = store.db.execute_sql("SELECT kind, old FROM activity ORDER BY id").fetchall()
        assert kinds == [("imported", "TKT-000001"), ("imported", "TKT-000002")]
    finally:
        store.close()


def test_importing_the_same_file_twice_does_not_duplicate(exported: Path, tmp_path: Path,
                                                          capsys) -> None:
    new = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert main(["import", "tickets", str(exported), "--db", new]) == 0
    assert main(["import", "tickets", str(exported), "--db", new]) == 0
    assert "Imported 0 tickets" in capsys.readouterr().out.splitlines()[-1]


def test_taken_numbers_get_new_ones_above_every_number_issued(exported: Path, tmp_path: Path,
                                                               capsys) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    store = open_database(url)
    try:
        tickets.create_ticket(Session(store, None), subject="already here")
    finally:
        store.close()
    assert main(["import", "tickets", str(exported), "--db", url]) == 0
    assert "1 got new numbers" in capsys.readouterr().out
    out = tmp_path / "busy.csv"
    assert main(["export", "tickets", "--db", url, "--out", str(out)]) == 0
    assert [(r["number"], r["subject"]) for r in _rows(out)] == [
        ("TKT-000001", "already here"), ("TKT-000002", "'-1 is not a price"),
        ("TKT-000003", "Refund please")]


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    bad = tmp_path / "bad.csv"
    bad.write_text('subject,status,description\n'
                   'fine,Open,ok\n'
                   'a multi-line one,Open,"first\nsecond\nthird"\n'
                   ',Open,no subject\n'
                   'waiting,Pending,unknown status\n'
                   'later,Closed,\n', encoding="utf-8")
    assert main(["import", "tickets", str(bad), "--db", url]) == 1
    err = capsys.readouterr().err
    assert "2 bad row(s); nothing was imported" in err
    assert "line 6: The subject cannot be empty." in err  # line 3's cell spans three lines
    assert "line 7: Unknown status 'Pending'" in err
    assert "run again with --skip-bad-rows to import the other 3 row(s)" in err
    store = open_database(url)
    try:
        assert tickets.ticket_count() == 0
    finally:
        store.close()
    assert main(["import", "tickets", str(bad), "--db", url, "--skip-bad-rows"]) == 0
    out = capsys.readouterr().out
    assert "Imported 3 tickets" in out
    assert "  line 6: The subject cannot be empty." in out


def test_a_header_with_an_unknown_column_is_refused(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("subjet,status\nhello,Open\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    assert main(["import", "tickets", str(bad), "--db", url]) == 1
    err = capsys.readouterr().err
    assert "line 1: unknown column(s) 'subjet'" in err
    assert "line 1: there is no subject column" in err
    assert "Fix the file and run again." in err  # skipping rows cannot mend a header
    assert "--skip-bad-rows" not in err


def test_a_missing_file_is_a_clear_message(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    assert main(["import", "tickets", str(tmp_path / "nope.csv"), "--db", url]) == 1
    assert "Cannot read" in capsys.readouterr().err


def _desk_with_backup(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    _fill(url)
    assert main(["backup", "--db", url]) == 0
    store = open_database(url)
    try:
        notes.add_note(Session(store, None), 1, "written after the backup")
    finally:
        store.close()
    return url, next((tmp_path / "backups").glob("desk-*.sqlite"))


def test_restore_lists_and_restores_the_latest_backup(tmp_path: Path, capsys) -> None:
    url, backup = _desk_with_backup(tmp_path)
    capsys.readouterr()
    assert main(["restore", "--list", "--db", url]) == 0
    assert str(backup) in capsys.readouterr().out
    old = os.umask(0o022)
    try:
        assert main(["restore", "--db", url]) == 0
    finally:
        os.umask(old)
    said = capsys.readouterr().out
    assert f"from {backup}" in said
    assert "set aside as" in said
    assert stat.S_IMODE((tmp_path / "desk.sqlite").stat().st_mode) == 0o600
    aside = next(tmp_path.glob("desk.sqlite.before-restore-*"))
    store = open_database(url)
    try:
        assert tickets.ticket_count() == 2
        assert notes.notes_for(1) == []
    finally:
        store.close()
    store = open_database(str(aside))
    try:
        assert [n.body for n in notes.notes_for(1)] == ["written after the backup"]
    finally:
        store.close()


def test_restore_a_named_backup_and_refuse_a_missing_one(tmp_path: Path, capsys) -> None:
    url, backup = _desk_with_backup(tmp_path)
    assert main(["restore", str(tmp_path / "nope.sqlite"), "--db", url]) == 1
    assert "There is no backup file" in capsys.readouterr().err
    assert main(["restore", str(backup), "--db", url]) == 0


def test_restore_is_refused_while_the_desk_is_open(tmp_path: Path, capsys) -> None:
    url, _ = _desk_with_backup(tmp_path)
    store = open_database(url)
    try:
        assert main(["restore", "--db", url]) == 1
    finally:
        store.close()
    err = capsys.readouterr().err
    assert f"open in process {os.getpid()}" in err
    assert "nothing was changed" in err
    assert not list(tmp_path.glob("desk.sqlite.before-restore-*"))


def test_restore_refuses_a_postgresql_desk(capsys) -> None:
    assert main(["restore", "--db", "postgresql://u@h/d"]) == 1
    assert "pg_dump" in capsys.readouterr().err


def test_a_damaged_desk_points_to_restore(tmp_path: Path, capsys) -> None:
    url, backup = _desk_with_backup(tmp_path)
    desk = tmp_path / "desk.sqlite"
    data = desk.read_bytes()
    desk.write_bytes(data[: len(data) // 2])  # a copy that stopped half-way
    assert main(["check", "--db", url]) == 1
    err = capsys.readouterr().err
    assert "is damaged" in err
    assert "cut short" in err
    assert f"ticketdesk restore --db {desk}" in err
    assert backup.name in err
    assert desk.read_bytes() == data[: len(data) // 2]  # untouched
    assert main(["restore", "--db", url]) == 0
    assert main(["check", "--db", url]) == 0
