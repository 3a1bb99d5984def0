"""The pure rules under the import (issue 16): header suggestions in five languages and for
the known exports, value mapping with numbered scales, presets, sound timelines, encoding and
separator detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.import_mapping import (
    Mapping,
    detect_system,
    suggest,
    suggest_priority,
    suggest_status,
)
from ticketdesk.domain.import_timeline import Timeline, make_sound
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services.importing.sources import detect_encoding, open_source, preview
from ticketdesk.services.importing.times import TimeReader, detect_order, duration


@pytest.mark.parametrize(("headers", "expected"), [
    (["Subject", "Created at", "Priority", "Assignee"],
     ["subject", "created_at", "priority", "assignees"]),
    (["Betreff", "Erstellt am", "Priorität", "Bearbeiter"],
     ["subject", "created_at", "priority", "assignees"]),
    (["Titre", "Date d'ouverture", "Priorité", "Attribué à - Technicien"],
     ["subject", "created_at", "priority", "assignees"]),
    (["Asunto", "Fecha de creación", "Prioridad", "Asignado a"],
     ["subject", "created_at", "priority", "assignees"]),
    (["Onderwerp", "Aangemaakt op", "Prioriteit", "Toegewezen aan"],
     ["subject", "created_at", "priority", "assignees"]),
])
def test_headers_in_five_languages_are_suggested_their_field(headers: list[str],
                                                             expected: list[str]) -> None:
    assert list(suggest(headers).columns.values()) == expected


@pytest.mark.parametrize(("headers", "system"), [
    (["Id", "Requester", "Subject", "Solved at", "First reply time in minutes"], "zendesk"),
    (["Ticket ID", "Subject", "Created time", "Resolved time"], "freshdesk"),
    (["Ticket Number", "Date Created", "Help Topic", "Current Status"], "osticket"),
    (["number", "short_description", "opened_at", "sys_updated_on"], "servicenow"),
    (["id", "Subject", "Queue", "Requestors", "LastUpdated"], "rt"),
    (["Subject", "Notes"], None),
])
def test_the_known_exports_are_recognised_by_their_headers(headers: list[str],
                                                           system: str | None) -> None:
    assert detect_system(headers) == system


def test_a_target_is_suggested_once_and_unknown_headers_are_ignored() -> None:
    mapping = suggest(["Subject", "Title", "Colour"])
    assert mapping.columns == {"Subject": "subject", "Title": "ignore", "Colour": "ignore"}


@pytest.mark.parametrize(("value", "status"), [
    ("pending", Status.WAITING), ("On Hold", Status.WAITING), ("stalled", Status.WAITING),
    ("solved", Status.RESOLVED), ("Processing (assigned)", Status.IN_PROGRESS),
    ("En attente", Status.WAITING), ("geschlossen", Status.CLOSED), ("nuevo", Status.OPEN),
    ("Waiting on Customer", Status.WAITING), ("Triage", None),
])
def test_status_words_map_to_ticketdesk_statuses(value: str, status: Status | None) -> None:
    assert suggest_status(value) == status


@pytest.mark.parametrize(("value", "system", "priority"), [
    ("critical", None, Priority.URGENT), ("emergency", "osticket", Priority.URGENT),
    ("Major", "glpi", Priority.URGENT), ("normal", "zendesk", Priority.MEDIUM),
    ("1 - Critical", "servicenow", Priority.URGENT), ("5 - Planning", "servicenow",
                                                      Priority.LOW),
    ("1", "servicenow", Priority.URGENT), ("4", "freshdesk", Priority.URGENT),
    ("1", "freshdesk", Priority.LOW), ("90", "rt", Priority.URGENT), ("10", "rt", Priority.LOW),
    ("3 high", "zammad", Priority.HIGH), ("P1", None, Priority.URGENT),
])
def test_priority_words_and_numbered_scales_follow_the_system(
        value: str, system: str | None, priority: Priority) -> None:
    assert suggest_priority(value, system, 5 if system == "servicenow" else 4) == priority


def test_freshdesk_numbered_statuses_are_known() -> None:
    assert [suggest_status(v, "freshdesk") for v in "2345"] == [
        Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED]


def test_a_preset_round_trips_and_a_bad_one_is_refused() -> None:
    mapping = suggest(["Id", "Subject", "Status"])
    mapping.statuses["Triage"] = "IN_PROGRESS"
    mapping.day_first = True
    assert Mapping.from_json(mapping.to_json()) == mapping
    with pytest.raises(ValidationError, match="both map to subject"):
        Mapping.from_json('{"columns": {"A": "subject", "B": "subject"}}')
    with pytest.raises(ValidationError, match="not valid JSON"):
        Mapping.from_json("{")


def test_a_closing_before_the_resolution_is_a_contradiction_not_a_repair() -> None:
    assert make_sound(Status.CLOSED, created_at=10, updated_at=None, first_response_at=None,
                      resolved_at=50, closed_at=40, now=99) == ["closing before resolution"]


def test_a_closed_ticket_without_times_is_closed_and_resolved_at_its_latest_time() -> None:
    assert make_sound(Status.CLOSED, created_at=None, updated_at=None, first_response_at=20,
                      resolved_at=None, closed_at=None, now=99) == Timeline(20, 20, 20, 20, 20)
    assert make_sound(Status.OPEN, created_at=None, updated_at=None, first_response_at=None,
                      resolved_at=None, closed_at=None, now=99) == Timeline(99, 99, None, None,
                                                                             None)


def test_date_order_is_detected_and_ambiguity_is_said() -> None:
    assert detect_order(["13/02/2026", "01/02/2026"]).day_first is True
    assert detect_order(["02/13/2026"]).day_first is False
    assert detect_order(["15.03.2026 08:30"]).day_first is True
    assert detect_order(["03/04/2026", "05/06/2026"]).ambiguous
    assert detect_order(["2026-03-04"]) == detect_order([])


def test_durations_in_minutes_hours_and_clock_form() -> None:
    assert duration("45", 60, "x") == 2700
    assert duration("1,5", 3600, "x") == 5400
    assert duration("1:30", 3600, "x") == 5400
    with pytest.raises(ValidationError):
        duration("-3", 60, "x")


def test_a_named_zone_applies_to_times_without_an_offset_only() -> None:
    from zoneinfo import ZoneInfo

    reader = TimeReader(None, ZoneInfo("Europe/Berlin"))
    assert reader.read("2026-07-01 12:00", "t") == 1782900000  # 10:00 UTC in summer
    assert reader.read("2026-07-01T12:00:00Z", "t") == 1782907200


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252",
                                      "cp850"])
def test_the_encoding_of_a_csv_is_detected(tmp_path: Path, encoding: str) -> None:
    text = "Betreff;Kunde\nDrucker im Büro;Jürgen Müller\nGrüße;Françoise Weiß\n"
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    found = preview(path)
    assert found.source.separator == ";"
    assert [r["Kunde"] for _, r in found.rows] == ["Jürgen Müller", "Françoise Weiß"]
    assert detect_encoding(text.encode(encoding)) in (encoding, "utf-16", "utf-8-sig", "utf-8")


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_the_separator_is_sniffed(tmp_path: Path, separator: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(separator.join(["Subject", "Status", "Note"]) + "\n"
                    + separator.join(["a b", "open", "x y z"]) + "\n", encoding="utf-8")
    source = open_source(path)
    assert (source.separator, source.headers) == (separator, ["Subject", "Status", "Note"])


def test_dashes_and_na_are_missing_and_an_empty_last_row_is_no_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Subject,Email,Phone\nHello,N/A,-\n,,\n", encoding="utf-8")
    assert [r for _, r in preview(path).rows] == [
        {"Subject": "Hello", "Email": None, "Phone": None}]


def test_a_message_row_in_french_is_read_as_an_internal_agent_note() -> None:
    from ticketdesk.services.importing.conversations import read_message

    message = read_message({"Date": "2026-01-05T10:00:00Z", "Auteur": "Luc Martin",
                            "Privé": "oui", "Contenu": "Appelé le client, pas de réponse."},
                           TimeReader(None, None))
    assert (message.author, message.customer, message.public, message.at) == (
        "Luc Martin", False, False, 1767607200)
    customer = read_message({"body_text": "Merci !", "incoming": True}, TimeReader(None, None))
    assert (customer.customer, customer.public) == (True, True)
