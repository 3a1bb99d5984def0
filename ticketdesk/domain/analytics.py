"""Analytics as plain values: what each figure means, how it reads, and which tickets are behind it.

`services/analytics.py` fills these values from SQL; the view and the CSV export only read them.
Every definition lives here, next to the figure, so the tooltip, the docs and the tests agree:

Created
    Tickets whose `created_at` falls in the period.
Closed
    Tickets whose latest closure (`closed_at`) falls in the period. A ticket that was closed and
    later reopened has no closure any more, so it is not counted; if it is closed again it counts
    in the period of that last closure. Each ticket is counted at most once, in one period, and
    the count equals the ticket list filtered on "Closed" dates.
Open (at the end)
    Tickets created before the period ended that were Open, In Progress or Waiting at that
    instant. We store only the latest `resolved_at`/`closed_at`, so this reads the ticket row
    first (still active, or resolved only after the end) and then corrects it from the audit
    trail for tickets reopened after the end: such a ticket counts only if it was not resolved or
    closed at the end (the `old` value of its first status change after the end). Tickets without
    a recorded history (imported) count as open until their `resolved_at`.
Avg Resolution
    Mean of `resolved_at - created_at` over tickets whose latest resolution falls in the period
    (Resolved or Closed now; closing without resolving counts as resolving). A ticket reopened
    and resolved again is measured from creation to the last resolution, so reopening makes its
    resolution time longer, never shorter; a ticket still reopened is not counted.
Avg First Response
    Mean of `first_response_at - created_at` (the first reply sent to the customer) over tickets
    whose first reply was sent in the period. Tickets never replied to have no first response
    and are not averaged in (they still count in Created, Closed and Open).
Closure Rate
    The share of the tickets created in the period that were closed by its end and are still
    closed (a ticket reopened since no longer counts): between 0 and 100 %, undefined ("—") with
    nothing created. For a period that ends today it is "how many of this period's tickets are
    closed now". (Closed ÷ Created, which can exceed 100 % when the team closes a backlog, is
    not a share; the CSV keeps it under its own name, `closed_per_created_percent`.)

Series: daily Created and Closed per local calendar day (a 23- or 25-hour day around a DST change
is still one day); By status, By priority and By tag describe the tickets created in the period
by their current status, priority and tags (a ticket with two tags counts under both); the agents
table is the cards split by current assignee (see `AgentFigures`). Top agents are the agents
ranked by tickets handled (`rank_agents`), in the chart and in the table alike.

A filter narrows every figure to the tickets it matches (by their current fields); the period
replaces the filter's own date range. Previous-period figures use the run of the same number of
days just before (`Period.previous`): always its cards and days, its breakdowns when asked.

Drill-down: `PeriodFigures.drill`, `drill_day`, `drill_bar` and `drill_agent` give the ticket-list
filter that lists exactly the tickets behind a card, bar or cell, or None where no single filter
can (a ratio, the union behind "handled", a tag combined with another tag filter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta, tzinfo
from enum import StrEnum
from typing import TypeVar

from ticketdesk.domain.clock import local_midnight
from ticketdesk.domain.filters import DateField, TicketFilter
from ticketdesk.domain.period import Period
from ticketdesk.domain.status import Priority, Status

MISSING = "—"
"""How a figure that does not exist reads (an average of nothing, a rate of nothing)."""

ACTIVE = frozenset(s for s in Status if s.is_active)


class Metric(StrEnum):
    """The summary cards, in the order they are shown."""

    CREATED = "created"
    CLOSED = "closed"
    OPEN = "open"
    AVG_RESOLUTION = "avg_resolution"
    AVG_FIRST_RESPONSE = "avg_first_response"
    CLOSURE_RATE = "closure_rate"

    @property
    def label(self) -> str:
        return _METRIC_TEXT[self][0]

    @property
    def definition(self) -> str:
        """One or two sentences for the card's tooltip."""
        return _METRIC_TEXT[self][1]

    @property
    def higher_is_better(self) -> bool | None:
        """How to colour a change: None for figures that are neither good nor bad (Created)."""
        return {Metric.CREATED: None, Metric.CLOSED: True, Metric.OPEN: False,
                Metric.AVG_RESOLUTION: False, Metric.AVG_FIRST_RESPONSE: False,
                Metric.CLOSURE_RATE: True}[self]

    def format_value(self, value: float | None) -> str:
        if self in (Metric.AVG_RESOLUTION, Metric.AVG_FIRST_RESPONSE):
            return format_duration(value)
        if self == Metric.CLOSURE_RATE:
            return format_percent(value)
        return format_count(value)


