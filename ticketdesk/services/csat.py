"""Customer satisfaction (issue 21): recording ratings and the CSAT figures of a period.

One rating per ticket and resolution (`csat_rating (ticket_id, resolved_at)` is unique): a
customer who answers again changes their rating, and a ticket reopened and resolved again can be
rated anew. Recording or changing one writes a `csat` activity row and leaves the ticket's
version alone (like an incoming message, it must not turn an agent's open edit into a
conflict). The rule that reads a mail reply as a rating is `domain.csat.parse_reply`; the mail
intake calls `record_reply`.

The figures count the ratings given in the period (`csat_rating.created_at`, over its index),
by local day, by agent (the ticket's assignees), tag and priority — portable SQL over the
ratings of the period joined to their tickets, so nothing engine-specific is needed
(db/engine.py holds what is).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from itertools import pairwise
from typing import Any

from peewee import JOIN, SQL, Case, Select, ValuesList, fn

from ticketdesk.db.engine import engine_for
from ticketdesk.db.models import Agent, CsatRating, Tag, Ticket, TicketAssignee, TicketTag
from ticketdesk.db.ticket_query import filter_condition
from ticketdesk.domain import csat as rules
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.analytics import analysis_filter, day_bounds
from ticketdesk.domain.csat import (
    CsatComment,
    CsatDay,
    CsatReport,
    CsatSummary,
    Rating,
    Source,
)
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.period import Period
from ticketdesk.domain.status import Priority
from ticketdesk.services import audit
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

COMMENTS_SHOWN = 200
PROBED_RATINGS = 50_000
"""Up to this many ratings in the period, the breakdowns join each rating to its ticket by
probing the ticket's key (`Engine.probing`): a month of the 1M demo desk has 11,000."""


def record(session: Session, ticket_id: int, value: Rating, *,
           source: Source | str = Source.AGENT) -> Changes:
    """Record `value` for the ticket's current resolution, or change the rating already given
    for it. A ticket that was never resolved has nothing to rate."""
    source = Source.parse(source) if isinstance(source, str) else source
    now = session.now()
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        if ticket.resolved_at is None:
            raise ValidationError(f"{format_number(ticket_id)} is not resolved: a rating rates "
                                  "a resolution.")
        existing = CsatRating.get_or_none((CsatRating.ticket == ticket_id)
                                          & (CsatRating.resolved_at == ticket.resolved_at))
        if existing is None:
            rating_id = int(CsatRating.insert(
                ticket=ticket_id, resolved_at=ticket.resolved_at, rating=value.rating,
                good=value.good, comment=value.comment, source=source.value,
                agent=session.agent_id, created_at=now, updated_at=now).execute())
            old = None
        else:
            before = Rating(existing.rating, bool(existing.good), existing.comment)
            if before == value and existing.source == source.value:
                return Changes()
            CsatRating.update(rating=value.rating, good=value.good, comment=value.comment,
                              source=source.value, agent=session.agent_id, updated_at=now
                              ).where(CsatRating.id == existing.id).execute()
            rating_id, old = int(existing.id), _activity_text(before, existing.source)
        audit.record(session, ticket_id, int(ticket.version), ActivityKind.CSAT, old,
                     _activity_text(value, source.value), ref_id=rating_id)
    return Changes(tickets=frozenset({ticket_id}))


def _activity_text(value: Rating, source: str) -> str:
    comment = f": {value.comment}" if value.comment else ""
    return f"{value.label} by {source}{comment}"


def record_reply(session: Session, ticket_id: int, reply: str, *,
                 source: Source | str = Source.EMAIL) -> Changes | None:
    """A customer's reply to the rating request: recorded when it reads as a rating
    (`domain.csat.parse_reply`), None when it does not (it is then an ordinary message)."""
    value = rules.parse_reply(reply)
    return None if value is None else record(session, ticket_id, value, source=source)


