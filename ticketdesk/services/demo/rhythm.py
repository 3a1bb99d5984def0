"""When things happen at a help desk: the weekly and daily rhythm of a support team.

Tickets arrive more on weekdays than at weekends, more in office hours than at night, and more in
recent weeks than two years ago (the business grew). Agents act only in working hours; customers
write at any time but mostly while awake. All of it is computed in the local time zone's offset
at `now` (daylight saving is ignored: the rhythm may drift by an hour for half the year, which no
chart shows), so the same seed, `now` and zone give the same desk.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY
SPAN_DAYS = 730
SPAN = SPAN_DAYS * DAY
GROWTH = 2.2  # ticket volume now compared with two years ago

# Monday first. Relative ticket volume per weekday, and the agents' working window (local
# seconds of the day) per weekday: a full team on weekdays, a skeleton crew on Saturday morning.
WEEKDAY_VOLUME = (1.18, 1.12, 1.06, 1.02, 0.92, 0.34, 0.28)
WORK_WINDOWS: tuple[tuple[int, int] | None, ...] = (
    (8 * HOUR, 18 * HOUR), (8 * HOUR, 18 * HOUR), (8 * HOUR, 18 * HOUR), (8 * HOUR, 18 * HOUR),
    (8 * HOUR, 17 * HOUR), (9 * HOUR, 13 * HOUR), None,
)
# Relative arrival rate per local hour of the day (customers write from home in the evening too).
HOURLY_VOLUME = (
    0.10, 0.06, 0.04, 0.04, 0.05, 0.10, 0.25, 0.55, 1.10, 1.55, 1.65, 1.55,
    1.20, 1.35, 1.50, 1.45, 1.30, 1.05, 0.80, 0.65, 0.55, 0.45, 0.30, 0.18,
)


def local_offset(now: int) -> int:
    """Seconds the local time zone is ahead of UTC at `now`."""
    offset = datetime.fromtimestamp(now).astimezone().utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def weekday(local_seconds: int) -> int:
    """Monday = 0 for a local time given as seconds since the epoch (1970-01-01 was a Thursday)."""
    return (local_seconds // DAY + 3) % 7


def creation_times(rng: np.random.Generator, count: int, now: int, offset: int) -> np.ndarray:
    """`count` ticket creation instants in the two years up to `now`, sorted.

    Drawn hour by hour: each local hour's weight is growth trend x weekday x hour of day x a
    little day-to-day noise, with a few incident days (an outage brings a flood of tickets).
    """
    start = now - SPAN
    first = (start + offset) // HOUR
    last = (now + offset) // HOUR
    bins = np.arange(first, last + 1, dtype=np.int64)
    local_day = bins // 24
    days = local_day - local_day[0]
    n_days = int(days[-1]) + 1
    age = (last - bins) / 24.0
    trend = np.exp(-age / SPAN_DAYS * np.log(GROWTH))
    week = np.asarray(WEEKDAY_VOLUME)[(local_day + 3) % 7]
    hour = np.asarray(HOURLY_VOLUME)[bins % 24]
    noise = rng.lognormal(0.0, 0.12, n_days)
    incidents = rng.random(n_days) < 0.012
    noise[incidents] *= rng.uniform(1.8, 3.0, int(incidents.sum()))
    lo = np.maximum(bins * HOUR - offset, start)
    hi = np.minimum((bins + 1) * HOUR - offset, now + 1)
    width = (hi - lo).astype(np.float64)
    weights = trend * week * hour * noise[days] * (width / HOUR)
    per_bin = rng.multinomial(count, weights / weights.sum())
    starts = np.repeat(lo, per_bin)
    widths = np.repeat(width, per_bin)
    times = starts + np.floor(rng.random(count) * widths).astype(np.int64)
    times.sort()
    return times


def after_work(t: int, delay: int, offset: int) -> int:
    """The instant `delay` seconds of working time after `t` (agents answer in office hours).

    A delay that does not fit in today's window continues at the start of the next working day.
    """
    local = t + offset
    while True:
        day = local // DAY
        second = local - day * DAY
        window = WORK_WINDOWS[(day + 3) % 7]
        if window is None or second >= window[1]:
            local = (day + 1) * DAY
            continue
        if second < window[0]:
            second = window[0]
            local = day * DAY + second
        room = window[1] - second
        if delay <= room:
            return local + delay - offset
        delay -= room
        local = (day + 1) * DAY


def awake(t: int, offset: int, morning_fraction: float) -> int:
    """`t` moved out of the night (00:00-07:00 local) to the next morning, when a customer
    would have sent it; `morning_fraction` (0..1) spreads those over 07:00-10:00."""
    local = t + offset
    second = local % DAY
    if second >= 7 * HOUR:
        return t
    return t - second + 7 * HOUR + int(morning_fraction * 3 * HOUR)
