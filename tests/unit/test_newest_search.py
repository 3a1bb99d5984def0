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


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Words that share a start ("print", "printer", "printing"), one that only contains it
    ("sprint"), and a phrase, spread over 120 tickets."""
    path = tmp_path_factory.mktemp("prefixed") / "desk.sqlite"
    store = open_database(f"sqlite:///{path}")
    system = Session(store, None, FakeClock())
    rnd = random.Random(7)
    subjects = ["print queue", "printer jam", "printing slow", "sprint review", "paper jam"]
    for i in range(120):
        tickets.create_ticket(system, subject=rnd.choice(subjects), description=f"item {i}")
    return store


@pytest.mark.parametrize("text", ["prin", "print", "printe", "pri", "jam prin", '"printer jam',
                                  "sprin", "zzz"])
def test_a_word_being_typed_finds_every_word_it_starts(prefixed: Store, text: str) -> None:
    """The last word's prefix is spelled out as the words of the index that start with it
    (a prefix query is slow for common words); the answer is the plain query's."""
    plain = [row[0] for row in ticket_query.select_ids(
        TicketFilter(text=text), Sort(), prefixed.backend).limit(10).tuples()]
    fast = prefixed.backend.newest_search_ids(prefixed.db, parse_query(text), 10)
    assert fast in (None, plain)
    if text in ("prin", "print", "pri"):
        assert fast == plain  # common: answered by the shortcut
        assert len(plain) == 10
