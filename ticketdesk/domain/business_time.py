"""Business time: a weekly schedule in one time zone, minus holidays, as interval arithmetic.

SLA targets count business seconds ("8 business hours"), so the desk needs two operations on
UTC instants: how many business seconds lie between two instants, and which instant comes a
given number of business seconds after another. Both are answered from a cumulative function
`C(t)` = business seconds from a fixed origin to `t`:

    C(t) = Σ_{days before t's local day} real(day)  +  the part of t's own day before t

The sum over whole days is closed-form (whole weeks × the week's seconds + a weekday prefix),
corrected by two sorted lists searched with `bisect`: holidays (minus their seconds) and
daylight-saving days (plus or minus the hour the clock jumped, where it falls inside business
hours). So a span of ten years costs the same as a span of ten minutes: no loop steps through
minutes or days, and `add_business_seconds` inverts `C` with a binary search over days.

Business hours are wall-clock times in the desk's zone (`zoneinfo`), whatever zone the PC is set
to, so "09:00–17:00" is 8 real hours on every ordinary day, and on a daylight-saving day the
hours actually elapsed are counted (a schedule covering 02:00–03:00 loses that hour on the
spring day and gains it on the autumn day). Instants are UTC epoch seconds. Daylight-saving days
are found for the years 1970–2100; outside that range a day counts its nominal hours.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ticketdesk.domain.errors import ValidationError

Interval = tuple[int, int]
"""Minutes after local midnight, [start, end), with 0 ≤ start < end ≤ 1440."""

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FIRST_YEAR, _LAST_YEAR = 1970, 2100
_DAY = 86400


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or a ValidationError naming it."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"Unknown time zone {name!r}; use an IANA name such as Europe/Berlin.") from None


@dataclass(frozen=True)
class WeeklySchedule:
    """Business intervals for each weekday, Monday first (index 0) to Sunday (6)."""

    days: tuple[tuple[Interval, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValidationError("A weekly schedule needs seven days, Monday to Sunday.")
        for intervals in self.days:
            last = -1
            for start, end in intervals:
                if not 0 <= start < end <= 1440 or start < last:
                    raise ValidationError(
                        "Business hours must be increasing, non-overlapping times within a day.")
                last = end

    @classmethod
    def always(cls) -> WeeklySchedule:
        """Every hour of every day (a desk without business hours counts calendar time)."""
        return cls(tuple(((0, 1440),) for _ in range(7)))

    @classmethod
    def parse(cls, text: str) -> WeeklySchedule:
        """`"mon-fri 09:00-17:00"`, several parts joined by `;` or `,`
        (`"mon-fri 09:00-12:30 13:30-17:00; sat 10:00-14:00"`); days not named are closed."""
        days: list[list[Interval]] = [[] for _ in range(7)]
        parts = [p.strip() for p in re.split(r"[;,]", text) if p.strip()]
        if not parts:
            raise ValidationError("Give the business week, e.g. \"mon-fri 09:00-17:00\".")
        for part in parts:
            words = part.split()
            if len(words) < 2:
                raise ValidationError(
                    f"{part!r}: write days then hours, e.g. \"mon-fri 09:00-17:00\".")
            for index in _day_range(words[0]):
                days[index].extend(_hours(w) for w in words[1:])
        return cls(tuple(tuple(_merge(d)) for d in days))

    def describe(self) -> str:
        """The schedule in the form `parse` reads (runs of days with the same hours joined)."""
        out: list[str] = []
        index = 0
        while index < 7:
            end = index
            while end + 1 < 7 and self.days[end + 1] == self.days[index]:
                end += 1
            if self.days[index]:
                span = DAY_NAMES[index] if end == index else f"{DAY_NAMES[index]}-{DAY_NAMES[end]}"
                hours = " ".join(f"{_clock(a)}-{_clock(b)}" for a, b in self.days[index])
                out.append(f"{span} {hours}")
            index = end + 1
        return "; ".join(out)


def _day_range(word: str) -> list[int]:
    names = word.lower().split("-")
    try:
        indexes = [DAY_NAMES.index(n[:3]) for n in names]
    except ValueError:
        raise ValidationError(
            f"{word!r} is not a day or range of days (mon, tue, … sun; e.g. mon-fri).") from None
    if len(indexes) == 1:
        return indexes
    if len(indexes) != 2:
        raise ValidationError(f"{word!r}: a day range has two ends, e.g. mon-fri.")
    first, last = indexes
    return [(first + i) % 7 for i in range((last - first) % 7 + 1)]


def _hours(word: str) -> Interval:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", word)
    if not match:
        raise ValidationError(f"{word!r} is not a span of hours such as 09:00-17:00.")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or not 0 <= start < end <= 1440:
        raise ValidationError(f"{word!r}: the hours must run forward within one day.")
    return start, end


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@cache
def _uneven_days(zone_key: str) -> tuple[int, ...]:
    """Ordinals of the local days in 1970–2100 that are not 24 hours long (DST changes).

    Sampled weekly, then each week whose offset moved is scanned day by day: a zone that changes
    and changes back within one week would be missed (none does)."""
    tz = ZoneInfo(zone_key)
    days: list[int] = []
    first = date(_FIRST_YEAR, 1, 1).toordinal()
    last = date(_LAST_YEAR, 12, 31).toordinal()

    def midnight(ordinal: int) -> int:
        return int(datetime.combine(date.fromordinal(ordinal), time(), tz).timestamp())

    def offset(ordinal: int) -> int:
        return midnight(ordinal) - (ordinal - first) * _DAY

    week = first
    before = offset(week)
    while week <= last:
        after = offset(week + 7)
        if after != before:
            days.extend(d for d in range(week, week + 7)
                        if midnight(d + 1) - midnight(d) != _DAY)
        before = after
        week += 7
    return tuple(days)


@dataclass(frozen=True)
class BusinessCalendar:
    """The desk's business time: `schedule` in zone `zone_name`, closed on `holidays`."""

    zone_name: str = "UTC"
    schedule: WeeklySchedule = field(default_factory=WeeklySchedule.always)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        tz = zone(self.zone_name)
        object.__setattr__(self, "_tz", tz)
        nominal = [sum(e - s for s, e in d) * 60 for d in self.schedule.days]
        object.__setattr__(self, "_nominal", nominal)
        prefix = [0]
        for seconds in nominal:
            prefix.append(prefix[-1] + seconds)
        object.__setattr__(self, "_prefix", prefix)
        # Daylight-saving days: real business seconds minus nominal ones, cumulative.
        uneven = _uneven_days(tz.key) if tz.key != "UTC" else ()
        deltas = [(o, self._real(o) - nominal[(o - 1) % 7]) for o in uneven]
        deltas = [(o, d) for o, d in deltas if d]
        object.__setattr__(self, "_dst_days", [o for o, _ in deltas])
        object.__setattr__(self, "_dst_cum", _cumulative(d for _, d in deltas))
        dst = dict(deltas)
        closed = sorted(h.toordinal() for h in self.holidays)
        object.__setattr__(self, "_holiday_days", closed)
        object.__setattr__(self, "_holiday_cum", _cumulative(
            nominal[(o - 1) % 7] + dst.get(o, 0) for o in closed))
        object.__setattr__(self, "_day_cache", {})
        object.__setattr__(self, "_memo", {})

    @property
    def tz(self) -> ZoneInfo:
        return self._tz  # type: ignore[attr-defined, no-any-return]

    @property
    def week_seconds(self) -> int:
        return int(self._prefix[7])  # type: ignore[attr-defined]

    # -- days ------------------------------------------------------------------------------

    def _midnight(self, ordinal: int) -> int:
        return int(datetime.combine(date.fromordinal(ordinal), time(), self.tz).timestamp())

    def _day(self, ordinal: int) -> tuple[Interval, ...]:
        """Day `ordinal`'s business intervals as UTC instants (empty on a holiday)."""
        cache: dict[int, tuple[Interval, ...]] = self._day_cache  # type: ignore[attr-defined]
        found = cache.get(ordinal)
        if found is None:
            if len(cache) > 4096:
                cache.clear()
            found = () if self._is_holiday(ordinal) else self._intervals(ordinal)
            cache[ordinal] = found
        return found

    def _intervals(self, ordinal: int) -> tuple[Interval, ...]:
        day = date.fromordinal(ordinal)
        out: list[Interval] = []
        last = self._midnight(ordinal)
        for start, end in self.schedule.days[day.weekday()]:
            a = max(last, self._wall(day, start, 0))
            b = max(a, self._wall(day, end, 1))
            if b > a:
                out.append((a, b))
            last = b
        return tuple(out)

    def _wall(self, day: date, minutes: int, fold: int) -> int:
        if minutes >= 1440:
            return self._midnight(day.toordinal() + 1)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), self.tz)
        return int(local.replace(fold=fold).timestamp())

    def _real(self, ordinal: int) -> int:
        return sum(b - a for a, b in self._intervals(ordinal))

    def _is_holiday(self, ordinal: int) -> bool:
        days: list[int] = self._holiday_days  # type: ignore[attr-defined]
        i = bisect_left(days, ordinal)
        return i < len(days) and days[i] == ordinal

    def _before_day(self, ordinal: int) -> int:
        """Business seconds of all days before `ordinal` (from the proleptic origin)."""
        weeks, rest = divmod(ordinal - 1, 7)
        total: int = weeks * self._prefix[7] + self._prefix[rest]  # type: ignore[attr-defined]
        total += self._dst_cum[bisect_left(self._dst_days, ordinal)]  # type: ignore[attr-defined]
        total -= self._holiday_cum[  # type: ignore[attr-defined]
            bisect_left(self._holiday_days, ordinal)]  # type: ignore[attr-defined]
        return total

    def _ordinal(self, instant: int) -> int:
        return datetime.fromtimestamp(instant, self.tz).date().toordinal()

    def cumulative(self, instant: int) -> int:
        """C(instant): business seconds from the origin to `instant` (remembered: the SLA asks
        for the same boundaries once per target)."""
        memo: dict[int, int] = self._memo  # type: ignore[attr-defined]
        found = memo.get(instant)
        if found is None:
            if len(memo) > 65536:
                memo.clear()
            found = memo[instant] = self._cumulative(instant)
        return found

    def _cumulative(self, instant: int) -> int:
        ordinal = self._ordinal(instant)
        total = self._before_day(ordinal)
        for a, b in self._day(ordinal):
            if instant <= a:
                break
            total += min(instant, b) - a
        return total

    # -- the two operations ----------------------------------------------------------------

    def business_seconds_between(self, start: int, end: int) -> int:
        """Business seconds in [start, end) (negative if end is before start)."""
        if start == end:
            return 0
        return self.cumulative(end) - self.cumulative(start)

    def add_business_seconds(self, start: int, seconds: int) -> int:
        """The first instant at which `seconds` business seconds have passed since `start`.

        With `seconds` 0 it is `start` itself, inside business hours or not."""
        if seconds <= 0:
            if seconds < 0:
                raise ValueError("seconds must not be negative")
            return start
        if self.week_seconds <= 0:
            raise ValidationError("The business week has no hours; no target can be met.")
        target = self.cumulative(start) + seconds
        first = self._ordinal(start)
        # The day on which C reaches target: the last day whose start is below target.
        low, step = first, 8
        while self._before_day(low + step) < target:
            low, step = low + step, step * 2
            if low > date.max.toordinal() - step:
                raise ValidationError("That target lies beyond the calendar.")
        high = low + step  # _before_day(high) >= target > _before_day(low) or low == first
        while high - low > 1:
            mid = (low + high) // 2
            if self._before_day(mid) < target:
                low = mid
            else:
                high = mid
        ordinal = low
        remaining = target - self._before_day(ordinal)
        for a, b in self._day(ordinal):
            if remaining <= b - a:
                return a + remaining
            remaining -= b - a
        raise AssertionError("business day arithmetic out of step")  # pragma: no cover

    def is_business_time(self, instant: int) -> bool:
        return any(a <= instant < b for a, b in self._day(self._ordinal(instant)))


