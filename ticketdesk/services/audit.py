"""Activity rows and the optimistic version check every ticket update goes through."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peewee import JOIN

from ticketdesk.db.models import Activity, Agent, Ticket
from ticketdesk.domain.activity import ActivityKind, describe
from ticketdesk.domain.errors import ChangeSeen, ConflictError, NotFoundError
from ticketdesk.domain.numbers import format_number
from ticketdesk.services import sla
from ticketdesk.services.records import SYSTEM, ActivityRecord
from ticketdesk.services.session import Session


def fetch_ticket(ticket_id: int) -> Any:
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        raise NotFoundError(f"Ticket {format_number(ticket_id)} does not exist.")
    return ticket


def check_version(ticket: Any, expected_version: int) -> None:
    if ticket.version != expected_version:
        raise conflict(ticket.id, expected_version)


def conflict(ticket_id: int, read_version: int) -> ConflictError:
    """What happened to the ticket since `read_version`, for the message the user sees."""
    current = Ticket.select(Ticket.version).where(Ticket.id == ticket_id).scalar() or read_version
    rows = (Activity.select(Activity.at, Activity.kind, Activity.old, Activity.new, Agent.name)
            .join(Agent, on=(Activity.agent == Agent.id), join_type=JOIN.LEFT_OUTER)
            .where((Activity.ticket == ticket_id) & (Activity.ticket_version > read_version))
            .order_by(Activity.id).limit(50).tuples())
    seen = tuple(ChangeSeen(name or SYSTEM, at, describe(kind, old, new))
                 for at, kind, old, new, name in rows)
    return ConflictError(format_number(ticket_id), read_version, current, seen)


def save_ticket(session: Session, ticket: Any, updates: dict[Any, Any]) -> int:
    """Write `updates` and bump the version, guarded by the version read; returns the new one.

    The guard makes the check atomic on PostgreSQL too, where another transaction may commit
    between our read and this update.
    """
    now = session.now()
    values = {**updates, Ticket.version: Ticket.version + 1, Ticket.updated_at: now}
    done = (Ticket.update(values)
            .where((Ticket.id == ticket.id) & (Ticket.version == ticket.version)).execute())
    if done != 1:
        raise conflict(ticket.id, ticket.version)
    return int(ticket.version) + 1


def touch_ticket(session: Session, ticket_id: int, updates: dict[Any, Any] | None = None) -> None:
    """Mark the ticket updated without a version bump (a message or note appended to it)."""
    Ticket.update({Ticket.updated_at: session.now(), **(updates or {})}).where(
        Ticket.id == ticket_id).execute()


def record(session: Session, ticket_id: int, version: int, kind: ActivityKind,
           old: str | None = None, new: str | None = None, ref_id: int | None = None) -> None:
    Activity.insert(ticket=ticket_id, agent=session.agent_id, at=session.now(), kind=kind.value,
                    old=old, new=new, ref_id=ref_id, ticket_version=version).execute()
    _keep_sla_current(session, ticket_id, (kind,))


def record_many(session: Session, ticket_id: int, version: int,
                rows: list[tuple[ActivityKind, str | None, str | None]]) -> None:
    if rows:
        now = session.now()
        Activity.insert_many([
            {"ticket": ticket_id, "agent": session.agent_id, "at": now, "kind": kind.value,
             "old": old, "new": new, "ticket_version": version}
            for kind, old, new in rows
        ]).execute()
        _keep_sla_current(session, ticket_id, [kind for kind, _, _ in rows])


def _keep_sla_current(session: Session, ticket_id: int, kinds: Iterable[ActivityKind]) -> None:
    """The SLA hook: every change that can move a due time writes its activity row here, in
    its own transaction, so the ticket's stored SLA is refreshed in that same transaction."""
    if any(k.value in sla.HOOK_KINDS for k in kinds):
        sla.refresh(session, [ticket_id])


def activity_for(ticket_id: int, *, newest_first: bool = True,
                 limit: int | None = None) -> list[ActivityRecord]:
    order = Activity.id.desc() if newest_first else Activity.id
    query = (Activity.select(Activity.id, Activity.at, Activity.kind, Activity.old, Activity.new,
                             Agent.name)
             .join(Agent, on=(Activity.agent == Agent.id), join_type=JOIN.LEFT_OUTER)
             .where(Activity.ticket == ticket_id).order_by(order))
    if limit:
        query = query.limit(limit)
    return [ActivityRecord(aid, ticket_id, name or SYSTEM, at, kind, old, new,
                           describe(kind, old, new))
            for aid, at, kind, old, new, name in query.tuples()]


def read_activity(session: Session, ticket_id: int) -> list[ActivityRecord]:
    """The ticket's trail, newest first, read from the session's desk (off the GUI thread)."""
    with session.store.read():
        return activity_for(ticket_id)
