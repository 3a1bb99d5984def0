"""The CSAT figures by priority read each rating's ticket priority from a narrow index (issue 21).

On SQLite, `ticket_priority_by_id` holds each ticket's id and priority (about 20 bytes a ticket):
All time's CSAT by priority at 1,000,000 tickets (198,456 ratings) probed the wide ticket rows
by rowid in 430-530 ms (0.25 s CPU); the narrow index answers the same probes in 150-160 ms
(0.11 s CPU) (db/sqlite_engine.py forces it). PostgreSQL hashes the ratings against its
(priority, created_at, id) index already, or probes the key for a short period
(`Engine.probing`): nothing to add there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 28

SQLITE_INDEX = "CREATE INDEX ticket_priority_by_id ON ticket (id, priority)"


def apply(ctx: MigrationContext) -> None:
    if ctx.dialect.is_sqlite:
        ctx.execute(SQLITE_INDEX)
