"""Time as the app stores it (UTC epoch seconds) and as people read it (local days, DST included).

Every function that turns an instant into a day, or a day into an instant, takes `tz`. `None`
means the system's local time zone, resolved per instant by the C library, so daylight-saving
changes fall on the right day without any extra dependency; tests pass a `ZoneInfo` instead.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, tzinfo

from ticketdesk.domain.errors import ValidationError

EARLIEST = 0
"""1970-01-01T00:00:00Z: no time before it is stored (an import refuses it)."""
LATEST = 253_402_300_799
"""9999-12-31T23:59:59Z: no time after it is stored; a local day of year 10000 cannot be shown."""
_FIRST_DAY = date(1969, 12, 31)  # the local days that can hold a stored time, in any zone
_LAST_DAY = date(9999, 12, 31)
_DAY = 86_400


def utc_now() -> int:
    return int(time.time())


def local_midnight(day: date, tz: tzinfo | None = None) -> int:
    """The instant a local day starts."""
    naive = datetime(day.year, day.month, day.day)
    if tz is None:
        return int(naive.timestamp())
    return int(naive.replace(tzinfo=tz).timestamp())


def local_date(epoch: int, tz: tzinfo | None = None) -> date:
    if tz is None:
        return datetime.fromtimestamp(epoch).date()
    return datetime.fromtimestamp(epoch, tz).date()


def today(tz: tzinfo | None = None, now: int | None = None) -> date:
    return local_date(utc_now() if now is None else now, tz)


def day_start(day: date, tz: tzinfo | None = None) -> int:
    """The instant local day `day` starts, for a range's lower bound (see `day_range_bounds`)."""
    return local_midnight(max(day, _FIRST_DAY), tz)


def day_end(day: date, tz: tzinfo | None = None) -> int:
    """The instant the local day after `day` starts, for a range's (exclusive) upper bound."""
    if day >= _LAST_DAY:
        return LATEST + 2 * _DAY  # past every stored time; 10000-01-01 is no date
    return local_midnight(max(day, _FIRST_DAY - timedelta(days=1)) + timedelta(days=1), tz)


def day_range_bounds(first: date, last: date, tz: tzinfo | None = None) -> tuple[int, int]:
    """Half-open [start, end) instants covering local days first..last inclusive.

    Days outside the stored window (`EARLIEST`..`LATEST`) hold no ticket, so a range reaching
    past it (`--from 0001-01-01`, `--to 9999-12-31`) is cut at the window's edge, a day wider
    for time zones, rather than overflowing the date arithmetic.
    """
    start = day_start(first, tz)
    return start, max(start, day_end(last, tz))


def parse_date(text: str, what: str = "date") -> date:
    """A date typed as YYYY-MM-DD; anything else is refused with the expected form."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ValidationError(
            f"{text!r} is not a valid {what}; write it as YYYY-MM-DD, e.g. 2026-03-31."
        ) from None


def format_utc(epoch: int | None) -> str:
    """ISO 8601 in UTC, for files meant for other programs (CSV export)."""
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str, what: str = "time") -> int | None:
    """The inverse of `format_utc`, also accepting any ISO form with an offset; empty is None.
    The caller checks the range (`EARLIEST`..`LATEST`) where a time is to be stored."""
    value = text.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"{text!r} is not a valid {what}; write it as 2026-03-31T14:05:00Z."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())
