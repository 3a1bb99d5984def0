"""Drafts: text an agent has typed on a ticket but not sent or saved yet.

Where drafts live, and why: in the desk's own database (table `draft`, migration 3), one row per
agent, ticket and kind, replaced while the agent types (the dock writes at most about once a
second, and again when the agent switches tickets or closes the window). So a half-written reply
survives switching tickets, closing the window, a crash or a power cut (the write is a normal
durable transaction), follows the agent to another computer on a shared PostgreSQL desk, is
backed up with the desk, and stays as private as the desk file (0600). QSettings was the
alternative: per computer only, in a world-readable file beside the user's other settings, and
not the place for customer correspondence.

Kinds name what the text is for: "reply" (the conversation box), "note" (a new internal note),
"resolution" (the note given when resolving), "subject", "category", "description" (an open
edit of that field) and "note:<id>" (an open edit of one note). `base_version` is the version
an open edit started from, so a restored edit still meets the conflict check against what the
agent actually read. Drafts are not activity: writing one changes nothing anyone else sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import fn

from ticketdesk.db.models import Draft as DraftRow
from ticketdesk.db.models import Ticket
from ticketdesk.domain.errors import ValidationError
from ticketdesk.services.session import Session

_KIND = re.compile(r"^[a-z_]{1,30}(:[0-9]{1,18})?$")


@dataclass(frozen=True)
class Draft:
    ticket_id: int
    kind: str
    body: str
    base_version: int | None
    updated_at: int


@dataclass(frozen=True)
class DraftEdit:
    """One draft to store (`body` given) or discard (`body` None)."""

    ticket_id: int
    kind: str
    body: str | None
    base_version: int | None = None


def _check_kind(kind: str) -> str:
    if not _KIND.match(kind):
        raise ValidationError(f"{kind!r} is not a kind of draft.")
    return kind


def _storable(body: str) -> str:
    """Exactly what was typed, except NUL, which PostgreSQL cannot store (the real save refuses
    it with a message; a draft should never fail over it)."""
    return body.replace("\x00", "\ufffd")


def save_drafts(session: Session, edits: Iterable[DraftEdit]) -> None:
    """Store and discard several drafts in one transaction (one disk sync for a whole flush).
    The system (no agent) keeps no drafts."""
    wanted = [DraftEdit(e.ticket_id, _check_kind(e.kind), e.body, e.base_version)
              for e in edits]
    if session.agent_id is None or not wanted:
        return
    agent = session.agent_id
    now = session.now()
    with session.store.write(quiet=True):  # typing is no news for other windows
        # A ticket deleted meanwhile (services/recycle_bin.py) takes its drafts with it.
        live = {t for (t,) in Ticket.select(Ticket.id).where(
            Ticket.id.in_(sorted({e.ticket_id for e in wanted}))).tuples()}
        for edit in wanted:
            if edit.ticket_id not in live:
                continue
            if edit.body is None:
                DraftRow.delete().where(
                    (DraftRow.agent == agent) & (DraftRow.ticket == edit.ticket_id)
                    & (DraftRow.kind == edit.kind)).execute()
                continue
            body = _storable(edit.body)
            (DraftRow.insert(agent=agent, ticket=edit.ticket_id, kind=edit.kind, body=body,
                             base_version=edit.base_version, updated_at=now)
             .on_conflict(conflict_target=[DraftRow.agent, DraftRow.ticket, DraftRow.kind],
                          update={DraftRow.body: body,
                                  DraftRow.base_version: edit.base_version,
                                  DraftRow.updated_at: now})
             .execute())


def save_draft(session: Session, ticket_id: int, kind: str, body: str,
               base_version: int | None = None) -> None:
    save_drafts(session, [DraftEdit(ticket_id, kind, body, base_version)])


def discard_draft(session: Session, ticket_id: int, kind: str) -> None:
    save_drafts(session, [DraftEdit(ticket_id, kind, None)])


def drafts_for(session: Session, ticket_id: int) -> dict[str, Draft]:
    """The agent's drafts on one ticket, by kind (one primary-key range read)."""
    if session.agent_id is None:
        return {}
    with session.store.read():
        return _drafts_for(session.agent_id, ticket_id)


def _drafts_for(agent_id: int, ticket_id: int) -> dict[str, Draft]:
    query = (DraftRow.select(DraftRow.kind, DraftRow.body, DraftRow.base_version,
                             DraftRow.updated_at)
             .where((DraftRow.agent == agent_id) & (DraftRow.ticket == ticket_id))
             .tuples())
    return {kind: Draft(ticket_id, kind, body, base, at) for kind, body, base, at in query}


def tickets_with_drafts(session: Session) -> list[int]:
    """Tickets where the agent has unsent text, most recently written first."""
    if session.agent_id is None:
        return []
    query = (DraftRow.select(DraftRow.ticket, fn.max(DraftRow.updated_at).alias("last"))
             .where(DraftRow.agent == session.agent_id).group_by(DraftRow.ticket)
             .order_by(fn.max(DraftRow.updated_at).desc(), DraftRow.ticket).tuples())
    return [int(tid) for tid, _ in query]
