"""Custom fields (issue 19): what each kind accepts, values set with the version check and an
activity row, bad input refused with a clear message, the filter. Services on SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.helpers import new_ticket
from tests.unit.support import activity
from ticketdesk.domain.custom_fields import FieldDef, FieldKind, stored
from ticketdesk.domain.errors import ConflictError, ValidationError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.services import custom_fields, export, importer, ticket_list
from ticketdesk.services.session import Session

NUMBER = FieldDef(1, "Seats", FieldKind.NUMBER)


@pytest.mark.parametrize(("raw", "expected"), [("12", "12"), ("12.50", "12.5"), ("-0", "0"),
                                               ("1 000", "1000"), ("", None)])
def test_numbers_are_stored_in_one_form(raw: str, expected: str | None) -> None:
    assert stored(NUMBER, raw) == expected


def test_a_number_field_refuses_text_with_its_name() -> None:
    with pytest.raises(ValidationError, match="Seats: 'abc' is not a number"):
        stored(NUMBER, "abc")


def test_dates_checkboxes_and_lists_are_checked() -> None:
    day = FieldDef(2, "Renewal", FieldKind.DATE)
    assert stored(day, "2026/3/7") == "2026-03-07"
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        stored(day, "07.03.2026")
    box = FieldDef(3, "Onsite", FieldKind.CHECKBOX)
    assert (stored(box, True), stored(box, "no"), stored(box, "")) == ("1", "0", "0")
    plan = FieldDef(4, "Plan", FieldKind.LIST, ("Basic", "Pro"))
    assert stored(plan, "pro") == "Pro"
    with pytest.raises(ValidationError, match="not one of the choices"):
        stored(plan, "Gold")


def test_setting_values_bumps_the_version_and_records_the_change(alice: Session) -> None:
    seats, _ = custom_fields.add_field(alice, "Seats", "number")
    tid = new_ticket(alice)
    custom_fields.set_values(alice, tid, 1, {seats: "12"})
    assert custom_fields.ticket_values(alice, tid) == {seats: "12"}
    row = activity(tid)[-1]
    assert (row.kind, row.old, row.new, row.ticket_version) == (
        "custom_field", None, "Seats: 12", 2)
    custom_fields.set_values(alice, tid, 2, {seats: ""})
    assert custom_fields.ticket_values(alice, tid) == {}


def test_a_bad_value_or_a_stale_version_changes_nothing(alice: Session) -> None:
    seats, _ = custom_fields.add_field(alice, "Seats", "number")
    note, _ = custom_fields.add_field(alice, "Note", "text")
    tid = new_ticket(alice)
    with pytest.raises(ValidationError, match="not a number"):
        custom_fields.set_values(alice, tid, 1, {note: "fine", seats: "abc"})
    with pytest.raises(ConflictError):
        custom_fields.set_values(alice, tid, 7, {note: "fine"})
    assert custom_fields.ticket_values(alice, tid) == {}
    assert len(activity(tid)) == 1


def test_field_names_are_unique_and_used_choices_stay(alice: Session) -> None:
    plan, _ = custom_fields.add_field(alice, "Plan", "list", "Basic\nPro")
    with pytest.raises(ValidationError, match="already exists"):
        custom_fields.add_field(alice, "plan", "text")
    tid = new_ticket(alice)
    custom_fields.set_values(alice, tid, 1, {plan: "Pro"})
    with pytest.raises(ValidationError, match="still used"):
        custom_fields.edit_field(alice, plan, "Plan", "Basic")
    custom_fields.edit_field(alice, plan, "Subscription", "Basic\nPro\nGold")
    assert [f.name for f in custom_fields.list_fields(alice)] == ["Subscription"]


def test_the_filter_finds_tickets_by_a_fields_value(alice: Session) -> None:
    box, _ = custom_fields.add_field(alice, "Onsite", "checkbox")
    yes, no = new_ticket(alice), new_ticket(alice)
    custom_fields.set_values(alice, yes, 1, {box: True})
    custom_fields.set_values(alice, no, 1, {box: False})
    f = TicketFilter(custom=(custom_fields.filter_value(alice, box, "yes"),))
    assert ticket_list.count(alice.store, f) == 1
    custom_fields.delete_field(alice, box)
    assert custom_fields.list_fields(alice) == []


def test_the_export_has_a_column_per_field_and_the_import_reads_it_back(
        alice: Session, tmp_path: Path) -> None:
    seats, _ = custom_fields.add_field(alice, "Seats", "number")
    onsite, _ = custom_fields.add_field(alice, "Onsite", "checkbox")
    tid = new_ticket(alice, subject="With fields")
    custom_fields.set_values(alice, tid, 1, {seats: "12", onsite: True})
    out = tmp_path / "t.csv"
    export.export_tickets(alice.store, out)
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert (rows[0]["field:Seats"], rows[0]["field:Onsite"]) == ("12", "yes")
    text = out.read_text(encoding="utf-8").replace("TKT-000001", "TKT-000050")
    out.write_text(text.replace(",12,", ",13,"), encoding="utf-8")
    importer.import_tickets(alice, out)
    assert custom_fields.ticket_values(alice, 50) == {seats: "13", onsite: "1"}


def test_an_import_with_a_bad_field_value_imports_nothing(alice: Session, tmp_path: Path) -> None:
    custom_fields.add_field(alice, "Seats", "number")
    source = tmp_path / "in.csv"
    source.write_text("subject,field:seats\r\nFine,3\r\nBad,abc\r\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="line 3: Seats: 'abc' is not a number"):
        importer.import_tickets(alice, source)
    assert ticket_list.count(alice.store, TicketFilter()) == 0
