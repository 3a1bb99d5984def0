"""The conversation with the customer: replies (outgoing) and customer messages (incoming)."""

from __future__ import annotations

from collections.abc import Sequence

from peewee import JOIN

from ticketdesk.db.models import Agent, Message, Ticket
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.status import Status
from ticketdesk.services import audit
from ticketdesk.services.attachments import NewFile, attachments_for, store_files
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import SYSTEM, MessageRecord
from ticketdesk.services.session import Session
from ticketdesk.services.tickets import apply_status

EXCERPT = 200


def add_message(session: Session, ticket_id: int, body: str, *, incoming: bool = False,
                files: Sequence[NewFile] = ()) -> Changes:
    """Add a turn to the conversation.

    The first outgoing message by an agent sets the ticket's first response time
    (ticketdesk/ARCHITECTURE.md, "Data"); one sent as the system (an automatic acknowledgement, a
    script) does not. A customer message on a Waiting or Resolved ticket puts it back to Open (the
    ball is in our court again), recorded in the activity like any status change; on a Closed ticket
    it stays Closed until an agent reopens it.
    """
    clean = text.body(body, "message", required=not files)
    checked = [f.checked() for f in files]
    if not clean and not checked:
        raise ValidationError("The message cannot be empty.")
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        version = ticket.version
        status = Status(ticket.status)
        changes = Changes(tickets=frozenset({ticket_id}), conversation=True,
                          attachments=bool(checked))
        if incoming and status in (Status.WAITING, Status.RESOLVED):
            version = apply_status(session, ticket, status, Status.OPEN)
        message_id = int(Message.insert(ticket=ticket_id, incoming=incoming,
                                        agent=session.agent_id, body=clean,
                                        created_at=session.now()).execute())
        kind = ActivityKind.MESSAGE_IN if incoming else ActivityKind.MESSAGE_OUT
        audit.record(session, ticket_id, version, kind, None, _excerpt(clean), ref_id=message_id)
        store_files(session, ticket_id, version, checked, message_id=message_id)
        responds = not incoming and session.agent_id is not None
        first = {Ticket.first_response_at: session.now()} if (
            responds and ticket.first_response_at is None) else {}
        audit.touch_ticket(session, ticket_id, first)
        session.store.reindex([ticket_id])
    return changes


def _excerpt(body: str) -> str:
    line = " ".join(body.split())
    return line if len(line) <= EXCERPT else line[: EXCERPT - 1] + "…"


def messages_for(ticket_id: int) -> list[MessageRecord]:
    """The whole conversation, oldest first, with each message's attachments."""
    files: dict[int | None, list] = {}
    for a in attachments_for(ticket_id):
        files.setdefault(a.message_id, []).append(a)
    query = (Message.select(Message.id, Message.incoming, Message.agent, Message.body,
                            Message.created_at, Agent.name)
             .join(Agent, on=(Message.agent == Agent.id), join_type=JOIN.LEFT_OUTER)
             .where(Message.ticket == ticket_id).order_by(Message.created_at, Message.id).tuples())
    return [MessageRecord(mid, ticket_id, bool(incoming), name or SYSTEM, agent_id, body, at,
                          tuple(files.get(mid, ())))
            for mid, incoming, agent_id, body, at, name in query]


def read_conversation(session: Session, ticket_id: int) -> list[MessageRecord]:
    """The conversation as the window shows it, read in one snapshot of the session's desk
    (the window calls this off its GUI thread)."""
    with session.store.read():
        return messages_for(ticket_id)
