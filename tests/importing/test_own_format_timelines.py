"""ticketdesk's own CSV after issue 16: the problems the issue found after renaming another
desk's columns by hand — creation defaulting to *now*, closing before resolution, a second
import adding every ticket again — are gone from this format too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ticketdesk.app import main
from ticketdesk.db.models import Ticket
from ticketdesk.db.store import open_database
from ticketdesk.domain.status import Status

RENAMED = ("subject,status,first_response_at,resolved_at,closed_at\n"
           "Old printer,Resolved,2019-03-01T10:00:00Z,2019-03-02T10:00:00Z,\n"
           "Old mouse,Closed,2019-04-01T10:00:00Z,2019-04-02T10:00:00Z,\n"
           "Plain question,Open,,,\n")


def _utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _import(tmp_path: Path, url: str, text: str, *extra: str) -> int:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return main(["import", "tickets", str(path), "--db", url, *extra])


def _rows(url: str) -> list[dict]:
    store = open_database(url)
    try:
        return list(Ticket.select().order_by(Ticket.id).dicts())
    finally:
        store.close()


def test_a_missing_creation_time_is_the_rows_earliest_not_now(tmp_path: Path,
                                                              db_url: str) -> None:
    assert _import(tmp_path, db_url, RENAMED) == 0
    printer, mouse, _ = _rows(db_url)
    assert (printer["created_at"], printer["resolved_at"], printer["updated_at"]) == (
        _utc("2019-03-01T10:00:00"), _utc("2019-03-02T10:00:00"), _utc("2019-03-02T10:00:00"))
    assert mouse["status"] == Status.CLOSED
    assert mouse["closed_at"] == mouse["resolved_at"] == _utc("2019-04-02T10:00:00")


def test_rows_without_numbers_are_imported_once_however_often_the_file_is(
        tmp_path: Path, db_url: str, capsys) -> None:
    twice = RENAMED + "Plain question,Open,,,\n"  # the same row twice: two tickets
    assert _import(tmp_path, db_url, twice) == 0
    assert len(_rows(db_url)) == 4
    assert _import(tmp_path, db_url, twice) == 0
    assert "4 were already in this desk" in capsys.readouterr().out
    assert len(_rows(db_url)) == 4


def test_a_closing_before_the_resolution_is_a_bad_row(tmp_path: Path, sqlite_url: str,
                                                      capsys) -> None:
    bad = ("subject,status,created_at,resolved_at,closed_at\n"
           "Backwards,Closed,2020-01-01T00:00:00Z,2020-01-03T00:00:00Z,2020-01-02T00:00:00Z\n")
    assert _import(tmp_path, sqlite_url, bad) == 1
    assert "line 2: the times contradict each other: closing before resolution" in \
        capsys.readouterr().err
