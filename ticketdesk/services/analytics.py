"""The analytics of a period, computed in SQL over indexes (issue 5). Qt-free.

`compute(store, period)` returns an `AnalyticsReport`: the cards, the daily chart, the breakdowns
and the agents table of the period, and the cards and days of the previous period of the same
length (its breakdowns too on request). What each figure means is written down once, in
`domain/analytics.py`; `period_for` turns a preset (or All time) into a `Period`.

How it stays fast at a million tickets (ticketdesk/ARCHITECTURE.md, "One million tickets";
plans checked with EXPLAIN QUERY PLAN / EXPLAIN ANALYZE, indexes from migration 4):

- every figure is one set-based query over an index range of the period; nothing loops over
  tickets in Python. Counts and sums come back as integers and averages are divided here, so
  SQLite and PostgreSQL give identical figures;
- days are cut at local midnights computed in Python (`domain.analytics.day_bounds`) and passed
  to SQL as a VALUES list; each day is one counted index range, which is DST-correct by
  construction and needs no sort (all time at 1M: 60 ms where GROUP BY over a day expression
  takes 310);
- durations are summed from (time, created_at) indexes; status and priority counts read one
  (status, created_at) range per value (`status IN (all)` makes both engines do that);
- joins to tags and assignees take the period's tickets first and probe each one's few link rows:
  SQLite follows the order of `CROSS JOIN`, PostgreSQL gets a LATERAL subquery (`_per_link`). On
  SQLite a month's tag counts skip the probes altogether (`_tags_by_id_span`);
- a period that covers every ticket (All time) drops its date conditions: tag counts read the
  (tag_id, ticket_id) index alone, and the agents table probes the narrow `ticket_times` index
  instead of the wide table rows.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any

from peewee import JOIN, OP, SQL, Case, Expression, Select, ValuesList, fn

from ticketdesk.db import ticket_query
from ticketdesk.db.models import Activity, Agent, Tag, Ticket, TicketAssignee, TicketTag
from ticketdesk.db.store import Store
from ticketdesk.domain import clock
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.analytics import (
    ACTIVE,
    AgentFigures,
    AnalyticsReport,
    Bar,
    Breakdowns,
    DayCount,
    PeriodFigures,
    Summary,
    analysis_filter,
    day_bounds,
    rank_agents,
)
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.period import MAX_DAYS, Period, PeriodKind
from ticketdesk.domain.status import Priority, Status


def _literal(text: str) -> Any:
    """A constant of our own written into the SQL text rather than bound: a partial index is
    used only when the query's condition visibly implies the index's (SQLite at prepare time,
    PostgreSQL in a generic plan), and a bound parameter could be anything."""
    assert text.replace(" ", "").isidentifier()
    return SQL(f"'{text}'")


_STATUS_KINDS = [_literal(ActivityKind.STATUS.value), _literal(ActivityKind.REOPENED.value)]
_REOPENED = _literal(ActivityKind.REOPENED.value)
_DONE_LABELS = (Status.RESOLVED.label, Status.CLOSED.label)  # as activity rows store them
# The all-time agents table without a filter: every time is inside the period, so the figures are
# plain counts and sums. SQLite would probe the wide table rows by rowid; `ticket_times` holds
# the same times in a b-tree 15 times smaller (m0004), which halves the time at 1M tickets.
_ALL_AGENTS_SQLITE = """
SELECT ta.agent_id, count(*), count(t.closed_at), count(t.resolved_at),
       sum(t.resolved_at - t.created_at), count(t.first_response_at),
       sum(t.first_response_at - t.created_at)