def _cumulative(values: Iterable[int]) -> list[int]:
    out = [0]
    for v in values:
        out.append(out[-1] + v)
    return out


def holidays_from_country(country: str, years: Iterable[int],
                          subdivision: str | None = None) -> dict[date, str]:
    """A country's public holidays (the `holidays` package) for `years`, with their names."""
    import holidays as holiday_data

    try:
        found = holiday_data.country_holidays(country.strip().upper(), subdiv=subdivision,
                                              years=list(years))
    except NotImplementedError:
        raise ValidationError(f"No public holidays are known for country {country!r}; "
                              "use a two-letter code such as DE or US.") from None
    except Exception as exc:
        raise ValidationError(f"Country {country!r}: {exc}") from None
    return {day: str(name) for day, name in sorted(found.items())}


def holidays_from_ics(data: bytes) -> dict[date, str]:
    """All-day (and dated) events of an iCalendar file as holidays, with their summaries.

    Multi-day events give every day they cover (DTEND is exclusive, as RFC 5545 says)."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except Exception as exc:
        raise ValidationError(f"Not a readable iCalendar file: {exc}") from None
    found: dict[date, str] = {}
    for event in calendar.walk("VEVENT"):
        start = event.get("DTSTART")
        if start is None:
            continue
        first = _as_date(start.dt)
        end = event.get("DTEND")
        last = _as_date(end.dt) - timedelta(days=1) if end is not None else first
        day = first
        while day <= max(first, last):
            found.setdefault(day, str(event.get("SUMMARY", "")))
            day += timedelta(days=1)
    return dict(sorted(found.items()))


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    return value


def parse_duration(text: str) -> int:
    """"1h", "30m", "2d", "1h30m", "90" (minutes) → seconds; a day is 24 business hours."""
    clean = text.strip().lower().replace(" ", "")
    if clean.isdigit():
        return int(clean) * 60
    match = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?", clean)
    if not clean or not match or not any(match.groups()):
        raise ValidationError(f"{text!r} is not a duration; write e.g. 30m, 4h, 1h30m or 2d.")
    d, h, m = (int(g or 0) for g in match.groups())
    seconds = d * 86400 + h * 3600 + m * 60
    if seconds <= 0:
        raise ValidationError("A target must be longer than zero.")
    return seconds


def format_duration(seconds: int) -> str:
    """Seconds as the shortest text `parse_duration` reads back ("1h30m", "2d")."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{minutes}m" if minutes else ""]
    return "".join(parts) or "0m"


def calendar_from(zone_name: str, week: str | None,
                  holidays: Mapping[date, str] | Iterable[date] = ()) -> BusinessCalendar:
    schedule = WeeklySchedule.parse(week) if week else WeeklySchedule.always()
    return BusinessCalendar(zone(zone_name).key, schedule, frozenset(holidays))


__all__ = ["BusinessCalendar", "WeeklySchedule", "calendar_from",
           "format_duration", "holidays_from_country", "holidays_from_ics", "parse_duration",
           "zone"]
