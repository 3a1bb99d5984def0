"""PostgreSQL's side of `db.engine.Engine`: LATERAL probes for analytics, and COPY, deferred
indexes and constraints, sequences and statistics for bulk copies.

PostgreSQL takes none of SQLite's id-interval shortcuts (its planner finds the period's tickets
from the time indexes itself), so the `*_in_id_span`, `*_window` and `*_listed` methods are
never asked (`id_shortcuts` is False) and say so if they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peewee import JOIN, SQL, fn

from ticketdesk.db.engine import Row, RowWriter, Where
from ticketdesk.db.models import Ticket
from ticketdesk.domain.errors import TicketdeskError

if TYPE_CHECKING:
    from ticketdesk.db.store import Store

SEARCH_TABLE = "ticket_search"


@dataclass
class PostgresDeferred:
    """What a PostgreSQL bulk load sets aside and puts back, inside its own transaction (as
    pg_restore does): secondary indexes (built once from all rows instead of maintained row by
    row), foreign keys (validated in one join instead of one probe per row) and the change
    notification triggers (one "reload everything" at the end instead of one per batch)."""

    indexes: list[tuple[str, str]]
    foreign_keys: list[tuple[str, str, str]]
    tables: list[str]

    def put_back(self, db: Any, *, search: bool) -> None:
        """The search index's own pieces (search=True) go back after its documents."""
        for table, sql in self.indexes:
            if (table == SEARCH_TABLE) == search:
                db.execute_sql(sql)
        for table, name, definition in self.foreign_keys:
            if (table == SEARCH_TABLE) == search:
                db.execute_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        if search:
            for table in self.tables:
                db.execute_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
            db.execute_sql(
                "SELECT pg_notify('ticketdesk_' || oid::text, json_build_object("
                "'o', current_setting('application_name'), 'all', true)::text) "
                "FROM pg_namespace WHERE nspname = current_schema()")


