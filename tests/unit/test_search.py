"""Full-text search through the ticket list, on both engines: every text a ticket carries is
found, the index follows every edit, and a full ticket number finds exactly that ticket."""

from __future__ import annotations

import pytest

from tests.unit.test_domain_search import NASTY
from ticketdesk.db.store import Store
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.services import customers, messages, notes, ticket_list, tickets
from ticketdesk.services.session import Session


def found(store: Store, text: str) -> list[int]:
    """Ticket ids the search box shows for `text`, in number order."""
    ids = ticket_list.id_snapshot(store, TicketFilter(text=text), Sort(SortKey.NUMBER, False))
    assert ticket_list.count(store, TicketFilter(text=text)) == len(ids)
    return [int(i) for i in ids]


@pytest.fixture
def desk(store: Store, alice: Session, system: Session) -> dict[str, int]:
    ann, _ = customers.create_customer(system, "Ann Ångström", email="ann@fjord.example",
                                       company="Nordlicht GmbH")
    printer = tickets.create_ticket(alice, subject="Printer on fire",
                                    description="Smoke from the fuser unit", customer_id=ann).new_id
    refund = tickets.create_ticket(alice, subject="Refund for order 4711",
                                   description="Card declined twice at the Café").new_id
    login = tickets.create_ticket(alice, subject="Cannot log in",
                                  description="Password reset mail never arrives").new_id
    messages.add_message(alice, login, "Please check the spam folder", incoming=False)
    messages.add_message(alice, login, "Found it in quarantine", incoming=True)
    notes.add_note(alice, refund, "Escalated to the payments provider")
    return {"printer": printer, "refund": refund, "login": login, "ann": ann}


WHERE_TEXT_IS = [  # (what is typed, which tickets it finds)
    ("printer", ["printer"]),                      # subject
    ("fuser", ["printer"]),                        # description
    ("ångström", ["printer"]),                     # customer name, accents as typed
    ("angstrom", ["printer"]),                     # ... or without them
    ("ANGSTRÖM", ["printer"]),                     # ... in any case
    ("ann@fjord.example", ["printer"]),            # customer email
    ("nordlicht", ["printer"]),                    # customer company
    ("spam folder", ["login"]),                    # an outgoing message
    ("quarantine", ["login"]),                     # an incoming message
    ("payments provider", ["refund"]),             # a note
    ("4711", ["refund"]),                          # a number inside the text
    ("café", ["refund"]),
    ("CAFÉ", ["refund"]),
    ("cafe", ["refund"]),
    ("the ", ["printer", "refund", "login"]),      # every ticket with the word
    ("refu", ["refund"]),                          # the last word is still being typed
    ("declined card", ["refund"]),                 # words in any order
    ('"card declined"', ["refund"]),               # a phrase, in order
    ('"declined card"', []),                       # ... not out of order
    ("refund printer", []),                        # every word must appear in one ticket
    ("smok", ["printer"]),
    ("smok ", []),                                 # a trailing space ends the word
    ("nothing like this", []),
]


def test_search_finds_every_text_a_ticket_carries(store: Store, desk: dict[str, int]) -> None:
    # One desk for all cases (a desk per case would cost seconds); every mismatch is listed.
    wrong = {text: found(store, text) for text, names in WHERE_TEXT_IS
             if found(store, text) != [desk[n] for n in names]}
    assert wrong == {}


def test_a_full_ticket_number_finds_exactly_that_ticket(store: Store, alice: Session) -> None:
    ids = [tickets.create_ticket(alice, subject=f"Ticket {i}").new_id for i in range(1, 13)]
    # Ticket 12's subject mentions ticket 1; only the number search is exact.
    tickets.edit_ticket(alice, ids[11], 1, subject="Follow-up to TKT-000001 and 1")
    assert found(store, "TKT-000001") == [ids[0]]
    assert found(store, "tkt-1") == [ids[0]]
    assert found(store, "#12") == [ids[11]]
    assert found(store, "TKT-000099") == []


def test_an_edited_subject_is_found_by_its_new_words_only(store: Store, desk: dict[str, int],
                                                          alice: Session) -> None:
    tickets.edit_ticket(alice, desk["printer"], 1, subject="Scanner jammed",
                        description="Paper stuck")
    assert found(store, "printer") == []
    assert found(store, "fuser") == []
    assert found(store, "scanner paper") == [desk["printer"]]


def test_notes_are_searchable_after_edit_and_gone_after_delete(
        store: Store, desk: dict[str, int], alice: Session) -> None:
    note_id, _ = notes.add_note(alice, desk["printer"], "Ordered a new drum")
    assert found(store, "drum") == [desk["printer"]]
    notes.edit_note(alice, note_id, 1, "Ordered a new toner")
    assert found(store, "drum") == []
    assert found(store, "toner") == [desk["printer"]]
    notes.delete_note(alice, note_id, 2)
    assert found(store, "toner") == []


def test_a_resolution_is_searchable_until_a_reopen_clears_it(store: Store,
                                                             desk: dict[str, int],
                                                             alice: Session) -> None:
    tickets.set_status(alice, desk["login"], 1, "resolved", note="Whitelisted the sender")
    assert found(store, "whitelisted") == [desk["login"]]
    with store.write():
        store.backend.rebuild_search(store.db, [desk["login"]])
    assert found(store, "whitelisted") == [desk["login"]]
    tickets.set_status(alice, desk["login"], 2, "open")
    assert found(store, "whitelisted") == []


def test_a_renamed_customer_is_found_by_the_new_name_on_all_their_tickets(
        store: Store, desk: dict[str, int], alice: Session, system: Session) -> None:
    second = tickets.create_ticket(alice, subject="Toner low", customer_id=desk["ann"]).new_id
    customers.update_customer(system, desk["ann"], 1, name="Ann Berg", email="ann@berg.example",
                              company="Berg AG")
    assert found(store, "angstrom") == []
    assert found(store, "nordlicht") == []
    assert found(store, "berg") == [desk["printer"], second]


def test_changing_a_ticket_customer_moves_it_between_searches(
        store: Store, desk: dict[str, int], alice: Session) -> None:
    tickets.set_customer(alice, desk["printer"], 1, None)
    tickets.set_customer(alice, desk["refund"], 1, desk["ann"])
    assert found(store, "nordlicht") == [desk["refund"]]


def test_search_combines_with_the_other_filters(store: Store, desk: dict[str, int],
                                                alice: Session) -> None:
    tickets.set_status(alice, desk["refund"], 1, "closed")
    closed_only = TicketFilter(text="the", statuses=frozenset({tickets.Status.CLOSED}))
    assert ticket_list.count(store, closed_only) == 1
    assert [r.id for r in ticket_list.first_page(store, closed_only, Sort())] == [desk["refund"]]


def test_no_search_text_raises(store: Store, desk: dict[str, int]) -> None:
    for text in NASTY:
        found(store, text)


@pytest.mark.parametrize("text", ["", "   ", "!!!", '""'])
def test_text_without_words_does_not_filter(store: Store, desk: dict[str, int],
                                            text: str) -> None:
    assert found(store, text) == sorted(v for k, v in desk.items() if k != "ann")
