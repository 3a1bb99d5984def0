"""`ticketdesk import tickets` and the exports' date ranges at the edges (issue 13, items 10,
12 and 13): files that are not regular files, values outside the ranges the desk can hold, and
rows with several problems — each refused at the door with its line, never a traceback."""

from __future__ import annotations

import csv
import io
import os
import sys
import threading
from pathlib import Path

import pytest

from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.services import tickets
from ticketdesk.services.session import Session
from ticketdesk.services.ticket_list import count

CSV = ("number,subject,status,created_at,updated_at,resolved_at\n"
       "TKT-000007,Printer on fire,Resolved,2026-03-01T09:00:00Z,2026-03-02T10:00:00Z,"
       "2026-03-02T10:00:00Z\n"
       ",Second one,Open,2026-03-03T09:00:00Z,,\n")

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/fd are POSIX")


def _url(tmp_path: Path, name: str = "desk.sqlite") -> str:
    return f"sqlite:///{tmp_path / name}"


def _count(url: str) -> int:
    store = open_database(url)
    try:
        return count(store, TicketFilter())
    finally:
        store.close()


def _exported(url: str, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / "back.csv"
    assert main(["export", "tickets", "--db", url, "--out", str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _import(tmp_path: Path, text: str, *extra: str, url: str | None = None) -> int:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return main(["import", "tickets", str(path), "--db", url or _url(tmp_path), *extra])


# -- item 10: files that can be read only once -------------------------------------------------

@posix_only
def test_import_from_a_fifo_reads_it_once_and_does_not_hang(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(CSV, encoding="utf-8"), daemon=True)
    writer.start()

    def unblock() -> None:  # the old code opened the FIFO again, holding the write lock
        fd = os.open(fifo, os.O_WRONLY)
        os.close(fd)

    watchdog = threading.Timer(20, unblock)
    watchdog.daemon = True
    watchdog.start()
    try:
        assert main(["import", "tickets", str(fifo), "--db", _url(tmp_path)]) == 0
    finally:
        watchdog.cancel()
    assert "Imported 2 tickets" in capsys.readouterr().out
    assert [r["number"] for r in _exported(_url(tmp_path), tmp_path)] == ["TKT-000007",
                                                                        "TKT-000008"]


@posix_only
def test_import_from_a_process_substitution_pipe(tmp_path: Path, capsys) -> None:
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write_end, CSV.encode()),
                                              os.close(write_end)), daemon=True)
    writer.start()
    try:
        assert main(["import", "tickets", f"/dev/fd/{read_end}", "--db", _url(tmp_path)]) == 0
    finally:
        os.close(read_end)
    assert "Imported 2 tickets" in capsys.readouterr().out


def test_import_from_standard_input_with_dash(tmp_path: Path, capsys,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CSV.encode())))
    assert main(["import", "tickets", "-", "--db", _url(tmp_path)]) == 0
    assert "Imported 2 tickets from standard input" in capsys.readouterr().out
    assert _count(_url(tmp_path)) == 2


def test_importing_a_folder_is_a_clear_message(tmp_path: Path, capsys) -> None:
    assert main(["import", "tickets", str(tmp_path), "--db", _url(tmp_path)]) == 1
    assert f"Cannot read {tmp_path}: it is a folder" in capsys.readouterr().err


# -- item 12: ranges checked at the door ---------------------------------------------------------

def test_times_outside_1970_to_9999_are_refused_with_their_line(tmp_path: Path, capsys) -> None:
    text = ("subject,created_at,updated_at\n"
            "Year 10000 in UTC,9999-12-31T23:59:59-01:00,\n"
            "Year 0 in UTC,0001-01-01T00:30:00+01:00,\n"
            "Before 1970,1969-12-31T23:59:59Z,\n"
            "Last second,2026-01-01T00:00:00Z,9999-12-31T23:59:59Z\n"
            "First second,1970-01-01T00:00:00Z,\n")
    assert _import(tmp_path, text) == 1
    err = capsys.readouterr().err
    assert "3 bad row(s); nothing was imported" in err
    for line in (2, 3, 4):
        assert f"line {line}: the created_at time" in err
    assert "outside the years 1970 to 9999" in err
    assert "Traceback" not in err
    assert _count(_url(tmp_path)) == 0
    assert _import(tmp_path, text, "--skip-bad-rows") == 0
    rows = _exported(_url(tmp_path), tmp_path)
    assert [(r["created_at"], r["updated_at"]) for r in rows] == [
        ("2026-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z")]


@pytest.mark.parametrize("number", ["TKT-999999999999", "1000000000", "TKT-1000000000", "²",
                                    "TKT-²", "9223372036854775808", "9" * 40, "0", "TKT-0"])
