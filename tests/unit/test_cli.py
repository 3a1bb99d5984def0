"""The command line as a user runs it: `ticketdesk <command> --db ...`, exit codes, messages."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, assignees, customers, tickets
from ticketdesk.services.session import Session


def _fill(url: str) -> None:
    store = open_database(url)
    try:
        system = Session(store, None)
        alice, _ = agents.create_agent(system, "Alice")
        cust, _ = customers.create_customer(system, "=HYPERLINK(\"http://x\")", company="+Evil")
        tickets.create_ticket(system, subject="Refund please", customer_id=cust,
                              tags=["billing"], assignee_ids=[alice], priority=Priority.HIGH)
        second = tickets.create_ticket(system, subject="-1 is not a price",
                                       description="line one\nline \"two\"").new_id
        tickets.set_status(system, second, 1, Status.CLOSED)
        assignees.add_tag(system, second, 2, "@mention")
    finally:
        store.close()


@pytest.fixture
def desk(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    _fill(url)
    return url


def _read(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_writes_every_ticket_with_formula_cells_neutralised(desk: str, tmp_path: Path,
                                                                   capsys) -> None:
    out = tmp_path / "out" / "tickets.csv"
    assert main(["export", "tickets", "--db", desk, "--out", str(out)]) == 0
    rows = _read(out)
    assert [r["number"] for r in rows] == ["TKT-000001", "TKT-000002"]
    assert rows[0]["customer"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["customer_company"] == "'+Evil"
    assert rows[0]["assignees"] == "Alice"
    assert rows[0]["priority"] == "High"
    assert rows[1]["subject"] == "'-1 is not a price"
    assert rows[1]["description"] == "line one\nline \"two\""
    assert rows[1]["tags"] == "'@mention"
    assert rows[1]["status"] == "Closed"
    assert rows[1]["closed_at"].endswith("Z")
    assert "Exported 2 tickets" in capsys.readouterr().out


def test_export_file_and_new_folder_are_private(desk: str, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "new" / "t.csv"
        assert main(["export", "tickets", "--db", desk, "--out", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700


def test_export_bom_option_starts_file_with_byte_order_mark(desk: str, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    assert main(["export", "tickets", "--db", desk, "--out", str(out), "--bom"]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfnumber,")
    assert len(_read(out, "utf-8-sig")) == 2


def test_export_applies_filter_options(desk: str, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    assert main(["--db", desk, "export", "tickets", "--out", str(out),
                 "--status", "open,in progress", "--assignee", "alice"]) == 0
    assert [r["number"] for r in _read(out)] == ["TKT-000001"]
    assert main(["export", "tickets", "--db", desk, "--out", str(out), "--tag", "@mention"]) == 0
    assert [r["number"] for r in _read(out)] == ["TKT-000002"]
    assert main(["export", "tickets", "--db", desk, "--out", str(out), "--search", "refund"]) == 0
    assert [r["number"] for r in _read(out)] == ["TKT-000001"]


@pytest.mark.parametrize(("option", "message"), [
    (["--status", "Pending"], "Unknown status 'Pending'"),
    (["--from", "2026-02-30"], "not a valid --from date"),
    (["--from", "2026-03-02", "--to", "2026-03-01"], "after the end date"),
    (["--assignee", "Nobody"], "no agent called 'Nobody'"),
])
def test_export_bad_option_says_why_and_writes_no_file(desk: str, tmp_path: Path, capsys,
                                                       option: list[str], message: str) -> None:
    out = tmp_path / "t.csv"
    assert main(["export", "tickets", "--db", desk, "--out", str(out), *option]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_backup_is_a_private_consistent_copy(desk: str, tmp_path: Path, capsys) -> None:
    target = tmp_path / "snap" / "copy.sqlite"
    assert main(["backup", "--db", desk, "--out", str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    copy = open_database(f"sqlite:///{target}")
    try:
        assert tickets.ticket_count() == 2
    finally:
        copy.close()
    assert main(["backup", "--db", desk, "--out", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_backup_default_goes_to_backups_folder_beside_desk(desk: str, tmp_path: Path) -> None:
    assert main(["backup", "--db", desk]) == 0
    made = list((tmp_path / "backups").glob("desk-*.sqlite"))
    assert len(made) == 1


def test_check_reports_ok_on_a_healthy_desk(desk: str, capsys) -> None:
    assert main(["check", "--db", desk]) == 0
    assert ": ok" in capsys.readouterr().out


def test_check_reports_damage_with_exit_status_1(tmp_path: Path, capsys) -> None:
    import apsw

    path = tmp_path / "desk.sqlite"
    _fill(f"sqlite:///{path}")
    con = apsw.Connection(str(path))
    root, page = next(con.execute(
        "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master "
        "WHERE name = 'ticket_created'"))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(path.read_bytes())
    header = (root - 1) * page
    data[header + 3:header + 5] = (500).to_bytes(2, "big")  # claim 500 cells on a 2-cell page
    path.write_bytes(bytes(data))
    assert main(["check", "--db", str(path)]) == 1
    assert "problem" in capsys.readouterr().out


def test_db_from_environment_variable(desk: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TICKETDESK_DB", desk)
    assert main(["check"]) == 0
    assert desk.removeprefix("sqlite:///") in capsys.readouterr().out


def test_unknown_database_scheme_is_refused_clearly(capsys) -> None:
    assert main(["check", "--db", "mysql://x/y"]) == 1
    assert "Unknown database type 'mysql'" in capsys.readouterr().err


def test_version_names_app_qt_and_sqlite_in_use(capsys) -> None:
    import apsw

    assert main(["--version"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("ticketdesk ")
    assert "Qt 6." in text
    assert f"SQLite {apsw.sqlitelibversion()}" in text


def test_installed_command_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "ticketdesk", "--version"],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ticketdesk ")
