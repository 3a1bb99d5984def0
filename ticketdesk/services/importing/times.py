"""Times in other desks' exports: which date format a column uses, the time zone of times
written without an offset, and durations ("first reply time in minutes") turned into times.

- ISO 8601 (`2026-03-31T14:05:00Z`, `2026-03-31 14:05`) and epoch seconds or milliseconds are
  read as they are; anything else by python-dateutil (`31.03.2026 14:05`, `3/31/2026 2:05 PM`,
  `Mar 31, 2026`).
- Day or month first: the column's values decide (a first number above 12 means day first, a
  second one above 12 month first; dotted dates are day first everywhere they are written).
  A column where every date could be read both ways is *ambiguous*: the import refuses to guess
  and asks (`Mapping.day_first`, `--day-first` / `--month-first`).
- A time without an offset is in the zone the user names (`--timezone Europe/Berlin`), by
  default the computer's own — never silently UTC, since most desks export local times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

from ticketdesk.domain.clock import EARLIEST, LATEST
from ticketdesk.domain.errors import ValidationError

_NUMERIC = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})\b")
_EPOCH = re.compile(r"^\d{9,10}(\d{3})?$")


class AmbiguousDate(ValidationError):
    """A date whose day and month could be swapped, in a column that never says which."""


@dataclass(frozen=True)
class DateOrder:
    day_first: bool | None
    """True: 03/04/2026 is 3 April; False: March 4; None: no such dates, or ambiguous."""
    ambiguous: bool
    """Every numeric date of the values can be read both ways."""
    conflicting: bool = False
    """Some dates only work day first, others only month first."""


def detect_order(values: Iterable[str | None]) -> DateOrder:
    """The day/month order of a column's dates, from the values themselves."""
    numeric = day = month = 0
    for value in values:
        if not value or not (m := _NUMERIC.match(value)):
            continue
        numeric += 1
        first, sep, second = int(m.group(1)), m.group(2), int(m.group(3))
        if sep == "." or first > 12:
            day += 1
        elif second > 12:
            month += 1
    if not numeric:
        return DateOrder(None, ambiguous=False)
    if day and month:
        return DateOrder(None, ambiguous=False, conflicting=True)
    if day:
        return DateOrder(True, ambiguous=False)
    if month:
        return DateOrder(False, ambiguous=False)
    return DateOrder(None, ambiguous=True)


def zone(name: str | None) -> tzinfo | None:
    """The zone called `name` (IANA, e.g. Europe/Berlin); None for the computer's own."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{name!r} is not a time zone; name one like Europe/Berlin, "
                              "America/New_York or UTC.") from None


class TimeReader:
    """Reads the times of one import: `read(value, what)` gives UTC epoch seconds."""

    def __init__(self, day_first: bool | None, tz: tzinfo | None) -> None:
        self.day_first = day_first
        self.tz = tz

    def read(self, value: str, what: str) -> int:
        text = value.strip()
        moment = self._parse(text, what)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz) if self.tz else moment.astimezone()
        epoch = int(moment.timestamp())
        if not EARLIEST <= epoch <= LATEST:
            raise ValidationError(f"the {what} {text!r} is outside the years 1970 to 9999")
        return epoch

    def _parse(self, text: str, what: str) -> datetime:
        if _EPOCH.match(text):
            seconds = int(text) // 1000 if len(text) > 10 else int(text)
            return datetime.fromtimestamp(seconds, UTC)
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
        m = _NUMERIC.match(text)
        day_first = self.day_first
        if m is not None:
            first, sep, second = int(m.group(1)), m.group(2), int(m.group(3))
            if sep == "." or first > 12:
                day_first = True
            elif second > 12:
                day_first = False
            elif day_first is None:
                raise AmbiguousDate(f"the {what} {text!r}")
        try:
            parsed: datetime = dateutil_parser.parse(text, dayfirst=bool(day_first))
            return parsed
        except (ValueError, OverflowError):
            raise ValidationError(f"the {what} {text!r} is not a date and time") from None


def duration(value: str, unit: int, what: str) -> int:
    """Seconds in a duration cell: a number of `unit` seconds ("90", "1,5") or h:mm[:ss]."""
    text = value.strip()
    try:
        if ":" in text:
            parts = [float(p) for p in text.split(":")]
            if len(parts) > 3:
                raise ValueError(text)
            seconds = sum(p * f for p, f in zip(parts, (3600, 60, 1), strict=False))
        else:
            seconds = float(text.replace(",", ".")) * unit
    except ValueError:
        raise ValidationError(f"the {what} {text!r} is not a number") from None
    if not 0 <= seconds <= LATEST:  # also refuses NaN
        raise ValidationError(f"the {what} {text!r} is not a duration")
    return round(seconds)
