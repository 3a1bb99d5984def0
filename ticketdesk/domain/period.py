"""Reporting periods in local days: Today, Last 7d, Last 30d, This Month, Last Month, custom.

A period is a run of whole local days. "Last 7d" is today and the six days before it, so every
day in a daily chart is a full calendar day and today's bar grows through the day. The previous
period, used for comparisons, is the run of the same number of days immediately before (for
This Month on the 21st that is the 21 days before the 1st) — one rule for every preset, so a
comparison never mixes lengths.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from enum import StrEnum

from ticketdesk.domain.clock import day_range_bounds
from ticketdesk.domain.errors import ValidationError

MAX_DAYS = 366 * 20
FIRST_DAY = date(1970, 1, 1)
"""The earliest day a custom period may start: no ticket is older (times start in 1970)."""
LAST_DAY = date(9998, 12, 31)
"""The latest day a custom period may end: the date arithmetic of a period (the day after it,
its local midnights) stays within what a date can be."""


class PeriodKind(StrEnum):
    TODAY = "today"
    LAST_7D = "last-7d"
    LAST_30D = "last-30d"
    THIS_MONTH = "this-month"
    LAST_MONTH = "last-month"
    ALL_TIME = "all-time"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {
            "today": "Today", "last-7d": "Last 7 days", "last-30d": "Last 30 days",
            "this-month": "This month", "last-month": "Last month", "all-time": "All time",
            "custom": "Custom range",
        }[self.value]

    @classmethod
    def parse(cls, text: str) -> PeriodKind:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(k.value for k in cls)
            raise ValidationError(f"Unknown period {text!r}. Choose one of: {names}.") from None


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.first_day > self.last_day:
            raise ValidationError(
                f"The period starts ({self.first_day}) after it ends ({self.last_day})."
            )
        if self.day_count > MAX_DAYS:
            raise ValidationError("A period can cover at most 20 years.")

    @classmethod
    def of(cls, kind: PeriodKind, today: date, *, first: date | None = None,
           last: date | None = None) -> Period:
        """The period `kind` as seen on `today`. CUSTOM and ALL_TIME need `first` (and `last`)."""
        if kind == PeriodKind.TODAY:
            return cls(kind, today, today)
        if kind == PeriodKind.LAST_7D:
            return cls(kind, today - timedelta(days=6), today)
        if kind == PeriodKind.LAST_30D:
            return cls(kind, today - timedelta(days=29), today)
        if kind == PeriodKind.THIS_MONTH:
            return cls(kind, today.replace(day=1), today)
        if kind == PeriodKind.LAST_MONTH:
            end = today.replace(day=1) - timedelta(days=1)
            return cls(kind, end.replace(day=1), end)
        if first is None:
            raise ValidationError("A custom period needs a start date.")
        last = last or today
        if first < FIRST_DAY or last > LAST_DAY:
            raise ValidationError(f"A period must lie between {FIRST_DAY} and {LAST_DAY}.")
        return cls(kind, first, last)

    @property
    def day_count(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.day_count)]

    def previous(self) -> Period:
        last = self.first_day - timedelta(days=1)
        return Period(self.kind, last - timedelta(days=self.day_count - 1), last)

    def bounds(self, tz: tzinfo | None = None) -> tuple[int, int]:
        """Half-open [start, end) in UTC epoch seconds."""
        return day_range_bounds(self.first_day, self.last_day, tz)

    @property
    def label(self) -> str:
        if self.kind in (PeriodKind.CUSTOM, PeriodKind.ALL_TIME):
            return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"
        return self.kind.label
