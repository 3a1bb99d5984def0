"""Files attached to a ticket (optionally to one message). The bytes live in the database, in
a table of their own; names are labels only and never become paths."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import JOIN

from ticketdesk.db.models import Agent, Attachment, AttachmentContent
from ticketdesk.domain import attachments as rules
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import NotFoundError
from ticketdesk.services import audit
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import SYSTEM, AttachmentRecord
from ticketdesk.services.session import Session


@dataclass(frozen=True)
class NewFile:
    name: str
    data: bytes
    mime: str | None = None

    def checked(self) -> NewFile:
        """Validated copy: a displayable name, the size limit, a MIME type."""
        name = rules.display_name(self.name)
        rules.check_size(name, len(self.data))
        return NewFile(name, bytes(self.data), self.mime or rules.guess_mime(name))


def store_files(session: Session, ticket_id: int, version: int, files: Iterable[NewFile],
                message_id: int | None = None) -> list[int]:
    """Insert already-checked files inside the caller's transaction, with activity rows."""
    ids = []
    for f in files:
        attachment_id = int(Attachment.insert(
            ticket=ticket_id, message=message_id, name=f.name, mime=f.mime, size=len(f.data),
            sha256=hashlib.sha256(f.data).hexdigest(), created_at=session.now(),
            agent=session.agent_id).execute())
        AttachmentContent.insert(attachment=attachment_id, data=f.data).execute()
        audit.record(session, ticket_id, version, ActivityKind.ATTACHED, None, f.name,
                     ref_id=attachment_id)
        ids.append(attachment_id)
    return ids


def attach(session: Session, ticket_id: int, file: NewFile) -> Changes:
    checked = file.checked()
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        store_files(session, ticket_id, ticket.version, [checked])
        audit.touch_ticket(session, ticket_id)
    return Changes(tickets=frozenset({ticket_id}), attachments=True)


def remove_attachment(session: Session, attachment_id: int) -> Changes:
    with session.store.write():
        row = Attachment.get_or_none(Attachment.id == attachment_id)
        if row is None:
            raise NotFoundError("That attachment was already removed.")
        ticket = audit.fetch_ticket(row.ticket_id)
        Attachment.delete().where(Attachment.id == attachment_id).execute()
        audit.record(session, row.ticket_id, ticket.version, ActivityKind.DETACHED, row.name,
                     None, ref_id=attachment_id)
        audit.touch_ticket(session, row.ticket_id)
    return Changes(tickets=frozenset({row.ticket_id}), attachments=True)


def attachment_data(attachment_id: int) -> bytes:
    data = (AttachmentContent.select(AttachmentContent.data)
            .where(AttachmentContent.attachment == attachment_id).scalar())
    if data is None:
        raise NotFoundError("That attachment was removed.")
    return bytes(data)


def attachments_for(ticket_id: int) -> list[AttachmentRecord]:
    query = (Attachment.select(Attachment, Agent.name.alias("agent_name"))
             .join(Agent, on=(Attachment.agent == Agent.id), join_type=JOIN.LEFT_OUTER)
             .where(Attachment.ticket == ticket_id).order_by(Attachment.created_at, Attachment.id))
    return [AttachmentRecord(a.id, a.ticket_id, a.message_id, a.name, a.mime, a.size, a.sha256,
                             a.created_at, getattr(a, "agent_name", None) or SYSTEM)
            for a in query.objects()]


def read_attachments(session: Session, ticket_id: int) -> list[AttachmentRecord]:
    """The ticket's files, read from the session's desk (off the GUI thread)."""
    with session.store.read():
        return attachments_for(ticket_id)


def read_attachment_data(session: Session, attachment_id: int) -> bytes:
    """A stored file's bytes, read from the session's desk (off the GUI thread)."""
    with session.store.read():
        return attachment_data(attachment_id)
