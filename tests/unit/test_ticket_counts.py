"""The dock's tab titles: messages, notes and activity rows of one ticket, counted in SQL."""

from __future__ import annotations

from ticketdesk.services import messages, notes, tickets
from ticketdesk.services.session import Session
from ticketdesk.services.ticket_counts import TicketCounts, ticket_counts


def test_counts_follow_what_is_added_to_one_ticket_only(alice: Session) -> None:
    tid = tickets.create_ticket(alice, subject="Printer on fire").new_id
    other = tickets.create_ticket(alice, subject="Scanner jams").new_id
    assert ticket_counts(alice.store, tid) == TicketCounts(messages=0, notes=0, activity=1)
    messages.add_message(alice, tid, "Hello?", incoming=True)
    messages.add_message(alice, tid, "Hi!")
    note_id, _ = notes.add_note(alice, tid, "Called back")
    notes.delete_note(alice, note_id, 1)
    assert ticket_counts(alice.store, tid) == TicketCounts(messages=2, notes=0, activity=5)
    assert ticket_counts(alice.store, other) == TicketCounts(messages=0, notes=0, activity=1)


def test_a_missing_ticket_counts_nothing(alice: Session) -> None:
    assert ticket_counts(alice.store, 12345) == TicketCounts(0, 0, 0)