_METRIC_TEXT = {
    Metric.CREATED: ("Created", "Tickets created in the period."),
    Metric.CLOSED: ("Closed", "Tickets whose latest closure falls in the period (a ticket "
                    "closed and then reopened is not counted)."),
    Metric.OPEN: ("Open", "Tickets that were Open, In Progress or Waiting at the end of the "
                  "period."),
    Metric.AVG_RESOLUTION: ("Avg Resolution", "Average time from creation to the latest "
                            "resolution, over tickets resolved in the period."),
    Metric.AVG_FIRST_RESPONSE: ("Avg First Response", "Average time from creation to the first "
                                "reply to the customer, over tickets first answered in the "
                                "period. Tickets never answered are not included."),
    Metric.CLOSURE_RATE: ("Closure Rate", "The share of the tickets created in the period that "
                          "were closed by its end (and not reopened since); “—” when nothing was "
                          "created."),
}


# -- formatting ------------------------------------------------------------------------------

def format_count(value: float | None) -> str:
    return MISSING if value is None else f"{round(value):,}"


def format_duration(seconds: float | None) -> str:
    """A duration for a card: "45 s", "12 min", "3 h 20 min", "2 d 4 h"; "—" for none."""
    if seconds is None:
        return MISSING
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    hours = round(seconds / 3600)
    days, rest = divmod(hours, 24)
    return f"{days} d {rest} h" if rest else f"{days} d"


def format_percent(ratio: float | None) -> str:
    """0.853 -> "85.3%"; None -> "—"."""
    return MISSING if ratio is None else f"{ratio * 100:.1f}%"


def percent_change(current: float | None, previous: float | None) -> float | None:
    """Relative change from `previous` to `current` (0.25 = 25 % more); None when either is
    missing or `previous` is zero, where a percentage would be infinite or meaningless."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def format_change(change: float | None) -> str:
    """+25%, −8%, 0%; "—" when there is nothing to compare with."""
    if change is None:
        return MISSING
    pct = round(change * 100)
    if pct == 0:
        return "0%"
    return f"+{pct}%" if pct > 0 else f"−{-pct}%"


# -- figures ---------------------------------------------------------------------------------

def _mean(total: int, count: int) -> float | None:
    """The average duration, never below zero. A desk whose times contradict each other (a
    resolution before creation, from an import before issue 16 or another program; `ticketdesk
    check` names them) could sum below zero. The average is clamped at 0; the tickets are not
    excluded — they still weigh in the SQL sums — so a desk with many of them shows too low
    an average, never a negative one; the check tells the user which tickets to fix."""
    return max(0.0, total / count) if count else None


@dataclass(frozen=True)
class Summary:
    """The cards for one period. Averages are kept as exact integer sums and counts so both
    backends give identical figures; `value()` divides."""

    created: int = 0
    closed: int = 0
    open_at_end: int = 0
    resolved: int = 0
    """Tickets behind Avg Resolution."""
    resolution_seconds: int = 0
    responded: int = 0
    """Tickets behind Avg First Response."""
    first_response_seconds: int = 0
    created_closed: int = 0
    """Tickets created in the period that were closed by its end and still are (behind
    Closure Rate)."""

    @property
    def avg_resolution(self) -> float | None:
        return _mean(self.resolution_seconds, self.resolved)

    @property
    def avg_first_response(self) -> float | None:
        return _mean(self.first_response_seconds, self.responded)

    @property
    def closure_rate(self) -> float | None:
        """The share of the period's tickets that are closed: 0 to 1, None with none created."""
        return self.created_closed / self.created if self.created else None

    @property
    def closed_per_created(self) -> float | None:
        """Closed ÷ Created (a throughput ratio, not a share: above 1 when the team closes more
        than arrives). Not a card; the CSV keeps it under this name."""
        return self.closed / self.created if self.created else None

    def value(self, metric: Metric) -> float | None:
        return {
            Metric.CREATED: float(self.created), Metric.CLOSED: float(self.closed),
            Metric.OPEN: float(self.open_at_end), Metric.AVG_RESOLUTION: self.avg_resolution,
            Metric.AVG_FIRST_RESPONSE: self.avg_first_response,
            Metric.CLOSURE_RATE: self.closure_rate,
        }[metric]


