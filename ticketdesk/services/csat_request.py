"""Asking the customer for a rating by email when a ticket is resolved (issue 21), and reading
their answer.

The request is per desk (desk_meta key `csat.request`, JSON, so every desktop of a team desk
asks alike): whether to ask, and the template, whose placeholders are checked when it is saved
(`{name}`, `{number}`, `{subject}`, `{agent}`; `{{` and `}}` for braces). When a ticket moves
to Resolved (`services/tickets.apply_status` calls `on_resolved` inside its transaction), the
request is added to the conversation as the system and queued in the mail outbox (kind `csat`)
in the same transaction — only when asking is on, the desk has a mailbox and the customer an
address. The outbox gives it its Message-ID, so a customer's reply threads to it.

The mail intake (services/mail/intake.py) asks `answers_request` whether a mail to a resolved
or closed ticket replies to a request; if its text reads as a rating (`domain.csat.parse_reply`:
1-5 or Good / Bad in several languages, at the start), the rating is recorded with the rest as
its comment (`services/csat.record`, source email: one per resolution, a later answer changes
it, each an activity row) and the mail is kept in the conversation without reopening the
ticket. Anything else is an ordinary reply and reopens it as before.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import Any

from peewee import fn

from ticketdesk.db.models import Agent, Customer, DeskMeta, Message, Outbox, TicketAssignee
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.numbers import format_number
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

SETTINGS_KEY = "csat.request"
KIND = "csat"
"""The outbox kind of a rating request."""
PLACEHOLDERS = ("name", "number", "subject", "agent")
TEMPLATE_MAX = 4000
DEFAULT_TEMPLATE = (
    "Hello {name},\n\n"
    "Your request {number} ({subject}) has been resolved. How did we do?\n\n"
    "Reply to this mail with a number from 1 (poor) to 5 (excellent), or simply Good or Bad, "
    "at the start of your answer. Anything you write after it reaches us as your comment.\n\n"
    "Thank you,\n{agent}\n"
)


@dataclass(frozen=True)
class RequestSettings:
    enabled: bool = False
    template: str = DEFAULT_TEMPLATE


def check_template(template: str) -> str:
    """The template, stripped, or a ValidationError naming what is wrong with it."""
    clean = template.replace("\x00", "").replace("\r\n", "\n").strip()
    if not clean:
        raise ValidationError("The rating request cannot be empty.")
    if len(clean) > TEMPLATE_MAX:
        raise ValidationError(f"The rating request can be at most {TEMPLATE_MAX:,} characters.")
    try:
        specs = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(clean)
                 if f is not None]
    except ValueError as exc:
        raise ValidationError(f"The rating request has a stray brace ({exc}); write {{{{ and "
                              "}} for a brace itself.") from exc
    fields = [f for f, _, _ in specs]
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for name, spec, conv in specs:
        if name not in PLACEHOLDERS or spec or conv:
            shown = "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            raise ValidationError(f"The rating request uses {shown}, which is not a "
                                  f"placeholder. The placeholders are {known}.")
    if "number" not in fields:
        raise ValidationError("The rating request must name the ticket, {number}, so the "
                              "customer knows what they rate.")
    return clean


def load() -> RequestSettings:
    """The desk's rating request (inside the caller's transaction)."""
    row = DeskMeta.get_or_none(DeskMeta.key == SETTINGS_KEY)
    if row is None:
        return RequestSettings()
    data = json.loads(row.value)
    return RequestSettings(bool(data.get("enabled", False)),
                           str(data.get("template") or DEFAULT_TEMPLATE))


def read(session: Session) -> RequestSettings:
    with session.store.read():
        return load()


def save(session: Session, settings: RequestSettings) -> Changes:
    clean = RequestSettings(settings.enabled, check_template(settings.template))
    value = json.dumps({"enabled": clean.enabled, "template": clean.template})
    with session.store.write():
        DeskMeta.insert(key=SETTINGS_KEY, value=value).on_conflict(
            conflict_target=[DeskMeta.key], update={DeskMeta.value: value}).execute()
    return Changes()


def render(template: str, *, name: str, number: str, subject: str, agent: str) -> str:
    return template.format(name=name, number=number, subject=subject, agent=agent).strip()


def request_subject(ticket_id: int, subject: str) -> str:
    return f"How did we do? [{format_number(ticket_id)}] {subject}".strip()


def on_resolved(session: Session, ticket: Any) -> bool:
    """Inside the resolving transaction: queue the rating request if the desk asks for one.
    True if queued."""
    from ticketdesk.services import messages
    from ticketdesk.services.mail.outbox import insert_outbox, new_message_id
    from ticketdesk.services.mail.settings import load_settings

    settings = load()
    if not settings.enabled:
        return False
    mail = load_settings()
    customer_id = ticket.customer_id
    if mail is None or customer_id is None:
        return False
    customer = (Customer.select(Customer.name, Customer.email)
                .where(Customer.id == customer_id).tuples().first())
    if customer is None or not customer[1]:
        return False
    ticket_id = int(ticket.id)
    subject = str(ticket.subject or "")
    agents = [n for (n,) in Agent.select(Agent.name)
              .join(TicketAssignee, on=(TicketAssignee.agent == Agent.id))
              .where(TicketAssignee.ticket == ticket_id).order_by(Agent.name).tuples()]
    body = render(settings.template, name=customer[0], number=format_number(ticket_id),
                  subject=subject, agent=", ".join(agents) or mail.name or mail.address)
    system = session.as_agent(None)
    messages.add_message(system, ticket_id, body)
    message_id = int(Message.select(fn.max(Message.id)).where(Message.ticket == ticket_id)
                     .scalar())
    insert_outbox(system, message_id, ticket_id, KIND, customer[1],
                  request_subject(ticket_id, subject), new_message_id(mail.address), "")
    return True


def answers_request(ticket_id: int, message_ids: list[str]) -> bool:
    """Whether a mail whose In-Reply-To/References hold `message_ids` answers a rating request
    of this ticket."""
    if not message_ids:
        return False
    return bool(Outbox.select().join(Message, on=(Outbox.message == Message.id))
                .where((Message.ticket == ticket_id) & (Outbox.kind == KIND)
                       & Outbox.rfc_message_id.in_(message_ids)).exists())
