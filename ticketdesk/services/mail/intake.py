"""A parsed mail becomes a new ticket or a turn of an existing one, in ONE transaction together
with the mailbox checkpoint, so a crash imports a message either wholly or not at all, and never
twice (ticketdesk/ARCHITECTURE.md, "Mail").

- A mail whose Message-ID is already stored is skipped (fetched twice, imported from a file
  after fetching, the same mail in two mailboxes).
- Threading follows `domain.mail_threading`: In-Reply-To/References, then `[TKT-…]`.
- A reply to a Resolved or Closed ticket reopens it (an activity row says so) within
  `reopen_days`; after that it starts a new ticket linked to the old one by activity rows.
- The sender is found as a customer by address (case-insensitive) or created.
- A new ticket's sender may get one acknowledgement, queued in the same transaction, never to a
  robot and at most `RATE_LIMIT` per sender an hour (`domain.mail_loops`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import fn

from ticketdesk.db.models import MailboxState, Message, Ticket
from ticketdesk.domain import text as text_rules
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.csat import Source
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.mail_loops import robot_reason
from ticketdesk.domain.mail_threading import match_ticket, number_in_subject, reference_candidates
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.status import Status
from ticketdesk.services import audit, csat, csat_request, messages
from ticketdesk.services.changes import NOTHING, Changes
from ticketdesk.services.customer_addresses import find_by_email
from ticketdesk.services.customers import create_customer
from ticketdesk.services.mail.parse import ParsedMail
from ticketdesk.services.mail.settings import DEFAULT_ACK, MailSettings
from ticketdesk.services.session import Session
from ticketdesk.services.tickets import apply_status, create_ticket

NO_SUBJECT = "(no subject)"
NO_TEXT = "(This message has no text.)"
DAY = 86_400


@dataclass(frozen=True)
class IntakeRules:
    reopen_days: int = 30
    acknowledge: bool = False
    ack_template: str = DEFAULT_ACK
    own_address: str = ""

    @staticmethod
    def of(settings: MailSettings | None) -> IntakeRules:
        if settings is None:
            return IntakeRules()
        return IntakeRules(settings.reopen_days, settings.acknowledge, settings.ack_template,
                           settings.address)


@dataclass(frozen=True)
class Checkpoint:
    """The IMAP position this message moves the mailbox's checkpoint to."""

    mailbox: str
    uidvalidity: int
    uid: int


@dataclass(frozen=True)
class IntakeResult:
    outcome: str
    """'created', 'appended', 'reopened', 'follow-up' or 'duplicate'."""
    ticket_id: int | None
    message_id: int | None
    changes: Changes
    acknowledged: bool = False
    problems: tuple[str, ...] = ()


def checkpoint_of(mailbox: str) -> tuple[int, int] | None:
    """(uidvalidity, last_uid) stored for `mailbox`, or None."""
    row = MailboxState.get_or_none(MailboxState.mailbox == mailbox)
    return None if row is None else (int(row.uidvalidity), int(row.last_uid))


def _passed(checkpoint: Checkpoint) -> bool:
    stored = checkpoint_of(checkpoint.mailbox)
    return stored is not None and stored[0] == checkpoint.uidvalidity \
        and stored[1] >= checkpoint.uid


def save_checkpoint(session: Session, checkpoint: Checkpoint) -> None:
    """Inside the caller's transaction."""
    values = {MailboxState.uidvalidity: checkpoint.uidvalidity,
              MailboxState.last_uid: checkpoint.uid, MailboxState.updated_at: session.now()}
    MailboxState.insert(mailbox=checkpoint.mailbox, uidvalidity=checkpoint.uidvalidity,
                        last_uid=checkpoint.uid, updated_at=session.now()).on_conflict(
        conflict_target=[MailboxState.mailbox], update=values).execute()


def take_in(session: Session, mail: ParsedMail, rules: IntakeRules | None = None, *,
            checkpoint: Checkpoint | None = None) -> IntakeResult:
    """Import one mail (and move the checkpoint) in one transaction."""
    rules = rules or IntakeRules()
    with session.store.write():
        if checkpoint is not None and _passed(checkpoint):
            return IntakeResult("duplicate", None, None, NOTHING, problems=mail.problems)
        result = _take_in(session, mail, rules)
        if checkpoint is not None:
            save_checkpoint(session, checkpoint)
    return result


