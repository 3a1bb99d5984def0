"""The ticket list: every filter field alone (expected rows worked out by hand) and combined
(checked against a plain-Python reading of the filter rules), every sort key both ways, and the
agreement of count, first page, id snapshot and rows by id. One desk per backend, built once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FakeClock
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.clock import local_midnight
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import DateField, Sort, SortKey, TicketFilter
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, customers, messages, ticket_list, tickets
from ticketdesk.services.records import TicketDetail
from ticketdesk.services.session import Session

BERLIN = ZoneInfo("Europe/Berlin")
S = Status
P = Priority


def at(day: str, hhmm: str) -> int:
    """An instant given as Berlin wall-clock time in May 2026 (CEST, UTC+2)."""
    return int(datetime.fromisoformat(f"2026-05-{day}T{hhmm}").replace(tzinfo=BERLIN).timestamp())


@dataclass
class Desk:
    store: Store
    n: list[int] = field(default_factory=list)  # n[k] is the id of ticket k (1-based)
    people: dict[str, int] = field(default_factory=dict)

    def ids(self, *numbers: int) -> list[int]:
        return [self.n[k] for k in numbers]


def _build(store: Store) -> Desk:
    """Eight tickets on a timeline (Berlin time), chosen so every filter and sort separates
    them differently. Ticket 5 is created at 00:30 on 4 May in Berlin, which is still 3 May in
    UTC: the day filters must use the local day."""
    clock = FakeClock(at("01", "09:00"))
    system = Session(store, None, clock)
    alice = system.as_agent(agents.create_agent(system, "Alice Agent")[0])
    bob = system.as_agent(agents.create_agent(system, "Bob Builder")[0])
    carol_id, _ = agents.create_agent(system, "carol Chen")
    ann, _ = customers.create_customer(system, "Ann", tags=["vip"])
    ben, _ = customers.create_customer(system, "ben", tags=["reseller", "vip"])
    cid, _ = customers.create_customer(system, "Cid")
    desk = Desk(store, [0], {"alice": alice.agent_id or 0, "bob": bob.agent_id or 0,
                             "carol": carol_id, "ann": ann, "ben": ben, "cid": cid})

    def create(when: int, subject: str, priority: Priority, customer: int | None,
               assignees: list[int], tags: list[str]) -> None:
        clock.now = when
        desk.n.append(tickets.create_ticket(alice, subject=subject, priority=priority,
                                            customer_id=customer, assignee_ids=assignees,
                                            tags=tags).new_id)

    def status(when: int, k: int, new: Status) -> None:
        clock.now = when
        tickets.set_status(alice, desk.n[k], tickets.get_ticket(desk.n[k]).version, new)

    a, b = desk.people["alice"], desk.people["bob"]
    create(at("01", "10:00"), "Printer alpha", P.LOW, ann, [a], ["hardware"])
    create(at("02", "09:00"), "refund Bravo", P.HIGH, ben, [a, b], ["billing", "refund"])
    clock.now = at("02", "10:00")
    messages.add_message(alice, desk.n[2], "Looking into it")
    create(at("03", "08:00"), "Login charlie", P.MEDIUM, None, [], [])
    clock.now = at("03", "08:30")
    messages.add_message(bob, desk.n[3], "Which browser?")
    status(at("03", "09:00"), 3, S.WAITING)
    create(at("03", "23:30"), "invoice delta", P.URGENT, cid, [b], ["billing"])
    status(at("04", "00:10"), 4, S.RESOLVED)
    create(at("04", "00:30"), "Crash echo", P.HIGH, ann, [], ["hardware"])
    create(at("05", "12:00"), "foxtrot", P.MEDIUM, None, [carol_id], [])
    status(at("06", "12:00"), 2, S.IN_PROGRESS)
    create(at("06", "13:00"), "Refund golf", P.URGENT, ben, [], ["refund"])
    status(at("06", "14:00"), 7, S.RESOLVED)
    status(at("07", "10:00"), 5, S.CLOSED)
    status(at("08", "10:00"), 7, S.OPEN)
    create(at("08", "18:00"), "hotel", P.MEDIUM, cid, [a], [])
    status(at("08", "19:00"), 8, S.CLOSED)
    agents.update_agent(system, carol_id, active=False)
    return desk


@pytest.fixture(scope="module")
def desk(module_db_url: str) -> Iterator[Desk]:
    store = open_database(module_db_url)
    try:
        yield _build(store)
    finally:
        store.close()


def shown(desk: Desk, f: TicketFilter, sort: Sort | None = None) -> list[int]:
    """The ids the list shows for `f`, checking that count, first page and snapshot agree."""
    sort = sort or Sort(SortKey.NUMBER, descending=False)
    ids = [int(i) for i in ticket_list.id_snapshot(desk.store, f, sort, BERLIN)]
    assert ticket_list.count(desk.store, f, BERLIN) == len(ids)
    page = ticket_list.first_page(desk.store, f, sort, limit=3, tz=BERLIN)
    assert [r.id for r in page] == ids[:3]
    return ids


def D(day: int) -> date:
    return date(2026, 5, day)


# (description, filter, tickets shown), worked out by hand from the timeline in _build.
def single_field_cases(d: Desk) -> list[tuple[str, TicketFilter, list[int]]]:
    p = d.people
    return [
        ("no filter", TicketFilter(), [1, 2, 3, 4, 5, 6, 7, 8]),
        ("status open", TicketFilter(statuses=frozenset({S.OPEN})), [1, 6, 7]),
        ("status waiting or closed", TicketFilter(statuses=frozenset({S.WAITING, S.CLOSED})),
         [3, 5, 8]),
        ("status resolved", TicketFilter(statuses=frozenset({S.RESOLVED})), [4]),
        ("priority urgent", TicketFilter(priorities=frozenset({P.URGENT})), [4, 7]),
        ("priority low or medium", TicketFilter(priorities=frozenset({P.LOW, P.MEDIUM})),
         [1, 3, 6, 8]),
        ("tag billing", TicketFilter(tags=frozenset({"billing"})), [2, 4]),
        ("tag refund or hardware", TicketFilter(tags=frozenset({"refund", "hardware"})),
         [1, 2, 5, 7]),
        ("unknown tag", TicketFilter(tags=frozenset({"nosuch"})), []),
        ("customer tag vip", TicketFilter(customer_tags=frozenset({"vip"})), [1, 2, 5, 7]),
        ("customer tag reseller", TicketFilter(customer_tags=frozenset({"reseller"})), [2, 7]),
        ("unknown customer tag", TicketFilter(customer_tags=frozenset({"nosuch"})), []),
        ("assigned alice", TicketFilter(assignees=frozenset({p["alice"]})), [1, 2, 8]),
        ("assigned alice or bob", TicketFilter(assignees=frozenset({p["alice"], p["bob"]})),
         [1, 2, 4, 8]),
        ("assigned to an inactive agent", TicketFilter(assignees=frozenset({p["carol"]})), [6]),
        ("unassigned", TicketFilter(unassigned=True), [3, 5, 7]),
        ("bob or unassigned", TicketFilter(assignees=frozenset({p["bob"]}), unassigned=True),
         [2, 3, 4, 5, 7]),
        ("customer ann", TicketFilter(customer_id=p["ann"]), [1, 5]),
        ("customer cid", TicketFilter(customer_id=p["cid"]), [4, 8]),
        ("text word", TicketFilter(text="refund "), [2, 7]),
        ("text number", TicketFilter(text=f"TKT-{d.n[3]:06d}"), [3]),
        ("created on 3 May (local)", TicketFilter(date_from=D(3), date_to=D(3)), [3, 4]),
        ("created from 4 May", TicketFilter(date_from=D(4)), [5, 6, 7, 8]),
        ("created up to 2 May", TicketFilter(date_to=D(2)), [1, 2]),
        ("updated from 8 May", TicketFilter(date_field=DateField.UPDATED, date_from=D(8)),
         [7, 8]),
        ("updated up to 3 May", TicketFilter(date_field=DateField.UPDATED, date_to=D(3)), [1, 3]),
        ("resolved on 4 May", TicketFilter(date_field=DateField.RESOLVED, date_from=D(4),
                                           date_to=D(4)), [4]),
        ("resolved ever", TicketFilter(date_field=DateField.RESOLVED, date_from=D(1)),
         [4, 5, 8]),
        ("closed from 8 May", TicketFilter(date_field=DateField.CLOSED, date_from=D(8)), [8]),
        ("closed up to 7 May", TicketFilter(date_field=DateField.CLOSED, date_to=D(7)), [5]),
        ("first response on 2-3 May", TicketFilter(date_field=DateField.FIRST_RESPONSE,
                                                   date_from=D(2), date_to=D(3)), [2, 3]),
        ("a date range with no tickets", TicketFilter(date_from=D(20), date_to=D(30)), []),
    ]


def test_each_filter_field_alone_shows_the_tickets_worked_out_by_hand(desk: Desk) -> None:
    wrong = {}
    for name, f, expected in single_field_cases(desk):
        got = shown(desk, f)
        if got != desk.ids(*expected):
            wrong[name] = (got, desk.ids(*expected))
    assert wrong == {}


def test_different_fields_combine_with_and(desk: Desk) -> None:
    p = desk.people
    f = TicketFilter(statuses=frozenset({S.OPEN, S.CLOSED}), customer_tags=frozenset({"vip"}),
                     priorities=frozenset({P.HIGH, P.URGENT}))
    assert shown(desk, f) == desk.ids(5, 7)
    f = TicketFilter(tags=frozenset({"billing"}), assignees=frozenset({p["bob"]}),
                     date_field=DateField.RESOLVED, date_from=D(4), date_to=D(4))
    assert shown(desk, f) == desk.ids(4)
    f = TicketFilter(text="refund ", unassigned=True, statuses=frozenset({S.OPEN}))
    assert shown(desk, f) == desk.ids(7)


# -- combined filters against a plain reading of the rules ------------------------------------


@dataclass(frozen=True)
class Facts:
    detail: TicketDetail
    words: frozenset[str]

    def time(self, f: DateField) -> int | None:
        value = getattr(self.detail, f"{f.value}_at")
        return None if value is None else int(value)


def _facts(desk: Desk) -> dict[int, Facts]:
    out = {}
    for tid in desk.n[1:]:
        detail = tickets.get_ticket(tid)
        out[tid] = Facts(detail, frozenset(detail.subject.lower().split()))
    return out


def expected(facts: dict[int, Facts], desk: Desk, f: TicketFilter) -> list[int]:
    """The filter rules of domain/filters.py, read literally, over Python values."""
    keep = []
    for tid, fact in facts.items():
        t = fact.detail
        assignee_ids = {a.id for a in t.assignees}
        customer_tags = set(t.customer.tags) if t.customer else set()
        checks = [
            not f.statuses or t.status in f.statuses,
            not f.priorities or t.priority in f.priorities,
            not f.tags or bool(set(t.tags) & f.tags),
            not f.customer_tags or bool(customer_tags & f.customer_tags),
            (not f.assignees and not f.unassigned) or bool(assignee_ids & f.assignees)
            or (f.unassigned and not assignee_ids),
            f.customer_id is None or (t.customer is not None and t.customer.id == f.customer_id),
        ]
        when = fact.time(f.date_field)
        if f.date_from is not None:
            checks.append(when is not None and when >= local_midnight(f.date_from, BERLIN))
        if f.date_to is not None:
            checks.append(when is not None
                          and when < local_midnight(f.date_to + timedelta(days=1), BERLIN))
        if f.text == "refund ":
            checks.append("refund" in fact.words)
        elif f.text.startswith("TKT-"):
            checks.append(f.text == t.number)
        elif f.text:
            checks.append(False)
        if all(checks):
            keep.append(tid)
    return keep


@st.composite
def filters(draw: st.DrawFn, desk: Desk) -> TicketFilter:
    p = desk.people
    days = st.one_of(st.none(), st.integers(1, 9).map(D))
    first, last = draw(days), draw(days)
    if first and last and first > last:
        first, last = last, first
    return TicketFilter(
        text=draw(st.sampled_from(["", "refund ", f"TKT-{desk.n[3]:06d}", "zzz"])),
        statuses=draw(st.frozensets(st.sampled_from(list(Status)))),
        priorities=draw(st.frozensets(st.sampled_from(list(Priority)))),
        date_field=draw(st.sampled_from(list(DateField))),
        date_from=first, date_to=last,
        tags=draw(st.frozensets(st.sampled_from(["hardware", "billing", "refund", "nosuch"]))),
        customer_tags=draw(st.frozensets(st.sampled_from(["vip", "reseller", "nosuch"]))),
        assignees=draw(st.frozensets(st.sampled_from(
            [p["alice"], p["bob"], p["carol"], 999]))),
        unassigned=draw(st.booleans()),
        customer_id=draw(st.one_of(st.none(), st.sampled_from(
            [p["ann"], p["ben"], p["cid"], 999]))),
    )


def test_any_combination_of_filters_matches_the_rules(desk: Desk) -> None:
    facts = _facts(desk)

    @settings(max_examples=150, deadline=None, database=None)
    @given(f=filters(desk))
    def check(f: TicketFilter) -> None:
        assert shown(desk, f) == expected(facts, desk, f)

    check()


# -- sorting ------------------------------------------------------------------------------------

ASCENDING = {
    SortKey.NUMBER: [1, 2, 3, 4, 5, 6, 7, 8],
    SortKey.CREATED: [1, 2, 3, 4, 5, 6, 7, 8],
    SortKey.UPDATED: [1, 3, 4, 6, 2, 5, 7, 8],
    SortKey.SUBJECT: [5, 6, 8, 4, 3, 1, 2, 7],     # ignoring case: crash, foxtrot, hotel, ...
    SortKey.STATUS: [1, 6, 7, 2, 3, 4, 5, 8],      # Open ... Closed, then by creation
    SortKey.PRIORITY: [1, 3, 6, 8, 2, 5, 4, 7],    # Low ... Urgent, then by creation
    SortKey.CUSTOMER: [1, 5, 2, 7, 4, 8, 3, 6],    # Ann, ben, Cid, then tickets without one
    SortKey.DUE: [1, 2, 3, 4, 5, 6, 7, 8],         # no SLA policy: no due, so by number
}
DESCENDING = {key: order[::-1] for key, order in ASCENDING.items()}
# Tickets without a customer stay at the end whichever way the column is sorted.
DESCENDING[SortKey.CUSTOMER] = [8, 4, 7, 2, 5, 1, 6, 3]


@pytest.mark.parametrize("key", list(SortKey))
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_every_sort_key_orders_the_list_both_ways(desk: Desk, key: SortKey,
                                                  descending: bool) -> None:
    order = (DESCENDING if descending else ASCENDING)[key]
    assert shown(desk, TicketFilter(), Sort(key, descending)) == desk.ids(*order)


def test_sorting_applies_within_a_filter(desk: Desk) -> None:
    f = TicketFilter(statuses=frozenset({S.OPEN, S.CLOSED}))
    assert shown(desk, f, Sort(SortKey.PRIORITY, descending=True)) == desk.ids(7, 5, 8, 6, 1)


def test_the_default_sort_is_newest_first(desk: Desk) -> None:
    assert Sort() == Sort(SortKey.CREATED, descending=True)
    assert shown(desk, TicketFilter(), Sort()) == desk.ids(8, 7, 6, 5, 4, 3, 2, 1)


# -- what the rows hold -------------------------------------------------------------------------


def test_rows_by_ids_hold_what_the_list_columns_show(desk: Desk) -> None:
    rows = ticket_list.rows_by_ids(desk.store, reversed(desk.ids(1, 2, 3, 6)))
    assert set(rows) == set(desk.ids(1, 2, 3, 6))
    one, two, three, six = (rows[i] for i in desk.ids(1, 2, 3, 6))
    assert one == ticket_list.TicketRow(desk.n[1], "Printer alpha", S.OPEN, P.LOW, "Ann",
                                        "Alice Agent", "hardware", at("01", "10:00"),
                                        at("01", "10:00"))
    assert (two.customer, two.assignees, two.tags, two.status, two.updated_at) == (
        "ben", "Alice Agent, Bob Builder", "billing, refund", S.IN_PROGRESS, at("06", "12:00"))
    assert (three.customer, three.assignees, three.tags) == ("", "", "")
    assert six.assignees == "carol Chen"  # an inactive agent still shows on their tickets


def test_rows_by_ids_skip_missing_ids_and_accept_numpy_ids(desk: Desk) -> None:
    snapshot = ticket_list.id_snapshot(desk.store, TicketFilter(), Sort())
    assert set(ticket_list.rows_by_ids(desk.store, snapshot[:2])) == set(desk.ids(8, 7))
    assert ticket_list.rows_by_ids(desk.store, [999_999]) == {}
    assert ticket_list.rows_by_ids(desk.store, []) == {}


def test_the_first_page_is_at_most_limit_rows_in_order(desk: Desk) -> None:
    page = ticket_list.first_page(desk.store, TicketFilter(), Sort(SortKey.SUBJECT, False),
                                  limit=2, tz=BERLIN)
    assert [r.subject for r in page] == ["Crash echo", "foxtrot"]
    whole = ticket_list.first_page(desk.store, TicketFilter(), Sort(), tz=BERLIN)
    assert len(whole) == 8


def test_a_filter_whose_start_is_after_its_end_is_refused() -> None:
    with pytest.raises(ValidationError, match="The start date 2026-05-09 is after the end date"):
        TicketFilter(date_from=D(9), date_to=D(1))


# -- the hot path uses indexes (ticketdesk/ARCHITECTURE.md, "One million tickets") -------------

INDEXED = {
    "newest first": (TicketFilter(), Sort()),
    "oldest first": (TicketFilter(), Sort(SortKey.CREATED, False)),
    "recently updated": (TicketFilter(), Sort(SortKey.UPDATED)),
    "by subject": (TicketFilter(), Sort(SortKey.SUBJECT, False)),
    "by status": (TicketFilter(), Sort(SortKey.STATUS, False)),
    "by priority": (TicketFilter(), Sort(SortKey.PRIORITY)),
    "open tickets, newest first": (TicketFilter(statuses=frozenset({S.OPEN})), Sort()),
}


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    """SQLite's plans are fixed by its schema; PostgreSQL's depend on table statistics, which a
    few rows cannot stand for (tests/bench/bench_postgres.py measures those at a million)."""
    store = open_database(sqlite_url)
    try:
        yield store
    finally:
        store.close()


@pytest.mark.parametrize("case", list(INDEXED))
def test_the_first_page_of_common_views_reads_an_index_without_sorting(sqlite_store: Store,
                                                                       case: str) -> None:
    from ticketdesk.db import ticket_query

    f, sort = INDEXED[case]
    sql, params = ticket_query.select_ids(f, sort, sqlite_store.backend).limit(200).sql()
    plan = [row[-1] for row in sqlite_store.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert any("USING COVERING INDEX" in step or "USING INDEX" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


def test_a_filter_sorted_by_due_walks_the_due_index_without_sorting(sqlite_store: Store) -> None:
    """Only running clocks have a due: the first part walks `ticket_sla_due` and tests the
    filter on each ticket, never the filter's index plus a sort (200 ms at a million for a
    priority that matches a quarter of the desk)."""
    from ticketdesk.db import ticket_query

    f = TicketFilter(statuses=frozenset({Status.OPEN, Status.IN_PROGRESS}),
                     priorities=frozenset({Priority.HIGH}))
    first = ticket_query.ordered_parts(f, Sort(SortKey.DUE, False), sqlite_store.backend)[0]
    sql, params = first.limit(200).sql()
    plan = [row[-1] for row in sqlite_store.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert any("ticket_sla_due" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
