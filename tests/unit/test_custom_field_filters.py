"""Filtering tickets by custom fields of every kind (issue 19), on SQLite and PostgreSQL: numbers
compared as numbers (9 < 10), dates as days, text containing what was typed with `%` and `_`
taken literally, is empty / is set; the count, the first page and the id snapshot of one filter
agree (db/ticket_query.py builds all three); a saved view keeps the conditions; the exports'
`--field` operators."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.helpers import new_ticket
from ticketdesk.app import main
from ticketdesk.db import ticket_query
from ticketdesk.domain.custom_fields import FieldDef
from ticketdesk.domain.field_conditions import condition
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.domain.status import Status
from ticketdesk.domain.view_spec import ViewSpec
from ticketdesk.services import custom_fields, saved_views, ticket_list
from ticketdesk.services.session import Session

ROWS = [  # subject, Seats, Notes, Renewal, Plan
    ("nine", "9", "50% off for printers", "2026-03-01", "Pro"),
    ("ten", "10", "Printer jam", "2026-03-02", "Basic"),
    ("hundred", "100", "5000 off", "2026-02-28", "Pro"),
    ("half", "-2.5", "x_y", "", "Basic"),
    ("bare", "", "", "2027-01-01", ""),
]


@pytest.fixture
def fields(alice: Session) -> dict[str, FieldDef]:
    ids = {name: custom_fields.add_field(alice, name, kind, "Basic\nPro")[0]
           for name, kind in (("Seats", "number"), ("Notes", "text"), ("Renewal", "date"),
                              ("Plan", "list"))}
    for subject, *values in ROWS:
        tid = new_ticket(alice, subject=subject)
        custom_fields.set_values(alice, tid, 1, dict(zip(ids.values(), values, strict=True)))
    return {f.name: f for f in custom_fields.list_fields(alice)}


def matching(session: Session, f: TicketFilter) -> list[str]:
    """The subjects of the first page, checked against the count and the id snapshot."""
    store = session.store
    page = ticket_list.first_page(store, f, Sort(SortKey.NUMBER, False))
    snapshot = ticket_list.id_snapshot(store, f, Sort(SortKey.NUMBER, False))
    assert [r.id for r in page] == [int(i) for i in snapshot]
    assert ticket_list.count(store, f) == len(page)
    return [r.subject for r in page]


def on(field: FieldDef, op: str, value: str = "", upto: str = "") -> TicketFilter:
    return TicketFilter(field_conditions=(condition(field, op, value, upto),))


def test_numbers_compare_as_numbers(alice: Session, fields: dict[str, FieldDef]) -> None:
    seats = fields["Seats"]
    assert matching(alice, on(seats, "lt", "10")) == ["nine", "half"]
    assert matching(alice, on(seats, "ge", "10")) == ["ten", "hundred"]
    assert matching(alice, on(seats, "le", "9")) == ["nine", "half"]
    assert matching(alice, on(seats, "gt", "9.5")) == ["ten", "hundred"]
    assert matching(alice, on(seats, "between", "-3", "10")) == ["nine", "ten", "half"]
    assert matching(alice, on(seats, "eq", "10.0")) == ["ten"]
    assert matching(alice, on(seats, "empty")) == ["bare"]
    assert matching(alice, on(seats, "set")) == ["nine", "ten", "hundred", "half"]


def test_dates_compare_as_days(alice: Session, fields: dict[str, FieldDef]) -> None:
    renewal = fields["Renewal"]
    assert matching(alice, on(renewal, "eq", "2026/3/2")) == ["ten"]
    assert matching(alice, on(renewal, "lt", "2026-03-02")) == ["nine", "hundred"]
    assert matching(alice, on(renewal, "gt", "2026-03-01")) == ["ten", "bare"]
    assert matching(alice, on(renewal, "between", "2026-03-01", "2026-03-02")) == ["nine",
                                                                                   "ten"]
    assert matching(alice, on(renewal, "empty")) == ["half"]


def test_text_contains_any_case_with_wildcards_taken_literally(
        alice: Session, fields: dict[str, FieldDef]) -> None:
    notes = fields["Notes"]
    assert matching(alice, on(notes, "contains", "PRINTER")) == ["nine", "ten"]
    assert matching(alice, on(notes, "contains", "50%")) == ["nine"]  # not "5000"
    assert matching(alice, on(notes, "contains", "x_y")) == ["half"]
    assert matching(alice, on(notes, "contains", "_")) == ["half"]
    assert matching(alice, on(notes, "contains", "%")) == ["nine"]
    assert matching(alice, on(notes, "empty")) == ["bare"]
    assert matching(alice, on(notes, "set")) == ["nine", "ten", "hundred", "half"]


def test_conditions_combine_with_values_and_other_criteria(
        alice: Session, fields: dict[str, FieldDef]) -> None:
    pro = (fields["Plan"].id, "Pro")
    f = on(fields["Seats"], "ge", "10").with_(custom=(pro,))
    assert matching(alice, f) == ["hundred"]
    assert matching(alice, f.with_(statuses=frozenset({Status.CLOSED}))) == []
    both = TicketFilter(field_conditions=(condition(fields["Seats"], "gt", "0"),
                                          condition(fields["Notes"], "contains", "off")))
    assert matching(alice, both) == ["nine", "hundred"]


def test_a_saved_view_keeps_the_conditions(alice: Session, fields: dict[str, FieldDef]) -> None:
    f = TicketFilter(custom=((fields["Plan"].id, "Pro"),),
                     field_conditions=(condition(fields["Seats"], "between", "9", "10"),
                                       condition(fields["Notes"], "contains", "50%")))
    saved = saved_views.save_view(alice, "Pro seats", ViewSpec(f))
    [view] = [v for v in saved_views.list_views(alice.store, alice.agent_id)
              if v.id == saved.id]
    assert view.spec.filter == f
    assert saved_views.counts(alice.store, [view]) == {view.key: 1}


def test_the_export_takes_field_operators(alice: Session, fields: dict[str, FieldDef],
                                          tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    out = tmp_path / "out.csv"

    def exported(*typed: str) -> list[str]:
        args = [a for t in typed for a in ("--field", t)]
        assert main(["export", "tickets", "--db", alice.store.url, "--out", str(out),
                     *args]) == 0
        with open(out, encoding="utf-8", newline="") as fh:
            return sorted(row["subject"] for row in csv.DictReader(fh))

    assert exported("Seats>=10") == ["hundred", "ten"]
    assert exported("Seats<5") == ["half"]
    assert exported("Seats>9", "Seats<=100") == ["hundred", "ten"]
    assert exported("Plan=Pro") == ["hundred", "nine"]
    assert exported("Notes~printer") == ["nine", "ten"]
    assert exported("Renewal<2026-03-01") == ["hundred"]
    out.unlink()
    assert main(["export", "tickets", "--db", alice.store.url, "--out", str(out),
                 "--field", "Seats>=ten"]) == 1
    assert "Seats: 'ten' is not a number" in capsys.readouterr().err
    assert not out.exists()


def test_contains_folds_the_same_letters_on_both_engines(alice: Session,
                                                         fields: dict[str, FieldDef]) -> None:
    tid = new_ticket(alice, subject="umlaut")
    custom_fields.set_values(alice, tid, 1, {fields["Notes"].id: "Ärger mit dem DRUCKER"})
    notes = fields["Notes"]
    assert matching(alice, on(notes, "contains", "ÄRGER mit dem drucker")) == ["umlaut"]
    # Beyond A-Z, case is kept on both engines (SQLite's lower() folds ASCII only).
    assert matching(alice, on(notes, "contains", "ärger")) == []



def test_a_number_range_is_read_the_way_each_engine_reads_it_fast(
        alice: Session, fields: dict[str, FieldDef]) -> None:
    """SQLite probes each listed ticket's own value by the primary key (no list of every
    match to sort); PostgreSQL reads the range from migration 25's index, whose expression is
    `PostgresBackend.number_key` character for character."""
    store = alice.store
    f = on(fields["Seats"], "ge", "50")
    sql, params = ticket_query.count_query(f, store.backend).sql()
    with store.read():
        if store.backend.dialect.is_sqlite:
            plan = " ".join(str(row[-1]) for row in store.db.execute_sql(
                "EXPLAIN QUERY PLAN " + sql, params))
            assert "EXISTS USING PRIMARY KEY (ticket_id=? AND field_id=?)" in plan, plan
            assert "LIST SUBQUERY" not in plan, plan
        else:
            store.db.execute_sql("ANALYZE custom_value")
            store.db.execute_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(str(row[0]) for row in store.db.execute_sql(
                "EXPLAIN " + sql, params))
            assert "custom_value_number" in plan, plan
    assert ticket_list.count(store, f) == 1