@dataclass(frozen=True)
class DayCount:
    """One local calendar day of the daily chart."""

    day: date
    created: int
    closed: int


class CategoryName(str):
    """A By category bar's key (issue 19); a tag's is a plain str."""

    __slots__ = ()


@dataclass(frozen=True)
class Bar:
    """One bar of a breakdown. `key` is the Status, the Priority or the tag name."""

    key: Status | Priority | str
    count: int

    @property
    def label(self) -> str:
        return self.key if isinstance(self.key, str) else self.key.label


@dataclass(frozen=True)
class AgentFigures:
    """One row of the agents table: the cards restricted to the tickets the agent is assigned to
    now (a ticket with two assignees counts for both; unassigned tickets for nobody).

    `handled` counts the agent's tickets on which something measurable happened in the period:
    created, first answered, resolved or closed in it. `closed`, the resolution average and the
    first-response average use exactly the card definitions, so each is a subset of `handled`.
    """

    agent_id: int
    name: str
    handled: int
    closed: int
    resolved: int
    resolution_seconds: int
    responded: int
    first_response_seconds: int

    @property
    def avg_resolution(self) -> float | None:
        return _mean(self.resolution_seconds, self.resolved)

    @property
    def avg_first_response(self) -> float | None:
        return _mean(self.first_response_seconds, self.responded)


@dataclass(frozen=True)
class Breakdowns:
    """The breakdown charts and the agents table of one period."""

    by_status: tuple[Bar, ...]
    by_priority: tuple[Bar, ...]
    by_tag: tuple[Bar, ...]
    """Tags used by tickets created in the period, most used first."""
    agents: tuple[AgentFigures, ...]
    """Agents with any handled ticket, most handled first (`rank_agents`)."""
    by_category: tuple[Bar, ...] = ()
    """Categories of the tickets created in the period, most first (keys `CategoryName`)."""


@dataclass(frozen=True)
class PeriodFigures:
    """Everything computed for one period, and the ticket lists behind each figure."""

    period: Period
    start: int
    """The period as UTC instants, half-open [start, end)."""
    end: int
    filter: TicketFilter
    """The user's filter as applied (without its own dates)."""
    summary: Summary
    daily: tuple[DayCount, ...]
    """One entry per local day of the period, in order (their sums are Created and Closed)."""
    breakdowns: Breakdowns | None
    """None for the previous period when only its cards were asked for."""
    open_listable: bool = True
    """Whether the tickets open at the end are exactly "active now and created by the end"
    (always so for a period ending today; see `drill`)."""

    def drill(self, metric: Metric) -> TicketFilter | None:
        """The ticket-list filter listing exactly the tickets behind a card, or None where no
        filter can (a ratio; Open at the end of a past period, when tickets have changed since)."""
        f, p = self.filter, self.period
        if metric == Metric.CREATED:
            return dated(f, DateField.CREATED, p.first_day, p.last_day)
        if metric == Metric.CLOSED:
            return dated(f, DateField.CLOSED, p.first_day, p.last_day)
        if metric == Metric.AVG_RESOLUTION:
            return dated(f, DateField.RESOLVED, p.first_day, p.last_day)
        if metric == Metric.AVG_FIRST_RESPONSE:
            return dated(f, DateField.FIRST_RESPONSE, p.first_day, p.last_day)
        if metric == Metric.OPEN:
            if not self.open_listable:
                return None
            statuses = narrow_set(f.statuses, ACTIVE)
            if statuses is None:
                return None
            return replace(f, statuses=statuses, date_field=DateField.CREATED, date_from=None,
                           date_to=p.last_day)
        return None

    def drill_day(self, day: date, closed: bool = False) -> TicketFilter:
        """The tickets behind one day's Created (or Closed) bar."""
        return dated(self.filter, DateField.CLOSED if closed else DateField.CREATED, day, day)

    def drill_bar(self, bar: Bar) -> TicketFilter | None:
        """The tickets behind one bar of By status, By priority or By tag."""
        base = self.drill(Metric.CREATED)
        assert base is not None
        if isinstance(bar.key, Status):
            statuses = narrow_set(base.statuses, {bar.key})
            return None if statuses is None else replace(base, statuses=statuses)
        if isinstance(bar.key, Priority):
            priorities = narrow_set(base.priorities, {bar.key})
            return None if priorities is None else replace(base, priorities=priorities)
        if isinstance(bar.key, CategoryName):
            chosen = narrow_set(base.categories, {str(bar.key)})
            return None if chosen is None else replace(base, categories=chosen)
        tags = narrow_set(base.tags, {bar.key})
        return None if tags is None else replace(base, tags=tags)

    def drill_agent(self, agent_id: int, metric: Metric) -> TicketFilter | None:
        """The agent's tickets behind their Closed, Avg Resolution or Avg First Response cell;
        None for Handled (a union of four date ranges no single filter holds)."""
        if metric not in (Metric.CLOSED, Metric.AVG_RESOLUTION, Metric.AVG_FIRST_RESPONSE):
            return None
        base = self.drill(metric)
        assert base is not None
        if base.assignees and agent_id not in base.assignees:
            return None
        if not base.assignees and base.unassigned:
            return None
        return replace(base, assignees=frozenset({agent_id}), unassigned=False)


