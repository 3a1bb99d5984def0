"""A ticket's resolution (issue 13, item 24) goes out in the export's `resolution` column and
comes back in with the import; an older export without the column still imports."""

from __future__ import annotations

import csv
from pathlib import Path

from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.domain.errors import NotFoundError
from ticketdesk.domain.status import Status
from ticketdesk.services import tickets
from ticketdesk.services.session import Session


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _resolutions(url: str) -> list[tuple[str, Status, str]]:
    store = open_database(url)
    try:
        found = []
        for tid in range(1, 10):
            try:
                t = tickets.get_ticket(tid)
            except NotFoundError:
                continue
            found.append((t.subject, t.status, t.resolution))
        return found
    finally:
        store.close()


def test_the_resolution_is_exported_as_a_column_and_imported_back(tmp_path: Path,
                                                                  capsys) -> None:
    old = f"sqlite:///{tmp_path / 'old.sqlite'}"
    store = open_database(old)
    try:
        system = Session(store, None)
        first = tickets.create_ticket(system, subject="Printer on fire").new_id
        tickets.set_status(system, first, 1, Status.RESOLVED,
                           note="=Replaced the fuser\nand the drum")
        second = tickets.create_ticket(system, subject="Still open").new_id
        tickets.set_status(system, second, 1, Status.CLOSED, note="Duplicate")
        tickets.set_status(system, second, 2, Status.OPEN)  # a reopen clears it
    finally:
        store.close()
    out = tmp_path / "tickets.csv"
    assert main(["export", "tickets", "--db", old, "--out", str(out)]) == 0
    rows = _rows(out)
    assert "resolution" in rows[0]
    assert [r["resolution"] for r in rows] == ["'=Replaced the fuser\nand the drum", ""]

    new = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert main(["import", "tickets", str(out), "--db", new]) == 0
    assert _resolutions(new) == [
        ("Printer on fire", Status.RESOLVED, "=Replaced the fuser\nand the drum"),
        ("Still open", Status.OPEN, "")]
    again = tmp_path / "again.csv"
    assert main(["export", "tickets", "--db", new, "--out", str(again)]) == 0
    assert [r["resolution"] for r in _rows(again)] == [r["resolution"] for r in rows]


def test_an_export_without_the_resolution_column_still_imports(tmp_path: Path, capsys) -> None:
    path = tmp_path / "older.csv"
    path.write_text("number,subject,status,created_at,updated_at,resolved_at,closed_at,"
                    "description\n"
                    "TKT-000004,Old one,Resolved,2025-01-01T00:00:00Z,2025-01-02T00:00:00Z,"
                    "2025-01-02T00:00:00Z,,Text\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    assert main(["import", "tickets", str(path), "--db", url]) == 0
    assert _resolutions(url) == [("Old one", Status.RESOLVED, "")]


def test_an_open_ticket_with_a_resolution_is_a_bad_row(tmp_path: Path, capsys) -> None:
    path = tmp_path / "in.csv"
    path.write_text("subject,status,resolution\n"
                    "Done,Closed,Rebooted\n"
                    "Not done,Waiting,Rebooted\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    assert main(["import", "tickets", str(path), "--db", url]) == 1
    assert "line 3: a Waiting ticket has no resolution" in capsys.readouterr().err
    assert _resolutions(url) == []
