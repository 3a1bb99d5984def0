"""Categories in the reports (issue 19): `--category` narrows both exports, the analytics have
a By category breakdown (with its drill-down), an unknown category is refused by name. On
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.domain.analytics import CategoryName
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.period import PeriodKind
from ticketdesk.services import analytics, tickets
from ticketdesk.services.session import Session


@pytest.fixture
def desk(db_url: str) -> str:
    store = open_database(db_url)
    try:
        system = Session(store, None, utc_now)
        for subject, category in (("A", "Billing"), ("B", "billing"), ("C", "Shipping"),
                                  ("D", "")):
            tickets.create_ticket(system, subject=subject, category=category)
    finally:
        store.close()
    return db_url


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_tickets_export_narrows_by_category(desk: str, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    assert main(["export", "tickets", "--db", desk, "--out", str(out),
                 "--category", "BILLING"]) == 0
    rows = _rows(out)
    assert sorted(r["subject"] for r in rows) == ["A", "B"]
    assert {r["category"] for r in rows} == {"Billing"}


def test_the_analytics_export_has_a_category_breakdown_and_filter(desk: str,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    assert main(["export", "analytics", "--db", desk, "--out", str(out)]) == 0
    bars = {r["key"]: r["value"] for r in _rows(out)
            if r["section"] == "by_category" and r["period"] == "current"}
    assert bars == {"Billing": "2", "Shipping": "1"}
    assert main(["export", "analytics", "--db", desk, "--out", str(out),
                 "--category", "shipping"]) == 0
    created = next(r["value"] for r in _rows(out) if r["section"] == "summary"
                   and r["period"] == "current" and r["metric"] == "created")
    assert created == "1"


def test_an_unknown_category_is_refused_by_name(desk: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "t.csv"
    assert main(["export", "tickets", "--db", desk, "--out", str(out),
                 "--category", "Nope"]) == 1
    assert "no category called 'Nope'" in capsys.readouterr().err
    assert not out.exists()


def test_a_category_bar_drills_down_to_its_tickets(desk: str) -> None:
    store = open_database(desk)
    try:
        period = analytics.period_for(store, PeriodKind.LAST_30D)
        report = analytics.compute(store, period)
        charts = report.current.breakdowns
        assert charts is not None
        bar = charts.by_category[0]
        assert isinstance(bar.key, CategoryName)
        drilled = report.current.drill_bar(bar)
        assert drilled is not None
        assert drilled.categories == frozenset({"Billing"})
    finally:
        store.close()


def test_the_exports_narrow_by_a_custom_fields_value(desk: str, tmp_path: Path, capsys) -> None:
    from ticketdesk.services import custom_fields

    store = open_database(desk)
    try:
        system = Session(store, None, utc_now)
        seats, _ = custom_fields.add_field(system, "Seats", "number")
        custom_fields.set_values(system, 1, 1, {seats: "12.0"})
    finally:
        store.close()
    out = tmp_path / "t.csv"
    assert main(["export", "tickets", "--db", desk, "--out", str(out),
                 "--field", "seats=12"]) == 0
    rows = _rows(out)
    assert [(r["subject"], r["field:Seats"]) for r in rows] == [("A", "12")]
    assert main(["export", "tickets", "--db", desk, "--out", str(out),
                 "--field", "Seats=abc"]) == 1
    assert "Seats: 'abc' is not a number" in capsys.readouterr().err
