"""`ticketdesk import tickets` with other help desks' exports and spreadsheets (issue 16),
through the command a user runs, on both engines. The files under files/ are written in the
formats of those desks' real exports, with their awkward parts: a byte order mark, `;`
separators and localised headers in Windows-1252, `-`, `N/A`, `?` and `Not set` for empty,
durations in minutes, one row per update, numbered statuses."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ticketdesk.app import main
from ticketdesk.db.models import Activity, Message, Note, Tag, Ticket, TicketTag
from ticketdesk.db.store import open_database
from ticketdesk.domain.status import Priority, Status

FILES = Path(__file__).parent / "files"


def _utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@contextmanager
def _desk(url: str) -> Iterator[None]:
    store = open_database(url)
    try:
        yield
    finally:
        store.close()


def _tickets(url: str) -> dict[str, dict[str, Any]]:
    with _desk(url):
        return {t["source_id"]: t for t in Ticket.select().order_by(Ticket.id).dicts()}


def _import(url: str, name: str, *extra: str) -> int:
    return main(["import", "tickets", str(FILES / name), "--db", url, *extra])


def test_a_zendesk_csv_imports_without_touching_the_mapping(db_url: str, capsys) -> None:
    assert _import(db_url, "zendesk_tickets.csv") == 0
    assert "Imported 4 tickets" in capsys.readouterr().out
    found = _tickets(db_url)
    assert list(found) == ["1041", "1042", "1043", "1044"]  # the empty last row is no ticket
    solved = found["1041"]
    assert (solved["source_system"], solved["subject"], solved["status"], solved["priority"]) \
        == ("zendesk", "Printer prints blank pages", Status.RESOLVED, Priority.MEDIUM)
    assert solved["created_at"] == _utc("2026-03-02T08:15:00")  # +0100 in the file
    assert solved["first_response_at"] == solved["created_at"] + 45 * 60  # "First reply time"
    assert solved["resolved_at"] == _utc("2026-03-03T09:30:00")  # Solved at wins over duration
    assert (found["1042"]["status"], found["1042"]["priority"]) == (Status.WAITING,
                                                                    Priority.URGENT)
    assert found["1043"]["status"] == Status.WAITING  # "hold"
    assert found["1043"]["first_response_at"] is None  # "N/A"
    assert (found["1044"]["status"], found["1044"]["closed_at"]) == (
        Status.CLOSED, _utc("2026-02-27T11:00:00"))  # closed at its latest time
    with _desk(db_url):
        tags = sorted(n for (n,) in Tag.select(Tag.name).join(TicketTag).where(
            TicketTag.ticket == found["1042"]["id"]).tuples())
    assert tags == ["billing", "vip"]  # Zendesk separates tags with spaces


def test_importing_the_same_file_again_adds_nothing_and_changes_nothing(
        db_url: str, capsys) -> None:
    assert _import(db_url, "zendesk_tickets.csv") == 0
    before = _tickets(db_url)
    assert _import(db_url, "zendesk_tickets.csv") == 0
    assert "Imported 0 tickets" in (out := capsys.readouterr().out)
    assert "4 were already in this desk" in out
    assert _tickets(db_url) == before


def test_a_file_without_an_id_column_is_recognised_on_the_second_import(
        sqlite_url: str, capsys) -> None:
    assert _import(sqlite_url, "spreadsheet_tickets.csv", "--skip-bad-rows",
                   "--timezone", "UTC") == 0
    first = _tickets(sqlite_url)
    assert len(first) == 3
    assert _import(sqlite_url, "spreadsheet_tickets.csv", "--skip-bad-rows",
                   "--timezone", "UTC") == 0
    assert "3 were already in this desk" in capsys.readouterr().out
    assert _tickets(sqlite_url) == first


def test_a_german_semicolon_file_in_cp1252_imports(db_url: str) -> None:
    assert _import(db_url, "german_tickets_cp1252.csv", "--timezone", "Europe/Berlin") == 0
    found = _tickets(db_url)
    printer = found["2026031510000011"]
    assert printer["subject"] == "Drucker im Büro druckt nicht"
    assert (printer["status"], printer["priority"]) == (Status.OPEN, Priority.HIGH)
    assert printer["created_at"] == _utc("2026-03-15T07:30:00")  # 08:30 in Berlin (CET)
    password = found["2026031510000028"]
    assert (password["status"], password["resolved_at"]) == (Status.RESOLVED,
                                                             _utc("2026-03-16T09:45:00"))
    invoice = found["2026031610000031"]
    assert (invoice["status"], invoice["priority"]) == (Status.IN_PROGRESS, Priority.URGENT)
    assert "zweimal abgebucht – bitte" in invoice["description"]  # the en dash of cp1252


def test_times_without_an_offset_are_in_the_computers_zone_by_default(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert _import(sqlite_url, "rt_tickets.tsv") == 0
    finally:
        monkeypatch.undo()
        time.tzset()
    assert _tickets(sqlite_url)["101"]["created_at"] == _utc("2026-01-05T14:00:00")  # EST


def test_an_event_log_is_grouped_into_tickets_with_their_history(db_url: str) -> None:
    """ServiceNow's incident event log: one row per update, day-first dates, `?` for empty."""
    assert _import(db_url, "servicenow_incident_event_log.csv", "--timezone", "UTC") == 0
    found = _tickets(db_url)
    assert list(found) == ["INC0000045", "INC0000047"]
    email = found["INC0000045"]
    assert (email["status"], email["priority"]) == (Status.CLOSED, Priority.HIGH)  # the latest
    assert email["created_at"] == _utc("2016-02-29T01:16:00")
    assert email["first_response_at"] == _utc("2016-02-29T08:53:00")  # first move out of New
    assert email["resolved_at"] == _utc("2016-03-01T09:52:00")
    assert email["closed_at"] == email["updated_at"] == _utc("2016-03-06T10:00:00")
    with _desk(db_url):
        history = [(a["at"], a["kind"], a["old"], a["new"]) for a in
                   Activity.select().where(Activity.ticket == email["id"],
                                           Activity.kind != "imported")
                   .order_by(Activity.at, Activity.id).dicts()]
    assert [(k, o, n) for _, k, o, n in history if k == "status"] == [
        ("status", "Open", "In Progress"), ("status", "In Progress", "Waiting"),
        ("status", "Waiting", "Resolved"), ("status", "Resolved", "Closed")]
    assert ("priority", "Medium", "High") in [(k, o, n) for _, k, o, n in history]
    assert found["INC0000047"]["status"] == Status.IN_PROGRESS


