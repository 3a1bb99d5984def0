"""How much a ticket holds, for the dock's tab titles ("Conversation (12)"): three counts over
the per-ticket indexes in one query, so the titles are right before a tab is ever opened."""

from __future__ import annotations

from typing import Any, NamedTuple

from peewee import fn

from ticketdesk.db.models import Activity, Message, Note, Ticket
from ticketdesk.db.store import Store


class TicketCounts(NamedTuple):
    messages: int
    notes: int
    activity: int


def ticket_counts(store: Store, ticket_id: int) -> TicketCounts:
    """Zeros for a ticket that does not exist."""
    def count(model: Any) -> Any:
        return model.select(fn.count(model.id)).where(model.ticket == ticket_id)

    row = (Ticket.select(count(Message), count(Note), count(Activity))
           .where(Ticket.id == ticket_id).bind(store.db).tuples().first())
    if row is None:
        return TicketCounts(0, 0, 0)
    return TicketCounts(*(int(v or 0) for v in row))