@dataclass(frozen=True)
class AnalyticsReport:
    current: PeriodFigures
    previous: PeriodFigures
    tz_name: str
    """The time zone days were cut in (an IANA name, or the system's abbreviations)."""
    generated_at: int
    """When the report was computed (UTC epoch seconds)."""
    agent_names: tuple[tuple[int, str], ...] = ()
    """(id, name) of the agents the filter names, so the report can describe its filter in
    words people read (the CSV's `filter` row), not internal ids."""

    def value(self, metric: Metric) -> float | None:
        return self.current.summary.value(metric)

    def previous_value(self, metric: Metric) -> float | None:
        return self.previous.summary.value(metric)

    def change(self, metric: Metric) -> float | None:
        """Relative change against the previous period; None where it has no meaning."""
        return percent_change(self.value(metric), self.previous_value(metric))

    def with_agents(self, agents: tuple[AgentFigures, ...]) -> AnalyticsReport:
        """This report with the current period's agents table (computed on its own)."""
        parts = self.current.breakdowns
        if parts is None:
            return self
        return replace(self, current=replace(self.current,
                                             breakdowns=replace(parts, agents=agents)))


def rank_agents(agents: Iterable[AgentFigures]) -> list[AgentFigures]:
    """Top agents: most tickets handled first, then most closed, then by name. The one ranking
    the agents chart and the agents table share."""
    return sorted(agents, key=lambda a: (-a.handled, -a.closed, a.name.casefold()))


# -- filters ---------------------------------------------------------------------------------

def analysis_filter(f: TicketFilter | None) -> TicketFilter:
    """The user's filter as analytics applies it: the period replaces its date range."""
    if f is None:
        return TicketFilter()
    return replace(f, date_field=DateField.CREATED, date_from=None, date_to=None)


def dated(f: TicketFilter, date_field: DateField, first: date, last: date) -> TicketFilter:
    return replace(f, date_field=date_field, date_from=first, date_to=last)


T = TypeVar("T")


def narrow_set(chosen: frozenset[T], wanted: Iterable[T]) -> frozenset[T] | None:
    """`chosen` (alternatives; empty = any) AND "one of `wanted`", as one set of alternatives,
    or None when nothing can match (an empty set would read as "any")."""
    want = frozenset(wanted)
    result = want if not chosen else chosen & want
    return result or None


# -- local days ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DayBounds:
    """Local calendar days as UTC instants: day i is [starts[i], starts[i + 1])."""

    days: tuple[date, ...]
    starts: tuple[int, ...] = field(repr=False)

    @property
    def start(self) -> int:
        return self.starts[0]

    @property
    def end(self) -> int:
        return self.starts[-1]

    def pairs(self) -> list[tuple[int, int]]:
        return list(zip(self.starts, self.starts[1:], strict=False))


def day_bounds(period: Period, tz: tzinfo | None = None) -> DayBounds:
    """Each local day of `period` as [midnight, next midnight) in UTC, so a day is a day however
    many hours it has; also days that start at 01:00 because midnight was skipped."""
    days = tuple(period.days())
    starts = tuple(local_midnight(d, tz) for d in (*days, period.last_day + timedelta(days=1)))
    return DayBounds(days, starts)
