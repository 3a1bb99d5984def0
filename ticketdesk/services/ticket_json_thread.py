"""The conversation, internal notes and files of a ticket as JSON, for the HTTP API and
`ticketdesk ticket reply | note` (the ticket object itself: services/ticket_json.py). Each
write goes through its service (messages, notes, attachments) in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peewee import fn

from ticketdesk.db.store import Store
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.numbers import format_number
from ticketdesk.services.attachments import attachments_for
from ticketdesk.services.session import Session
from ticketdesk.services.ticket_json import (
    attachment_object,
    refuse_unknown,
    text_field,
    ticket_id_of,
)


def add_message(session: Session, key: str | int, payload: Mapping[str, Any]) -> int:
    """A turn of the conversation: `{"body": ..., "direction": "in" | "out"}`; "in" is the
    customer's (it reopens a Waiting or Resolved ticket, as a mail would), "out" an agent's
    reply (the first one sets first_response_at). Returns the message id."""
    from ticketdesk.db.models import Message
    from ticketdesk.services import messages

    refuse_unknown(payload, frozenset({"body", "direction"}))
    direction = payload.get("direction", "out")
    if direction not in ("in", "out"):
        raise ValidationError('The direction is "in" (from the customer) or "out" (a reply).')
    ticket_id = ticket_id_of(key)
    with session.store.write():
        messages.add_message(session, ticket_id, text_field(payload, "body"),
                             incoming=direction == "in")
        return int(Message.select(fn.max(Message.id)).where(Message.ticket == ticket_id)
                   .scalar())


def add_note(session: Session, key: str | int, payload: Mapping[str, Any]) -> int:
    """An internal note: `{"body": ...}`. Returns the note id."""
    from ticketdesk.services import notes

    refuse_unknown(payload, frozenset({"body"}))
    note_id, _ = notes.add_note(session, ticket_id_of(key), text_field(payload, "body"))
    return note_id


def check_upload_name(name: str) -> None:
    """A file name sent by a program is a label, and one that looks like a path is refused
    outright (it is never a path here, but a name like `../../etc/passwd` is a probe)."""
    if not name.strip():
        raise ValidationError("Name the file: ?name=report.pdf")
    parts = name.replace("\\", "/").split("/")
    if len(parts) > 1 or name.strip() in (".", "..") or "\x00" in name or (
            len(name) > 1 and name[1] == ":"):
        raise ValidationError(f"{name!r} is a path, not a file name; send the name alone.")


def attach(session: Session, key: str | int, name: str, data: bytes,
           mime: str | None) -> dict[str, Any]:
    """Store a file on the ticket through services/attachments.py (its size limit and name
    rules); returns the attachment object."""
    from ticketdesk.services.attachments import NewFile, attach

    check_upload_name(name)
    ticket_id = ticket_id_of(key)
    kind = mime if mime and mime != "application/x-www-form-urlencoded" else None
    attach(session, ticket_id, NewFile(name, data, kind))
    with session.store.read():
        return attachment_object(attachments_for(ticket_id)[-1])


def attachment_file(store: Store, key: str | int,
                    attachment_id: int) -> tuple[dict[str, Any], bytes]:
    """An attachment of this ticket (another ticket's is NotFound) and its bytes."""
    from ticketdesk.services.attachments import attachment_data

    ticket_id = ticket_id_of(key)
    with store.read():
        found = [a for a in attachments_for(ticket_id) if a.id == attachment_id]
        if not found:
            raise NotFoundError(f"{format_number(ticket_id)} has no attachment "
                                f"{attachment_id}.")
        return attachment_object(found[0]), attachment_data(attachment_id)
