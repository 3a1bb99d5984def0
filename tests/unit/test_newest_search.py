"""The newest-first search shortcut (SQLite) gives exactly the plain query's rows, even when
ticket ids do not follow creation time (imported tickets keep their old dates)."""

from __future__ import annotations

import random

import pytest

from tests.conftest import FakeClock
from ticketdesk.db import ticket_query
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.filters import Sort, TicketFilter
from ticketdesk.domain.search import parse_query
from ticketdesk.services import tickets
from ticketdesk.services.session import Session

WORDS = ["refund", "invoice", "printer", "login", "crash"]


@pytest.fixture(scope="module")
def shuffled(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """300 tickets; every fourth is created back in time, so ids and dates disagree."""
    path = tmp_path_factory.mktemp("newest") / "desk.sqlite"
    store = open_database(f"sqlite:///{path}")
    clock = FakeClock()
    system = Session(store, None, clock)
    rnd = random.Random(5)
    for i in range(300):
        clock.advance(-86_400 * rnd.randint(1, 60) if i % 4 == 3 else 600)
        words = rnd.sample(WORDS, rnd.randint(1, 3))
        tickets.create_ticket(system, subject=" ".join(words), description=f"case {i}")
    return store


@pytest.mark.parametrize("text", ["refund", "refund crash", "invoice printer", "cras", "login"])
@pytest.mark.parametrize("limit", [1, 10, 40])
def test_shortcut_matches_the_plain_query(shuffled: Store, text: str, limit: int) -> None:
    f = TicketFilter(text=text)
    plain = [row[0] for row in
             ticket_query.select_ids(f, Sort(), shuffled.backend).limit(limit).tuples()]
    fast = shuffled.backend.newest_search_ids(shuffled.db, parse_query(text), limit)
    assert fast in (None, plain)  # None: the shortcut stepped aside for the plain query


@pytest.mark.parametrize("text", ["refund", "login", "cras"])
def test_shortcut_answers_for_common_words(shuffled: Store, text: str) -> None:
    fast = shuffled.backend.newest_search_ids(shuffled.db, parse_query(text), 10)
    plain = [row[0] for row in ticket_query.select_ids(
        TicketFilter(text=text), Sort(), shuffled.backend).limit(10).tuples()]
    assert fast == plain


def test_shortcut_steps_aside_when_there_are_fewer_matches_than_asked(shuffled: Store) -> None:
    assert shuffled.backend.newest_search_ids(shuffled.db, parse_query("case 7"), 200) is None
