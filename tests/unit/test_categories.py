"""Categories as a managed list (issue 19): tickets take the list's spelling, rename and merge
rewrite the tickets with a row each, delete clears them, the filter finds them. On SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest

from tests.helpers import new_ticket
from tests.unit.support import activity
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import Sort, TicketFilter
from ticketdesk.services import categories, ticket_list, tickets
from ticketdesk.services.session import Session


def _id(session: Session, name: str) -> int:
    return next(c.id for c in categories.list_categories(session) if c.name == name)


def _category(tid: int) -> str:
    return tickets.get_ticket(tid).category


def test_a_new_tickets_category_joins_the_list_in_one_spelling(alice: Session) -> None:
    first = new_ticket(alice, category="Billing")
    second = new_ticket(alice, category="billing")
    assert _category(first) == _category(second) == "Billing"
    assert [(c.name, c.tickets) for c in categories.list_categories(alice)] == [("Billing", 2)]


def test_a_write_that_adds_a_category_says_the_lists_changed(alice: Session) -> None:
    """So the views that offer categories (the filter bar, the dock's completion) read the
    list again; a name the list holds already changes no list."""
    first = tickets.create_ticket(alice, subject="Refund", category="Billing")
    assert first.tags
    second = tickets.create_ticket(alice, subject="Again", category="billing")
    assert not second.tags
    tid = second.new_id
    assert tickets.edit_ticket(alice, tid, 1, category="Warranty").tags
    assert not tickets.edit_ticket(alice, tid, 2, category="BILLING").tags
    assert [c.name for c in categories.list_categories(alice)] == ["Billing", "Warranty"]


def test_adding_a_category_twice_is_refused(alice: Session) -> None:
    categories.add_category(alice, "Shipping")
    with pytest.raises(ValidationError, match="already exists"):
        categories.add_category(alice, "shipping")


def test_renaming_rewrites_every_ticket_with_a_row_each(alice: Session) -> None:
    tid = new_ticket(alice, category="Biling")
    categories.rename_category(alice, _id(alice, "Biling"), "Billing")
    assert _category(tid) == "Billing"
    row = activity(tid)[-1]
    assert (row.kind, row.old, row.new) == ("category", "Biling", "Billing")


def test_merging_moves_the_tickets(alice: Session) -> None:
    tid = new_ticket(alice, category="Invoices")
    new_ticket(alice, category="Billing")
    categories.merge_categories(alice, _id(alice, "Invoices"), _id(alice, "Billing"))
    assert _category(tid) == "Billing"
    assert [c.name for c in categories.list_categories(alice)] == ["Billing"]


def test_deleting_clears_the_tickets(alice: Session) -> None:
    tid = new_ticket(alice, category="Spam")
    assert categories.category_in_use(alice, _id(alice, "Spam")) == 1
    categories.delete_category(alice, _id(alice, "Spam"))
    assert _category(tid) == ""
    assert categories.list_categories(alice) == []


def test_the_category_filter_finds_exactly_its_tickets(alice: Session) -> None:
    billing = new_ticket(alice, category="Billing")
    new_ticket(alice, category="Shipping")
    new_ticket(alice)
    f = TicketFilter(categories=frozenset({"Billing"}))
    assert ticket_list.count(alice.store, f) == 1
    assert [r.id for r in ticket_list.first_page(alice.store, f, Sort(), limit=10)] == [billing]


def test_searching_a_categorys_name_finds_its_tickets(alice: Session) -> None:
    billing = new_ticket(alice, subject="Card declined", category="Billing")
    said = new_ticket(alice, subject="Billing address wrong")
    new_ticket(alice, subject="Other", category="Shipping")
    f = TicketFilter(text="billing")
    assert ticket_list.count(alice.store, f) == 2
    assert sorted(r.id for r in ticket_list.first_page(alice.store, f, Sort())) == sorted(
        [billing, said])