def _take_in(session: Session, mail: ParsedMail, rules: IntakeRules) -> IntakeResult:
    stored = (Message.select(Message.id, Message.ticket)
              .where(Message.rfc_message_id == mail.message_id).tuples().first())
    if stored is not None:
        return IntakeResult("duplicate", int(stored[1]), int(stored[0]), NOTHING,
                            problems=mail.problems)
    candidates = reference_candidates(mail.in_reply_to, mail.references)
    known: dict[str, int] = {}
    if candidates:
        known = {mid: int(tid) for mid, tid in Message.select(
            Message.rfc_message_id, Message.ticket).where(
            Message.rfc_message_id.in_(candidates)).tuples()}
    number = number_in_subject(mail.subject)
    exists = {number: Ticket.select().where(Ticket.id == number).exists()} \
        if number is not None else {}
    match = match_ticket(candidates, known, mail.subject, exists)
    if match.ticket_id is None:
        return _new_ticket(session, mail, rules)
    ticket = audit.fetch_ticket(match.ticket_id)
    status = Status(ticket.status)
    if status in (Status.RESOLVED, Status.CLOSED):
        rated = _rating(session, ticket, mail, candidates)
        if rated is not None:
            return rated
        since = ticket.closed_at if status == Status.CLOSED else ticket.resolved_at
        if since is not None and session.now() - int(since) > rules.reopen_days * DAY:
            return _new_ticket(session, mail, rules, follow_up_of=int(ticket.id))
        changes = Changes(tickets=frozenset({int(ticket.id)}))
        if status == Status.CLOSED:  # add_message leaves a Closed ticket closed
            apply_status(session, ticket, status, Status.OPEN)
        message_id, more = _add(session, int(ticket.id), mail)
        return IntakeResult("reopened", int(ticket.id), message_id, changes | more,
                            problems=mail.problems)
    message_id, changes = _add(session, int(ticket.id), mail)
    return IntakeResult("appended", int(ticket.id), message_id, changes, problems=mail.problems)


def _rating(session: Session, ticket: Any, mail: ParsedMail,
            candidates: list[str]) -> IntakeResult | None:
    """An answer to the ticket's rating request that reads as a rating: recorded, and the mail
    kept in the conversation without reopening the ticket (services/csat_request.py). None for
    any other mail."""
    ticket_id = int(ticket.id)
    if not csat_request.answers_request(ticket_id, candidates):
        return None
    changes = csat.record_reply(session, ticket_id, mail.text or "", source=Source.EMAIL)
    if changes is None:
        return None
    body = text_rules.body(mail.text or NO_TEXT, "message", required=False) or NO_TEXT
    message_id = int(Message.insert(
        ticket=ticket_id, incoming=True, agent=None, body=body, created_at=session.now(),
        rfc_message_id=mail.message_id, in_reply_to=mail.in_reply_to, refs=mail.references,
        channel="email").execute())
    audit.record(session, ticket_id, int(audit.fetch_ticket(ticket_id).version),
                 ActivityKind.MESSAGE_IN, None, " ".join(body.split())[: messages.EXCERPT],
                 ref_id=message_id)
    session.store.reindex([ticket_id])
    return IntakeResult("rated", ticket_id, message_id,
                        changes | Changes(tickets=frozenset({ticket_id}), conversation=True),
                        problems=mail.problems)


def _add(session: Session, ticket_id: int, mail: ParsedMail) -> tuple[int, Changes]:
    """The mail as a customer message of the ticket, with its headers and files."""
    body = mail.text or ("" if mail.files else NO_TEXT)
    changes = messages.add_message(session, ticket_id, body, incoming=True, files=mail.files)
    message_id = int(Message.select(fn.max(Message.id)).where(Message.ticket == ticket_id)
                     .scalar())
    Message.update(rfc_message_id=mail.message_id, in_reply_to=mail.in_reply_to,
                   refs=mail.references, channel="email").where(
        Message.id == message_id).execute()
    return message_id, changes


def find_or_create_customer(session: Session, mail: ParsedMail) -> tuple[int | None, bool]:
    """(customer id, created) for the sender; None when the mail has no readable sender."""
    if not mail.sender:
        return None, False
    found = find_by_email(mail.sender)  # any of a customer's addresses
    if found is not None:
        return found, False
    name = mail.sender_name or mail.sender.partition("@")[0] or mail.sender
    try:
        email = text_rules.email(mail.sender)
    except ValidationError:
        email, name = "", f"{name} ({mail.sender[:150]})"
    try:
        customer_id, _ = create_customer(session, name[: text_rules.NAME_MAX], email=email)
    except ValidationError:
        customer_id, _ = create_customer(session, mail.sender[: text_rules.NAME_MAX] or
                                         "Unknown sender", email=email)
    return customer_id, True


def _new_ticket(session: Session, mail: ParsedMail, rules: IntakeRules, *,
                follow_up_of: int | None = None) -> IntakeResult:
    customer_id, new_customer = find_or_create_customer(session, mail)
    subject = mail.subject.strip() or NO_SUBJECT
    created = create_ticket(session, subject=subject, customer_id=customer_id, channel="email")
    ticket_id = created.new_id
    message_id, added = _add(session, ticket_id, mail)
    changes = created | added | Changes(customers=new_customer)
    outcome = "created"
    if follow_up_of is not None:
        audit.record(session, ticket_id, 1, ActivityKind.LINKED, None,
                     f"Follow-up of {format_number(follow_up_of)}", ref_id=follow_up_of)
        old = audit.fetch_ticket(follow_up_of)
        audit.record(session, follow_up_of, int(old.version), ActivityKind.LINKED, None,
                     f"Followed up by {format_number(ticket_id)}", ref_id=ticket_id)
        changes = changes | Changes(tickets=frozenset({follow_up_of}))
        outcome = "follow-up"
    acknowledged = False
    if rules.acknowledge and robot_reason(mail.headers, mail.sender, rules.own_address) is None:
        from ticketdesk.services.mail.outbox import queue_acknowledgement

        acknowledged = queue_acknowledgement(session, ticket_id, mail, rules)
    return IntakeResult(outcome, ticket_id, message_id, changes, acknowledged, mail.problems)
