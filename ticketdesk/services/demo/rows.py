"""What generating one chunk of tickets produces: rows ready for the bulk writers.

Tickets, tags, assignees and search documents carry final ids. Messages, notes and attachments
are numbered from 1 within the chunk (`local` ids), and so are the activity rows' references to
them, because a chunk is generated without knowing how many messages earlier chunks made; the
writer adds each table's running offset while inserting. That is what lets chunks be generated in
any process and any order and still give the same desk.

For SQLite the plain tables are also `batched`: runs of `GROUP` rows flattened into one tuple of
values, for multi-row INSERT statements. SQLite then does its per-statement work (autoincrement
bookkeeping, statement reset) once per group instead of once per row, which more than halves
the cost of an activity row in the writing process; the flattening happens in the worker.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, field, fields
from itertools import chain
from typing import Any

Row = tuple[Any, ...]
GROUP = 50
"""Rows per multi-row INSERT statement (SQLite)."""
BATCHED = ("tickets", "ticket_tags", "assignees", "messages", "notes", "activity")


@dataclass
class ChunkRows:
    index: int
    tickets: list[Row] = field(default_factory=list)
    """(id, subject, description, status, priority, category, customer_id, created_at,
    updated_at, first_response_at, resolved_at, closed_at, version)"""
    ticket_tags: list[Row] = field(default_factory=list)
    """(ticket_id, tag_id)"""
    assignees: list[Row] = field(default_factory=list)
    """(ticket_id, agent_id)"""
    messages: list[Row] = field(default_factory=list)
    """(local_id, ticket_id, incoming, agent_id, body, created_at)"""
    notes: list[Row] = field(default_factory=list)
    """(local_id, ticket_id, author_id, body, created_at, updated_at, version)"""
    attachments: list[Row] = field(default_factory=list)
    """(local_id, ticket_id, local_message_id or None, name, mime, size, sha256, created_at,
    agent_id)"""
    contents: list[Row] = field(default_factory=list)
    """(local_attachment_id, data)"""
    activity: list[Row] = field(default_factory=list)
    """(ticket_id, agent_id, at, kind, old, new, local_ref_id or None, ticket_version); the
    reference is local to the table its kind points at (message, note or attachment)."""
    search: list[Row] = field(default_factory=list)
    """(ticket_id, ref, subject, body, talk, notes), already folded as domain.search does."""
    groups: dict[str, list[Row]] = field(default_factory=dict)
    """After `batched`: per table, the values of GROUP rows at a time; the table's own list
    keeps the rows after the last full group."""

    def count(self, table: str) -> int:
        return len(getattr(self, table)) + len(self.groups.get(table, ())) * GROUP

    def batched(self) -> ChunkRows:
        """Group the rows of the plain tables for multi-row INSERTs (in place)."""
        for name in BATCHED:
            rows: list[Row] = getattr(self, name)
            full = len(rows) - len(rows) % GROUP
            self.groups[name] = [tuple(chain.from_iterable(rows[i:i + GROUP]))
                                 for i in range(0, full, GROUP)]
            setattr(self, name, rows[full:])
        return self


    def pack(self) -> bytes:
        """The rows as bytes for the trip from a worker process: marshal is several times
        faster than pickle for plain tuples of numbers and strings, in both directions."""
        return marshal.dumps(tuple(getattr(self, f.name) for f in fields(self)))

    @classmethod
    def unpack(cls, data: bytes) -> ChunkRows:
        """Only ever bytes `pack` made in our own worker process, never outside input."""
        return cls(*marshal.loads(data))  # noqa: S302 - our own data, see above


MESSAGE_KINDS = ("message_in", "message_out")
ATTACHMENT_KINDS = ("attached", "detached")