def test_missing_creation_times_become_the_earliest_time_of_the_row(sqlite_url: str) -> None:
    assert _import(sqlite_url, "spreadsheet_tickets.csv", "--skip-bad-rows",
                   "--timezone", "UTC") == 0
    laptop = next(t for t in _tickets(sqlite_url).values()
                  if t["subject"] == "Laptop will not boot")
    assert laptop["created_at"] == _utc("2019-05-02T10:00:00")  # its first reply, not "now"
    assert laptop["closed_at"] == laptop["updated_at"] == _utc("2019-05-04T09:00:00")
    wifi = next(t for t in _tickets(sqlite_url).values() if t["subject"] == "Office wifi slow")
    assert wifi["resolved_at"] == _utc("2019-06-01T09:30:00")  # Resolved without a time


def test_a_contradictory_row_is_reported_not_imported(sqlite_url: str, capsys) -> None:
    assert _import(sqlite_url, "spreadsheet_tickets.csv", "--timezone", "UTC") == 1
    err = capsys.readouterr().err
    assert "2 ticket(s) with problems; nothing was imported" in err
    assert "line 4: times contradict each other: closing before resolution" in err
    assert "line 6: times contradict each other: first response before creation" in err
    assert _tickets(sqlite_url) == {}
    assert _import(sqlite_url, "spreadsheet_tickets.csv", "--timezone", "UTC",
                   "--skip-bad-rows") == 0
    out = capsys.readouterr().out
    assert "Imported 3 tickets" in out
    assert "Skipped 2 ticket(s)" in out
    assert "Cannot print labels" not in {t["subject"] for t in _tickets(sqlite_url).values()}