FROM ticket_assignee AS ta CROSS JOIN ticket AS t INDEXED BY ticket_times
WHERE t.id = ta.ticket_id
GROUP BY ta.agent_id
"""
# The agents table from an id window (SQLite; see _agents_by_id_window). :s/:e is the period,
# :lo/:hi the window.
_AGENT_FIGURES = """
count(*),
sum(t.closed_at >= :s AND t.closed_at < :e),
sum(t.resolved_at >= :s AND t.resolved_at < :e),
sum(CASE WHEN t.resolved_at >= :s AND t.resolved_at < :e THEN t.resolved_at - t.created_at END),
sum(t.first_response_at >= :s AND t.first_response_at < :e),
sum(CASE WHEN t.first_response_at >= :s AND t.first_response_at < :e
    THEN t.first_response_at - t.created_at END)
"""
_HANDLED = """(
    (t.created_at >= :s AND t.created_at < :e) OR (t.closed_at >= :s AND t.closed_at < :e)
    OR (t.resolved_at >= :s AND t.resolved_at < :e)
    OR (t.first_response_at >= :s AND t.first_response_at < :e))"""
_AGENTS_IN_WINDOW = f"""
SELECT ta.agent_id, {_AGENT_FIGURES}
FROM ticket_assignee AS ta INDEXED BY ticket_assignee_agent
CROSS JOIN ticket AS t INDEXED BY ticket_times
WHERE ta.agent_id IN (SELECT id FROM agent) AND ta.ticket_id BETWEEN :lo AND :hi
  AND t.id = ta.ticket_id
  AND {_HANDLED}
GROUP BY ta.agent_id
"""
# (The tickets created in the period are all inside: the window is their id span.)
_OUTSIDE = "NOT (id BETWEEN :lo AND :hi)"
_AGENTS_OUTSIDE_WINDOW = f"""
SELECT ta.agent_id, {_AGENT_FIGURES}
FROM (SELECT id FROM ticket WHERE first_response_at >= :s AND first_response_at < :e
        AND {_OUTSIDE}
      UNION SELECT id FROM ticket WHERE resolved_at >= :s AND resolved_at < :e AND {_OUTSIDE}
      UNION SELECT id FROM ticket WHERE closed_at >= :s AND closed_at < :e AND {_OUTSIDE}) AS u
CROSS JOIN ticket AS t INDEXED BY ticket_times CROSS JOIN ticket_assignee AS ta
WHERE t.id = u.id AND ta.ticket_id = u.id
GROUP BY ta.agent_id
"""

# All time with a search, tag or assignee filter (SQLite): from the listed tickets (_materialise).
_AGENTS_OF_LISTED = """
SELECT ta.agent_id, count(*), count(t.closed_at), count(t.resolved_at),
       sum(t.resolved_at - t.created_at), count(t.first_response_at),
       sum(t.first_response_at - t.created_at)
FROM temp.analytics_filter_ids AS f CROSS JOIN ticket_assignee AS ta
CROSS JOIN ticket AS t INDEXED BY ticket_times
WHERE ta.ticket_id = f.id AND t.id = f.id
GROUP BY ta.agent_id
"""
_TAGS_OF_LISTED = """
SELECT tt.tag_id, count(*) FROM temp.analytics_filter_ids AS f CROSS JOIN ticket_tag AS tt
WHERE tt.ticket_id = f.id GROUP BY tt.tag_id
"""

# Tags of an id interval, one (tag_id, ticket_id) index range per tag (SQLite; see by_tag).
_TAGS_IN_ID_SPAN = """
SELECT tag_id, count(*) FROM ticket_tag
WHERE tag_id IN (SELECT id FROM tag) AND ticket_id BETWEEN ? AND ?
GROUP BY tag_id
"""
_TAGS_OF_INTRUDERS = """
SELECT tt.tag_id, count(*)
FROM ticket AS t INDEXED BY ticket_times CROSS JOIN ticket_tag AS tt
WHERE t.id BETWEEN ? AND ? AND NOT (t.created_at >= ? AND t.created_at < ?)
  AND tt.ticket_id = t.id
