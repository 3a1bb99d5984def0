"""Analytics against figures worked out by hand on a small fixed desk, on both backends.

The desk lives in Berlin around the spring DST change (Sunday 2026-03-29 has 23 hours). The
current period is 27–31 March, the previous one 22–26 March. Every ticket's story, in local time
(A = Alice, B = Bob):

T1  created 23.03 10:00 [billing] A, High. A replies 12:00. Resolved 24.03 10:00. The customer
    writes 28.03 09:00, which reopens it. Resolved 30.03 10:00, closed 31.03 08:00.
T2  created 27.03 00:30 [refund] B (23:30 UTC the day before). Never answered, still Open.
T3  created 30.03 00:30 [billing, refund] A+B, Urgent (22:30 UTC on the 29th). B replies 01:30
    and sets Waiting 02:00.
T4  created 28.03 12:00, no tag, unassigned, Low. Closed at 13:00 without a reply.
T5  created 25.03 09:00 [billing] A. A replies 27.03 09:00. Resolved 31.03 23:30.
T6  created 31.03 12:00, B. Resolved 01.04 10:00, after the current period.
T7  created 22.03 10:00 [refund] B. B replies 11:00. Resolved 26.03 10:00, reopened by B 29.03
    10:00, still Open.
T8  created 24.03 09:00 [billing] A. A replies 09:30. Closed 26.03 10:30.

The report is made on 01.04 12:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import FakeClock
from tests.helpers import Desk
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.analytics import MISSING, AgentFigures, Metric, day_bounds, rank_agents
from ticketdesk.domain.filters import DateField, Sort, TicketFilter
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, analytics, messages, ticket_list, tickets
from ticketdesk.services.session import Session

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
DAY = 24 * HOUR


def at(local: str) -> int:
    """A Berlin wall-clock time ("2026-03-29 10:00") as UTC epoch seconds."""
    return int(datetime.fromisoformat(local).replace(tzinfo=BERLIN).timestamp())


NOW = at("2026-04-01 12:00")
CURRENT = Period(PeriodKind.CUSTOM, date(2026, 3, 27), date(2026, 3, 31))


def ALICE(desk: Desk) -> int:
    return desk.people["alice"]


def BOB(desk: Desk) -> int:
    return desk.people["bob"]


def _status(session: Session, ticket_id: int, status: Status) -> None:
    tickets.set_status(session, ticket_id, tickets.get_ticket(ticket_id).version, status)


def _build(store: Store) -> Desk:
    clock = FakeClock(at("2026-03-01 09:00"))
    system = Session(store, None, clock)
    a = system.as_agent(agents.create_agent(system, "Alice Agent")[0])
    b = system.as_agent(agents.create_agent(system, "Bob Builder")[0])
    t: dict[int, int] = {}

    def new(n: int, *, tags: tuple[str, ...] = (), who: tuple[Session, ...] = (),
            priority: Priority = Priority.MEDIUM) -> None:
        t[n] = tickets.create_ticket(
            system, subject=f"Story {n}", tags=tags, priority=priority,
            assignee_ids=[s.agent_id for s in who if s.agent_id is not None]).new_id

    story = [
        ("2026-03-22 10:00", lambda: new(7, tags=("refund",), who=(b,))),
        ("2026-03-22 11:00", lambda: messages.add_message(b, t[7], "On it")),
        ("2026-03-23 10:00", lambda: new(1, tags=("billing",), who=(a,),
                                         priority=Priority.HIGH)),
        ("2026-03-23 12:00", lambda: messages.add_message(a, t[1], "Looking")),
        ("2026-03-24 09:00", lambda: new(8, tags=("billing",), who=(a,))),
        ("2026-03-24 09:30", lambda: messages.add_message(a, t[8], "Hello")),
        ("2026-03-24 10:00", lambda: _status(a, t[1], Status.RESOLVED)),
        ("2026-03-25 09:00", lambda: new(5, tags=("billing",), who=(a,))),
        ("2026-03-26 10:00", lambda: _status(b, t[7], Status.RESOLVED)),
        ("2026-03-26 10:30", lambda: _status(a, t[8], Status.CLOSED)),
        ("2026-03-27 00:30", lambda: new(2, tags=("refund",), who=(b,))),
        ("2026-03-27 09:00", lambda: messages.add_message(a, t[5], "Checking")),
        ("2026-03-28 09:00", lambda: messages.add_message(system, t[1], "Still broken",
                                                          incoming=True)),
        ("2026-03-28 12:00", lambda: new(4, priority=Priority.LOW)),
        ("2026-03-28 13:00", lambda: _status(system, t[4], Status.CLOSED)),
        ("2026-03-29 10:00", lambda: _status(b, t[7], Status.OPEN)),
        ("2026-03-30 00:30", lambda: new(3, tags=("billing", "refund"), who=(a, b),
                                         priority=Priority.URGENT)),
        ("2026-03-30 01:30", lambda: messages.add_message(b, t[3], "Got it")),
        ("2026-03-30 02:00", lambda: _status(b, t[3], Status.WAITING)),
        ("2026-03-30 10:00", lambda: _status(a, t[1], Status.RESOLVED)),
        ("2026-03-31 08:00", lambda: _status(a, t[1], Status.CLOSED)),
        ("2026-03-31 12:00", lambda: new(6, who=(b,))),
        ("2026-03-31 23:30", lambda: _status(a, t[5], Status.RESOLVED)),
        ("2026-04-01 10:00", lambda: _status(b, t[6], Status.RESOLVED)),
    ]
    for when, action in story:
        clock.now = at(when)
        action()
    assert a.agent_id is not None
    assert b.agent_id is not None
    return Desk(store, t, {"alice": a.agent_id, "bob": b.agent_id})


@pytest.fixture(scope="module")
def desk(module_db_url: str) -> Iterator[Desk]:
    store = open_database(module_db_url)
    try:
        yield _build(store)
    finally:
        store.close()


def report(desk: Desk, period: Period = CURRENT, f: TicketFilter | None = None,
           previous_breakdowns: bool = True) -> analytics.AnalyticsReport:
    return analytics.compute(desk.store, period, filter=f, tz=BERLIN, now=NOW,
                             previous_breakdowns=previous_breakdowns)


def listed(desk: Desk, f: TicketFilter | None) -> set[int]:
    """Story numbers of the tickets a drill-down filter lists (count and snapshot agree)."""
    assert f is not None
    ids = {int(i) for i in ticket_list.id_snapshot(desk.store, f, Sort(), BERLIN)}
    assert ticket_list.count(desk.store, f, BERLIN) == len(ids)
    story = {v: k for k, v in desk.tickets.items()}
    return {story[i] for i in ids}


# -- the cards ---------------------------------------------------------------------------------

def test_current_cards_match_the_hand_count(desk: Desk) -> None:
    s = report(desk).current.summary
    assert s.created == 4  # T2, T4, T3, T6
    assert s.closed == 2  # T4, T1 (T8 was closed in the previous period)
    assert s.open_at_end == 4  # T2, T3, T7 still open; T6 was resolved only after the end
    # T1 reopened: measured to its last resolution, across the DST change (7 days - 1 hour);
    # T4 closed without resolving: 1 hour; T5 across DST: 25.03 08:00Z -> 31.03 21:30Z.
    assert (s.resolved, s.resolution_seconds) == (3, (7 * DAY - HOUR) + HOUR + (6 * DAY + 13 * HOUR
                                                                                + 1800))
    assert s.avg_resolution == pytest.approx(390_600)
    # T5 answered after 48 h, T3 after 1 h; T2, T4 and T6 never answered are not averaged in.
    assert (s.responded, s.first_response_seconds) == (2, 48 * HOUR + HOUR)
    assert s.avg_first_response == pytest.approx(88_200)
    assert s.created_closed == 1  # T4; T1 was closed in the period but created before it
    assert s.closure_rate == pytest.approx(0.25)


def test_previous_cards_and_changes(desk: Desk) -> None:
    r = report(desk)
    assert r.previous.period == Period(PeriodKind.CUSTOM, date(2026, 3, 22), date(2026, 3, 26))
    p = r.previous.summary
    assert (p.created, p.closed) == (4, 1)  # T7, T1, T8, T5; T8
    # At the end of the 26th: T1 and T7 were resolved (both reopened later), T8 closed, only T5
    # open. Reading only the ticket rows would give 3 (T7 is open now, T1 and T5 were resolved
    # after the end); the audit trail corrects T1 and T7.
    assert p.open_at_end == 1
    assert (p.resolved, p.resolution_seconds) == (1, 2 * DAY + 90 * 60)  # T8 only
    assert (p.responded, p.first_response_seconds) == (3, HOUR + 2 * HOUR + 30 * 60)
    assert p.created_closed == 1  # T8; T1 was closed only after the end
    assert p.closure_rate == pytest.approx(0.25)
    assert r.change(Metric.CREATED) == 0
    assert r.change(Metric.CLOSED) == pytest.approx(1.0)
    assert r.change(Metric.OPEN) == pytest.approx(3.0)
    assert r.change(Metric.CLOSURE_RATE) == 0
    assert r.change(Metric.AVG_FIRST_RESPONSE) == pytest.approx(88_200 / 4_200 - 1)


def test_daily_series_cuts_local_days_across_the_dst_change(desk: Desk) -> None:
    r = report(desk)
    days = [(d.day.day, d.created, d.closed) for d in r.current.daily]
    # T2 at 00:30 on the 27th is 23:30 UTC on the 26th; T3 at 00:30 on the 30th is 22:30 UTC on
    # the 29th, which a fixed winter offset would also put on the 29th.
    assert days == [(27, 1, 0), (28, 1, 1), (29, 0, 0), (30, 1, 0), (31, 1, 1)]
    bounds = day_bounds(CURRENT, BERLIN)
    lengths = [b - a for a, b in bounds.pairs()]
    assert lengths == [DAY, DAY, DAY - HOUR, DAY, DAY]
    assert [(d.day.day, d.created, d.closed) for d in r.previous.daily] == [
        (22, 1, 0), (23, 1, 0), (24, 1, 0), (25, 1, 0), (26, 0, 1)]


def test_breakdowns_describe_the_tickets_created_in_the_period(desk: Desk) -> None:
    b = report(desk).current.breakdowns
    assert b is not None
    assert [(bar.key, bar.count) for bar in b.by_status] == [
        (Status.OPEN, 1), (Status.IN_PROGRESS, 0), (Status.WAITING, 1), (Status.RESOLVED, 1),
        (Status.CLOSED, 1)]
    assert [(bar.key, bar.count) for bar in b.by_priority] == [
        (Priority.LOW, 1), (Priority.MEDIUM, 2), (Priority.HIGH, 0), (Priority.URGENT, 1)]
    assert [(bar.label, bar.count) for bar in b.by_tag] == [("refund", 2), ("billing", 1)]


def test_agents_table(desk: Desk) -> None:
    r = report(desk)
    assert r.current.breakdowns is not None
    rows = {row.name: row for row in r.current.breakdowns.agents}
    assert [row.name for row in r.current.breakdowns.agents] == ["Alice Agent", "Bob Builder"]
    alice, bob = rows["Alice Agent"], rows["Bob Builder"]
    # Alice: T1 (resolved and closed), T5 (answered and resolved), T3 (created); not T8.
    assert (alice.handled, alice.closed) == (3, 1)
    assert (alice.resolved, alice.resolution_seconds) == (2, (7 * DAY - HOUR)
                                                          + (6 * DAY + 13 * HOUR + 1800))
    assert (alice.responded, alice.first_response_seconds) == (2, 48 * HOUR + HOUR)
    # Bob: T2, T3, T6 created; T7 only reopened in the period (nothing measured happened).
    assert (bob.handled, bob.closed, bob.resolved, bob.avg_resolution) == (3, 0, 0, None)
    assert (bob.responded, bob.avg_first_response) == (1, HOUR)
    assert r.previous.breakdowns is not None
    before = {row.name: row for row in r.previous.breakdowns.agents}
    assert (before["Alice Agent"].handled, before["Alice Agent"].closed) == (3, 1)
    assert before["Alice Agent"].first_response_seconds == 2 * HOUR + 30 * 60
    assert (before["Bob Builder"].handled, before["Bob Builder"].responded) == (1, 1)


def test_previous_breakdowns_only_when_asked(desk: Desk) -> None:
    r = report(desk, previous_breakdowns=False)
    assert r.previous.breakdowns is None
    assert r.previous.summary.open_at_end == 1
    assert len(r.previous.daily) == 5


# -- issue 13, item 22: what the figures say -------------------------------------------------

def test_closure_rate_is_the_share_of_the_periods_tickets_that_are_closed(desk: Desk) -> None:
    """Of T2, T3, T4, T6 created 27-31 March only T4 is closed: 25 %. T1's closure in the
    period counts in Closed but is not one of the period's tickets; Closed ÷ Created (50 %) is
    kept only under its own name."""
    s = report(desk).current.summary
    assert (s.created, s.closed, s.created_closed) == (4, 2, 1)
    assert s.closure_rate == pytest.approx(0.25)
    assert s.closed_per_created == pytest.approx(0.5)


def test_closure_rate_never_exceeds_100_percent_on_a_quiet_day(system: Session,
                                                                clock: FakeClock) -> None:
    """A quiet day that closes two old tickets and gets one new one read 200 % as Closed ÷
    Created; as a share it is 0 % (the new ticket is open) and the old ratio keeps its name."""
    old = [tickets.create_ticket(system, subject=f"old {i}").new_id for i in range(2)]
    clock.advance(3 * DAY)
    for tid in old:
        _status(system, tid, Status.CLOSED)
    tickets.create_ticket(system, subject="new")
    today = analytics.period_for(system.store, PeriodKind.TODAY, tz=BERLIN, now=clock.now)
    s = analytics.compute(system.store, today, tz=BERLIN, now=clock.now).current.summary
    assert (s.created, s.closed) == (1, 2)
    assert s.closed_per_created == pytest.approx(2.0)
    assert s.closure_rate == 0
    for day in range(1, 4):  # every day of the desk: a share, between 0 and 1
        period = Period(PeriodKind.CUSTOM, today.first_day - timedelta(days=day),
                        today.first_day - timedelta(days=day))
        rate = analytics.compute(system.store, period, tz=BERLIN).current.summary.closure_rate
        assert rate is None or 0 <= rate <= 1


def test_closure_rate_tooltip_says_it_is_a_share() -> None:
    assert "share of the tickets created in the period" in Metric.CLOSURE_RATE.definition
    assert "÷" not in Metric.CLOSURE_RATE.definition


def test_top_agents_are_ranked_by_tickets_handled(desk: Desk) -> None:
    """One definition for the chart and the table: most handled first, then most closed, then
    the name."""
    r = report(desk, f=TicketFilter(assignees=frozenset(desk.people.values())))
    assert r.current.breakdowns is not None
    table = r.current.breakdowns.agents
    assert list(table) == rank_agents(table)
    closed_first = AgentFigures(1, "Zed", handled=1, closed=1, resolved=0, resolution_seconds=0,
                                responded=0, first_response_seconds=0)
    handled_most = AgentFigures(2, "Amy", handled=5, closed=0, resolved=0, resolution_seconds=0,
                                responded=0, first_response_seconds=0)
    assert [a.name for a in rank_agents([closed_first, handled_most])] == ["Amy", "Zed"]


def test_the_report_names_the_filtered_agents(desk: Desk) -> None:
    r = report(desk, f=TicketFilter(assignees=frozenset({desk.people["bob"]})))
    assert r.agent_names == ((desk.people["bob"], "Bob Builder"),)
    assert report(desk).agent_names == ()


# -- filters -----------------------------------------------------------------------------------

def test_filter_by_one_tag(desk: Desk) -> None:
    r = report(desk, f=TicketFilter(tags=frozenset({"billing"})))
    s, p = r.current.summary, r.previous.summary
    assert (s.created, s.closed, s.open_at_end) == (1, 1, 1)  # T3; T1; T3
    assert (s.resolved, s.responded) == (2, 2)  # T1, T5; T5, T3
    assert (p.created, p.closed, p.open_at_end) == (3, 1, 1)  # T1, T8, T5; T8; T5
    assert r.current.breakdowns is not None
    assert [(b.label, b.count) for b in r.current.breakdowns.by_tag] == [
        ("billing", 1), ("refund", 1)]


def test_filter_by_one_assignee(desk: Desk) -> None:
    r = report(desk, f=TicketFilter(assignees=frozenset({desk.people["bob"]})))
    s = r.current.summary
    assert (s.created, s.closed, s.open_at_end) == (3, 0, 4)  # T2 T3 T6; -; T2 T3 T6 T7
    assert s.avg_resolution is None
    assert Metric.AVG_RESOLUTION.format_value(s.avg_resolution) == MISSING
    assert (s.responded, s.first_response_seconds) == (1, HOUR)
    assert s.closure_rate == 0
    assert r.current.breakdowns is not None
    rows = {row.name: row.handled for row in r.current.breakdowns.agents}
    assert rows == {"Bob Builder": 3, "Alice Agent": 1}  # Alice shares T3


def test_filter_by_text_searches_like_the_ticket_list(desk: Desk) -> None:
    from ticketdesk.domain.numbers import format_number

    r = report(desk, f=TicketFilter(text=format_number(desk.tickets[3])))
    assert (r.current.summary.created, r.current.summary.responded) == (1, 1)
    assert r.current.daily[3].created == 1


def test_the_filter_date_range_is_replaced_by_the_period(desk: Desk) -> None:
    dated = TicketFilter(date_field=DateField.CLOSED, date_from=date(2020, 1, 1),
                         date_to=date(2020, 1, 2))
    assert report(desk, f=dated).current.summary == report(desk).current.summary


# -- empty periods and formatting --------------------------------------------------------------

def test_empty_period_has_no_averages_and_no_division_by_zero(desk: Desk) -> None:
    empty = Period(PeriodKind.CUSTOM, date(2025, 1, 1), date(2025, 1, 7))
    r = report(desk, period=empty)
    s = r.current.summary
    assert (s.created, s.closed, s.open_at_end, s.resolved, s.responded) == (0, 0, 0, 0, 0)
    for metric in (Metric.AVG_RESOLUTION, Metric.AVG_FIRST_RESPONSE, Metric.CLOSURE_RATE):
        assert r.value(metric) is None
        assert metric.format_value(r.value(metric)) == MISSING
        assert r.change(metric) is None
    assert r.change(Metric.CREATED) is None  # 0 before: no percentage
    assert [d.created for d in r.current.daily] == [0] * 7
    assert r.current.breakdowns is not None
    assert r.current.breakdowns.by_tag == ()
    assert r.current.breakdowns.agents == ()
    assert all(b.count == 0 for b in r.current.breakdowns.by_status)


def test_all_time_starts_on_the_first_tickets_local_day(desk: Desk) -> None:
    with desk.store.read():
        period = analytics.period_for(desk.store, PeriodKind.ALL_TIME, tz=BERLIN, now=NOW)
    assert (period.first_day, period.last_day) == (date(2026, 3, 22), date(2026, 4, 1))
    r = report(desk, period=period)
    s = r.current.summary
    assert (s.created, s.closed, s.open_at_end) == (8, 3, 3)  # T2, T3, T7 open now
    assert (s.resolved, s.responded) == (5, 5)  # T1 T4 T5 T6 T8; T7 T1 T8 T5 T3
    assert r.previous.summary.created == 0
    assert r.current.breakdowns is not None
    assert {a.name: (a.handled, a.closed) for a in r.current.breakdowns.agents} == {
        "Alice Agent": (4, 2), "Bob Builder": (4, 0)}
    bobs = report(desk, period=period, f=TicketFilter(assignees=frozenset({desk.people["bob"]})))
    assert (bobs.current.summary.created, bobs.current.summary.closed) == (4, 0)
    assert bobs.current.breakdowns is not None
    assert {a.name: a.handled for a in bobs.current.breakdowns.agents} == {
        "Bob Builder": 4, "Alice Agent": 1}
    assert [(b.label, b.count) for b in bobs.current.breakdowns.by_tag] == [
        ("refund", 3), ("billing", 1)]
    still_open = report(desk, period=period, f=TicketFilter(statuses=frozenset({Status.OPEN})))
    assert still_open.current.summary.created == 2  # T2, T7
    assert still_open.current.breakdowns is not None
    assert {a.name: a.handled for a in still_open.current.breakdowns.agents} == {
        "Bob Builder": 2}
    assert [(b.label, b.count) for b in still_open.current.breakdowns.by_tag] == [("refund", 2)]


# -- drill-down --------------------------------------------------------------------------------

def test_every_card_drills_down_to_exactly_its_tickets(desk: Desk) -> None:
    cur = report(desk).current
    assert listed(desk, cur.drill(Metric.CREATED)) == {2, 3, 4, 6}
    assert listed(desk, cur.drill(Metric.CLOSED)) == {1, 4}
    assert listed(desk, cur.drill(Metric.AVG_RESOLUTION)) == {1, 4, 5}
    assert listed(desk, cur.drill(Metric.AVG_FIRST_RESPONSE)) == {3, 5}
    # T6 was resolved after the end: "open at the end" is no longer a list filter.
    assert cur.drill(Metric.OPEN) is None
    assert cur.drill(Metric.CLOSURE_RATE) is None


def test_open_drills_down_for_a_period_ending_today(desk: Desk) -> None:
    period = Period.of(PeriodKind.LAST_7D, date(2026, 4, 1))
    cur = report(desk, period=period).current
    assert cur.summary.open_at_end == 3
    assert listed(desk, cur.drill(Metric.OPEN)) == {2, 3, 7}


def test_every_bar_drills_down_to_exactly_its_tickets(desk: Desk) -> None:
    cur = report(desk).current
    assert cur.breakdowns is not None
    for day in cur.daily:
        assert len(listed(desk, cur.drill_day(day.day))) == day.created
        assert len(listed(desk, cur.drill_day(day.day, closed=True))) == day.closed
    assert listed(desk, cur.drill_day(date(2026, 3, 30))) == {3}
    for bar in (*cur.breakdowns.by_status, *cur.breakdowns.by_priority, *cur.breakdowns.by_tag):
        assert len(listed(desk, cur.drill_bar(bar))) == bar.count, bar
    tag = {b.label: b for b in cur.breakdowns.by_tag}
    assert listed(desk, cur.drill_bar(tag["refund"])) == {2, 3}


def test_agent_cells_drill_down(desk: Desk) -> None:
    cur = report(desk).current
    assert cur.breakdowns is not None
    for row in cur.breakdowns.agents:
        assert cur.drill_agent(row.agent_id, Metric.CREATED) is None  # handled: no one filter
        assert len(listed(desk, cur.drill_agent(row.agent_id, Metric.CLOSED))) == row.closed
        assert len(listed(desk, cur.drill_agent(row.agent_id, Metric.AVG_RESOLUTION))) \
            == row.resolved
        assert len(listed(desk, cur.drill_agent(row.agent_id, Metric.AVG_FIRST_RESPONSE))) \
            == row.responded
    assert listed(desk, cur.drill_agent(desk.people["alice"], Metric.AVG_RESOLUTION)) == {1, 5}


def test_drill_downs_keep_the_filter_and_refuse_what_it_cannot_say(desk: Desk) -> None:
    billing = report(desk, f=TicketFilter(tags=frozenset({"billing"}))).current
    assert billing.breakdowns is not None
    tags = {b.label: b for b in billing.breakdowns.by_tag}
    assert listed(desk, billing.drill_bar(tags["billing"])) == {3}
    assert billing.drill_bar(tags["refund"]) is None  # billing AND refund: not one filter
    assert listed(desk, billing.drill(Metric.CLOSED)) == {1}
    bobs = report(desk, f=TicketFilter(assignees=frozenset({desk.people["bob"]}))).current
    assert bobs.drill_agent(desk.people["alice"], Metric.CLOSED) is None
    assert listed(desk, bobs.drill_agent(desk.people["bob"], Metric.AVG_FIRST_RESPONSE)) == {3}
    waiting = report(desk, f=TicketFilter(statuses=frozenset({Status.WAITING}))).current
    assert waiting.breakdowns is not None
    bars = {b.key: b for b in waiting.breakdowns.by_status}
    assert bars[Status.OPEN].count == 0
    assert waiting.drill_bar(bars[Status.OPEN]) is None
    assert listed(desk, waiting.drill_bar(bars[Status.WAITING])) == {3}


def test_first_response_is_a_ticket_list_date_filter(desk: Desk) -> None:
    f = TicketFilter(date_field=DateField.FIRST_RESPONSE, date_from=date(2026, 3, 22),
                     date_to=date(2026, 3, 23))
    assert listed(desk, f) == {7, 1}
    assert listed(desk, f.with_(date_from=date(2026, 3, 30), date_to=date(2026, 3, 30))) == {3}


# -- local days elsewhere ----------------------------------------------------------------------

def _created_at(system: Session, clock: FakeClock, instants: list[int]) -> None:
    for instant in instants:
        clock.now = instant
        tickets.create_ticket(system, subject="Day test")


def test_autumn_dst_day_has_25_hours_and_keeps_its_tickets(system: Session,
                                                          clock: FakeClock) -> None:
    _created_at(system, clock, [at("2026-10-25 00:30"),  # CEST: 22:30 UTC on the 24th
                                at("2026-10-25 23:30"),  # CET: 22:30 UTC on the 25th
                                at("2026-10-26 00:30")])  # CET: 23:30 UTC on the 25th
    period = Period(PeriodKind.CUSTOM, date(2026, 10, 24), date(2026, 10, 26))
    assert [b - a for a, b in day_bounds(period, BERLIN).pairs()] == [DAY, DAY + HOUR, DAY]
    r = analytics.compute(system.store, period, tz=BERLIN, now=clock.now)
    assert [(d.day.day, d.created) for d in r.current.daily] == [(24, 0), (25, 2), (26, 1)]
    assert r.current.summary.created == 3


def test_days_in_a_zone_off_the_hour(system: Session, clock: FakeClock) -> None:
    kathmandu = ZoneInfo("Asia/Kathmandu")  # UTC+05:45
    midnight = int(datetime(2027, 1, 2, tzinfo=kathmandu).timestamp())
    _created_at(system, clock, [midnight - 60, midnight + 600])
    period = Period(PeriodKind.CUSTOM, date(2027, 1, 1), date(2027, 1, 2))
    r = analytics.compute(system.store, period, tz=kathmandu, now=clock.now)
    assert [d.created for d in r.current.daily] == [1, 1]
    assert analytics.tz_name(kathmandu) == "Asia/Kathmandu"


def test_all_time_reaches_back_at_most_twenty_years(system: Session, clock: FakeClock) -> None:
    from ticketdesk.domain.period import MAX_DAYS

    _created_at(system, clock, [10 * DAY, at("2026-03-01 10:00")])  # an import from 1970
    period = analytics.period_for(system.store, PeriodKind.ALL_TIME, tz=BERLIN, now=clock.now)
    assert period.day_count == MAX_DAYS
    assert period.last_day == date(2026, 3, 1)
    assert analytics.compute(system.store, period, tz=BERLIN, now=clock.now).current \
        .summary.created == 1


def test_tag_counts_stay_exact_when_ids_do_not_follow_creation_times(
        system: Session, clock: FakeClock) -> None:
    """SQLite counts a period's tags over the id interval its tickets span; tickets inside the
    interval created outside the period (a clock set back) must be taken out again, and a
    period whose tickets are scattered over the ids must not take that shortcut at all."""
    story = [("2026-01-10 12:00", ("x",)), ("2026-01-20 12:00", ("x", "y")),
             ("2026-01-05 12:00", ("y",)), ("2026-01-15 12:00", ("x",)),
             ("2026-02-01 12:00", ("y",)), ("2026-02-02 12:00", ("y",)),
             ("2026-01-11 12:00", ("x", "z"))]
    for when, tags in story:
        clock.now = at(when)
        tickets.create_ticket(system, subject="Tagged", tags=tags)

    def tags(first: int, last: int) -> list[tuple[str, int]]:
        period = Period(PeriodKind.CUSTOM, date(2026, 1, first), date(2026, 1, last))
        r = analytics.compute(system.store, period, tz=BERLIN, now=clock.now)
        assert r.current.breakdowns is not None
        return [(b.label, b.count) for b in r.current.breakdowns.by_tag]

    # Ids 1, 2, 4 and 7 (ids 3, 5, 6 lie inside the interval, created outside the period).
    assert tags(10, 20) == [("x", 4), ("y", 1), ("z", 1)]
    # Ids 1 and 7 only: the interval is mostly other tickets.
    assert tags(10, 11) == [("x", 2), ("z", 1)]
    assert tags(5, 5) == [("y", 1)]


@pytest.mark.parametrize("length", [1, 2, 3, 5, 11])
def test_shortcuts_without_a_filter_agree_with_the_general_queries(desk: Desk,
                                                                   length: int) -> None:
    """Without a filter SQLite counts tags and agents from id intervals; a filter that matches
    every ticket takes the general joins. Every window over the story must agree."""
    everything = TicketFilter(priorities=frozenset(Priority))
    first = date(2026, 3, 20)
    for offset in range(14):
        day = first + timedelta(days=offset)
        period = Period(PeriodKind.CUSTOM, day, day + timedelta(days=length - 1))
        fast, general = report(desk, period), report(desk, period, everything)
        assert fast.current.breakdowns == general.current.breakdowns, period
        assert fast.previous.breakdowns == general.previous.breakdowns, period
        assert fast.current.summary == general.current.summary, period  # created_closed too
        assert fast.previous.summary == general.previous.summary, period


def test_a_filtered_report_leaves_no_temporary_table_behind(desk: Desk) -> None:
    f = TicketFilter(tags=frozenset({"billing"}))
    with desk.store.read():  # twice in one transaction, as a caller batching reads would
        first = analytics.compute(desk.store, CURRENT, filter=f, tz=BERLIN, now=NOW)
        again = analytics.compute(desk.store, CURRENT, filter=f, tz=BERLIN, now=NOW)
    assert first.current == again.current
    if desk.store.is_sqlite:
        temp = desk.store.db.execute_sql("SELECT name FROM sqlite_temp_master").fetchall()
        assert temp == []
