"""Reporting periods: presets around month ends and leap days, the previous period of the same
length, and UTC bounds of local days across a daylight-saving change."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ticketdesk.domain.clock import day_range_bounds, local_date, local_midnight, parse_date
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.period import Period, PeriodKind

BERLIN = ZoneInfo("Europe/Berlin")
D = date.fromisoformat


def utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@pytest.mark.parametrize(("kind", "today", "first", "last"), [
    (PeriodKind.TODAY, "2026-03-31", "2026-03-31", "2026-03-31"),
    (PeriodKind.LAST_7D, "2026-03-03", "2026-02-25", "2026-03-03"),
    (PeriodKind.LAST_7D, "2024-03-03", "2024-02-26", "2024-03-03"),  # leap year: Feb 29 counted
    (PeriodKind.LAST_30D, "2026-03-31", "2026-03-02", "2026-03-31"),
    (PeriodKind.LAST_30D, "2026-01-10", "2025-12-12", "2026-01-10"),
    (PeriodKind.THIS_MONTH, "2026-03-31", "2026-03-01", "2026-03-31"),
    (PeriodKind.THIS_MONTH, "2026-03-01", "2026-03-01", "2026-03-01"),
    (PeriodKind.LAST_MONTH, "2026-03-31", "2026-02-01", "2026-02-28"),
    (PeriodKind.LAST_MONTH, "2024-03-01", "2024-02-01", "2024-02-29"),
    (PeriodKind.LAST_MONTH, "2026-01-15", "2025-12-01", "2025-12-31"),
    (PeriodKind.LAST_MONTH, "2026-05-31", "2026-04-01", "2026-04-30"),
])
def test_presets_are_runs_of_whole_local_days(kind: PeriodKind, today: str, first: str,
                                              last: str) -> None:
    period = Period.of(kind, D(today))
    assert (period.kind, period.first_day, period.last_day) == (kind, D(first), D(last))


@pytest.mark.parametrize(("kind", "count"), [
    (PeriodKind.TODAY, 1), (PeriodKind.LAST_7D, 7), (PeriodKind.LAST_30D, 30),
])
def test_rolling_presets_have_their_named_length(kind: PeriodKind, count: int) -> None:
    period = Period.of(kind, D("2026-03-01"))
    assert period.day_count == count
    assert period.days()[-1] == D("2026-03-01")
    assert period.days() == [period.first_day + timedelta(days=i) for i in range(count)]


def test_custom_period_runs_from_first_to_last_or_to_today() -> None:
    assert Period.of(PeriodKind.CUSTOM, D("2026-03-31"), first=D("2026-02-27"),
                     last=D("2026-03-02")).days() == [
        D("2026-02-27"), D("2026-02-28"), D("2026-03-01"), D("2026-03-02")]
    assert Period.of(PeriodKind.ALL_TIME, D("2026-03-31"), first=D("2025-01-01")).last_day == \
        D("2026-03-31")


def test_custom_period_without_a_start_is_refused() -> None:
    with pytest.raises(ValidationError, match="needs a start date"):
        Period.of(PeriodKind.CUSTOM, D("2026-03-31"))


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError,
                       match=re.escape("starts (2026-04-01) after it ends (2026-03-31)")):
        Period.of(PeriodKind.CUSTOM, D("2026-03-31"), first=D("2026-04-01"))


def test_a_period_longer_than_twenty_years_is_refused() -> None:
    Period(PeriodKind.CUSTOM, D("2000-01-01"), D("2019-12-31"))
    with pytest.raises(ValidationError, match="at most 20 years"):
        Period(PeriodKind.CUSTOM, D("1990-01-01"), D("2026-01-01"))


@pytest.mark.parametrize(("kind", "today", "first", "last"), [
    (PeriodKind.TODAY, "2026-03-01", "2026-02-28", "2026-02-28"),
    (PeriodKind.LAST_7D, "2026-03-03", "2026-02-18", "2026-02-24"),
    # This Month on the 31st: the 31 days before the 1st, not "February".
    (PeriodKind.THIS_MONTH, "2026-03-31", "2026-01-29", "2026-02-28"),
    (PeriodKind.THIS_MONTH, "2026-03-21", "2026-02-08", "2026-02-28"),
    (PeriodKind.LAST_MONTH, "2026-03-15", "2026-01-04", "2026-01-31"),
    (PeriodKind.LAST_30D, "2026-01-10", "2025-11-12", "2025-12-11"),
])
def test_previous_period_has_the_same_length_and_ends_the_day_before(
        kind: PeriodKind, today: str, first: str, last: str) -> None:
    period = Period.of(kind, D(today))
    previous = period.previous()
    assert (previous.first_day, previous.last_day) == (D(first), D(last))
    assert previous.day_count == period.day_count


def test_a_day_in_berlin_runs_from_local_midnight_to_local_midnight() -> None:
    # 2026-01-15 is winter time (UTC+1).
    assert Period.of(PeriodKind.TODAY, D("2026-01-15")).bounds(BERLIN) == (
        utc("2026-01-14T23:00:00"), utc("2026-01-15T23:00:00"))


def test_the_spring_dst_day_is_23_hours_long() -> None:
    start, end = Period.of(PeriodKind.TODAY, D("2026-03-29")).bounds(BERLIN)
    assert (start, end) == (utc("2026-03-28T23:00:00"), utc("2026-03-29T22:00:00"))
    assert end - start == 23 * 3600


def test_the_autumn_dst_day_is_25_hours_long() -> None:
    start, end = Period.of(PeriodKind.TODAY, D("2026-10-25")).bounds(BERLIN)
    assert (start, end) == (utc("2026-10-24T22:00:00"), utc("2026-10-25T23:00:00"))
    assert end - start == 25 * 3600


def test_a_week_across_the_dst_change_is_one_hour_short_and_counts_seven_days() -> None:
    period = Period.of(PeriodKind.LAST_7D, D("2026-04-01"))
    start, end = period.bounds(BERLIN)
    assert period.day_count == 7
    assert end - start == 7 * 86400 - 3600
    assert local_date(start, BERLIN) == D("2026-03-26")
    assert local_date(end - 1, BERLIN) == D("2026-04-01")
    assert local_date(end, BERLIN) == D("2026-04-02")


def test_consecutive_periods_share_their_boundary_instant() -> None:
    period = Period.of(PeriodKind.THIS_MONTH, D("2026-03-31"))
    assert period.previous().bounds(BERLIN)[1] == period.bounds(BERLIN)[0]


def test_instants_map_to_the_local_day_on_both_sides_of_midnight() -> None:
    midnight = local_midnight(D("2026-03-29"), BERLIN)
    assert local_date(midnight - 1, BERLIN) == D("2026-03-28")
    assert local_date(midnight, BERLIN) == D("2026-03-29")
    assert day_range_bounds(D("2026-03-29"), D("2026-03-29"), BERLIN)[0] == midnight


@pytest.mark.parametrize("typed", ["today", " Last-7d ", "LAST-MONTH", "all-time"])
def test_period_kind_parses_its_value_in_any_case(typed: str) -> None:
    assert PeriodKind.parse(typed).value == typed.strip().lower()


def test_unknown_period_kind_is_refused_listing_the_choices() -> None:
    with pytest.raises(ValidationError,
                       match=r"Unknown period 'fortnight'\. Choose one of: today,"):
        PeriodKind.parse("fortnight")


def test_labels_name_presets_and_spell_out_custom_ranges() -> None:
    assert Period.of(PeriodKind.LAST_30D, D("2026-03-31")).label == "Last 30 days"
    assert Period.of(PeriodKind.CUSTOM, D("2026-03-31"), first=D("2026-03-01")).label == \
        "2026-03-01 – 2026-03-31"


@pytest.mark.parametrize("typed", ["2026-02-30", "31/03/2026", "2026-3-1x", "", "yesterday",
                                   "2026-13-01"])
def test_malformed_date_is_refused_with_the_expected_form(typed: str) -> None:
    with pytest.raises(ValidationError, match=r"is not a valid start date; write it as YYYY-MM-DD"):
        parse_date(typed, "start date")


def test_a_date_may_be_typed_with_spaces_around_it() -> None:
    assert parse_date(" 2026-03-31 ") == D("2026-03-31")
