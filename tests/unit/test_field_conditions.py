"""Conditions on custom fields (issue 19, domain/field_conditions.py): what each kind can be
asked, bad operands refused with the field's name, the command line's operators, the LIKE
pattern of "contains", and a saved view's JSON keeping them (old views still load). No I/O."""

from __future__ import annotations

import json

import pytest

from ticketdesk.domain.custom_fields import FieldDef, FieldKind
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.field_conditions import (
    FieldCondition,
    FieldOp,
    condition,
    contains_pattern,
    from_symbol,
    parse,
)
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.view_spec import filter_from_json, filter_to_json

SEATS = FieldDef(1, "Seats", FieldKind.NUMBER)
NOTES = FieldDef(2, "Notes", FieldKind.TEXT)
RENEWAL = FieldDef(3, "Renewal", FieldKind.DATE)
PLAN = FieldDef(4, "Plan", FieldKind.LIST, ("Basic", "Pro"))
COST = FieldDef(5, "Cost (<5)", FieldKind.NUMBER)


def test_operands_are_kept_in_the_fields_stored_form() -> None:
    assert condition(SEATS, "ge", "10.50") == FieldCondition(1, FieldOp.GE, FieldKind.NUMBER,
                                                             "10.5")
    assert condition(RENEWAL, "between", "2026/3/7", "2026-04-01") == FieldCondition(
        3, FieldOp.BETWEEN, FieldKind.DATE, "2026-03-07", "2026-04-01")
    assert condition(NOTES, "contains", "  printer   jam ").value == "printer jam"
    assert condition(NOTES, "empty", "ignored") == FieldCondition(2, FieldOp.EMPTY,
                                                                  FieldKind.TEXT)


@pytest.mark.parametrize(("field", "op", "value", "upto", "message"), [
    (SEATS, "ge", "ten", "", "Seats: 'ten' is not a number"),
    (SEATS, "lt", "", "", "Seats: give a number to compare with"),
    (SEATS, "between", "10", "2", "Seats: the range starts at 10, after its end 2"),
    (RENEWAL, "eq", "07.03.2026", "", "Renewal: '07.03.2026' is not a date; write it as "
                                      "YYYY-MM-DD"),
    (RENEWAL, "between", "2026-05-01", "2026-02-30", "is not a date"),
    (RENEWAL, "between", "2026-05-01", "2026-04-01", "starts at 2026-05-01, after its end"),
    (NOTES, "contains", "   ", "", "Notes: type the text to look for"),
    (NOTES, "ge", "a", "", "a text field cannot be filtered with 'ge'"),
    (PLAN, "contains", "Pro", "", "a list field cannot be filtered"),
])
def test_bad_operands_are_refused_with_the_fields_name(field: FieldDef, op: str, value: str,
                                                       upto: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        condition(field, op, value, upto)


def test_numbers_in_a_range_compare_as_numbers_not_text() -> None:
    assert condition(SEATS, "between", "9", "10").upto == "10"  # "9" > "10" as text


def test_the_command_line_operators() -> None:
    fields = [SEATS, NOTES, RENEWAL, PLAN, COST]
    assert parse(fields, "Seats>=10") == (SEATS, ">=", "10")
    assert parse(fields, " seats < 5 ") == (SEATS, "<", "5")
    assert parse(fields, "Plan=Pro") == (PLAN, "=", "Pro")
    assert parse(fields, "Notes~printer jam") == (NOTES, "~", "printer jam")
    assert parse(fields, "Cost (<5)<=3") == (COST, "<=", "3")  # the name's own "<" is kept
    assert from_symbol(SEATS, "<", "5") == FieldCondition(1, FieldOp.LT, FieldKind.NUMBER, "5")
    assert from_symbol(RENEWAL, ">", "2026-01-31").op == FieldOp.GT
    with pytest.raises(ValidationError, match="one of the desk's fields"):
        parse(fields, "Bogus>=1")
    with pytest.raises(ValidationError, match="~ \\(contains\\) is for text fields"):
        from_symbol(SEATS, "~", "1")
    with pytest.raises(ValidationError, match="compares numbers and dates"):
        from_symbol(PLAN, ">=", "Pro")


def test_contains_takes_wildcards_literally_and_folds_a_to_z_only() -> None:
    assert contains_pattern("50%_Off\\") == "%50\\%\\_off\\\\%"
    assert contains_pattern("ÄRGER") == "%Ärger%"  # as both engines' lower() fold


def test_a_saved_views_json_keeps_the_custom_criteria() -> None:
    f = TicketFilter(custom=((4, "Pro"),), categories=frozenset({"Billing"}),
                     field_conditions=(condition(SEATS, "between", "9", "10"),
                                       condition(NOTES, "contains", "50%")))
    assert filter_from_json(filter_to_json(f)) == f


def test_old_and_damaged_saved_views_still_load() -> None:
    old = json.dumps({"text": "refund", "statuses": [0]})
    assert filter_from_json(old).text == "refund"
    assert filter_from_json(old).field_conditions == ()
    damaged = json.dumps({"custom": [[4], "x", [4, "Pro"]],
                          "field_conditions": [{"field": 1, "op": "nearly"}, "x",
                                               {"field": 1, "op": "ge", "kind": "number",
                                                "value": "3"}]})
    loaded = filter_from_json(damaged)
    assert loaded.custom == ((4, "Pro"),)
    assert loaded.field_conditions == (FieldCondition(1, FieldOp.GE, FieldKind.NUMBER, "3"),)


def test_an_analytics_export_names_the_custom_criteria_of_its_filter() -> None:
    from ticketdesk.services.analytics_export import describe_filter

    f = TicketFilter(custom=((4, "Pro"),), categories=frozenset({"Billing"}),
                     field_conditions=(condition(SEATS, "ge", "10"),
                                       condition(NOTES, "contains", "printer")))
    assert describe_filter(f) == ("categories=Billing; "
                                  "fields=field 4=Pro|field 1>=10|field 2~printer")
