"""Helpers shared by the tests: making tickets through the services, and the story desks the
analytics and list tests build (ticketdesk/ARCHITECTURE.md, "Writes and what changed": every
ticket here is made the way a user's click makes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ticketdesk.db.store import Store
from ticketdesk.services import tickets
from ticketdesk.services.session import Session

SUBJECT = "Printer on fire"


def new_ticket(session: Session, subject: str = SUBJECT, **fields: Any) -> int:
    """A new ticket made by `session` through `tickets.create_ticket`; its id."""
    return tickets.create_ticket(session, subject=subject, **fields).new_id


@dataclass
class Desk:
    """A desk filled with a story: its store, the story's tickets by story number, and its
    people by name."""

    store: Store
    tickets: dict[int, int] = field(default_factory=dict)
    """Story number -> ticket id."""
    people: dict[str, int] = field(default_factory=dict)
    """Name -> agent id."""

    def ids(self, *numbers: int) -> list[int]:
        return [self.tickets[n] for n in numbers]

    def story_number(self, ticket_id: int) -> int:
        return next(n for n, tid in self.tickets.items() if tid == ticket_id)
