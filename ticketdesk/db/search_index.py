"""Keeps the full-text index current: one document per ticket, rebuilt from its texts.

A ticket's document is its number, customer (name, email, company), subject, description, every
message, and every note with the resolution after them, folded by `domain.search`. Services call
`reindex` inside the same transaction as the change, so the index never disagrees with what was
saved.

Only a bounded part of long texts is indexed (`PART_BYTES`); the texts themselves are kept whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from peewee import JOIN

from ticketdesk.db.models import Customer, Message, Note, Ticket
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.search import document

PART_BYTES = (10_000, 10_000, 100_000, 100_000, 100_000)
"""How much of each part of a document (ref, subject, body, talk, notes) is indexed, in UTF-8
bytes of folded text: the first 100 KB (about 15,000 words) of the description, of the
conversation and of the notes. PostgreSQL refuses a tsvector past 1 MB (1,048,575 bytes of
lexemes and positions), which four 300,000-character messages of distinct words pass. An indexed
word costs at most three bytes of tsvector per byte of text (a one-letter word: its letter, a
2-byte position count and a 2-byte position, for the letter and its space), so these 320 KB can
never reach the limit. SQLite's FTS5 has no such limit, but indexes the same part, so both
engines find the same tickets and a desk moves between them without losing anything; the texts
themselves are stored whole. Every path that writes the index goes through `bounded`."""


def bounded(folded: str, part: int) -> str:
    """The first `PART_BYTES[part]` bytes of a folded document part, cut at a word boundary
    (a word is never indexed half)."""
    limit = PART_BYTES[part]
    if len(folded) * 4 <= limit:  # no character takes more than 4 bytes: short, nothing to cut
        return folded
    data = folded.encode()
    if len(data) <= limit:
        return folded
    head = data[:limit + 1].decode("utf-8", "ignore")
    return head.rsplit(" ", 1)[0] if " " in head else ""


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
    """One ticket's document as (id, (ref, subject, body, talk, notes)), folded and bounded;
    the one definition every path that writes the index uses (services, bulk rebuilds,
    migration)."""
    return (ticket_id, tuple(bounded(text, part) for part, text in enumerate((
        document(format_number(ticket_id), name, email, company),
        document(subject),
        document(description),
        document(*talk),
        document(*notes),
    ))))


def reindex(backend: Any, db: Any, ticket_ids: Iterable[int]) -> None:
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), 500):
        backend.replace_search_docs(db, documents_for(ids[start:start + 500]))
