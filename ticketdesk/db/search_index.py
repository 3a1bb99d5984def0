"""Keeps the full-text index current: one document per ticket, rebuilt from its texts.

A ticket's document is its number, customer (name, email, company), subject, description, every
message, and every note with the resolution after them, folded by `domain.search`. Services call
`reindex` inside the same transaction as the change, so the index never disagrees with what was
saved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from peewee import JOIN

from ticketdesk.db.models import Customer, Message, Note, Ticket
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.search import document


def documents_for(ticket_ids: Sequence[int]) -> list[tuple[int, tuple[str, ...]]]:
    if not ticket_ids:
        return []
    talk: dict[int, list[str]] = defaultdict(list)
    for tid, body in (Message.select(Message.ticket, Message.body)
                      .where(Message.ticket.in_(ticket_ids)).order_by(Message.id).tuples()):
        talk[tid].append(body)
    notes: dict[int, list[str]] = defaultdict(list)
    for tid, body in (Note.select(Note.ticket, Note.body)
                      .where(Note.ticket.in_(ticket_ids)).order_by(Note.id).tuples()):
        notes[tid].append(body)
    rows = (Ticket.select(Ticket.id, Ticket.subject, Ticket.description, Customer.name,
                          Customer.email, Customer.company, Ticket.resolution)
            .join(Customer, on=(Ticket.customer == Customer.id), join_type=JOIN.LEFT_OUTER)
            .where(Ticket.id.in_(ticket_ids)).tuples())
    return [ticket_document(tid, subject, description, name, email, company,
                            talk.get(tid, ()), [*notes.get(tid, ()), *([resolution] if resolution
                                                                        else [])])
            for tid, subject, description, name, email, company, resolution in rows]


def ticket_document(ticket_id: int, subject: str, description: str, name: str | None,
                    email: str | None, company: str | None, talk: Sequence[str],
                    notes: Sequence[str]) -> tuple[int, tuple[str, ...]]:
    """One ticket's document as (id, (ref, subject, body, talk, notes)), folded; the one
    definition every path that writes the index uses (services, bulk rebuilds, migration)."""
    return (ticket_id, (
        document(format_number(ticket_id), name, email, company),
        document(subject),
        document(description),
        document(*talk),
        document(*notes),
    ))


def reindex(backend: Any, db: Any, ticket_ids: Iterable[int]) -> None:
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), 500):
        backend.replace_search_docs(db, documents_for(ids[start:start + 500]))