def rating_of(session: Session, ticket_id: int) -> Rating | None:
    """The rating of the ticket's current resolution (the dock shows it)."""
    with session.store.read():
        row = (CsatRating.select(CsatRating.rating, CsatRating.good, CsatRating.comment)
               .join(Ticket, on=(CsatRating.ticket == Ticket.id))
               .where((CsatRating.ticket == ticket_id)
                      & (CsatRating.resolved_at == Ticket.resolved_at)).tuples().first())
    return None if row is None else Rating(row[0], bool(row[1]), row[2])


@dataclass(frozen=True)
class GivenRating:
    """One rating of a ticket, for the dock's history."""

    resolved_at: int
    rating: Rating
    source: str
    updated_at: int
    current: bool
    """It rates the ticket's current resolution."""


def ratings_of(session: Session, ticket_id: int) -> list[GivenRating]:
    """Every rating the ticket was given, newest resolution first (the dock's history)."""
    with session.store.read():
        resolved = Ticket.select(Ticket.resolved_at).where(Ticket.id == ticket_id).scalar()
        rows = list(CsatRating.select(CsatRating.resolved_at, CsatRating.rating,
                                      CsatRating.good, CsatRating.comment, CsatRating.source,
                                      CsatRating.updated_at)
                    .where(CsatRating.ticket == ticket_id)
                    .order_by(CsatRating.resolved_at.desc()).tuples())
    return [GivenRating(int(at), Rating(value, bool(good), comment), source, int(updated),
                        resolved is not None and int(at) == int(resolved))
            for at, value, good, comment, source, updated in rows]


# -- figures -------------------------------------------------------------------------------------

def _measures() -> list[Any]:
    return [fn.COUNT(CsatRating.id),
            fn.SUM(Case(None, [(CsatRating.good == True, 1)], 0)),  # noqa: E712 - SQL
            fn.COUNT(CsatRating.rating), fn.SUM(CsatRating.rating)]


def _summary(row: tuple[Any, ...] | None) -> CsatSummary:
    if row is None:
        return CsatSummary()
    return CsatSummary(*(int(v or 0) for v in row))


def _add_up(days: Iterable[CsatSummary]) -> CsatSummary:
    totals = [0, 0, 0, 0]
    for d in days:
        for i, v in enumerate((d.ratings, d.good, d.numeric, d.rating_sum)):
            totals[i] += v
    return CsatSummary(*totals)


def _per_day(session: Session, starts: Sequence[int], where: Any,
             condition: Any) -> dict[int, CsatSummary]:
    """{day index: figures} of the ratings `where` selects (a filter's `condition` among it),
    `starts` the days' bounds (one more than the days)."""
    days_only = (CsatRating.created_at >= starts[0]) & (CsatRating.created_at < starts[-1])
    number = engine_for(session.store).day_number(CsatRating.created_at, starts)
    if number is not None:
        daily = CsatRating.select(number, *_measures())
        if condition is not None:
            daily = daily.join(Ticket, on=(CsatRating.ticket == Ticket.id))
        daily = daily.where(where & days_only).group_by(SQL("1"))  # by position: its
        # parameters are not its text
    elif condition is not None:
        # With a filter, the period's ratings that pass it, added up by day here: the join of
        # the days (below) probed each rating's ticket once per day (a month filtered on a
        # priority: 0.7 s on PostgreSQL, 10 s on SQLite; All time 7 s on PostgreSQL).
        totals = [[0, 0, 0, 0] for _ in starts[1:]]
        for at, good, value in (CsatRating.select(CsatRating.created_at, CsatRating.good,
                                                  CsatRating.rating)
                                .join(Ticket, on=(CsatRating.ticket == Ticket.id))
                                .where(where & days_only).tuples()):
            day = totals[bisect_right(starts, at) - 1]
            day[0] += 1
            day[1] += 1 if good else 0
            if value is not None:
                day[2] += 1
                day[3] += value
        return {i: CsatSummary(*t) for i, t in enumerate(totals) if t[0]}
    else:
        days = ValuesList([(i, s, e) for i, (s, e) in enumerate(pairwise(starts))], alias="b")
        index, first, after = days.c.column1, days.c.column2, days.c.column3
        # Day by day over the covering index: the days first (CROSS JOIN fixes that order on
        # SQLite), then each day's range of ratings.
        daily = (Select([days], [index, *_measures()])
                 .join(CsatRating, JOIN.CROSS)
                 .where((CsatRating.created_at >= first) & (CsatRating.created_at < after))
                 .group_by(index))
    return {int(i): _summary(tuple(rest)) for i, *rest in session.store.db.execute(daily)}