GROUP BY tt.tag_id
"""

# Closure Rate's numerator from an id interval (SQLite; see created_closed).
_CREATED_CLOSED_IN_ID_SPAN = """
SELECT count(*) FROM ticket INDEXED BY ticket_times
WHERE id BETWEEN ? AND ? AND created_at >= ? AND created_at < ? AND closed_at < ?
"""


def period_for(store: Store, kind: PeriodKind, *, tz: tzinfo | None = None,
               now: int | None = None, first: date | None = None,
               last: date | None = None) -> Period:
    """The period `kind` as of `now`. CUSTOM needs `first` (and optionally `last`) dates.

    All time starts on the local day of the earliest ticket (today on an empty desk), at most
    `period.MAX_DAYS` back: a ticket imported with a nonsense date (1970) must not make the
    analytics of the whole desk unusable.
    """
    today = clock.today(tz, now)
    if kind != PeriodKind.ALL_TIME:
        return Period.of(kind, today, first=first, last=last)
    with store.read():
        earliest = Ticket.select(fn.min(Ticket.created_at)).scalar()
    first_day = clock.local_date(int(earliest), tz) if earliest is not None else today
    first_day = max(first_day, today - timedelta(days=MAX_DAYS - 1))
    return Period(kind, min(first_day, today), today)


def compute(store: Store, period: Period, *, filter: TicketFilter | None = None,
            tz: tzinfo | None = None, now: int | None = None,
            previous_breakdowns: bool = False, agents: bool = True) -> AnalyticsReport:
    """Every figure of `period`, and the cards and daily series of the period just before it,
    for the tickets `filter` matches (its date range is replaced by the period).

    Days are local calendar days in `tz` (None: the system's zone). For a period that ends
    today, "Open at the end" is the state now. `previous_breakdowns=True` also computes the
    previous period's breakdowns and agents table (the CSV export wants them; the view's
    comparison arrows need only the cards, and they would double the time of a month's report).
    `now` stamps the report (default: the clock). `agents=False` leaves the agents table empty,
    for a caller that computes it at the same time with `agents_table` (see there).
    """
    f = analysis_filter(filter)
    with store.read():
        q = _Queries(store, f, tz)
        try:
            current = q.figures(period, breakdowns=True, agents=agents)
            previous = q.figures(period.previous(), breakdowns=previous_breakdowns)
        finally:
            q.close()
        names = _agent_names(f.assignees)
    return AnalyticsReport(current, previous, tz_name(tz),
                           generated_at=clock.utc_now() if now is None else now,
                           agent_names=names)


def _agent_names(agent_ids: Iterable[int]) -> tuple[tuple[int, str], ...]:
    """(id, name) of `agent_ids`, in id order (inside the caller's read)."""
    wanted = sorted(agent_ids)
    if not wanted:
        return ()
    query = Agent.select(Agent.id, Agent.name).where(Agent.id.in_(wanted)).order_by(Agent.id)
    return tuple((int(i), str(n)) for i, n in query.tuples())


def agents_table(store: Store, period: Period, *, filter: TicketFilter | None = None,
                 tz: tzinfo | None = None) -> tuple[AgentFigures, ...]:
    """The agents table of `period` alone, as `compute` would give it.

    It is about half of a month's report (57 of 115 ms at a million tickets). The analytics
    view asks for it on a second connection, in a thread of its own, while `compute(...,
    agents=False)` does the rest: SQLite and PostgreSQL work without Python's GIL, so on two
    cores the report takes the time of the larger half. The two halves read in two
    transactions; a change committed between them can differ by that change, which a
    dashboard refreshed on every change can live with.
    """
    f = analysis_filter(filter)
    with store.read():
        q = _Queries(store, f, tz)
        try:
            bounds = day_bounds(period, tz)
            return q.agents(bounds.start, bounds.end)
        finally:
            q.close()


def tz_name(tz: tzinfo | None) -> str:
    if tz is None:
        return time.tzname[0] if time.daylight == 0 else "/".join(time.tzname)
    return str(getattr(tz, "key", None) or tz)


_FILTER_IDS = "temp.analytics_filter_ids"


@dataclass(frozen=True)
class _Extent:
    """min and max of each lifecycle time, to recognise a period that covers every ticket."""

    created: tuple[int | None, int | None]
    first_response: tuple[int | None, int | None]
    resolved: tuple[int | None, int | None]
    closed: tuple[int | None, int | None]

    def covers(self, start: int, end: int, *columns: str) -> bool:
        """Whether every non-null value of `columns` lies in [start, end)."""
        for name in columns:
            low, high = getattr(self, name)
            if low is not None and (low < start or high is None or high >= end):
                return False
        return True


class _Queries:
    """The SQL for one report: one filter, one time zone, one consistent read."""

    def __init__(self, store: Store, f: TicketFilter, tz: tzinfo | None) -> None:
        self.store = store
        self.filter = f
        self.tz = tz
        self._temp = False
        condition = ticket_query.filter_condition(f, store.backend, tz)
        if condition is not None and store.is_sqlite:
            condition = self._materialise(condition)
        # The filter is checked row by row on the period's tickets, never used to find them:
        # the period bounds the work. Left to choose, SQLite takes a tag's ticket list (a tenth
        # of the desk) or the (priority, created_at) index to find each day's closed tickets,
        # and a month's daily chart takes seconds (all time with "Urgent": minutes).
        self.cond = None if condition is None else (Case(None, [(condition, 1)], 0) == 1)
        # Where no period bounds the tickets (All time), the filter itself should find them.
        self.driving_cond = condition
        self.extent = self._extent()
        self._spans: dict[tuple[int, int], tuple[int, int, int]] = {}

    def _materialise(self, condition: Any) -> Any:
        """The filter's tickets as a temporary table, probed by rowid.

        A search, a tag or an assignee filter is a subquery whose ticket list SQLite builds
        again for every statement (14 per report; 90 ms each for a common search word at 1M
        tickets), and a status or priority filter needs the wide table row of every ticket it
        checks. Listed once per report, each statement only probes the list by rowid (a month
        of the 1M demo desk filtered on a search word: 1.7 s -> 0.5 s). The table is private to
        this connection and dropped by `close`.
        """
        db = self.store.db
        db.execute_sql(f"DROP TABLE IF EXISTS {_FILTER_IDS}")
        db.execute_sql(f"CREATE TEMP TABLE {_FILTER_IDS[5:]} (id INTEGER PRIMARY KEY)")
        self._temp = True
        sql, params = db.get_sql_context().sql(
            Ticket.select(Ticket.id).where(condition).order_by(Ticket.id)).query()
        # Checking that a listed id is a ticket reads the narrow `ticket_times`, not the row.
        source = 'FROM "ticket" AS "t1"'
        assert sql.count(source) >= 1
        sql = sql.replace(source, f'{source} INDEXED BY "ticket_times"', 1)
        db.execute_sql(f"INSERT INTO {_FILTER_IDS} (id) {sql}", params)
        return Ticket.id.in_(SQL(f"(SELECT id FROM {_FILTER_IDS})"))

    def close(self) -> None:
        if self._temp:
            self.store.db.execute_sql(f"DROP TABLE IF EXISTS {_FILTER_IDS}")
            self._temp = False

    # -- helpers ------------------------------------------------------------------------------

    def _where(self, *parts: Any, driving: bool = False) -> Any:
        result = self.driving_cond if driving else self.cond
        for part in parts:
            result = part if result is None else (part & result)
        return result

    def _extent(self) -> _Extent:
        columns = (Ticket.created_at, Ticket.first_response_at, Ticket.resolved_at,
                   Ticket.closed_at)
        # One scalar subquery per bound: each is a single index endpoint on both backends.
        subqueries = [Ticket.select(agg(c)) for c in columns for agg in (fn.min, fn.max)]
        row = self.store.db.execute(Select(columns=subqueries)).fetchone()
        values = [None if v is None else int(v) for v in row]
        pairs = [(values[i], values[i + 1]) for i in range(0, 8, 2)]
        return _Extent(*pairs)

    def _scalar_row(self, query: Any) -> tuple[int, ...]:
        row = self.store.db.execute(query).fetchone()
        return tuple(int(v or 0) for v in row)

    # -- one period ---------------------------------------------------------------------------

    def figures(self, period: Period, *, breakdowns: bool, agents: bool = True) -> PeriodFigures:
        bounds = day_bounds(period, self.tz)
        start, end = bounds.start, bounds.end
        daily = self.daily(bounds.pairs())
        days = tuple(DayCount(day, created, closed)
                     for day, (created, closed) in zip(bounds.days, daily, strict=True))
        resolved, resolution = self.duration_sums(Ticket.resolved_at, start, end)
        responded, first_response = self.duration_sums(Ticket.first_response_at, start, end)
        open_at_end, listable = self.open_at(end)
        summary = Summary(
            created=sum(d.created for d in days), closed=sum(d.closed for d in days),
            open_at_end=open_at_end, resolved=resolved, resolution_seconds=resolution,
            responded=responded, first_response_seconds=first_response,
            created_closed=self.created_closed(start, end))
        charts = None
        if breakdowns:
            charts = Breakdowns(
                by_status=self.by_status(start, end), by_priority=self.by_priority(start, end),
                by_tag=self.by_tag(start, end),
                agents=self.agents(start, end) if agents else ())
        return PeriodFigures(period, start, end, self.filter, summary, days, charts,
                             open_listable=listable)

    def daily(self, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """(created, closed) for each [start, end) pair, in order: one counted index range per
        day and column, correlated to a VALUES list of the day bounds."""
        if not pairs:
            return []
        days = ValuesList([(i, s, e) for i, (s, e) in enumerate(pairs)], alias="b")
        index, first, after = days.c.column1, days.c.column2, days.c.column3

        def per_day(column: Any) -> Any:
            return Ticket.select(fn.count(SQL("*"))).where(
                self._where((column >= first) & (column < after)))

        query = Select([days], [index, per_day(Ticket.created_at), per_day(Ticket.closed_at)])
        found = {int(i): (int(c), int(x)) for i, c, x in self.store.db.execute(query)}
        return [found[i] for i in range(len(pairs))]

    def duration_sums(self, column: Any, start: int, end: int) -> tuple[int, int]:
        """(tickets, total seconds from creation) for `column` in [start, end); read from the
        (column, created_at) index alone."""
        query = Ticket.select(fn.count(SQL("*")), fn.sum(column - Ticket.created_at)).where(
            self._where((column >= start) & (column < end)))
        count, total = self._scalar_row(query)
        return count, total

    def created_closed(self, start: int, end: int) -> int:
        """Tickets created in [start, end) that were closed by `end` and still are (the
        numerator of Closure Rate; `closed_at` is cleared on reopen).

        In general one range of the (created_at) index, each ticket's closure read from its
        row. On SQLite without a filter the period's tickets are the id interval they span
        (`_id_span`), and the narrow `ticket_times` index holds both times: one covering
        index range, no table row read."""
        if self.cond is None and self.store.is_sqlite:
            n, lo, hi = self._id_span(start, end)
            if not n:
                return 0
            if hi - lo + 1 <= 2 * n:  # else ids and times disagree: the general query
                row = self.store.db.execute_sql(_CREATED_CLOSED_IN_ID_SPAN,
                                                (lo, hi, start, end, end)).fetchone()
                return int(row[0])
        query = Ticket.select(fn.count(SQL("*"))).where(self._where(
            (Ticket.created_at >= start) & (Ticket.created_at < end) & (Ticket.closed_at < end)))
        return self._scalar_row(query)[0]

    def open_at(self, end: int) -> tuple[int, bool]:
        """Tickets created before `end` that were active at `end` (see domain.analytics), and
        whether they are exactly the tickets active now and created before `end`."""
        low = self.extent.created[0]
        if low is None or low >= end:
            return 0, True
        active = sorted(int(s) for s in ACTIVE)
        # Active now: a range of the (status, created_at) index per active status.
        now_active = Ticket.select(fn.count(SQL("*"))).where(
            self._where(Ticket.status.in_(active) & (Ticket.created_at < end)))
        # Resolved or closed since the end (resolved_at is cleared on reopen, so a non-null
        # resolved_at means the ticket is done now): it was still open then. From the
        # (resolved_at, created_at) index alone.
        done_since = Ticket.select(fn.count(SQL("*"))).where(
            self._where((Ticket.resolved_at >= end) & (Ticket.created_at < end)))
        # Reopened since the end and done at the end (the first status change after the end
        # left Resolved or Closed): the two counts above took it for open.
        first_change_old = (
            Activity.select(Activity.old)
            .where((Activity.ticket == Ticket.id) & Activity.kind.in_(_STATUS_KINDS)
                   & (Activity.at >= end))
            .order_by(Activity.at, Activity.id).limit(1))
        reopened = Activity.select(Activity.ticket).where(
            (Activity.kind == _REOPENED) & (Activity.at >= end))
        was_done = Expression(first_change_old, OP.IN, [_literal(x) for x in _DONE_LABELS])
        reopened_since = Ticket.select(
            fn.count(SQL("*")), fn.sum(Case(None, [(was_done, 1)], 0))).where(
            self._where(Ticket.id.in_(reopened) & (Ticket.created_at < end)))
        a, b = self._scalar_row(Select(columns=[now_active, done_since]))
        reopened_count, done_then = self._scalar_row(reopened_since)
        return a + b - done_then, b == 0 and reopened_count == 0

    # -- breakdowns ---------------------------------------------------------------------------

    def _by_column(self, column: Any, values: Iterable[int], start: int,
                   end: int) -> dict[int, int]:
        # `column IN (all values)` lets both backends read one (column, created_at) index range
        # per value instead of every ticket of the period plus a sort.
        query = (Ticket.select(column, fn.count(SQL("*")))
                 .where(self._where(column.in_(sorted(values)) & (Ticket.created_at >= start)
                                    & (Ticket.created_at < end)))
                 .group_by(column))
        return {int(k): int(n) for k, n in query.tuples()}

    def by_status(self, start: int, end: int) -> tuple[Bar, ...]:
        counts = self._by_column(Ticket.status, (int(s) for s in Status), start, end)
        return tuple(Bar(s, counts.get(int(s), 0)) for s in Status)

    def by_priority(self, start: int, end: int) -> tuple[Bar, ...]:
        counts = self._by_column(Ticket.priority, (int(p) for p in Priority), start, end)
        return tuple(Bar(p, counts.get(int(p), 0)) for p in Priority)

    def by_tag(self, start: int, end: int) -> tuple[Bar, ...]:
        counts: dict[int, int] | None = None
        everything = self.extent.covers(start, end, "created")
        if everything and self.cond is None:
            # Every ticket is in the period: count the (tag_id, ticket_id) index alone.
            query = (TicketTag.select(TicketTag.tag, fn.count(SQL("*")))
                     .group_by(TicketTag.tag))
            counts = {int(t): int(n) for t, n in query.tuples()}
        elif everything and self._temp:
            counts = {int(t): int(n) for t, n in self.store.db.execute_sql(_TAGS_OF_LISTED)}
        elif everything:
            query = (Ticket.select(TicketTag.tag, fn.count(SQL("*")))
                     .join(TicketTag, JOIN.CROSS)
                     .where(self._where(TicketTag.ticket == Ticket.id, driving=True))
                     .group_by(TicketTag.tag))
            counts = {int(t): int(n) for t, n in query.tuples()}
        elif self.cond is None and self.store.is_sqlite:
            counts = self._tags_by_id_span(start, end)
        if counts is None:
            query = self._per_link(TicketTag.tag, lambda tag: [tag, fn.count(SQL("*"))],
                                   (Ticket.created_at >= start) & (Ticket.created_at < end))
            counts = {int(t): int(n) for t, n in query.tuples()}
        counts = {t: n for t, n in counts.items() if n}
        names = dict(Tag.select(Tag.id, Tag.name).where(Tag.id.in_(list(counts))).tuples()) \
            if counts else {}
        bars = [Bar(names[t], n) for t, n in counts.items() if t in names]
        return tuple(sorted(bars, key=lambda b: (-b.count, b.label)))

    def _id_span(self, start: int, end: int) -> tuple[int, int, int]:
        """(count, min id, max id) of the tickets created in [start, end), from the
        (created_at, id) index alone (SQLite shortcuts below)."""
        key = (start, end)
        if key not in self._spans:
            row = self.store.db.execute_sql(
                "SELECT count(*), min(id), max(id) FROM ticket WHERE created_at >= ? AND "
                "created_at < ?", (start, end)).fetchone()
            self._spans[key] = (int(row[0]), int(row[1] or 0), int(row[2] or 0))
        return self._spans[key]

    def _tags_by_id_span(self, start: int, end: int) -> dict[int, int] | None:
        """Tag counts of the tickets created in [start, end) without probing each ticket, or
        None when the shortcut does not apply.

        Ids grow with creation time, so a period's tickets are (nearly) the id interval
        [lo, hi] they span, and the (tag_id, ticket_id) index counts an interval per tag
        directly. The few tickets inside the interval created outside the period (an import,
        a clock set back) are found in the narrow `ticket_times` index and subtracted, so the
        counts stay exact; when ids and times disagree too much the probing join is cheaper.
        """
        db = self.store.db
        n, lo, hi = self._id_span(start, end)
        if not n:
            return {}
        if hi - lo + 1 > 2 * n:
            return None
        counts = {int(t): int(c) for t, c in db.execute_sql(_TAGS_IN_ID_SPAN, (lo, hi))}
        if hi - lo + 1 > n:  # else every id of the interval is one of the period's tickets
            for tag, c in db.execute_sql(_TAGS_OF_INTRUDERS, (lo, hi, start, end)):
                counts[int(tag)] -= int(c)
        return counts

    def agents(self, start: int, end: int) -> tuple[AgentFigures, ...]:
        """The cards per current assignee. `handled` is the union of the four date ranges, which
        SQLite reads as one multi-index OR (rowids merged, each ticket once)."""

        def inside(column: Any) -> Any:
            return (column >= start) & (column < end)

        def count_if(condition: Any) -> Any:
            return fn.sum(Case(None, [(condition, 1)], 0))

        def seconds_if(column: Any) -> Any:
            return fn.sum(Case(None, [(inside(column), column - Ticket.created_at)], 0))

        def columns(agent: Any) -> list[Any]:
            return [agent, fn.count(SQL("*")), count_if(inside(Ticket.closed_at)),
                    count_if(inside(Ticket.resolved_at)), seconds_if(Ticket.resolved_at),
                    count_if(inside(Ticket.first_response_at)),
                    seconds_if(Ticket.first_response_at)]

        fast = self.cond is None and self.store.is_sqlite
        if self.extent.covers(start, end, "created", "first_response", "resolved", "closed"):
            # Every ticket is handled in the period (all time): walk the assignments in agent
            # order (no sort for GROUP BY) and probe each ticket's times by id.
            if fast:
                return self._agent_rows(self.store.db.execute_sql(_ALL_AGENTS_SQLITE).fetchall())
            if self._temp:
                return self._agent_rows(self.store.db.execute_sql(_AGENTS_OF_LISTED).fetchall())
            if self.cond is None:
                query = (TicketAssignee.select(*columns(TicketAssignee.agent))
                         .join(Ticket, JOIN.CROSS)
                         .where(TicketAssignee.ticket == Ticket.id)
                         .group_by(TicketAssignee.agent))
            else:  # the filter's tickets first, through its own indexes
                query = (Ticket.select(*columns(TicketAssignee.agent))
                         .join(TicketAssignee, JOIN.CROSS)
                         .where(self._where(TicketAssignee.ticket == Ticket.id, driving=True))
                         .group_by(TicketAssignee.agent))
        else:
            rows = self._agents_by_id_window(start, end) if fast else None
            if rows is not None:
                return self._agent_rows(rows)
            any_inside = (inside(Ticket.created_at) | inside(Ticket.first_response_at)
                          | inside(Ticket.resolved_at) | inside(Ticket.closed_at))
            query = self._per_link(TicketAssignee.agent, columns, any_inside)
        return self._agent_rows(list(query.tuples()))

    def _agents_by_id_window(self, start: int, end: int) -> list[Any] | None:
        """The agents table on SQLite without a filter, or None when the shortcut does not apply.

        The generic query merges four index ranges into one set of tickets, then reads each
        ticket's row and its assignees: about 70,000 of each for a busy month at 1M tickets.
        Here the tickets from the first one created in the period on (an id interval, see
        `_tags_by_id_span`) are walked from the assignments' (agent_id, ticket_id) index, in
        agent order with no sort, probing only the narrow `ticket_times` index; the few tickets
        outside that interval answered, resolved or closed in the period (older ones, mostly)
        are found in their time indexes and added. The two parts are disjoint by id, so the
        sums are exact.
        """
        n, lo, hi = self._id_span(start, end)
        if n and hi - lo + 1 > 2 * n:
            return None
        if not n:
            lo, hi = 1, 0  # an empty window: every ticket is outside it
        db = self.store.db
        params = {"s": start, "e": end, "lo": lo, "hi": hi}
        merged: dict[int, list[int]] = {}
        for sql in (_AGENTS_IN_WINDOW, _AGENTS_OUTSIDE_WINDOW):
            for agent, *values in db.execute_sql(sql, params):
                totals = merged.setdefault(int(agent), [0] * len(values))
                for i, v in enumerate(values):
                    totals[i] += int(v or 0)
        return [(agent, *totals) for agent, totals in merged.items()]



    def _per_link(self, column: Any, select: Any, condition: Any) -> Any:
        """SELECT `select(link column)` over the tickets matching `condition` joined to their
        rows of `column`'s link table (tags, assignees), grouped by the link column.

        The plan wanted on both backends: the period's tickets from their index, then each
        ticket's few link rows by primary key. SQLite follows the written order of a CROSS JOIN.
        PostgreSQL's default costs prefer hashing the whole link table (1.5M rows at 1M
        tickets: 0.3 s for a month where probing takes 0.1 s); a LATERAL subquery with OFFSET,
        which the planner may not flatten, makes it probe.
        """
        link = column.model
        if self.store.is_sqlite:
            return (Ticket.select(*select(column)).join(link, JOIN.CROSS)
                    .where(self._where((link.ticket == Ticket.id) & condition))
                    .group_by(column))
        rows = (link.select(column).where(link.ticket == Ticket.id).offset(0)
                .alias("link_rows"))
        value = getattr(rows.c, column.column_name)
        return (Ticket.select(*select(value)).join(rows, JOIN.LATERAL, on=SQL("TRUE"))
                .where(self._where(condition)).group_by(value))

    def _agent_rows(self, rows: list[Any]) -> tuple[AgentFigures, ...]:
        names = dict(Agent.select(Agent.id, Agent.name)
                     .where(Agent.id.in_([r[0] for r in rows])).tuples()) if rows else {}
        result = [AgentFigures(int(a), names.get(a, f"agent {a}"), *(int(v or 0) for v in rest))
                  for a, *rest in rows]
        return tuple(rank_agents(result))
