"""Ticket numbers: `TKT-000013`, and what a user may type to mean one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketdesk.domain.filters import Sort, TicketFilter
from ticketdesk.domain.numbers import MAX_NUMBER, format_number, parse_number, read_search
from ticketdesk.services import ticket_list, tickets
from ticketdesk.services.session import Session


@pytest.mark.parametrize(("ticket_id", "number"), [
    (1, "TKT-000001"), (13, "TKT-000013"), (999_999, "TKT-999999"), (1_234_567, "TKT-1234567"),
])
def test_numbers_are_zero_padded_to_six_digits_and_grow_beyond(ticket_id: int,
                                                              number: str) -> None:
    assert format_number(ticket_id) == number


@pytest.mark.parametrize("typed", ["TKT-000123", "tkt-000123", "TKT-123", "tkt123", "TKT 123",
                                   "#123", "# 123", "  TKT-000123  ", "Tkt-0123",
                                   "tkt-١٢٣"])  # digits as an Arabic keyboard types them
def test_prefixed_forms_name_a_ticket(typed: str) -> None:
    assert parse_number(typed) == 123


@pytest.mark.parametrize("typed", ["123", "000123", " 404 "])
def test_bare_digits_are_search_text_not_a_ticket_number(typed: str) -> None:
    assert parse_number(typed) is None


@pytest.mark.parametrize("typed", ["", "  ", "TKT-", "TKT-0", "#0", "TKT-12a", "TKT-1 2",
                                   "TKT--1", "TKT-1234567890123", "printer TKT-1", "TKT-1 printer",
                                   "ABC-123", "#"])
def test_anything_else_is_not_a_ticket_number(typed: str) -> None:
    assert parse_number(typed) is None


@given(st.integers(min_value=1, max_value=MAX_NUMBER))
def test_every_formatted_number_parses_back(ticket_id: int) -> None:
    assert parse_number(format_number(ticket_id)) == ticket_id


@pytest.mark.parametrize("typed", ["TKT-1000000000", "TKT-999999999999", "#9223372036854775808",
                                   "TKT-\u00b2", "TKT-1\u00b2", "#\u2460"])
def test_numbers_above_the_maximum_or_without_decimal_digits_are_not_numbers(typed: str) -> None:
    assert parse_number(typed) is None


# -- what the search box's text asks for, decided once (issue 14) ----------------------------

@pytest.mark.parametrize(("typed", "number", "full_text"), [
    ("TKT-000123", 123, False), ("#7", 7, False), ("404", None, True), ("printer jam", None, True),
    ("", None, False), ("   ", None, False), ("?!", None, False), ('""', None, False),
])
def test_search_text_is_a_number_a_full_text_search_or_nothing(typed: str, number: int | None,
                                                                full_text: bool) -> None:
    search = read_search(typed)
    assert search.number == number
    assert search.is_full_text == full_text
    assert search.is_empty == (number is None and not full_text)


def test_only_the_domain_decides_whether_search_text_is_a_ticket_number() -> None:
    """The ticket list's model, the first page's shortcut and the filter's SQL each decided
    again (three layers); now they take `read_search`'s answer."""
    root = Path(__file__).resolve().parents[2] / "ticketdesk"
    for module in ("ui/ticket_model.py", "services/ticket_list.py", "db/ticket_query.py"):
        source = (root / module).read_text(encoding="utf-8")
        assert "parse_number(" not in source, module
        assert "parse_query(" not in source, module
        assert "read_search(" in source, module


def test_the_list_finds_a_number_exactly_searches_words_and_ignores_punctuation(
        system: Session) -> None:
    first = tickets.create_ticket(system, subject="printer jam").new_id
    tickets.create_ticket(system, subject="network down")
    assert ticket_list.count(system.store, TicketFilter(text=format_number(first))) == 1
    assert ticket_list.count(system.store, TicketFilter(text="printer")) == 1
    assert ticket_list.count(system.store, TicketFilter(text="?!")) == 2
    page = ticket_list.first_page(system.store, TicketFilter(text="printer"), Sort())
    assert [row.id for row in page] == [first]
