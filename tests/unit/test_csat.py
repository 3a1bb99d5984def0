"""Satisfaction ratings: the reply rule (domain/csat.py), recording (services/csat.py) and the
CSAT figures, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import FakeClock
from tests.helpers import new_ticket
from tests.unit.support import activity, snapshot
from ticketdesk.db.models import Ticket
from ticketdesk.db.store import Store
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.csat import Rating, parse_reply, rating
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, csat, tickets
from ticketdesk.services.session import Session


@pytest.mark.parametrize(("reply", "expected"), [
    ("5", Rating(5, True)),
    ("4/5 great help", Rating(4, True, "great help")),
    ("\n2 - too slow\nsecond line\n\nOn Mon, 1 Jun 2026, Ana wrote:\n> Rate us",
     Rating(2, False, "too slow\nsecond line")),
    ("Gut, danke!", Rating(None, True, "danke!")),
    ("Mauvais. Personne n'a répondu", Rating(None, False, "Personne n'a répondu")),
    ("Sí", Rating(None, True)),
    ("Bad\n> quoted request", Rating(None, False)),
])
def test_a_reply_starting_with_a_number_or_good_bad_word_is_a_rating(reply: str,
                                                                      expected: Rating) -> None:
    assert parse_reply(reply) == expected


@pytest.mark.parametrize("reply", ["", "Thanks!", "45 minutes later", "4.5", "6", "0",
                                   "Hello, 5 stars"])
def test_a_reply_that_does_not_start_with_a_rating_is_not_one(reply: str) -> None:
    assert parse_reply(reply) is None


def test_a_rating_outside_1_to_5_is_refused() -> None:
    with pytest.raises(ValidationError, match="from 1 to 5"):
        rating(6)
    with pytest.raises(ValidationError, match="Good or Bad"):
        rating(None)


def resolved(session: Session, **fields: object) -> int:
    ticket_id = new_ticket(session, **fields)  # type: ignore[arg-type]
    tickets.set_status(session, ticket_id, 1, Status.RESOLVED)
    return ticket_id


def csat_rows(ticket_id: int) -> list[tuple[str | None, str | None]]:
    return [(r.old, r.new) for r in activity(ticket_id) if r.kind == ActivityKind.CSAT]


def test_one_rating_per_resolution_changeable_and_in_the_activity(
        system: Session, clock: FakeClock) -> None:
    ticket_id = resolved(system)
    csat.record(system, ticket_id, rating(2, comment="slow"), source="phone")
    clock.advance(60)
    csat.record_reply(system, ticket_id, "5 - sorted now, thanks")
    assert csat.rating_of(system, ticket_id) == Rating(5, True, "sorted now, thanks")
    assert csat_rows(ticket_id) == [
        (None, "2 (bad) by phone: slow"),
        ("2 (bad) by phone: slow", "5 (good) by email: sorted now, thanks")]
    # reopened and resolved again: a new resolution, rated on its own
    version = Ticket.get_by_id(ticket_id).version
    tickets.set_status(system, ticket_id, version, Status.OPEN)
    assert csat.rating_of(system, ticket_id) is None
    clock.advance(3600)
    tickets.set_status(system, ticket_id, version + 1, Status.RESOLVED)
    csat.record(system, ticket_id, rating(None, good=False), source="chat")
    assert csat.rating_of(system, ticket_id) == Rating(None, False)
    assert Ticket.get_by_id(ticket_id).version == version + 2  # ratings never bump it


def test_an_unresolved_ticket_cannot_be_rated_and_nothing_changes(
        store: Store, system: Session) -> None:
    ticket_id = new_ticket(system)
    before = snapshot(store)
    with pytest.raises(ValidationError, match="is not resolved"):
        csat.record(system, ticket_id, rating(4))
    assert csat.record_reply(system, ticket_id, "Thanks for nothing") is None
    assert snapshot(store) == before


def test_csat_figures_share_good_average_trend_and_breakdowns(
        system: Session, clock: FakeClock) -> None:
    ana, _ = agents.create_agent(system, "Ana")
    ben, _ = agents.create_agent(system, "Ben")
    first = resolved(system, tags=["billing"], assignee_ids=[ana], priority="High")
    second = resolved(system, tags=["billing"], assignee_ids=[ben])
    third = resolved(system, assignee_ids=[ana])
    csat.record(system, first, rating(5, comment="great"))
    csat.record(system, second, rating(2, comment="slow"))
    clock.advance(86_400)
    csat.record(system, third, rating(None, good=True))
    period = Period.of(PeriodKind.LAST_7D, datetime.fromtimestamp(clock.now, UTC).date())
    figures = csat.report(system, period, tz=UTC)
    s = figures.summary
    assert (s.ratings, s.good, s.numeric, s.average) == (3, 2, 2, 3.5)
    assert s.share_good == pytest.approx(2 / 3)
    assert [(d.summary.ratings, d.summary.good) for d in figures.daily[-2:]] == [(2, 1), (1, 1)]
    assert {n: (x.ratings, x.good) for n, x in figures.by_agent} == {"Ana": (2, 2),
                                                                     "Ben": (1, 0)}
    assert {n: x.ratings for n, x in figures.by_tag} == {"billing": 2}
    assert {n: x.ratings for n, x in figures.by_priority} == {"High": 1, "Medium": 2}
    assert [(c.ticket_id, c.rating.comment) for c in figures.comments] == [(second, "slow"),
                                                                           (first, "great")]
    billing = csat.report(system, period, tz=UTC, filter=TicketFilter(tags=frozenset({"billing"})))
    assert (billing.summary.ratings, billing.summary.good) == (2, 1)
    assert [d.summary.ratings for d in billing.daily[-2:]] == [2, 0]
    earlier = csat.report(system, period.previous(), tz=UTC)
    assert earlier.summary.ratings == 0
    assert earlier.summary.share_good is None


@pytest.mark.parametrize("tags", [None, frozenset({"billing"})])
def test_csat_figures_are_the_same_whether_the_tickets_are_probed_or_read_at_once(
        system: Session, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
        tags: frozenset[str] | None) -> None:
    """A period with few ratings joins them to their tickets by probing (Engine.probing, and a
    filter's daily figures added up per rating); both shapes give the same report."""
    ana, _ = agents.create_agent(system, "Ana")
    ben, _ = agents.create_agent(system, "Ben")
    for i in range(12):
        ticket_id = resolved(system, tags=["billing"] if i % 3 else ["vip"],
                             assignee_ids=[ana] if i % 2 else [ana, ben],
                             priority=("Low", "High", "Urgent")[i % 3])
        csat.record(system, ticket_id, rating(1 + i % 5 if i % 4 else None, good=i % 2 == 0,
                                              comment=f"c{i}" if i % 5 == 0 else ""))
        clock.advance(40_000)
    period = Period.of(PeriodKind.LAST_7D, datetime.fromtimestamp(clock.now, UTC).date())
    f = None if tags is None else TicketFilter(tags=tags)
    probed = csat.report(system, period, tz=UTC, filter=f)
    monkeypatch.setattr(csat, "PROBED_RATINGS", -1)
    at_once = csat.report(system, period, tz=UTC, filter=f)
    assert probed == at_once
    assert probed.summary.ratings == (12 if tags is None else 8)
    assert sum(d.summary.ratings for d in probed.daily) == probed.summary.ratings
    assert sum(d.summary.good for d in probed.daily) == probed.summary.good
    if tags is None:  # a filter every ticket passes: its figures (added up per rating) equal
        every = TicketFilter(priorities=frozenset(Priority))
        assert csat.report(system, period, tz=UTC, filter=every) == probed
