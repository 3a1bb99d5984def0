"""The bulk path into a database: what `generate` needs from a backend-specific writer.

One writer per generation, one transaction from `begin` to `finish` (or `abort`): SQLite writes
through APSW `executemany` (`sqlite_bulk`), PostgreSQL through COPY (`postgres_bulk`).
"""

from __future__ import annotations

from typing import Protocol

from ticketdesk.db.store import Store
from ticketdesk.services.demo.plan import DeskPlan, DeskState
from ticketdesk.services.demo.progress import Reporter
from ticketdesk.services.demo.rows import ChunkRows


class BulkWriter(Protocol):
    batched: bool
    """Whether `write_chunk` takes rows grouped for multi-row INSERTs (`ChunkRows.batched`)."""

    def begin(self, tickets: int) -> None:
        """Open the transaction and take the write lock (for a demo of `tickets`)."""

    def has_tickets(self) -> bool: ...

    def desk_state(self) -> DeskState:
        """Ids and names already on the desk, which the demo must not reuse."""

    def prepare(self, tickets: int) -> None:
        """Bulk-load settings; drop the indexes `finish` rebuilds."""

    def write_people(self, plan: DeskPlan) -> None: ...

    def write_chunk(self, rows: ChunkRows) -> None: ...

    def finish(self, done: int, units: int) -> None:
        """Rebuild indexes, move sequences, commit; reports progress from `done` over `units`."""

    def abort(self) -> None:
        """Roll back everything since `begin`."""


def writer_for(store: Store, progress: Reporter) -> BulkWriter:
    if store.is_sqlite:
        from ticketdesk.services.demo.sqlite_bulk import SqliteBulk

        return SqliteBulk(store, progress)
    from ticketdesk.services.demo.postgres_bulk import PostgresBulk

    return PostgresBulk(store, progress)
