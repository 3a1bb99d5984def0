"""One fixed data set, written through the services into a SQLite desk and into a PostgreSQL desk,
gives the same answers on both: every filter of the ticket list (each field, combinations, every
sort, full-text search with accents, punctuation, e-mail addresses, prefixes and hostile input),
counts, first pages, and every analytics figure of every period.

The data set is deterministic (a seeded random story on a fake clock around the spring DST
change in Berlin) and has the awkward cases: tickets without a customer or assignee, non-ASCII
subjects and names, reopened tickets, tickets never replied to.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import FakeClock, pg_url
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.filters import DateField, Sort, SortKey, TicketFilter
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import (
    agents,
    analytics,
    assignees,
    customers,
    messages,
    notes,
    ticket_list,
    tickets,
)
from ticketdesk.services.session import Session

pytestmark = pytest.mark.postgres
BERLIN = ZoneInfo("Europe/Berlin")
START = int(datetime(2026, 3, 1, 9, 0, tzinfo=BERLIN).timestamp())
NOW = int(datetime(2026, 4, 20, 15, 0, tzinfo=BERLIN).timestamp())
NEWEST = Sort()
TICKETS = 60

SUBJECTS = [
    "Refund not received", "Printer on fire", "Password reset loop", "Invoice copy needed",
    "Café crème machine leaks", "Ünïcödé in the export", "naïve résumé upload fails",
    "O'Brien cannot log in", "Card declined (error 402)", "Straße und Größe",
    "打印机坏了", "Ошибка входа", "100% CPU after update", "C++ SDK crashes",
    "Résumé vs resume", "e-mail bounces: jane@example.com", "TKT-000003 follow-up",
    "Export to CSV; then import", "ÉCRAN noir", "écran noir again",
]
WORDS = ("refund printer password invoice card declined export import login crash slow "
         "billing café résumé straße jane@example.com o'brien 100% c++ ошибка 打印机").split()
CUSTOMERS = [
    ("Jane Doe", "jane@example.com", "Example Ltd", ["vip"]),
    ("Seán O'Brien", "sean.obrien@example.ie", "Éire Widgets", ["vip", "ireland"]),
    ("Zoë Müller", "zoe@müller.de", "Müller & Söhne", []),
    ("bob corp", "ops@bob.example", "Bob Corp", ["reseller"]),
    ("Åsa Öberg", "asa@example.se", "", ["nordics"]),
]
TAGS = ["billing", "refund", "hardware", "login", "export", "urgent-fix"]
SEARCHES = [
    "refund", "Refund", "REFUND", "refu", "ref", "café", "cafe", "CAFÉ", "résumé", "resume",
    "naive", "naïve", "straße", "strasse", "größe", "jane@example.com", "jane@", "jane",
    "example.com", "o'brien", "O’Brien", "obrien", "brien", '"card declined"', '"declined card"',
    "card declined", "card -declined", "100%", "100", "c++", "C#", "(", ")", "'", '"', '""',
    "\\", "*", ":*", "&", "|", "!", "<->", "' OR 1=1 --", "%", "_", "--", "a:b", "écran",
    "ECRAN", "打印机", "打印", "ошибка", "ОШИБКА", "TKT-000003", "tkt-000003", "000003", "3",
    "TKT-3", "printer fire", '"printer on"', "printer on fire", "  spaced   out  ", "   ",
    "zoë", "zoe", "müller", "mueller", "åsa", "asa", "söhne", "note", "sdk crash",
    " ".join(["word"] * 20), "x" * 300, "🖨️ printer", "refund\tprinter", "line\nbreak",
]


@dataclass(frozen=True)
class Desks:
    sqlite: Store
    postgres: Store
    agents: dict[str, int]


def _story(store: Store) -> dict[str, int]:
    """The same writes, in the same order, on the same fake clock, for every backend."""
    rnd = random.Random(20260401)
    clock = FakeClock(START)
    system = Session(store, None, clock)
    people = {name: agents.create_agent(system, name)[0]
              for name in ("Alice Agent", "Bob Builder", "Çelik Ünal")}
    crowd = [system.as_agent(a) for a in people.values()]
    customer_ids = [customers.create_customer(system, n, email=e, company=c, tags=t)[0]
                    for n, e, c, t in CUSTOMERS]
    ids: list[int] = []
    for i in range(TICKETS):
        clock.advance(rnd.randint(600, 4 * 3600))
        who = rnd.choice(crowd)
        subject = SUBJECTS[i % len(SUBJECTS)] + ("" if i < len(SUBJECTS) else f" #{i}")
        ticket = tickets.create_ticket(
            who, subject=subject,
            description=" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(0, 12))),
            priority=rnd.choice(list(Priority)),
            customer_id=rnd.choice([None, *customer_ids]),
            tags=rnd.sample(TAGS, rnd.randint(0, 3)),
            assignee_ids=[a.agent_id for a in rnd.sample(crowd, rnd.randint(0, 2))
                          if a.agent_id is not None]).new_id
        ids.append(ticket)
        for _ in range(rnd.randint(0, 5)):
            clock.advance(rnd.randint(60, 5 * 3600))
            target = rnd.choice(ids)
            actor = rnd.choice(crowd)
            version = tickets.get_ticket(target).version
            action = rnd.randint(0, 7)
            try:
                if action == 0:
                    messages.add_message(actor, target, " ".join(rnd.sample(WORDS, 4)))
                elif action == 1:
                    messages.add_message(system, target, "customer writes back", incoming=True)
                elif action == 2:
                    notes.add_note(actor, target, "note: " + rnd.choice(WORDS))
                elif action == 3:
                    tickets.set_status(actor, target, version, rnd.choice(list(Status)))
                elif action == 4:
                    tickets.set_priority(actor, target, version, rnd.choice(list(Priority)))
                elif action == 5:
                    assignees.add_tag(actor, target, version, rnd.choice(TAGS))
                elif action == 6 and actor.agent_id is not None:
                    assignees.assign(actor, target, version, actor.agent_id)
                else:
                    tickets.set_customer(actor, target, version, rnd.choice(customer_ids))
            except Exception as exc:  # a refused transition is part of the story: same on both
                if type(exc).__name__ not in ("ValidationError", "ConflictError"):
                    raise
    return people


@pytest.fixture(scope="module")
def desks(tmp_path_factory: pytest.TempPathFactory, pg_admin: Any) -> Iterator[Desks]:
    schema = f"tdparity_{random.Random().getrandbits(40):x}"
    pg_admin.execute(f'CREATE SCHEMA "{schema}"')
    lite = open_database(f"sqlite:///{tmp_path_factory.mktemp('parity') / 'desk.sqlite'}")
    server = open_database(pg_url(schema))
    try:
        people = _story(lite)
        assert _story(server) == people
        yield Desks(lite, server, people)
    finally:
        server.close()
        lite.close()
        pg_admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _listing(store: Store, f: TicketFilter, sort: Sort = NEWEST) -> tuple[Any, ...]:
    with store.read():
        ids = [int(i) for i in ticket_list.id_snapshot(store, f, sort, BERLIN)]
        count = ticket_list.count(store, f, BERLIN)
        first = [r.id for r in ticket_list.first_page(store, f, sort, 25, BERLIN)]
        rows = list(ticket_list.rows_by_ids(store, ids[:40]).items())
    assert count == len(ids)
    assert first == ids[:25]
    return ids, sorted(rows)


def _same(desks: Desks, f: TicketFilter, sort: Sort = NEWEST) -> list[int]:
    mine = _listing(desks.sqlite, f, sort)
    theirs = _listing(desks.postgres, f, sort)
    assert mine == theirs
    return list(mine[0])


def test_the_data_set_is_the_same_on_both(desks: Desks) -> None:
    everything = _same(desks, TicketFilter())
    assert len(everything) == TICKETS


@pytest.mark.parametrize("text", SEARCHES)
def test_text_search_gives_the_same_tickets(desks: Desks, text: str) -> None:
    _same(desks, TicketFilter(text=text))


def test_search_finds_what_it_should(desks: Desks) -> None:
    """Parity of empty answers would prove nothing: these searches do find tickets."""
    for text in ("café", "cafe", "résumé", "jane@example.com", "o'brien", '"card declined"',
                 "refu", "打印机", "ошибка", "TKT-000003", "zoë", "müller"):
        assert _same(desks, TicketFilter(text=text)), text


FILTERS: dict[str, Any] = {
    **{f"status {s.label}": lambda d, s=s: TicketFilter(statuses=frozenset({s}))
       for s in Status},
    "status open or waiting": lambda d: TicketFilter(
        statuses=frozenset({Status.OPEN, Status.WAITING})),
    **{f"priority {p.label}": lambda d, p=p: TicketFilter(priorities=frozenset({p}))
       for p in Priority},
    **{f"tag {t}": lambda d, t=t: TicketFilter(tags=frozenset({t})) for t in TAGS},
    "tags billing or refund": lambda d: TicketFilter(tags=frozenset({"billing", "refund"})),
    **{f"customer tag {t}": lambda d, t=t: TicketFilter(customer_tags=frozenset({t}))
       for t in ("vip", "ireland", "reseller", "nordics")},
    **{f"assignee {n}": lambda d, n=n: TicketFilter(assignees=frozenset({d.agents[n]}))
       for n in ("Alice Agent", "Bob Builder", "Çelik Ünal")},
    "unassigned": lambda d: TicketFilter(unassigned=True),
    "me or unassigned": lambda d: TicketFilter(
        assignees=frozenset({d.agents["Alice Agent"]}), unassigned=True),
    **{f"customer {i}": lambda d, i=i: TicketFilter(customer_id=i) for i in (1, 2, 3)},
    **{f"{field} in march": lambda d, field=field: TicketFilter(
        date_field=field, date_from=date(2026, 3, 10), date_to=date(2026, 3, 29))
       for field in DateField},
    **{f"{field} on the dst day": lambda d, field=field: TicketFilter(
        date_field=field, date_from=date(2026, 3, 29), date_to=date(2026, 3, 29))
       for field in DateField},
    "everything at once": lambda d: TicketFilter(
        text="refund", statuses=frozenset({Status.OPEN, Status.IN_PROGRESS, Status.CLOSED}),
        tags=frozenset({"billing", "refund", "hardware"}), date_from=date(2026, 3, 1)),
}


@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_gives_the_same_tickets(desks: Desks, name: str) -> None:
    _same(desks, FILTERS[name](desks))


@pytest.mark.parametrize("key", list(SortKey))
@pytest.mark.parametrize("descending", [False, True])
def test_each_sort_gives_the_same_order(desks: Desks, key: SortKey, descending: bool) -> None:
    _same(desks, TicketFilter(), Sort(key, descending))
    _same(desks, TicketFilter(statuses=frozenset({Status.OPEN})), Sort(key, descending))


PERIODS = [PeriodKind.TODAY, PeriodKind.LAST_7D, PeriodKind.LAST_30D, PeriodKind.THIS_MONTH,
           PeriodKind.LAST_MONTH, PeriodKind.ALL_TIME]


def _report(store: Store, kind: PeriodKind, f: TicketFilter | None) -> Any:
    if kind == PeriodKind.CUSTOM:
        period = Period(kind, date(2026, 3, 27), date(2026, 4, 2))
    else:
        period = analytics.period_for(store, kind, tz=BERLIN, now=NOW)
    return analytics.compute(store, period, filter=f, tz=BERLIN, now=NOW,
                             previous_breakdowns=True)


@pytest.mark.parametrize("kind", [*PERIODS, PeriodKind.CUSTOM])
@pytest.mark.parametrize("scope", ["all tickets", "tag billing", "assignee Bob", "search"])
def test_every_analytics_figure_is_the_same(desks: Desks, kind: PeriodKind, scope: str) -> None:
    f = {"all tickets": None, "tag billing": TicketFilter(tags=frozenset({"billing"})),
         "assignee Bob": TicketFilter(assignees=frozenset({desks.agents["Bob Builder"]})),
         "search": TicketFilter(text="refund")}[scope]
    mine, theirs = _report(desks.sqlite, kind, f), _report(desks.postgres, kind, f)
    assert mine == theirs
    if kind == PeriodKind.ALL_TIME and f is None:
        assert mine.current.summary.created == TICKETS


def test_drill_downs_list_the_same_tickets(desks: Desks) -> None:
    from ticketdesk.domain.analytics import Metric

    report = _report(desks.sqlite, PeriodKind.LAST_30D, None)
    drills = [report.current.drill(m) for m in Metric]
    assert report.current.breakdowns is not None
    drills += [report.current.drill_bar(b) for b in report.current.breakdowns.by_tag]
    for f in drills:
        if f is not None:
            _same(desks, f)
