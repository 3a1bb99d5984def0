"""Business-time arithmetic: properties over random schedules, zones and instants, and the
daylight-saving days of Europe/Berlin and America/New_York."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketdesk.domain.business_time import (
    BusinessCalendar,
    WeeklySchedule,
    calendar_from,
    format_duration,
    holidays_from_ics,
    parse_duration,
)
from ticketdesk.domain.errors import ValidationError

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
START = int(datetime(2019, 1, 1, tzinfo=ZoneInfo("UTC")).timestamp())
END = int(datetime(2031, 1, 1, tzinfo=ZoneInfo("UTC")).timestamp())
instants = st.integers(min_value=START, max_value=END)


@st.composite
def schedules(draw: st.DrawFn) -> WeeklySchedule:
    days = []
    for _ in range(7):
        cuts = sorted(set(draw(st.lists(st.integers(0, 1440), max_size=4))))
        intervals = tuple((cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2))
        days.append(intervals)
    if not any(days):
        days[0] = ((9 * 60, 17 * 60),)
    return WeeklySchedule(tuple(days))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    zone = draw(st.sampled_from(ZONES))
    holidays = draw(st.frozensets(st.dates(date(2019, 1, 1), date(2030, 12, 31)), max_size=30))
    return BusinessCalendar(zone, draw(schedules()), holidays)


def at(zone: str, text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp())


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, st.integers(0, 3 * 365 * 86400))
def test_adding_business_seconds_then_measuring_gives_back_the_amount(
        cal: BusinessCalendar, start: int, seconds: int) -> None:
    end = cal.add_business_seconds(start, seconds)
    assert end >= start
    assert cal.business_seconds_between(start, end) == seconds
    if seconds:  # the earliest such instant: one second less is not enough
        assert cal.business_seconds_between(start, end - 1) == seconds - 1


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, instants, instants)
def test_business_seconds_are_monotone_and_additive(cal: BusinessCalendar, a: int, b: int,
                                                    c: int) -> None:
    a, b, c = sorted((a, b, c))
    ab, bc = cal.business_seconds_between(a, b), cal.business_seconds_between(b, c)
    assert 0 <= ab <= b - a
    assert 0 <= bc <= c - b
    assert cal.business_seconds_between(a, c) == ab + bc


@settings(max_examples=200, deadline=None)
@given(calendars(), st.dates(date(2019, 1, 1), date(2030, 12, 31)))
def test_holidays_and_closed_days_contribute_nothing(cal: BusinessCalendar, day: date) -> None:
    start = at(cal.zone_name, day.isoformat())
    end = at(cal.zone_name, (day + timedelta(days=1)).isoformat())
    seconds = cal.business_seconds_between(start, end)
    if day in cal.holidays or not cal.schedule.days[day.weekday()]:
        assert seconds == 0
    else:
        assert seconds > 0
    with_holiday = BusinessCalendar(cal.zone_name, cal.schedule, cal.holidays | {day})
    assert with_holiday.business_seconds_between(start, end) == 0
    assert not with_holiday.is_business_time(start + 3600)


@pytest.mark.parametrize(("zone", "spring", "autumn"), [
    ("Europe/Berlin", "2026-03-29", "2026-10-25"),
    ("America/New_York", "2026-03-08", "2026-11-01"),
])
def test_a_daylight_saving_day_counts_the_hours_that_really_pass(zone: str, spring: str,
                                                                 autumn: str) -> None:
    around_the_clock = calendar_from(zone, "mon-sun 00:00-24:00")
    office = calendar_from(zone, "mon-sun 09:00-17:00")
    for day, hours in ((spring, 23), (autumn, 25)):
        start = at(zone, day)
        end = at(zone, (date.fromisoformat(day) + timedelta(days=1)).isoformat())
        assert around_the_clock.business_seconds_between(start, end) == hours * 3600
        assert office.business_seconds_between(start, end) == 8 * 3600
    # Eight office hours from Saturday 16:00 end on the DST Sunday at 16:00 local time.
    saturday = (date.fromisoformat(spring) - timedelta(days=1)).isoformat()
    due = office.add_business_seconds(at(zone, f"{saturday}T16:00"), 8 * 3600)
    assert datetime.fromtimestamp(due, ZoneInfo(zone)).isoformat().startswith(f"{spring}T16:00")


def test_years_long_spans_are_counted_by_arithmetic_not_steps() -> None:
    cal = calendar_from("Europe/Berlin", "mon-fri 09:00-17:00", [date(2026, 12, 25)])
    year = cal.business_seconds_between(at("Europe/Berlin", "2026-01-01"),
                                        at("Europe/Berlin", "2027-01-01"))
    assert year == (261 - 1) * 8 * 3600
    start = at("Europe/Berlin", "2026-01-01")
    assert cal.business_seconds_between(start, cal.add_business_seconds(start, year)) == year


def test_the_week_is_read_from_the_words_people_write() -> None:
    week = WeeklySchedule.parse("mon-fri 09:00-12:30 13:30-17:00; sat 10:00-14:00")
    assert week.days[0] == ((540, 750), (810, 1020))
    assert week.days[5] == ((600, 840),)
    assert week.days[6] == ()
    assert WeeklySchedule.parse(week.describe()) == week
    assert WeeklySchedule.parse("fri-mon 08:00-16:00").days[6] == ((480, 960),)
    for bad in ("", "mon", "funday 09:00-17:00", "mon-fri 17:00-09:00", "mon 9-5"):
        with pytest.raises(ValidationError):
            WeeklySchedule.parse(bad)
    with pytest.raises(ValidationError, match="time zone"):
        calendar_from("Mars/Olympus", None)


def test_durations_read_and_print_alike() -> None:
    assert parse_duration("1h") == 3600
    assert parse_duration("1h30m") == 5400
    assert parse_duration("45") == 45 * 60
    assert parse_duration("2d") == 2 * 86400
    assert format_duration(5400) == "1h30m"
    for bad in ("", "h", "1x", "0m"):
        with pytest.raises(ValidationError):
            parse_duration(bad)


def test_holidays_are_read_from_an_icalendar_file() -> None:
    ics = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
           b"BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261224\r\n"
           b"DTEND;VALUE=DATE:20261227\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\n"
           b"BEGIN:VEVENT\r\nUID:2\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\n"
           b"SUMMARY:New Year\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    found = holidays_from_ics(ics)
    assert list(found) == [date(2026, 1, 1), date(2026, 12, 24), date(2026, 12, 25),
                           date(2026, 12, 26)]
    assert found[date(2026, 12, 25)] == "Christmas"
    with pytest.raises(ValidationError):
        holidays_from_ics(b"not a calendar")