def test_ticket_numbers_outside_the_numbering_are_refused_with_their_line(
        tmp_path: Path, capsys, number: str) -> None:
    text = f"number,subject\nTKT-000001,Fine\n{number},Bad number\n"
    assert _import(tmp_path, text) == 1
    err = capsys.readouterr().err
    assert "line 3:" in err
    assert "Traceback" not in err
    assert _count(_url(tmp_path)) == 0


def test_the_highest_number_imports_and_exports_back_and_then_no_number_is_left(
        tmp_path: Path, capsys) -> None:
    url = _url(tmp_path)
    assert _import(tmp_path, "number,subject\nTKT-999999999,The last one\n") == 0
    rows = _exported(url, tmp_path)
    assert [r["number"] for r in rows] == ["TKT-999999999"]
    again = _url(tmp_path, "again.sqlite")
    assert main(["import", "tickets", str(tmp_path / "back.csv"), "--db", again]) == 0
    capsys.readouterr()
    # A row without a number would get TKT-1000000000, which no import could read back.
    assert _import(tmp_path, "subject\nOne more\n", url=url) == 1
    assert "would need numbers above TKT-999999999" in capsys.readouterr().err
    store = open_database(url)
    try:
        with pytest.raises(ValidationError, match="used every ticket number"):
            tickets.create_ticket(Session(store, None), subject="One more")
        assert count(store, TicketFilter()) == 1
    finally:
        store.close()


# -- item 13: rows with problems, and files in other encodings -----------------------------------

def test_every_problem_of_a_row_is_reported_on_its_line(tmp_path: Path, capsys) -> None:
    text = ("subject,status,created_at,tags\n"
            ",Pending,yesterday,ok\n")
    assert _import(tmp_path, text) == 1
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if ln.startswith("line 2:"))
    assert "subject cannot be empty" in line
    assert "Pending" in line
    assert "'yesterday' is not a valid created_at time" in line


def test_an_invisible_customer_name_is_a_bad_row_even_when_skipping(tmp_path: Path,
                                                                    capsys) -> None:
    text = ("subject,customer\n"
            "Good,Ada Lovelace\n"
            "Invisible customer,\u200b\u200d\ufeff\n")
    assert _import(tmp_path, text) == 1
    assert "line 3: The customer's name cannot be empty" in capsys.readouterr().err
    assert _import(tmp_path, text, "--skip-bad-rows") == 0
    said = capsys.readouterr().out
    assert "Imported 1 tickets" in said
    assert "line 3: The customer's name cannot be empty" in said


def test_a_quoted_tag_with_a_comma_is_refused_not_split(tmp_path: Path, capsys) -> None:
    text = 'subject,tags\nQuoted tag,"""a,b"", c"\n'
    assert _import(tmp_path, text) == 1
    assert "line 2: A tag cannot contain a comma: 'a,b'" in capsys.readouterr().err
    assert _count(_url(tmp_path)) == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"])
def test_a_utf16_or_code_page_file_imports_like_utf8(
        tmp_path: Path, capsys, encoding: str) -> None:
    """Issue 16 turned issue 13's refusal into detection: Excel's "Unicode text" (UTF-16) and
    an old Windows code page import as their UTF-8 twin would."""
    path = tmp_path / "in.csv"
    path.write_text(CSV.replace("Second one", "Deuxième café"), encoding=encoding)
    assert main(["import", "tickets", str(path), "--db", _url(tmp_path)]) == 0
    assert "Imported 2 tickets" in capsys.readouterr().out
    assert [r["subject"] for r in _exported(_url(tmp_path), tmp_path)] == [
        "Printer on fire", "Deuxième café"]


def test_date_ranges_at_the_ends_of_the_calendar_export(tmp_path: Path, capsys) -> None:
    url = _url(tmp_path)
    assert _import(tmp_path, CSV) == 0
    out = tmp_path / "all.csv"
    for field in ("created", "updated", "resolved"):
        assert main(["export", "tickets", "--db", url, "--out", str(out), "--date-field", field,
                     "--from", "0001-01-01", "--to", "9999-12-31"]) == 0
        assert "Exported" in capsys.readouterr().out
    assert main(["export", "tickets", "--db", url, "--out", str(out), "--from", "9999-12-31"]) == 0
    assert "Exported 0 tickets" in capsys.readouterr().out
    assert main(["export", "tickets", "--db", url, "--out", str(out), "--to", "0001-01-01"]) == 0
    assert "Exported 0 tickets" in capsys.readouterr().out
    assert main(["export", "analytics", "--db", url, "--out", str(out), "--period", "all-time",
                 "--from", "0001-01-01", "--to", "9999-12-31"]) == 0
    for first, last in (("0001-01-01", "0001-01-10"), ("9999-12-01", "9999-12-31")):
        assert main(["export", "analytics", "--db", url, "--out", str(out), "--period", "custom",
                     "--from", first, "--to", last]) == 1
        err = capsys.readouterr().err
        assert "A period must lie between 1970-01-01 and 9998-12-31" in err
