"""SLA analytics (issue 17): how often the desk kept its first-response and resolution
promises in a period, and where it broke them — by priority, agent and tag.

Which tickets: those created in the period (as every other figure of the analytics view,
services/analytics.py), narrowed by the user's filter. What a target's outcome is, from the
stored SLA columns (migration 12, services/sla.py keeps them current):

- **met**: achieved (`first_response_at` / `resolved_at`) at or before its due
  (`first_response_due` / `resolution_due`, which already include business hours and pauses);
- **breached**: achieved after its due, or not achieved and the due has passed (at `now`);
- **pending** (neither): not achieved and not yet due, or no due at all (no policy, no target,
  the clock standing still) — left out of the met share, which is met ÷ (met + breached).

"Breaches" of a group counts both targets, so a ticket answered late and resolved late counts
twice, as two broken promises.

How it is read (1,000,000 tickets, plans checked with EXPLAIN QUERY PLAN; indexes of migration
24): per priority, one conditional-sum query over `ticket_sla_outcome` (priority, created_at,
the four SLA times), `priority IN (every priority)` making it one index range per priority,
read already grouped (no sort) and without a table row; the summary is their sum. Per agent
and per tag on SQLite without a filter, the period's id window (as services/analytics.py's
shortcuts): each agent's (tag's) range of the link index, probing the narrow
`ticket_sla_by_id` index per row (`Engine.sla_rows_in_window`). Otherwise — a filter, or
PostgreSQL, whose planner hashes or probes as it costs it — the portable query: the period's
tickets, then each one's link rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from peewee import JOIN, Case, fn

from ticketdesk.db.engine import engine_for
from ticketdesk.db.models import Agent, Tag, Ticket, TicketAssignee, TicketTag
from ticketdesk.db.ticket_query import filter_condition
from ticketdesk.domain.analytics import analysis_filter
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.period import Period
from ticketdesk.domain.status import Priority
from ticketdesk.services.session import Session


@dataclass(frozen=True)
class SlaFigures:
    """One group's outcomes: first response and resolution, met and decided (met + breached)."""

    tickets: int = 0
    response_met: int = 0
    response_decided: int = 0
    resolution_met: int = 0
    resolution_decided: int = 0

    @property
    def response_breached(self) -> int:
        return self.response_decided - self.response_met

    @property
    def resolution_breached(self) -> int:
        return self.resolution_decided - self.resolution_met

    @property
    def breaches(self) -> int:
        return self.response_breached + self.resolution_breached

    @property
    def response_met_share(self) -> float | None:
        """0..1; None when no first-response target was decided (the app shows "—")."""
        return self.response_met / self.response_decided if self.response_decided else None

    @property
    def resolution_met_share(self) -> float | None:
        return (self.resolution_met / self.resolution_decided
                if self.resolution_decided else None)


@dataclass(frozen=True)
class SlaReport:
    """Every SLA figure of one period."""

    first_day: date
    last_day: date
    summary: SlaFigures
    by_priority: tuple[tuple[str, SlaFigures], ...]
    by_agent: tuple[tuple[str, SlaFigures], ...]
    by_tag: tuple[tuple[str, SlaFigures], ...]


def _measures(now: int) -> list[Any]:
    """tickets, first response met and decided, resolution met and decided: each a COUNT of
    one CASE (a comparison with a missing time is NULL, so not counted; decided counts the due
    itself, NULL without one) — the fewest operations per row, on both engines."""
    fr_due, fr_at = Ticket.first_response_due, Ticket.first_response_at
    res_due, res_at = Ticket.resolution_due, Ticket.resolved_at
    return [
        fn.COUNT(Ticket.id),
        fn.COUNT(Case(None, [(fr_at <= fr_due, 1)])),
        fn.COUNT(Case(None, [(fr_at.is_null(False) | (fr_due <= now), fr_due)])),
        fn.COUNT(Case(None, [(res_at <= res_due, 1)])),
        fn.COUNT(Case(None, [(res_at.is_null(False) | (res_due <= now), res_due)])),
    ]


def _figures(values: Any) -> SlaFigures:
    return SlaFigures(*(int(v or 0) for v in values)) if values else SlaFigures()


def _sum(groups: Iterable[SlaFigures]) -> SlaFigures:
    parts = list(groups)
    return SlaFigures(*(sum(getattr(g, f) for g in parts) for f in (
        "tickets", "response_met", "response_decided", "resolution_met", "resolution_decided")))


def _id_window(session: Session, start: int, end: int) -> tuple[int, int] | None:
    """The id interval [lo, hi] the tickets created in [start, end) span, when the engine
    reads by id intervals and the interval is mostly the period's tickets (ids grow with
    creation time); else None. An empty period is the empty window (1, 0)."""
    engine = engine_for(session.store)
    if not engine.id_shortcuts:
        return None
    n, lo, hi = engine.id_span(session.store.db, start, end)
    if not n:
        return 1, 0
    return (lo, hi) if hi - lo + 1 <= 2 * n else None


