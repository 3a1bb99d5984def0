"""Whatever is typed in the search box: the ticket list never raises, and it finds exactly the
tickets a person would expect from plain words (every word present; quoted words together and in
order within one text; the word being typed also finds longer words; a full ticket number finds
that ticket). Checked against a desk through the same service calls the list makes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.reliability.support import examples
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.domain.numbers import format_number, parse_number
from ticketdesk.domain.search import parse_query, words
from ticketdesk.services import customers, messages, notes, ticket_list, tickets
from ticketdesk.services.session import Session

VOCAB = ["printer", "print", "fire", "refund", "card", "declined", "café", "Straße", "naïve",
         "日本語", "x1", "42", "4711", "order", "login", "spam", "ann", "nordlicht", "tkt"]
TICKETS = [  # subject, description, customer, messages, notes
    ("Printer on fire", "Smoke from the fuser", ("Ann Ångström", "ann@fjord.example", "Nordlicht"),
     ["Please unplug it"], ["Called the fire brigade"]),
    ("Refund for order 4711", "Card declined twice at the Café", None, [],
     ["Escalated: card refund"]),
    ("Cannot log in", "Password reset never arrives", ("Bo", "", ""),
     ["Check the spam folder", "Found it in spam"], []),
    ("日本語 の テキスト", "naïve Straße x1 42", None, ["print order"], []),
    ("order order card", "", None, [], ["declined printer"]),
]
SEPARATORS = st.sampled_from([" ", "  ", '"', ' "', '" ', "-", ", ", ":", "*", " OR ", " NOT ",
                              "(", ")", "\t", "\n", "^", "'", "_"])


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[int, list]]]:
    path: Path = tmp_path_factory.mktemp("search") / "desk.sqlite"
    store = open_database(str(path))
    system = Session(store, None)
    columns: dict[int, list[list[str]]] = {}
    for subject, description, customer, talk, said in TICKETS:
        cid = None
        if customer is not None:
            cid, _ = customers.create_customer(system, customer[0], email=customer[1],
                                               company=customer[2])
        tid = tickets.create_ticket(system, subject=subject, description=description,
                                    customer_id=cid).new_id
        for body in talk:
            messages.add_message(system, tid, body)
        for body in said:
            notes.add_note(system, tid, body)
        ref = " ".join([format_number(tid), *(customer or ())])
        columns[tid] = [words(ref), words(subject), words(description), words(" ".join(talk)),
                        words(" ".join(said))]
    try:
        yield store, columns
    finally:
        store.close()


def _has_phrase(column: list[str], phrase: tuple[str, ...], prefix: bool) -> bool:
    n = len(phrase)
    for start in range(len(column) - n + 1):
        window = column[start:start + n]
        if window[:-1] == list(phrase[:-1]) and (
                window[-1].startswith(phrase[-1]) if prefix else window[-1] == phrase[-1]):
            return True
    return False


def expected(typed: str, columns: dict[int, list[list[str]]]) -> list[int]:
    """What a person expects, from plain words (the model the engines must agree with)."""
    if not typed.strip():
        return sorted(columns)
    number = parse_number(typed)
    if number is not None:
        return [number] if number in columns else []
    query = parse_query(typed)
    if query.is_empty:
        return sorted(columns)
    last = len(query.phrases) - 1
    return [tid for tid, cols in sorted(columns.items())
            if all(any(_has_phrase(col, phrase, query.prefix_last and i == last) for col in cols)
                   for i, phrase in enumerate(query.phrases))]


def found(store: Store, typed: str) -> list[int]:
    f = TicketFilter(text=typed)
    ids = [int(i) for i in ticket_list.id_snapshot(store, f, Sort(SortKey.NUMBER, False))]
    assert ticket_list.count(store, f) == len(ids)
    first = [row.id for row in ticket_list.first_page(store, f, Sort(SortKey.NUMBER, False))]
    assert first == ids[: len(first)]
    return ids


def _word(draw_from: st.DataObject) -> str:
    word = draw_from.draw(st.sampled_from(VOCAB))
    cut = draw_from.draw(st.integers(1, len(word)))
    return word[:cut] if draw_from.draw(st.booleans()) else word


@st.composite
def typed_text(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 9))
        if kind < 6:
            word = draw(st.sampled_from(VOCAB))
            parts.append(word[: draw(st.integers(1, len(word)))] if kind < 2 else word)
        elif kind < 8:
            parts.append(draw(st.text(max_size=6)))
        else:
            parts.append(draw(st.sampled_from(["TKT-000001", "#2", "tkt3", "AND", "OR", "NEAR",
                                               '"', "*", "00000", "\x00", "\u202e"])))
        parts.append(draw(SEPARATORS))
    return "".join(parts)


@settings(max_examples=examples(250), deadline=None)
@given(typed=typed_text())
@example(typed="print")
@example(typed="print ")
@example(typed='"card declined"')
@example(typed='"declined card"')
@example(typed="cafe STRASSE")
@example(typed="TKT-000002")
@example(typed="#9")
@example(typed='"unclosed ph')
@example(typed="order 4711 refund")
def test_any_search_text_never_raises_and_finds_what_plain_words_promise(
        desk: tuple[Store, dict[int, list]], typed: str) -> None:
    store, columns = desk
    assert found(store, typed) == expected(typed, columns)


@settings(max_examples=examples(150), deadline=None)
@given(typed=st.text(max_size=80))
@example(typed="𝗟")  # NFKD gives a capital: fold() must case-fold after it (found by this test)
@example(typed="İSTANBUL ǅ ﬁ")
def test_any_unicode_text_never_raises(desk: tuple[Store, dict[int, list]], typed: str) -> None:
    store, columns = desk
    assert found(store, typed) == expected(typed, columns)


@pytest.mark.parametrize(("typed", "ids"), [
    ("print", [1, 4, 5]),           # the word being typed also finds longer words
    ("print ", [4]),                # ...until a space ends it
    ('"card declined"', [2]),       # quoted words together, in order
    ('"declined card"', []),
    ("declined card", [2, 5]),      # unquoted: anywhere in the ticket
    ("CAFE strasse", []),           # every word must appear in one ticket
    ("café", [2]),                  # accents and case do not matter
    ("STRASSE naive", [4]),
    ("ann nordlicht fire", [1]),    # customer name and company, subject and note
    ("spam", [3]),                  # the conversation
    ("TKT-000003", [3]),            # a full number finds exactly that ticket
    ("#9", []),
    ("ORD", [2, 4, 5]),             # operators are words like any other ("ord" -> "order")
    ("OR", []),                     # two letters are a whole word: no prefix scan of "o..."
    ("NOT OR ", []),
    ('"', [1, 2, 3, 4, 5]),         # nothing to search for: every ticket
])
def test_plain_word_expectations(desk: tuple[Store, dict[int, list]], typed: str,
                                 ids: list[int]) -> None:
    store, columns = desk
    assert found(store, typed) == ids
    assert expected(typed, columns) == ids
