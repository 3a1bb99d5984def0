"""The analytics CSV: one tidy file, plain numbers, empty cells for missing figures, formula-safe
text, written end to end from a real report on both backends."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import FakeClock
from ticketdesk.domain.analytics import (
    AgentFigures,
    AnalyticsReport,
    Bar,
    Breakdowns,
    DayCount,
    PeriodFigures,
    Summary,
)
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, analytics, analytics_export, tickets
from ticketdesk.services.analytics_export import (
    COLUMNS,
    default_name,
    describe_filter,
    number,
    write_csv,
)
from ticketdesk.services.session import Session

UTC_TZ = ZoneInfo("UTC")
NO_FILTER = TicketFilter()


def _figures(period: Period, summary: Summary, charts: Breakdowns | None,
             f: TicketFilter = NO_FILTER) -> PeriodFigures:
    daily = tuple(DayCount(d, i, 0) for i, d in enumerate(period.days()))
    return PeriodFigures(period, 0, 1, f, summary, daily, charts)


def _report(f: TicketFilter = NO_FILTER) -> AnalyticsReport:
    current = Period(PeriodKind.CUSTOM, date(2026, 3, 30), date(2026, 3, 31))
    charts = Breakdowns(
        by_status=tuple(Bar(s, 1 if s == Status.OPEN else 0) for s in Status),
        by_priority=tuple(Bar(p, 0) for p in Priority),
        by_tag=(Bar("=cmd|' /C calc'!A0", 2), Bar("billing", 1)),
        agents=(AgentFigures(7, "@Evil Agent", 3, 1, 2, 9000, 0, 0),))
    summary = Summary(created=4, closed=2, open_at_end=5, resolved=2, resolution_seconds=9000,
                      responded=0, first_response_seconds=0, created_closed=1)
    return AnalyticsReport(
        current=_figures(current, summary, charts, f),
        previous=_figures(current.previous(), Summary(), None, f),
        tz_name="Europe/Berlin", generated_at=1_780_000_000)


def _read(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def _value(rows: list[dict[str, str]], section: str, period: str, metric: str,
           key: str = "") -> str:
    found = [r["value"] for r in rows if (r["section"], r["period"], r["metric"], r["key"])
             == (section, period, metric, key)]
    assert len(found) == 1, (section, period, metric, key, found)
    return found[0]


def test_one_tidy_file_with_every_figure_of_both_periods(tmp_path: Path) -> None:
    path = write_csv(_report(), tmp_path / "out.csv")
    assert path == tmp_path / "out.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == list(COLUMNS)
    rows = _read(path)
    assert _value(rows, "summary", "current", "created") == "4"
    assert _value(rows, "summary", "current", "avg_resolution_hours") == "1.25"  # 9000 s / 2
    assert _value(rows, "summary", "current", "created_closed") == "1"
    assert _value(rows, "summary", "current", "closure_rate_percent") == "25"
    assert _value(rows, "summary", "current", "closed_per_created_percent") == "50"
    assert _value(rows, "summary", "previous", "created") == "0"
    assert _value(rows, "daily", "current", "created", "2026-03-31") == "1"
    assert _value(rows, "daily", "previous", "closed", "2026-03-28") == "0"
    assert _value(rows, "by_status", "current", "tickets", "Open") == "1"
    assert _value(rows, "by_priority", "current", "tickets", "Urgent") == "0"
    assert _value(rows, "report", "", "time_zone") == "Europe/Berlin"
    assert _value(rows, "report", "", "generated_at") == "2026-05-28T20:26:40Z"
    current = [r for r in rows if r["period"] == "current"]
    assert {(r["first_day"], r["last_day"]) for r in current} == {("2026-03-30", "2026-03-31")}
    # The previous period's charts were not computed: only its cards and days are written.
    assert {r["section"] for r in rows if r["period"] == "previous"} == {"summary", "daily"}


def test_missing_figures_are_empty_cells_not_dashes(tmp_path: Path) -> None:
    rows = _read(write_csv(_report(), tmp_path / "out.csv"))
    assert _value(rows, "summary", "current", "avg_first_response_hours") == ""
    assert _value(rows, "summary", "previous", "avg_resolution_hours") == ""
    assert _value(rows, "summary", "previous", "closure_rate_percent") == ""
    assert _value(rows, "agents", "current", "avg_first_response_hours", "'@Evil Agent") == ""
    assert all("—" not in r["value"] for r in rows)


def test_text_from_people_cannot_become_a_formula(tmp_path: Path) -> None:
    f = TicketFilter(text="-2+3", tags=frozenset({"@x"}))
    rows = _read(write_csv(_report(f), tmp_path / "out.csv"))
    keys = {r["key"] for r in rows if r["section"] in ("by_tag", "agents")}
    assert keys == {"'=cmd|' /C calc'!A0", "billing", "'@Evil Agent"}
    assert _value(rows, "agents", "current", "handled", "'@Evil Agent") == "3"
    assert _value(rows, "report", "", "filter") == "text=-2+3; tags=@x"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_a_folder_gets_a_file_named_after_the_period_and_bom_is_optional(
        tmp_path: Path) -> None:
    report = _report()
    path = write_csv(report, tmp_path)
    assert path.name == default_name(report) == "analytics-2026-03-30-2026-03-31.csv"
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    with_bom = write_csv(report, tmp_path / "excel.csv", bom=True)
    assert with_bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert _read(with_bom, "utf-8-sig") == _read(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, "excel.csv"])


def test_numbers_are_plain() -> None:
    assert [number(v) for v in (None, 0, 3, 2.5, 1 / 3, 1234567.0)] == [
        "", "0", "3", "2.5", "0.3333", "1234567"]


def test_describe_filter() -> None:
    assert describe_filter(TicketFilter()) == "none"
    f = TicketFilter(statuses=frozenset({Status.WAITING, Status.OPEN}), assignees=frozenset({3}),
                     unassigned=True, priorities=frozenset({Priority.HIGH}))
    assert describe_filter(f) == ("statuses=Open|Waiting; priorities=High; "
                                  "assignees=agent 3|unassigned")


def test_end_to_end_from_the_service(system: Session, clock: FakeClock, tmp_path: Path) -> None:
    a = system.as_agent(agents.create_agent(system, "=Alice")[0])
    tid = tickets.create_ticket(a, subject="x", tags=["+vip"],
                                assignee_ids=[a.agent_id or 0]).new_id
    clock.advance(3600)
    tickets.set_status(a, tid, 1, Status.CLOSED)
    period = analytics.period_for(system.store, PeriodKind.LAST_7D, tz=UTC_TZ, now=clock.now)
    report = analytics.compute(system.store, period, tz=UTC_TZ, now=clock.now)
    rows = _read(write_csv(report, tmp_path / "a.csv"))
    assert _value(rows, "summary", "current", "closed") == "1"
    assert _value(rows, "summary", "current", "avg_resolution_hours") == "1"
    assert _value(rows, "summary", "current", "avg_first_response_hours") == ""
    assert _value(rows, "by_tag", "current", "tickets", "'+vip") == "1"
    assert _value(rows, "agents", "current", "closed", "'=Alice") == "1"
    assert len([r for r in rows if r["section"] == "daily" and r["period"] == "current"]) == 14
    # The command line passes no zone: days are the system's local days.
    local = analytics.period_for(system.store, PeriodKind.LAST_7D, now=clock.now)
    assert analytics.compute(system.store, local, now=clock.now).current.summary.closed == 1


def test_csv_closure_rate_is_a_share_and_the_old_ratio_keeps_its_own_name(
        system: Session, clock: FakeClock, tmp_path: Path) -> None:
    """A day that closes two old tickets and gets one new one: the share is 0 %, Closed ÷ Created
    (200 %) is written only as `closed_per_created_percent`."""
    old = [tickets.create_ticket(system, subject=f"old {i}").new_id for i in range(2)]
    clock.advance(3 * 86400)
    for tid in old:
        tickets.set_status(system, tid, 1, Status.CLOSED)
    tickets.create_ticket(system, subject="new")
    today = analytics.period_for(system.store, PeriodKind.TODAY, tz=UTC_TZ, now=clock.now)
    report = analytics.compute(system.store, today, tz=UTC_TZ, now=clock.now)
    rows = _read(write_csv(report, tmp_path / "a.csv"))
    assert _value(rows, "summary", "current", "closure_rate_percent") == "0"
    assert _value(rows, "summary", "current", "closed_per_created_percent") == "200"
    assert "share" in analytics_export.__doc__.split("closure_rate_percent", 1)[1][:60]


def test_csv_names_an_agent_filter_by_the_agents_name(system: Session, clock: FakeClock,
                                                     tmp_path: Path) -> None:
    a = agents.create_agent(system, "Alice Agent")[0]
    b = agents.create_agent(system, "=Bob")[0]
    tickets.create_ticket(system, subject="x", assignee_ids=[a])
    period = analytics.period_for(system.store, PeriodKind.LAST_7D, tz=UTC_TZ, now=clock.now)
    f = TicketFilter(assignees=frozenset({a, b}), unassigned=True)
    report = analytics.compute(system.store, period, filter=f, tz=UTC_TZ, now=clock.now)
    rows = _read(write_csv(report, tmp_path / "a.csv"))
    assert _value(rows, "report", "", "filter") == "assignees=Alice Agent|=Bob|unassigned"
    assert f"agent {a}" not in _value(rows, "report", "", "filter")


def test_describe_filter_falls_back_to_the_id_of_an_agent_it_cannot_name() -> None:
    f = TicketFilter(assignees=frozenset({3, 4}))
    assert describe_filter(f, {3: "Carol"}) == "assignees=Carol|agent 4"


@pytest.mark.parametrize("bad", ["", "   "])
def test_filter_text_blank_is_no_filter(bad: str) -> None:
    assert describe_filter(TicketFilter(text=bad)) == "none"
