"""Internal notes: seen by agents only, editable and deletable. Every edit is kept in the
activity trail with the old text; a deletion keeps who and when but removes the note's text
from the trail too (issue 19: a deleted note is gone, not hidden)."""

from __future__ import annotations

from typing import Any

from peewee import JOIN

from ticketdesk.db import recycle_sql
from ticketdesk.db.models import Activity, Agent, Note
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind, describe
from ticketdesk.domain.errors import ChangeSeen, ConflictError, NotFoundError, ValidationError
from ticketdesk.domain.numbers import format_number
from ticketdesk.services import audit
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import SYSTEM, NoteRecord
from ticketdesk.services.session import Session

NOT_YOURS = ("On this team desk you may edit or delete only the notes you wrote; an admin may "
             "change any note. Nothing was changed.")
"""The server's row-level security (migration 15) let the update or delete touch no row."""


def add_note(session: Session, ticket_id: int, body: str) -> tuple[int, Changes]:
    clean = text.body(body, "note", required=True)
    with session.store.write():
        ticket = audit.fetch_ticket(ticket_id)
        now = session.now()
        note_id = int(Note.insert(ticket=ticket_id, author=session.agent_id, body=clean,
                                  created_at=now, updated_at=now).execute())
        audit.record(session, ticket_id, ticket.version, ActivityKind.NOTE_ADDED, None, clean,
                     ref_id=note_id)
        audit.touch_ticket(session, ticket_id)
        session.store.reindex([ticket_id])
    return note_id, Changes(tickets=frozenset({ticket_id}), notes=True)


def _fetch(note_id: int, expected_version: int) -> Any:
    note = Note.get_or_none(Note.id == note_id)
    if note is None:
        raise NotFoundError("That note was deleted by someone else.")
    if note.version != expected_version:
        raise _conflict(note, expected_version)
    return note


def _conflict(note: Any, read_version: int) -> ConflictError:
    """Like a ticket conflict, say who edited the note since `read_version`: each edit bumped
    the note's version once and left one `note_edited` row, so they are its latest rows."""
    missed = max(int(note.version) - read_version, 0)
    rows = list(
        Activity.select(Activity.at, Activity.kind, Activity.old, Activity.new, Agent.name)
        .join(Agent, on=(Activity.agent == Agent.id), join_type=JOIN.LEFT_OUTER)
        .where((Activity.ticket == note.ticket_id) & (Activity.ref_id == note.id)
               & (Activity.kind == ActivityKind.NOTE_EDITED.value))
        .order_by(Activity.id.desc()).limit(missed).tuples()) if missed else []
    seen = tuple(ChangeSeen(name or SYSTEM, at, describe(kind, old, new))
                 for at, kind, old, new, name in reversed(rows))
    return ConflictError(f"A note on {format_number(note.ticket_id)}", read_version,
                         int(note.version), seen)


def edit_note(session: Session, note_id: int, expected_version: int, body: str) -> Changes:
    clean = text.body(body, "note", required=True)
    with session.store.write():
        note = _fetch(note_id, expected_version)
        if clean == note.body:
            return Changes()
        done = Note.update(body=clean, updated_at=session.now(), version=Note.version + 1).where(
            (Note.id == note_id) & (Note.version == expected_version)).execute()
        if done != 1:  # changed between our read and this write (PostgreSQL)
            _fetch(note_id, expected_version)
            raise ValidationError(NOT_YOURS)  # unchanged, so the server's row security said no
        ticket = audit.fetch_ticket(note.ticket_id)
        audit.record(session, note.ticket_id, ticket.version, ActivityKind.NOTE_EDITED,
                     note.body, clean, ref_id=note_id)
        audit.touch_ticket(session, note.ticket_id)
        session.store.reindex([note.ticket_id])
    return Changes(tickets=frozenset({note.ticket_id}), notes=True)


def delete_note(session: Session, note_id: int, expected_version: int) -> Changes:
    with session.store.write():
        note = _fetch(note_id, expected_version)
        if Note.delete().where(Note.id == note_id).execute() != 1:
            _fetch(note_id, expected_version)
            raise ValidationError(NOT_YOURS)
        ticket = audit.fetch_ticket(note.ticket_id)
        audit.record(session, note.ticket_id, ticket.version, ActivityKind.NOTE_DELETED,
                     None, None, ref_id=note_id)
        recycle_sql.forget_note_text(session.store, note.ticket_id, note_id)
        audit.touch_ticket(session, note.ticket_id)
        session.store.reindex([note.ticket_id])
    return Changes(tickets=frozenset({note.ticket_id}), notes=True)


def notes_for(ticket_id: int) -> list[NoteRecord]:
    query = (Note.select(Note.id, Note.author, Note.body, Note.created_at, Note.updated_at,
                         Note.version, Agent.name)
             .join(Agent, on=(Note.author == Agent.id), join_type=JOIN.LEFT_OUTER)
             .where(Note.ticket == ticket_id).order_by(Note.created_at, Note.id).tuples())
    return [NoteRecord(nid, ticket_id, name or SYSTEM, author_id, body, created, updated, version)
            for nid, author_id, body, created, updated, version, name in query]


def read_notes(session: Session, ticket_id: int) -> list[NoteRecord]:
    """The ticket's notes, oldest first, read from the session's desk (off the GUI thread)."""
    with session.store.read():
        return notes_for(ticket_id)


def note_version(session: Session, note_id: int) -> int | None:
    """The note's version now (None if it was deleted): what "Re-apply" saves on top of."""
    with session.store.read():
        version = Note.select(Note.version).where(Note.id == note_id).scalar()
    return None if version is None else int(version)
