"""The outbox: every outgoing mail is a row written in the same transaction as the reply it
carries, with its Message-ID fixed there and then (ticketdesk/ARCHITECTURE.md, "Mail").

States: queued -> sending -> sent, or failed (with the reason; Retry puts it back in the queue).
A row found *sending* when a pass starts was interrupted between handing it to the server and
recording that: send.py sends it again with the same Message-ID, so the customer's mail program
shows one message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid
from typing import TYPE_CHECKING

from peewee import fn

from ticketdesk.db.models import Agent, Customer, Message, Outbox
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.mail_loops import within_rate
from ticketdesk.domain.mail_threading import (
    acknowledgement_subject,
    references_for_reply,
    reply_subject,
)
from ticketdesk.domain.numbers import format_number
from ticketdesk.services import audit, messages
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.changes import Changes
from ticketdesk.services.mail.parse import ParsedMail
from ticketdesk.services.mail.settings import require_settings
from ticketdesk.services.session import Session

if TYPE_CHECKING:
    from ticketdesk.services.mail.intake import IntakeRules

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
REPLY, ACK = "reply", "ack"


@dataclass(frozen=True)
class OutboxState:
    """What the conversation shows under an outgoing mail."""

    outbox_id: int
    message_id: int
    state: str
    attempts: int
    last_error: str | None
    updated_at: int


def new_message_id(address: str) -> str:
    domain = address.rpartition("@")[2].strip() or "ticketdesk.invalid"
    return make_msgid(domain=domain)


def _parent(ticket_id: int, exclude: int) -> tuple[str | None, str | None]:
    """(Message-ID, References) of the newest message of the ticket that has one, the
    customer's preferred: the reply answers it."""
    row = (Message.select(Message.rfc_message_id, Message.refs)
           .where((Message.ticket == ticket_id) & Message.rfc_message_id.is_null(False)
                  & (Message.id != exclude))
           .order_by(Message.incoming.desc(), Message.id.desc()).tuples().first())
    return (row[0], row[1]) if row else (None, None)


def _insert(session: Session, message_id: int, ticket_id: int, kind: str, to: str,
            subject: str, rfc_id: str, signature: str) -> int:
    parent_id, parent_refs = _parent(ticket_id, message_id)
    refs = references_for_reply(parent_refs, parent_id)
    Message.update(rfc_message_id=rfc_id, in_reply_to=parent_id, refs=refs,
                   channel="email").where(Message.id == message_id).execute()
    now = session.now()
    return int(Outbox.insert(
        message=message_id, kind=kind, state=QUEUED, attempts=0, rfc_message_id=rfc_id,
        to_address=to, subject=subject, in_reply_to=parent_id, refs=refs, signature=signature,
        next_attempt_at=0, created_at=now, updated_at=now).execute())


insert_outbox = _insert
"""Queue an outgoing mail for a message already in the conversation (inside the caller's
transaction); services/csat_request.py queues its rating requests with it."""


def _newest_message(ticket_id: int) -> int:
    return int(Message.select(fn.max(Message.id)).where(Message.ticket == ticket_id).scalar())


def queue_reply(session: Session, ticket_id: int, body: str, *,
                files: Sequence[NewFile] = ()) -> Changes:
    """Add the agent's reply to the conversation and queue it for mail, in one transaction.
    The ticket's customer must have an address; the desk must have a mailbox."""
    settings = require_settings()
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        to = ""
        if ticket.customer_id is not None:
            to = Customer.select(Customer.email).where(
                Customer.id == ticket.customer_id).scalar() or ""
        if not to:
            raise ValidationError(f"{format_number(ticket_id)} has no customer with an email "
                                  "address to send the reply to.")
        changes = messages.add_message(session, ticket_id, body, files=files)
        message_id = _newest_message(ticket_id)
        signature = ""
        if session.agent_id is not None:
            signature = Agent.select(Agent.signature).where(
                Agent.id == session.agent_id).scalar() or ""
        _insert(session, message_id, ticket_id, REPLY, to,
                reply_subject(ticket_id, ticket.subject), new_message_id(settings.address),
                signature)
    return changes


def queue_acknowledgement(session: Session, ticket_id: int, mail: ParsedMail,
                          rules: IntakeRules) -> bool:
    """Inside the intake's transaction: queue the automatic answer to a new ticket's first mail,
    unless this sender got RATE_LIMIT of them within the window. True if queued."""
    own = rules.own_address or "ticketdesk.invalid"
    recent = [int(t) for (t,) in Outbox.select(Outbox.created_at).where(
        (Outbox.to_address == mail.sender) & (Outbox.kind == ACK)
        & (Outbox.created_at > session.now() - 86_400)).tuples()]
    if not within_rate(recent, session.now()):
        return False
    number = format_number(ticket_id)
    body = (rules.ack_template.replace("{number}", number)
            .replace("{subject}", mail.subject or "")
            .replace("{name}", mail.sender_name or mail.sender)).strip()
    system = session.as_agent(None)
    messages.add_message(system, ticket_id, body or number)
    message_id = _newest_message(ticket_id)
    _insert(system, message_id, ticket_id, ACK, mail.sender,
            acknowledgement_subject(ticket_id, mail.subject), new_message_id(own), "")
    return True


def retry(session: Session, outbox_id: int) -> Changes:
    """A failed mail back in the queue, to be sent at the next pass."""
    with session.store.write():
        row = Outbox.get_or_none(Outbox.id == outbox_id)
        if row is None:
            raise NotFoundError("That mail is no longer in the outbox.")
        if row.state != FAILED:
            return Changes()
        Outbox.update(state=QUEUED, next_attempt_at=0, updated_at=session.now()).where(
            Outbox.id == outbox_id).execute()
        ticket_id = Message.select(Message.ticket).where(Message.id == row.message_id).scalar()
    return Changes(tickets=frozenset({int(ticket_id)}), conversation=True)


def outbox_states(ticket_id: int) -> dict[int, OutboxState]:
    """Message id -> its outbox state, for the outgoing mails of one ticket."""
    query = (Outbox.select(Outbox.id, Outbox.message, Outbox.state, Outbox.attempts,
                           Outbox.last_error, Outbox.updated_at)
             .join(Message, on=(Outbox.message == Message.id))
             .where(Message.ticket == ticket_id).tuples())
    return {int(mid): OutboxState(int(oid), int(mid), state, int(attempts), error, int(at))
            for oid, mid, state, attempts, error, at in query}


def pending_count() -> int:
    return int(Outbox.select(fn.count(Outbox.id)).where(
        Outbox.state.in_([QUEUED, SENDING])).scalar() or 0)
