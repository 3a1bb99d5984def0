"""`ticketdesk sla ...` and the export's SLA columns, as a user runs them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import tickets
from ticketdesk.services.session import Session


@pytest.fixture
def desk(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    store = open_database(url)
    try:
        system = Session(store, None, lambda: 1_000_000_000)  # 2001: long overdue by now
        tickets.create_ticket(system, subject="Old and urgent", priority=Priority.URGENT)
        done = tickets.create_ticket(system, subject="Done", priority=Priority.LOW).new_id
        tickets.set_status(system, done, 1, Status.CLOSED)
    finally:
        store.close()
    return url


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_hours_policies_recompute_and_export_work_from_the_command_line(
        desk: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ics = tmp_path / "closed.ics"
    ics.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
                    b"UID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261231\r\n"
                    b"SUMMARY:Inventory\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert main(["sla", "hours", "--db", desk, "--timezone", "Europe/Berlin", "--week",
                 "mon-fri 09:00-17:00", "--holiday", "2026-12-24", "--country", "DE",
                 "--years", "2026", "--ics", str(ics)]) == 0
    shown = capsys.readouterr().out
    assert "Time zone: Europe/Berlin" in shown
    assert "2026-12-24" in shown
    assert "2026-12-25" in shown        # from the country's public holidays
    assert "Inventory" in shown
    assert "sla recompute" in shown
    # Policies created "now" would not apply to 2001's tickets: the rule is "from creation".
    assert main(["sla", "policy", "add", "Standard", "--db", desk, "--priority", "urgent,high",
                 "--first-response", "1h", "--resolution", "8h", "--next-response", "4h"]) == 0
    assert main(["sla", "policy", "add", "VIP", "--db", desk, "--priority", "low",
                 "--resolution", "2d", "--tag", "vip", "--position", "1"]) == 0
    capsys.readouterr()
    assert main(["sla", "policy", "list", "--db", desk]) == 0
    listing = capsys.readouterr().out
    assert listing.splitlines()[0] == "1. VIP  (tags: vip)"
    assert "   Urgent: first response 1h, next response 4h, resolution 8h" in listing
    assert main(["sla", "recompute", "--db", desk]) == 0
    captured = capsys.readouterr()
    assert "Recomputed the SLA of 2 tickets" in captured.out
    assert "2/2" in captured.err             # progress goes to stderr
    out = tmp_path / "tickets.csv"
    assert main(["export", "tickets", "--db", desk, "--out", str(out)]) == 0
    rows = _read(out)
    assert list(rows[0])[-4:] == ["sla_policy", "first_response_due", "resolution_due",
                                  "sla_state"]
    assert rows[0]["sla_policy"] == "Standard"
    assert rows[0]["sla_state"] == "on-track"   # its clock starts when the policy was made
    assert rows[0]["first_response_due"].endswith("Z")
    assert rows[1]["sla_state"] == "none"
    capsys.readouterr()
    assert main(["export", "tickets", "--db", desk, "--out", str(out), "--sla",
                 "none,breached"]) == 0
    assert [r["subject"] for r in _read(out)] == ["Done"]


@pytest.mark.parametrize(("argv", "message"), [
    (["sla", "hours", "--timezone", "Mars/Base"], "Unknown time zone"),
    (["sla", "hours", "--week", "weekdays 9-5"], "not a day"),
    (["sla", "hours", "--country", "XX"], "XX"),
    (["sla", "hours", "--holiday", "2026-13-01"], "YYYY-MM-DD"),
    (["sla", "policy", "add", "P", "--first-response", "1h"], "which priority"),
    (["sla", "policy", "add", "P", "--priority", "urgent"], "at least one target"),
    (["sla", "policy", "add", "P", "--priority", "urgent", "--resolution", "soon"],
     "not a duration"),
    (["sla", "policy", "add", "P", "--priority", "asap", "--resolution", "1h"],
     "Unknown priority"),
    (["sla", "policy", "remove", "Nope"], "no SLA policy"),
    (["export", "tickets", "--out", "x.csv", "--sla", "late"], "Unknown SLA state"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_changed(
        desk: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--db", desk]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert main(["sla", "policy", "list", "--db", desk]) == 0
    assert capsys.readouterr().out == "No SLA policies.\n"
