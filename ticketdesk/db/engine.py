"""What services may ask of a database engine, as one typed interface.

SQL that only one engine understands lives in `db/`, never in a service: the engine-specific
query shapes of analytics (SQLite's `INDEXED BY` shortcuts over id intervals, a temporary table
for a filter's tickets, PostgreSQL's LATERAL probes) and of copying a whole desk (COPY, setting
indexes and triggers aside, id sequences, planner statistics). A service gets the engine of its
store with `engine_for(store)` and calls it by name; it never compares engine names itself.

`sqlite_engine.SqliteEngine` and `postgres_engine.PostgresEngine` implement it; the backends
(`sqlite_backend`, `postgres_backend`) keep connecting, searching and locking.
See ticketdesk/ARCHITECTURE.md, "Storage rules".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ticketdesk.db.store import Store

Row = tuple[Any, ...]
RowWriter = Callable[[list[Row]], None]
Where = Callable[[Any], Any]
"""A query's own conditions (the report's filter) added to a condition."""


class Deferred(Protocol):
    """What a bulk load set aside (indexes, constraints, triggers) and puts back at the end."""

    def put_back(self, db: Any, *, search: bool) -> None: ...


class Engine(Protocol):
    """Everything engine-specific a service needs; see the module docstring."""

    name: str
    whole_desk_pass: bool
    """Whether a report of every ticket (All time) reads its per-ticket figures (cards and the
    status, priority and category breakdowns) in one grouped pass over the table: PostgreSQL
    scans it in parallel in about half the time of six index reads; SQLite, reading the wide
    rows one by one, takes seconds where its narrow indexes take hundreds of ms."""
    id_shortcuts: bool
    """Whether analytics may count over id intervals (`id_span` and the `*_in_id_span`,
    `*_window` and `*_listed` methods below); without, only the general queries are used."""

    # -- analytics ----------------------------------------------------------------------------

    def list_filter(self, db: Any, condition: Any) -> Any | None:
        """List the tickets `condition` matches once for a report, and return the condition
        that probes that list, or None when the engine is better served by the condition itself.
        `drop_filter_list` removes the list."""
        ...

    def drop_filter_list(self, db: Any) -> None: ...

    def per_link(self, column: Any, select: Callable[[Any], list[Any]], condition: Any,
                 where: Where) -> Any:
        """SELECT `select(link column)` over the tickets matching `where(condition)`, joined to
        their rows of `column`'s link table (tags, assignees), grouped by the link column: the
        period's tickets first, then each one's few link rows."""
        ...

    def whole_join(self, db: Any) -> AbstractContextManager[None]:
        """Around a query that joins two tables read whole, each from an index in key order
        (every assignment with its ticket's times: the agents table of All time), inside the
        report's transaction: the engine's way to make that an ordered merge."""
        ...

    def probing(self, db: Any, few: bool) -> AbstractContextManager[None]:
        """Around queries that join each of `few` (True) rows (a month's ratings) to its ticket
        and link rows, inside the report's transaction: the engine's way to make them probe
        the tickets' keys instead of reading whole tables. `few` False: nothing changes."""
        ...

    def rows_by_ticket_priority(self, db: Any, query: Any) -> list[Row]:
        """The rows of `query`, a SELECT that joins a period's rows (ratings) to the ticket
        only for its priority, without a filter: the engine's narrowest way to that priority."""
        ...

    def day_number(self, column: Any, starts: Sequence[int]) -> Any | None:
        """An expression numbering `column`'s day (0 from `starts[0]`; `starts` ascending, one
        more than the days) for a GROUP BY over the period's rows, or None: the engine is
        better served by a join of the days to each day's index range."""
        ...

    def id_span(self, db: Any, start: int, end: int) -> tuple[int, int, int]:
        """(count, min id, max id) of the tickets created in [start, end)."""
        ...

    def tags_in_id_span(self, db: Any, lo: int, hi: int) -> dict[int, int]:
        """{tag id: tickets} for the tickets with ids in [lo, hi]."""
        ...

    def tags_of_intruders(self, db: Any, lo: int, hi: int, start: int,
                          end: int) -> dict[int, int]:
        """{tag id: tickets} for ids in [lo, hi] created outside [start, end)."""
        ...

    def tags_of_listed(self, db: Any) -> dict[int, int]:
        """{tag id: tickets} of the listed filter tickets (`list_filter`)."""
        ...

    def agent_rows_all(self, db: Any) -> list[Row]:
        """The agents table when every ticket is inside the period, without a filter."""
        ...

    def agent_rows_of_listed(self, db: Any) -> list[Row]:
        """The agents table when every ticket is inside the period, for the listed tickets."""
        ...

    def agent_rows_in_window(self, db: Any, start: int, end: int, lo: int,
                             hi: int) -> list[Row]:
        """The agents table from the id window [lo, hi] plus the tickets outside it answered,
        resolved or closed in [start, end); one row per agent, summed."""
        ...

    def created_closed_in_id_span(self, db: Any, lo: int, hi: int, start: int,
                                  end: int) -> int:
        """Tickets with ids in [lo, hi] created in [start, end) and closed before `end`."""
        ...

    def sla_rows_in_window(self, db: Any, link: str, start: int, end: int, lo: int, hi: int,
                           now: int) -> list[Row]:
        """SLA analytics per `link` ("agent" or "tag") for the tickets with ids in [lo, hi]
        created in [start, end), outcomes at `now`: (link id, tickets, first response met,
        decided, resolution met, decided), one row per link id."""
        ...

    # -- copying a whole desk -----------------------------------------------------------------

    def snapshot(self, db: Any) -> AbstractContextManager[Any]:
        """One consistent read of the whole desk."""
        ...

    def bulk_writing(self, store: Store) -> AbstractContextManager[Any]:
        """The write transaction of a bulk load (with the desk's write turn where the engine
        has one), and its tables locked against other writers."""
        ...

    def lock_tables(self, db: Any, tables: Sequence[str]) -> None: ...

    def boolean(self, value: Any) -> Any:
        """A stored boolean as this engine takes it (0/1 or True/False)."""
        ...

    def row_writer(self, db: Any, table: str, columns: Sequence[str]) -> RowWriter:
        """A function that appends rows to `table` as fast as the engine allows."""
        ...

    def set_aside(self, db: Any, tables: Sequence[str]) -> Deferred | None:
        """Before a bulk load into empty `tables`: what the engine is faster without until the
        end (None: nothing)."""
        ...

    def last_used_id(self, db: Any, table: str, column: str) -> int:
        """The highest id `table`'s sequence ever handed out (0: none)."""
        ...

    def continue_sequence(self, db: Any, table: str, column: str, last: int) -> None:
        """Make `table`'s next id come after `last`."""
        ...

    def search_documents(self, db: Any) -> int:
        """How many documents the full-text index holds."""
        ...

    def after_bulk_load(self, db: Any, tables: Sequence[str]) -> None:
        """After a committed bulk load: fresh planner statistics where the engine keeps them."""
        ...

    def checkpoint(self, db: Any) -> None:
        """Everything written is in the main database file (before it is closed and moved)."""
        ...


def engine_for(store: Store) -> Engine:
    """The engine of `store`'s database."""
    if store.is_sqlite:
        from ticketdesk.db.sqlite_engine import SQLITE

        return SQLITE
    from ticketdesk.db.postgres_engine import POSTGRES

    return POSTGRES