class PostgresEngine:
    name = "postgresql"
    whole_desk_pass = True
    id_shortcuts = False

    # -- analytics ----------------------------------------------------------------------------

    def list_filter(self, db: Any, condition: Any) -> Any | None:
        """The planner handles the filter's subqueries well; nothing is listed."""
        return None

    def drop_filter_list(self, db: Any) -> None:
        """Nothing was listed."""

    def per_link(self, column: Any, select: Callable[[Any], list[Any]], condition: Any,
                 where: Where) -> Any:
        """PostgreSQL's default costs prefer hashing the whole link table (1.5M rows at 1M
        tickets: 0.3 s for a month where probing takes 0.1 s); a LATERAL subquery with OFFSET,
        which the planner may not flatten, makes it probe."""
        link = column.model
        rows = (link.select(column).where(link.ticket == Ticket.id).offset(0)
                .alias("link_rows"))
        value = getattr(rows.c, column.column_name)
        return (Ticket.select(*select(value)).join(rows, JOIN.LATERAL, on=SQL("TRUE"))
                .where(where(condition)).group_by(value))

    @contextmanager
    def whole_join(self, db: Any) -> Iterator[None]:
        """A merge of the two index-only scans, both in ticket id order, without JIT. Left to
        choose, PostgreSQL hashes a million ticket times in parallel with the default
        work_mem (16 batches spilled to disk) and compiles the aggregates: All time's agents
        table at 1M tickets took 2.1 s where the merge takes 1.2 (medians, a loaded 2-core
        machine). Both settings are put back for the rest of the report's transaction."""
        before = db.execute_sql("SELECT current_setting('enable_hashjoin'), "
                                "current_setting('jit')").fetchone()
        db.execute_sql("SELECT set_config('enable_hashjoin', 'off', true), "
                       "set_config('jit', 'off', true)")
        try:
            yield
        finally:
            db.execute_sql("SELECT set_config('enable_hashjoin', %s, true), "
                           "set_config('jit', %s, true)", before)

    def rows_by_ticket_priority(self, db: Any, query: Any) -> list[Row]:
        """The planner hashes the rows against the (priority, created_at, id) index already."""
        return list(db.execute(query).fetchall())

    def day_number(self, column: Any, starts: Sequence[int]) -> Any | None:
        """width_bucket's binary search over the days' bounds, in one pass over the covering
        index: All time's daily CSAT at 1M tickets (731 days, 198,456 ratings) took 136-316 ms
        as 731 index ranges joined to the days, 64-96 ms so."""
        return fn.width_bucket(column, SQL("%s::bigint[]", (list(starts),))) - 1

    @contextmanager
    def probing(self, db: Any, few: bool) -> Iterator[None]:
        """No hash or merge join, no JIT. With the default random_page_cost PostgreSQL prices
        11,000 key probes (a month's ratings at 1M tickets) above hashing a whole index of the
        tickets (1M entries) or the link tables in parallel: the CSAT breakdowns of Last 30 days
        took 400-700 ms where the probes take about 200 (tests/bench/bench_csat.py). The
        settings are put back for the rest of the report's transaction."""
        if not few:
            yield
            return
        names = ("enable_hashjoin", "enable_mergejoin", "jit")
        before = db.execute_sql("SELECT " + ", ".join(
            f"current_setting('{n}')" for n in names)).fetchone()
        db.execute_sql("SELECT " + ", ".join(f"set_config('{n}', 'off', true)" for n in names))
        try:
            yield
        finally:
            db.execute_sql("SELECT " + ", ".join(
                f"set_config('{n}', %s, true)" for n in names), before)

    def id_span(self, db: Any, start: int, end: int) -> tuple[int, int, int]:
        return self._no_shortcut()  # type: ignore[no-any-return]

    def _no_shortcut(self) -> Any:
        raise NotImplementedError("PostgreSQL takes no id-interval shortcut (id_shortcuts)")

    def tags_in_id_span(self, db: Any, lo: int, hi: int) -> dict[int, int]:
        return self._no_shortcut()  # type: ignore[no-any-return]

    def tags_of_intruders(self, db: Any, lo: int, hi: int, start: int,
                          end: int) -> dict[int, int]:
        return self._no_shortcut()  # type: ignore[no-any-return]

    def tags_of_listed(self, db: Any) -> dict[int, int]:
        return self._no_shortcut()  # type: ignore[no-any-return]

    def agent_rows_all(self, db: Any) -> list[Row]:
        return self._no_shortcut()  # type: ignore[no-any-return]

    def agent_rows_of_listed(self, db: Any) -> list[Row]:
        return self._no_shortcut()  # type: ignore[no-any-return]

    def agent_rows_in_window(self, db: Any, start: int, end: int, lo: int,
                             hi: int) -> list[Row]:
        return self._no_shortcut()  # type: ignore[no-any-return]

    def created_closed_in_id_span(self, db: Any, lo: int, hi: int, start: int,
                                  end: int) -> int:
        return self._no_shortcut()  # type: ignore[no-any-return]

    def sla_rows_in_window(self, db: Any, link: str, start: int, end: int, lo: int, hi: int,
                           now: int) -> list[Row]:
        return self._no_shortcut()  # type: ignore[no-any-return]

    # -- copying a whole desk -----------------------------------------------------------------

    @contextmanager
    def snapshot(self, db: Any) -> Iterator[None]:
        with db.atomic(isolation_level="REPEATABLE READ"):
            yield

    def bulk_writing(self, store: Store) -> AbstractContextManager[Any]:
        """The desk's write turn too, so desktops already connected to the empty desk wait (or
        are told it is busy)."""
        return store.backend.write_lock(store.db)

    def lock_tables(self, db: Any, tables: Sequence[str]) -> None:
        db.execute_sql("LOCK TABLE " + ", ".join(tables) + " IN EXCLUSIVE MODE")

    def boolean(self, value: Any) -> Any:
        return bool(value)

    def row_writer(self, db: Any, table: str, columns: Sequence[str]) -> RowWriter:
        cols = ", ".join(f'"{c}"' for c in columns)
        statement = f'COPY "{table}" ({cols}) FROM STDIN'

        def copy(rows: list[Row]) -> None:
            with db.connection().cursor() as cursor, cursor.copy(statement) as pipe:
                for row in rows:
                    pipe.write_row(row)

        return copy

    def set_aside(self, db: Any, tables: Sequence[str]) -> PostgresDeferred:
        """Drop secondary indexes and foreign keys and pause the desk's triggers for the load
        (the search table's too)."""
        names = [*tables, SEARCH_TABLE]
        db.execute_sql("SET LOCAL maintenance_work_mem = '256MB'")  # index builds at 1M rows
        indexes = [(table, sql) for table, _, sql in db.execute_sql(
            "SELECT t.relname, i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY t.relname, i.relname", (names,)).fetchall()]
        foreign_keys = [(str(t), str(n), str(d)) for t, n, d in db.execute_sql(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' "
            "AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s) "
            "ORDER BY t.relname, c.conname", (names,)).fetchall()]
        for table, name, _ in foreign_keys:
            db.execute_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name in db.execute_sql(
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                (names,)).fetchall():
            db.execute_sql(f'DROP INDEX "{name[0]}"')
        for table in names:
            db.execute_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        return PostgresDeferred(indexes, foreign_keys, names)

    def last_used_id(self, db: Any, table: str, column: str) -> int:
        (sequence,) = db.execute_sql("SELECT pg_get_serial_sequence(%s, %s)",
                                     (table, column)).fetchone()
        value, called = db.execute_sql(
            f"SELECT last_value, is_called FROM {sequence}").fetchone()
        return int(value) if called else int(value) - 1

    def continue_sequence(self, db: Any, table: str, column: str, last: int) -> None:
        db.execute_sql("SELECT setval(pg_get_serial_sequence(%s, %s), %s, true)",
                       (table, column, last))

    def search_documents(self, db: Any) -> int:
        return int(db.execute_sql(f"SELECT count(*) FROM {SEARCH_TABLE}").fetchone()[0])

    def after_bulk_load(self, db: Any, tables: Sequence[str]) -> None:
        """A million rows just arrived (the copy is already saved): fresh planner statistics,
        and the visibility map set so that index-only scans (the id snapshot, counts) need not
        visit the table, which autovacuum would otherwise do some time later."""
        names = [*tables, SEARCH_TABLE]
        with suppress(TicketdeskError):
            db.execute_sql("VACUUM (ANALYZE) " + ", ".join(f'"{t}"' for t in names))

    def checkpoint(self, db: Any) -> None:
        """The server keeps its own files."""


POSTGRES = PostgresEngine()