def _links_in_window(session: Session, link: str, start: int, end: int,
                     window: tuple[int, int], now: int) -> dict[int, SlaFigures]:
    lo, hi = window
    rows = engine_for(session.store).sla_rows_in_window(
        session.store.db, link, start, end, lo, hi, now)
    return {int(key): _figures(rest) for key, *rest in rows}


def _links(session: Session, column: Any, measures: list[Any], where: Any, start: int,
           end: int) -> dict[int, SlaFigures]:
    """Per agent or tag (`column`), the portable way: the period's tickets, then each one's
    link rows as the engine best probes them (`Engine.per_link`: SQLite's CROSS JOIN,
    PostgreSQL's LATERAL; 100,000 tickets on PostgreSQL, 30 days: 126 -> 43 ms). When the
    period holds every ticket (all time), PostgreSQL hashes both tables instead (0.7 s where
    probing takes 1.5 s)."""
    link = column.model
    first, last = Ticket.select(fn.MIN(Ticket.created_at), fn.MAX(Ticket.created_at)).scalar(
        as_tuple=True)
    if first is not None and start <= first and last < end:
        query = (Ticket.select(column, *measures).join(link, JOIN.CROSS)
                 .where(where & (link.ticket == Ticket.id)).group_by(column))
    else:
        query = engine_for(session.store).per_link(column, lambda c: [c, *measures], where,
                                                   lambda c: c)
    return {int(key): _figures(rest) for key, *rest in query.tuples()}


def report(session: Session, period: Period, *, filter: TicketFilter | None = None,
           tz: tzinfo | None = None, now: int | None = None) -> SlaReport:
    """The SLA figures of the tickets created in `period` that `filter` matches (its date range
    is replaced by the period), with outcomes read at `now` (default: the session's clock)."""
    at = session.now() if now is None else now
    start, end = period.bounds(tz)
    with session.store.read():
        condition = filter_condition(analysis_filter(filter), session.store.backend, tz, now=at)
        where = (Ticket.created_at >= start) & (Ticket.created_at < end)
        if condition is not None:
            where = where & condition
        measures = _measures(at)
        every = Ticket.priority.in_([int(p) for p in Priority])
        by_priority = {int(p): _figures(rest) for p, *rest in (
            Ticket.select(Ticket.priority, *measures).where(where & every)
            .group_by(Ticket.priority).tuples())}
        summary = _sum(by_priority.values())  # every ticket has one priority: no second scan
        window = _id_window(session, start, end) if condition is None else None
        if window is not None:
            per_agent, per_tag = (_links_in_window(session, link, start, end, window, at)
                                  for link in ("agent", "tag"))
        else:
            per_agent, per_tag = (_links(session, column, measures, where & every, start, end)
                                  for column in (TicketAssignee.agent, TicketTag.tag))
        agent_names = dict(Agent.select(Agent.id, Agent.name)
                           .where(Agent.id.in_(list(per_agent))).tuples()) if per_agent else {}
        tag_names = dict(Tag.select(Tag.id, Tag.name)
                         .where(Tag.id.in_(list(per_tag))).tuples()) if per_tag else {}
    by_agent = sorted(((agent_names[a], f) for a, f in per_agent.items() if a in agent_names),
                      key=lambda x: x[0].lower())
    by_tag = sorted(((tag_names[t], f) for t, f in per_tag.items() if t in tag_names),
                    key=lambda x: x[0])
    return SlaReport(
        period.first_day, period.last_day, summary,
        tuple((p.label, by_priority[int(p)]) for p in Priority if int(p) in by_priority),
        tuple(by_agent), tuple(by_tag))


SlaPair = tuple[SlaReport, SlaReport]
"""The SLA figures of a period and of the one before (the view's arrows, the export)."""


def report_pair(session: Session, period: Period, *, filter: TicketFilter | None = None,
                tz: tzinfo | None = None, now: int | None = None) -> SlaPair:
    return (report(session, period, filter=filter, tz=tz, now=now),
            report(session, period.previous(), filter=filter, tz=tz, now=now))


def metrics(s: SlaFigures) -> tuple[tuple[str, float | None], ...]:
    """The figures as the export names them (shares as percentages, 0 to 100)."""
    def percent(share: float | None) -> float | None:
        return None if share is None else share * 100

    return (("tickets", s.tickets),
            ("first_response_met", s.response_met),
            ("first_response_breached", s.response_breached),
            ("first_response_met_percent", percent(s.response_met_share)),
            ("resolution_met", s.resolution_met),
            ("resolution_breached", s.resolution_breached),
            ("resolution_met_percent", percent(s.resolution_met_share)),
            ("breaches", s.breaches))