def report(session: Session, period: Period, *, filter: TicketFilter | None = None,
           tz: tzinfo | None = None) -> CsatReport:
    """Every CSAT figure of `period` (ratings given in it), for the tickets `filter` matches
    (its date range is replaced by the period, as in services/analytics.compute)."""
    start, end = period.bounds(tz)
    bounds = day_bounds(period, tz)
    with session.store.read():
        f = analysis_filter(filter)
        condition = filter_condition(f, session.store.backend, tz)
        if condition is not None:
            # Checked on each rating's ticket, never used to find the tickets: left to choose,
            # both engines drive from the filter's index (every High ticket of the desk) and
            # a month filtered on a priority took 8-10 s at 1M tickets.
            condition = Case(None, [(condition, 1)], 0) == 1
        inside = (CsatRating.created_at >= start) & (CsatRating.created_at < end)
        where = inside if condition is None else inside & condition

        def base(*columns: Any) -> Any:
            query = CsatRating.select(*columns, *_measures())
            if condition is not None:  # the ticket row only when the filter needs it
                query = query.join(Ticket, on=(CsatRating.ticket == Ticket.id))
            return query.where(where)

        # Few ratings in the period (an index range counted up to the limit): the engine
        # probes each one's ticket (Engine.probing).
        few = (CsatRating.select(SQL("1")).where(inside).limit(PROBED_RATINGS + 1)
               .count() <= PROBED_RATINGS)
        engine = engine_for(session.store)
        with engine.probing(session.store.db, few):
            per_day = _per_day(session, bounds.starts, where, condition)
            if (bounds.starts[0], bounds.starts[-1]) == (start, end):
                summary = _add_up(per_day.values())  # the days are the period
            else:
                summary = _summary(base().tuples().first())
            by_agent = [(name, _summary(tuple(rest))) for name, *rest in (
                base(Agent.name).join_from(CsatRating, TicketAssignee,
                                           on=(TicketAssignee.ticket == CsatRating.ticket))
                .join(Agent, on=(TicketAssignee.agent == Agent.id))
                .group_by(Agent.id, Agent.name).order_by(fn.lower(Agent.name)).tuples())]
            by_tag = [(name, _summary(tuple(rest))) for name, *rest in (
                base(Tag.name).join_from(CsatRating, TicketTag,
                                         on=(TicketTag.ticket == CsatRating.ticket))
                .join(Tag, on=(TicketTag.tag == Tag.id))
                .group_by(Tag.name).order_by(Tag.name).tuples())]
            priorities = (CsatRating.select(Ticket.priority, *_measures())
                          .join(Ticket, on=(CsatRating.ticket == Ticket.id)).where(where)
                          .group_by(Ticket.priority))
            by_priority = {int(p): _summary(tuple(rest)) for p, *rest in (
                session.store.db.execute(priorities) if condition is not None
                else engine.rows_by_ticket_priority(session.store.db, priorities))}
            comments = [CsatComment(tid, Rating(value, bool(good), comment), at, subject)
                        for tid, value, good, comment, at, subject in (
                            CsatRating.select(CsatRating.ticket, CsatRating.rating, CsatRating.good,
                                              CsatRating.comment, CsatRating.created_at,
                                              Ticket.subject)
                            .join(Ticket, on=(CsatRating.ticket == Ticket.id))
                            .where(where & (CsatRating.comment != SQL("''")))
                            .order_by(CsatRating.created_at.desc(), CsatRating.id.desc())
                            .limit(COMMENTS_SHOWN).tuples())]
    return CsatReport(
        period.first_day, period.last_day, summary,
        tuple(CsatDay(day, per_day.get(i, CsatSummary())) for i, day in enumerate(bounds.days)),
        tuple(by_agent), tuple(by_tag),
        tuple((p.label, by_priority[int(p)]) for p in Priority if int(p) in by_priority),
        tuple(comments))
