"""Plain values the services return to the UI and the command line (no peewee objects escape,
so a view never triggers a lazy query)."""

from __future__ import annotations

from dataclasses import dataclass

from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.status import Priority, Status


@dataclass(frozen=True)
class AgentRecord:
    id: int
    name: str
    email: str
    active: bool


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    name: str
    email: str
    phone: str
    company: str
    external_id: str | None
    tags: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class TicketDetail:
    id: int
    subject: str
    description: str
    status: Status
    priority: Priority
    category: str
    customer: CustomerRecord | None
    assignees: tuple[AgentRecord, ...]
    tags: tuple[str, ...]
    created_at: int
    updated_at: int
    first_response_at: int | None
    resolved_at: int | None
    closed_at: int | None
    version: int
    resolution: str = ""
    """How it was resolved ("" when it is not; cleared by a reopen)."""

    @property
    def number(self) -> str:
        return format_number(self.id)


@dataclass(frozen=True)
class NoteRecord:
    id: int
    ticket_id: int
    author: str
    author_id: int | None
    body: str
    created_at: int
    updated_at: int
    version: int


@dataclass(frozen=True)
class AttachmentRecord:
    id: int
    ticket_id: int
    message_id: int | None
    name: str
    mime: str
    size: int
    sha256: str
    created_at: int
    agent: str


@dataclass(frozen=True)
class MessageRecord:
    id: int
    ticket_id: int
    incoming: bool
    agent: str
    agent_id: int | None
    body: str
    created_at: int
    attachments: tuple[AttachmentRecord, ...]


@dataclass(frozen=True)
class ActivityRecord:
    id: int
    ticket_id: int
    agent: str
    at: int
    kind: str
    old: str | None
    new: str | None
    text: str


SYSTEM = "System"
