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

SQL only one engine speaks is not written here: the service asks its store's engine
(`db.engine.Engine`, from `engine_for`) by name — for the filter listed once per report, the
link probes, and the id-interval shortcuts where the engine has them (`id_shortcuts`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Any

from peewee import JOIN, OP, SQL, Case, Expression, Select, ValuesList, fn

from ticketdesk.db import ticket_query
from ticketdesk.db.engine import engine_for
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
    CategoryName,
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


@dataclass
class _Whole:
    """What `_Queries._whole_desk` adds up from its groups."""

    resolved: tuple[int, int] = (0, 0)  # tickets, seconds from creation in all
    responded: tuple[int, int] = (0, 0)
    closed: int = 0
    status: dict[int, int] = field(default_factory=dict)
    priority: dict[int, int] = field(default_factory=dict)
    category: dict[str, int] = field(default_factory=dict)

    def add(self, status: int, priority: int, category: str, tickets: int, closed: int,
            resolved: tuple[int, int], responded: tuple[int, int]) -> None:
        self.resolved = (self.resolved[0] + resolved[0], self.resolved[1] + resolved[1])
        self.responded = (self.responded[0] + responded[0], self.responded[1] + responded[1])
        self.closed += closed
        self.status[status] = self.status.get(status, 0) + tickets
        self.priority[priority] = self.priority.get(priority, 0) + tickets
        if category:
            self.category[category] = self.category.get(category, 0) + tickets


def _status_bars(counts: dict[int, int]) -> tuple[Bar, ...]:
    return tuple(Bar(s, counts.get(int(s), 0)) for s in Status)


def _priority_bars(counts: dict[int, int]) -> tuple[Bar, ...]:
    return tuple(Bar(p, counts.get(int(p), 0)) for p in Priority)


def _category_bars(counts: dict[str, int]) -> tuple[Bar, ...]:
    """Most tickets first, then by name."""
    bars = [Bar(CategoryName(c), n) for c, n in counts.items() if n]
    return tuple(sorted(bars, key=lambda b: (-b.count, b.label)))


class _Queries:
    """The SQL for one report: one filter, one time zone, one consistent read."""

    def __init__(self, store: Store, f: TicketFilter, tz: tzinfo | None) -> None:
        self.store = store
        self.engine = engine_for(store)
        self.filter = f
        self.tz = tz
        self._temp = False
        condition = ticket_query.filter_condition(f, store.backend, tz)
        if condition is not None:
            # Listed once per report where the engine wants it (SQLite: a temporary table
            # probed by rowid; see SqliteEngine.list_filter).
            listed = self.engine.list_filter(store.db, condition)
            if listed is not None:
                condition, self._temp = listed, True
        # The filter is checked row by row on the period's tickets, never used to find them:
        # the period bounds the work. Left to choose, SQLite takes a tag's ticket list (a tenth
        # of the desk) or the (priority, created_at) index to find each day's closed tickets,
        # and a month's daily chart takes seconds (all time with "Urgent": minutes).
        self.cond = None if condition is None else (Case(None, [(condition, 1)], 0) == 1)
        # Where no period bounds the tickets (All time), the filter itself should find them.
        self.driving_cond = condition
        self.extent = self._extent()
        self._spans: dict[tuple[int, int], tuple[int, int, int]] = {}

    def close(self) -> None:
        if self._temp:
            self.engine.drop_filter_list(self.store.db)
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
        whole = self._whole_desk(start, end) if breakdowns else None
        if whole is not None:
            (resolved, resolution), (responded, first_response) = whole.resolved, whole.responded
            created_closed = whole.closed
        else:
            resolved, resolution = self.duration_sums(Ticket.resolved_at, start, end)
            responded, first_response = self.duration_sums(Ticket.first_response_at, start, end)
            created_closed = self.created_closed(start, end)
        open_at_end, listable = self.open_at(end)
        summary = Summary(
            created=sum(d.created for d in days), closed=sum(d.closed for d in days),
            open_at_end=open_at_end, resolved=resolved, resolution_seconds=resolution,
            responded=responded, first_response_seconds=first_response,
            created_closed=created_closed)
        charts = None
        if breakdowns:
            charts = Breakdowns(
                by_status=_status_bars(whole.status if whole else self._by_column(
                    Ticket.status, (int(s) for s in Status), start, end)),
                by_priority=_priority_bars(whole.priority if whole else self._by_column(
                    Ticket.priority, (int(p) for p in Priority), start, end)),
                by_tag=self.by_tag(start, end),
                agents=self.agents(start, end) if agents else (),
                by_category=_category_bars(whole.category if whole else self._by_category(
                    start, end)))
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
        row. Where the engine counts over id intervals (SQLite) and there is no filter, the
        period's tickets are the id interval they span (`_id_span`), and the narrow
        `ticket_times` index holds both times: one covering index range, no table row read."""
        if self.cond is None and self.extent.covers(start, end, "created"):
            # Every ticket is in the period (All time): the (closed_at) index alone.
            return self._scalar_row(Ticket.select(fn.count(SQL("*"))).where(
                Ticket.closed_at < end))[0]
        if self.cond is None and self.engine.id_shortcuts:
            n, lo, hi = self._id_span(start, end)
            if not n:
                return 0
            if hi - lo + 1 <= 2 * n:  # else ids and times disagree: the general query
                return self.engine.created_closed_in_id_span(self.store.db, lo, hi, start, end)
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

    def _by_category(self, start: int, end: int) -> dict[str, int]:
        """Tickets created in the period by category (issue 19)."""
        query = (Ticket.select(Ticket.category, fn.count(SQL("*")))
                 .where(self._where((Ticket.category != "") & (Ticket.created_at >= start)
                                    & (Ticket.created_at < end)))
                 .group_by(Ticket.category))
        return {str(c): int(n) for c, n in query.tuples()}

    def _whole_desk(self, start: int, end: int) -> _Whole | None:
        """The period's per-ticket figures in one grouped pass over the tickets, when the
        engine prefers that (`Engine.whole_desk_pass`) and the period holds every ticket and
        every lifecycle time of them (All time); None otherwise.

        Six reads become one: the resolution and first-response sums (every non-null time
        lies in the period), the tickets closed by the end (every closed one), and the
        tickets by status, by priority and by category, grouped by all three at once (a few
        hundred groups) and added up here. At 1,000,000 tickets on PostgreSQL: 1,026 ms for
        the six reads, 550-650 ms for the pass (load 6-7 on 2 CPUs)."""
        if not self.engine.whole_desk_pass or not self.extent.covers(
                start, end, "created", "first_response", "resolved", "closed"):
            return None
        query = Ticket.select(
            Ticket.status, Ticket.priority, Ticket.category, fn.count(SQL("*")),
            fn.count(Ticket.resolved_at), fn.sum(Ticket.resolved_at - Ticket.created_at),
            fn.count(Ticket.first_response_at),
            fn.sum(Ticket.first_response_at - Ticket.created_at), fn.count(Ticket.closed_at))
        where = self._where(driving=True)
        if where is not None:
            query = query.where(where)
        whole = _Whole()
        for status, priority, category, n, res, res_sum, resp, resp_sum, closed in \
                query.group_by(Ticket.status, Ticket.priority, Ticket.category).tuples():
            whole.add(int(status), int(priority), str(category), int(n), int(closed),
                      (int(res), int(res_sum or 0)), (int(resp), int(resp_sum or 0)))
        return whole

    def by_tag(self, start: int, end: int) -> tuple[Bar, ...]:
        counts: dict[int, int] | None = None
        everything = self.extent.covers(start, end, "created")
        if everything and self.cond is None:
            # Every ticket is in the period: count the (tag_id, ticket_id) index alone.
            query = (TicketTag.select(TicketTag.tag, fn.count(SQL("*")))
                     .group_by(TicketTag.tag))
            counts = {int(t): int(n) for t, n in query.tuples()}
        elif everything and self._temp:
            counts = self.engine.tags_of_listed(self.store.db)
        elif everything:
            query = (Ticket.select(TicketTag.tag, fn.count(SQL("*")))
                     .join(TicketTag, JOIN.CROSS)
                     .where(self._where(TicketTag.ticket == Ticket.id, driving=True))
                     .group_by(TicketTag.tag))
            counts = {int(t): int(n) for t, n in query.tuples()}
        elif self.cond is None and self.engine.id_shortcuts:
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
        (created_at, id) index alone (for the id-interval shortcuts below)."""
        key = (start, end)
        if key not in self._spans:
            self._spans[key] = self.engine.id_span(self.store.db, start, end)
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
        counts = self.engine.tags_in_id_span(db, lo, hi)
        if hi - lo + 1 > n:  # else every id of the interval is one of the period's tickets
            for tag, c in self.engine.tags_of_intruders(db, lo, hi, start, end).items():
                counts[tag] -= c
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

        def totals(agent: Any) -> list[Any]:
            """`columns` where every time lies inside the period: plain counts and sums."""
            return [agent, fn.count(SQL("*")), fn.count(Ticket.closed_at),
                    fn.count(Ticket.resolved_at), fn.sum(Ticket.resolved_at - Ticket.created_at),
                    fn.count(Ticket.first_response_at),
                    fn.sum(Ticket.first_response_at - Ticket.created_at)]

        fast = self.cond is None and self.engine.id_shortcuts
        if self.extent.covers(start, end, "created", "first_response", "resolved", "closed"):
            # Every ticket is handled in the period (all time): walk the assignments in agent
            # order (no sort for GROUP BY) and probe each ticket's times by id.
            if fast:
                return self._agent_rows(self.engine.agent_rows_all(self.store.db))
            if self._temp:
                return self._agent_rows(self.engine.agent_rows_of_listed(self.store.db))
            if self.cond is None:  # every assignment with its ticket's times, both in id order
                query = (TicketAssignee.select(*totals(TicketAssignee.agent))
                         .join(Ticket, JOIN.CROSS)
                         .where(TicketAssignee.ticket == Ticket.id)
                         .group_by(TicketAssignee.agent))
                with self.engine.whole_join(self.store.db):
                    return self._agent_rows(list(query.tuples()))
            else:  # the filter's tickets first, through its own indexes
                query = (Ticket.select(*totals(TicketAssignee.agent))
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
        return self.engine.agent_rows_in_window(self.store.db, start, end, lo, hi)

    def _per_link(self, column: Any, select: Any, condition: Any) -> Any:
        """SELECT `select(link column)` over the tickets matching `condition` joined to their
        rows of `column`'s link table (tags, assignees), grouped by the link column.

        The plan wanted on both engines: the period's tickets from their index, then each
        ticket's few link rows by primary key; how to get it differs (`Engine.per_link`).
        """
        return self.engine.per_link(column, select, condition, self._where)

    def _agent_rows(self, rows: list[Any]) -> tuple[AgentFigures, ...]:
        names = dict(Agent.select(Agent.id, Agent.name)
                     .where(Agent.id.in_([r[0] for r in rows])).tuples()) if rows else {}
        result = [AgentFigures(int(a), names.get(a, f"agent {a}"), *(int(v or 0) for v in rest))
                  for a, *rest in rows]
        return tuple(rank_agents(result))