def test_dry_run_prints_the_mapping_and_grouped_problems_and_writes_nothing(
        tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    assert _import(url, "spreadsheet_tickets.csv", "--dry-run", "--timezone", "UTC") == 1
    out = capsys.readouterr().out
    assert "Opened      → created_at" in out
    assert "First reply → first_response_at" in out
    assert "5 rows → 3 tickets to import, 2 with problems" in out
    assert "times contradict each other: closing before resolution: 1 (lines 4)" in out
    assert "times contradict each other: first response before creation: 1 (lines 6)" in out
    assert not (tmp_path / "desk.sqlite").exists()


def test_ambiguous_day_and_month_are_refused_until_the_user_says_which(
        sqlite_url: str, capsys) -> None:
    """osTicket writes 03/04/2026: March 4 or 3 April? Nothing in this file tells."""
    assert _import(sqlite_url, "osticket_tickets.csv", "--dry-run") == 1
    out = capsys.readouterr().out
    assert "ambiguous in Date Created, Last Updated: say --day-first or --month-first" in out
    assert "day and month order ambiguous (say --day-first or --month-first): 2 (lines 2, 3)" \
        in out
    assert _import(sqlite_url, "osticket_tickets.csv", "--month-first",
                   "--timezone", "UTC") == 0
    website = _tickets(sqlite_url)["368126"]
    assert website["created_at"] == _utc("2026-03-04T09:12:00")
    assert website["priority"] == Priority.URGENT  # "Emergency"


def test_request_tracker_stalled_is_waiting_and_its_priority_scale_grows(
        sqlite_url: str) -> None:
    assert _import(sqlite_url, "rt_tickets.tsv", "--timezone", "UTC") == 0
    found = _tickets(sqlite_url)
    assert (found["101"]["status"], found["101"]["priority"]) == (Status.WAITING,
                                                                  Priority.URGENT)
    assert found["101"]["resolved_at"] is None  # "Not set"
    assert (found["102"]["status"], found["102"]["priority"]) == (Status.RESOLVED,
                                                                  Priority.LOW)


def test_nested_json_conversations_become_messages_notes_and_the_first_response(
        db_url: str) -> None:
    """Freshdesk's API form: numbered statuses, the conversation nested in each ticket."""
    assert _import(db_url, "freshdesk_tickets.json") == 0
    found = _tickets(db_url)
    refund = found["5001"]
    assert (refund["status"], refund["priority"]) == (Status.RESOLVED, Priority.HIGH)
    assert refund["first_response_at"] == _utc("2026-04-01T09:30:00")  # the first public reply
    with _desk(db_url):
        said = [(m.incoming, m.body) for m in Message.select().where(
            Message.ticket == refund["id"]).order_by(Message.created_at)]
        notes = [n.body for n in Note.select().where(Note.ticket == refund["id"])]
    assert said == [(False, "We are looking into it."), (True, "Got it, thanks!")]
    assert notes == ["Refund was stuck at the bank; re-sent."]
    assert found["5002"]["status"] == Status.OPEN


def test_a_conversations_file_adds_the_messages_of_each_ticket(sqlite_url: str) -> None:
    assert _import(sqlite_url, "zendesk_tickets.csv", "--conversations",
                   str(FILES / "zendesk_comments.csv")) == 0
    found = _tickets(sqlite_url)
    with _desk(sqlite_url):
        printer = [(m.incoming, m.body) for m in Message.select().where(
            Message.ticket == found["1041"]["id"]).order_by(Message.created_at)]
        notes = Note.select().where(Note.ticket == found["1041"]["id"]).count()
    assert printer == [(False, "Which printer model is it?"),
                       (True, "The HP LaserJet, 3rd floor.")]
    assert notes == 1
    # the export states no first reply for 1043: the first public agent reply is it
    assert found["1043"]["first_response_at"] == _utc("2026-03-06T16:00:00")


def test_an_xlsx_sheet_imports_its_dates_and_skips_its_empty_last_row(
        tmp_path: Path, sqlite_url: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ticket", "Subject", "Status", "Priority", "Created", "Resolved"])
    sheet.append([7, "Mouse broken", "Solved", "Critical", datetime(2025, 11, 3, 9, 0),
                  datetime(2025, 11, 3, 17, 30)])
    sheet.append([8, "Keyboard sticky", "Pending", "Normal", datetime(2025, 11, 4, 8, 0),
                  None])
    sheet.append([None] * 6)
    path = tmp_path / "tickets.xlsx"
    book.save(path)
    assert main(["import", "tickets", str(path), "--db", sqlite_url,
                 "--timezone", "UTC"]) == 0
    found = _tickets(sqlite_url)
    assert list(found) == ["7", "8"]
    assert (found["7"]["status"], found["7"]["priority"], found["7"]["resolved_at"]) == (
        Status.RESOLVED, Priority.URGENT, _utc("2025-11-03T17:30:00"))
    assert found["8"]["status"] == Status.WAITING


def test_a_saved_preset_maps_a_value_the_suggestions_do_not_know(
        tmp_path: Path, sqlite_url: str, capsys) -> None:
    path = tmp_path / "custom.csv"
    path.write_text("Case|Summary|Stage\nA-1|Broken hinge|Triage\nA-2|Lost key|Done\n",
                    encoding="utf-8")
    preset = tmp_path / "preset.json"
    assert main(["import", "tickets", str(path), "--db", sqlite_url, "--dry-run",
                 "--save-mapping", str(preset)]) == 1
    assert "unknown status: 1 (lines 2) — e.g. 'Triage'" in capsys.readouterr().out
    mapping = json.loads(preset.read_text(encoding="utf-8"))
    assert mapping["columns"] == {"Case": "source_id", "Summary": "subject", "Stage": "status"}
    mapping["statuses"] = {"Triage": "IN_PROGRESS"}
    preset.write_text(json.dumps(mapping), encoding="utf-8")
    assert main(["import", "tickets", str(path), "--db", sqlite_url, "--mapping",
                 str(preset)]) == 0
    found = _tickets(sqlite_url)
    assert (found["A-1"]["status"], found["A-2"]["status"]) == (Status.IN_PROGRESS,
                                                                Status.RESOLVED)


def test_a_bad_preset_is_refused_with_what_is_wrong(tmp_path: Path, sqlite_url: str,
                                                    capsys) -> None:
    preset = tmp_path / "p.json"
    preset.write_text('{"columns": {"Subject": "subject", "Status": "colour"}}',
                      encoding="utf-8")
    shutil.copy(FILES / "zendesk_tickets.csv", tmp_path / "z.csv")
    assert main(["import", "tickets", str(tmp_path / "z.csv"), "--db", sqlite_url,
                 "--mapping", str(preset)]) == 1
    assert "'Status' → 'colour' is not a target" in capsys.readouterr().err


def _ods(path: Path, rows: list[str]) -> None:
    """A LibreOffice-style .ods: the mimetype first, the sheet in content.xml, and the million
    repeated empty rows a real sheet ends with."""
    import zipfile

    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        '<office:body><office:spreadsheet><table:table table:name="Tickets">'
        + "".join(rows)
        + '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        '</table:table><table:table table:name="Other"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>not a ticket</text:p></table:table-cell>'
        '</table:table-row></table:table></office:spreadsheet></office:body>'
        '</office:document-content>')
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", content)


def _cell(value: str, kind: str = "string") -> str:
    if kind == "date":
        return (f'<table:table-cell office:value-type="date" office:date-value="{value}">'
                f'<text:p>{value}</text:p></table:table-cell>')
    return (f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>")


def test_an_ods_sheet_imports_its_first_sheet_only(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "tickets.ods"
    _ods(path, [
        "<table:table-row>" + _cell("Nr") + _cell("Titel") + _cell("Status")
        + _cell("Erstellt") + "</table:table-row>",
        "<table:table-row>" + _cell("17") + _cell("Beamer flackert") + _cell("offen")
        + _cell("2025-10-01T08:00:00", "date") + "</table:table-row>",
        '<table:table-row><table:table-cell table:number-columns-repeated="4"/>'
        "</table:table-row>",
        "<table:table-row>" + _cell("18") + _cell("Kaffeemaschine") + _cell("erledigt")
        + _cell("2025-10-02T09:30:00", "date") + "</table:table-row>",
    ])
    assert main(["import", "tickets", str(path), "--db", sqlite_url, "--timezone", "UTC"]) == 0
    found = _tickets(sqlite_url)
    assert list(found) == ["17", "18"]
    assert (found["17"]["subject"], found["17"]["created_at"]) == (
        "Beamer flackert", _utc("2025-10-01T08:00:00"))
    assert found["18"]["status"] == Status.RESOLVED
