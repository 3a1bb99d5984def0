"""SQLite's side of `db.engine.Engine`: analytics shortcuts and bulk copies in SQL only SQLite
speaks (`INDEXED BY`, temporary tables, `sqlite_sequence`, FTS5's table).

Why the analytics shortcuts (plans checked with EXPLAIN QUERY PLAN at 1,000,000 tickets; see
services/analytics.py for where each is used):

- ids grow with creation time, so a period's tickets are (nearly) the id interval they span;
  the (tag_id, ticket_id) index counts an interval per tag directly, and the narrow
  `ticket_times` index (migration 4: id and the four lifecycle times, about 40 bytes a ticket)
  answers per-ticket times without reading the wide table rows;
- SQLite follows the written order of a CROSS JOIN, so "the period's tickets, then each one's
  few link rows" is written as such;
- a search, tag or assignee filter is a subquery SQLite builds again for every statement; a
  report lists its tickets once in a temporary table private to the connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from peewee import JOIN, SQL

from ticketdesk.db.engine import Deferred, Row, RowWriter, Where
from ticketdesk.db.models import Ticket

if TYPE_CHECKING:
    from ticketdesk.db.store import Store

FILTER_IDS = "temp.analytics_filter_ids"

# The all-time agents table without a filter: every time is inside the period, so the figures are
# plain counts and sums. SQLite would probe the wide table rows by rowid; `ticket_times` holds
# the same times in a b-tree 15 times smaller (m0004), which halves the time at 1M tickets.
_ALL_AGENTS = """
SELECT ta.agent_id, count(*), count(t.closed_at), count(t.resolved_at),
       sum(t.resolved_at - t.created_at), count(t.first_response_at),
       sum(t.first_response_at - t.created_at)
FROM ticket_assignee AS ta CROSS JOIN ticket AS t INDEXED BY ticket_times
WHERE t.id = ta.ticket_id
GROUP BY ta.agent_id
"""
# The agents table from an id window (see agent_rows_in_window). :s/:e is the period, :lo/:hi the
# window.
_AGENT_FIGURES = """
count(*),
sum(t.closed_at >= :s AND t.closed_at < :e),
sum(t.resolved_at >= :s AND t.resolved_at < :e),
sum(CASE WHEN t.resolved_at >= :s AND t.resolved_at < :e THEN t.resolved_at - t.created_at END),
sum(t.first_response_at >= :s AND t.first_response_at < :e),
sum(CASE WHEN t.first_response_at >= :s AND t.first_response_at < :e
    THEN t.first_response_at - t.created_at END)
"""
_HANDLED = """(
    (t.created_at >= :s AND t.created_at < :e) OR (t.closed_at >= :s AND t.closed_at < :e)
    OR (t.resolved_at >= :s AND t.resolved_at < :e)
    OR (t.first_response_at >= :s AND t.first_response_at < :e))"""
_AGENTS_IN_WINDOW = f"""
SELECT ta.agent_id, {_AGENT_FIGURES}
FROM ticket_assignee AS ta INDEXED BY ticket_assignee_agent
CROSS JOIN ticket AS t INDEXED BY ticket_times
WHERE ta.agent_id IN (SELECT id FROM agent) AND ta.ticket_id BETWEEN :lo AND :hi
  AND t.id = ta.ticket_id
  AND {_HANDLED}
GROUP BY ta.agent_id
"""
# (The tickets created in the period are all inside: the window is their id span.)
_OUTSIDE = "NOT (id BETWEEN :lo AND :hi)"
_AGENTS_OUTSIDE_WINDOW = f"""
SELECT ta.agent_id, {_AGENT_FIGURES}
FROM (SELECT id FROM ticket WHERE first_response_at >= :s AND first_response_at < :e
        AND {_OUTSIDE}
      UNION SELECT id FROM ticket WHERE resolved_at >= :s AND resolved_at < :e AND {_OUTSIDE}
      UNION SELECT id FROM ticket WHERE closed_at >= :s AND closed_at < :e AND {_OUTSIDE}) AS u
CROSS JOIN ticket AS t INDEXED BY ticket_times CROSS JOIN ticket_assignee AS ta
WHERE t.id = u.id AND ta.ticket_id = u.id
GROUP BY ta.agent_id
"""

# All time with a search, tag or assignee filter: from the listed tickets (list_filter).
_AGENTS_OF_LISTED = """
SELECT ta.agent_id, count(*), count(t.closed_at), count(t.resolved_at),
       sum(t.resolved_at - t.created_at), count(t.first_response_at),
       sum(t.first_response_at - t.created_at)
FROM temp.analytics_filter_ids AS f CROSS JOIN ticket_assignee AS ta
CROSS JOIN ticket AS t INDEXED BY ticket_times
WHERE ta.ticket_id = f.id AND t.id = f.id
GROUP BY ta.agent_id
"""
_TAGS_OF_LISTED = """
SELECT tt.tag_id, count(*) FROM temp.analytics_filter_ids AS f CROSS JOIN ticket_tag AS tt
WHERE tt.ticket_id = f.id GROUP BY tt.tag_id
"""

# Tags of an id interval, one (tag_id, ticket_id) index range per tag.
_TAGS_IN_ID_SPAN = """
SELECT tag_id, count(*) FROM ticket_tag
WHERE tag_id IN (SELECT id FROM tag) AND ticket_id BETWEEN ? AND ?
GROUP BY tag_id
"""
_TAGS_OF_INTRUDERS = """
SELECT tt.tag_id, count(*)
FROM ticket AS t INDEXED BY ticket_times CROSS JOIN ticket_tag AS tt
WHERE t.id BETWEEN ? AND ? AND NOT (t.created_at >= ? AND t.created_at < ?)
  AND tt.ticket_id = t.id
GROUP BY tt.tag_id
"""
# Closure Rate's numerator from an id interval: one covering range of `ticket_times`.
_CREATED_CLOSED_IN_ID_SPAN = """
SELECT count(*) FROM ticket INDEXED BY ticket_times
WHERE id BETWEEN ? AND ? AND created_at >= ? AND created_at < ? AND closed_at < ?
"""

# SLA figures per agent or tag from an id window (sla_rows_in_window): each agent's (tag's)
# range of the link table's (agent_id, ticket_id) index, in agent order (no sort for GROUP BY),
# each row's ticket read from the narrow `ticket_sla_by_id` index (migration 24); the
# created-at test keeps the window's few tickets of other periods out. Per row only the cheapest
# sums: met is `achieved <= due` (NULL when either is missing: not summed); decided is every
# due (`count`) less the pending ones — not achieved, due after now — which are counted apart
# from the period's unanswered and unresolved tickets (few; their own indexes) and subtracted
# (`+` keeps SQLite from probing each ticket's links once per agent).
_SLA_IN_WINDOW = """
SELECT l.{link}_id, count(*),
       sum(t.first_response_at <= t.first_response_due), count(t.first_response_due),
       sum(t.resolved_at <= t.resolution_due), count(t.resolution_due)
FROM {table} AS l INDEXED BY {table}_{link} CROSS JOIN ticket AS t INDEXED BY ticket_sla_by_id
WHERE l.{link}_id IN (SELECT id FROM {link}) AND l.ticket_id BETWEEN :lo AND :hi
  AND t.id = l.ticket_id AND t.created_at >= :s AND t.created_at < :e
GROUP BY l.{link}_id
"""
_SLA_PENDING = """
SELECT l.{link}_id,
       sum(t.first_response_at IS NULL AND t.first_response_due > :now),
       sum(t.resolved_at IS NULL AND t.resolution_due > :now)
FROM (SELECT id FROM ticket WHERE resolved_at IS NULL AND created_at >= :s AND created_at < :e
      UNION SELECT id FROM ticket WHERE first_response_at IS NULL
        AND created_at >= :s AND created_at < :e) AS u
CROSS JOIN ticket AS t INDEXED BY ticket_sla_by_id CROSS JOIN {table} AS l
WHERE t.id = u.id AND l.ticket_id = u.id AND +l.{link}_id IN (SELECT id FROM {link})
GROUP BY l.{link}_id
"""
_LINK_TABLES = {"agent": "ticket_assignee", "tag": "ticket_tag"}

class SqliteEngine:
    name = "sqlite"
    whole_desk_pass = False
    id_shortcuts = True

    # -- analytics ----------------------------------------------------------------------------

    def list_filter(self, db: Any, condition: Any) -> Any | None:
        """The filter's tickets as a temporary table, probed by rowid.

        A search, a tag or an assignee filter is a subquery whose ticket list SQLite builds
        again for every statement (14 per report; 90 ms each for a common search word at 1M
        tickets), and a status or priority filter needs the wide table row of every ticket it
        checks. Listed once per report, each statement only probes the list by rowid (a month
        of the 1M demo desk filtered on a search word: 1.7 s -> 0.5 s). The table is private to
        this connection; `drop_filter_list` drops it.
        """
        db.execute_sql(f"DROP TABLE IF EXISTS {FILTER_IDS}")
        db.execute_sql(f"CREATE TEMP TABLE {FILTER_IDS[5:]} (id INTEGER PRIMARY KEY)")
        sql, params = db.get_sql_context().sql(
            Ticket.select(Ticket.id).where(condition).order_by(Ticket.id)).query()
        # Checking that a listed id is a ticket reads the narrow `ticket_times`, not the row.
        source = 'FROM "ticket" AS "t1"'
        assert sql.count(source) >= 1
        sql = sql.replace(source, f'{source} INDEXED BY "ticket_times"', 1)
        db.execute_sql(f"INSERT INTO {FILTER_IDS} (id) {sql}", params)
        return Ticket.id.in_(SQL(f"(SELECT id FROM {FILTER_IDS})"))

    def drop_filter_list(self, db: Any) -> None:
        db.execute_sql(f"DROP TABLE IF EXISTS {FILTER_IDS}")

    def per_link(self, column: Any, select: Callable[[Any], list[Any]], condition: Any,
                 where: Where) -> Any:
        link = column.model
        return (Ticket.select(*select(column)).join(link, JOIN.CROSS)
                .where(where((link.ticket == Ticket.id) & condition))
                .group_by(column))

    def id_span(self, db: Any, start: int, end: int) -> tuple[int, int, int]:
        """From the (created_at, id) index alone."""
        row = db.execute_sql(
            "SELECT count(*), min(id), max(id) FROM ticket WHERE created_at >= ? AND "
            "created_at < ?", (start, end)).fetchone()
        return int(row[0]), int(row[1] or 0), int(row[2] or 0)

    def tags_in_id_span(self, db: Any, lo: int, hi: int) -> dict[int, int]:
        return {int(t): int(c) for t, c in db.execute_sql(_TAGS_IN_ID_SPAN, (lo, hi))}

    def tags_of_intruders(self, db: Any, lo: int, hi: int, start: int,
                          end: int) -> dict[int, int]:
        return {int(t): int(c)
                for t, c in db.execute_sql(_TAGS_OF_INTRUDERS, (lo, hi, start, end))}

    def tags_of_listed(self, db: Any) -> dict[int, int]:
        return {int(t): int(n) for t, n in db.execute_sql(_TAGS_OF_LISTED)}

    def whole_join(self, db: Any) -> AbstractContextManager[None]:
        """SQLite follows the query's join order already."""
        return nullcontext()

    def rows_by_ticket_priority(self, db: Any, query: Any) -> list[Row]:
        """Each ticket's priority from the narrow `ticket_priority_by_id` (migration 28) instead
        of its wide row: All time's CSAT by priority at 1M tickets 430-530 -> 150-160 ms."""
        sql, params = db.get_sql_context().sql(query).query()
        join = 'JOIN "ticket" AS "t1"'
        assert sql.count(join) == 1, sql
        sql = sql.replace(join, f'{join} INDEXED BY "ticket_priority_by_id"')
        return list(db.execute_sql(sql, params).fetchall())

    def day_number(self, column: Any, starts: Sequence[int]) -> Any | None:
        """The days joined to their index ranges (CROSS JOIN keeps the days first)."""
        return None

    def probing(self, db: Any, few: bool) -> AbstractContextManager[None]:
        """SQLite probes by rowid from the rows it reads first already."""
        return nullcontext()

    def agent_rows_all(self, db: Any) -> list[Row]:
        return list(db.execute_sql(_ALL_AGENTS).fetchall())

    def agent_rows_of_listed(self, db: Any) -> list[Row]:
        return list(db.execute_sql(_AGENTS_OF_LISTED).fetchall())

    def agent_rows_in_window(self, db: Any, start: int, end: int, lo: int,
                             hi: int) -> list[Row]:
        """The two parts are disjoint by id, so the sums are exact."""
        params = {"s": start, "e": end, "lo": lo, "hi": hi}
        merged: dict[int, list[int]] = {}
        for sql in (_AGENTS_IN_WINDOW, _AGENTS_OUTSIDE_WINDOW):
            for agent, *values in db.execute_sql(sql, params):
                totals = merged.setdefault(int(agent), [0] * len(values))
                for i, v in enumerate(values):
                    totals[i] += int(v or 0)
        return [(agent, *totals) for agent, totals in merged.items()]

    def created_closed_in_id_span(self, db: Any, lo: int, hi: int, start: int,
                                  end: int) -> int:
        row = db.execute_sql(_CREATED_CLOSED_IN_ID_SPAN, (lo, hi, start, end, end)).fetchone()
        return int(row[0])

    def sla_rows_in_window(self, db: Any, link: str, start: int, end: int, lo: int, hi: int,
                           now: int) -> list[Row]:
        """See _SLA_IN_WINDOW: the pending targets are subtracted from the dues."""
        params = {"s": start, "e": end, "lo": lo, "hi": hi, "now": now}
        names = {"link": link, "table": _LINK_TABLES[link]}
        pending = {int(key): (int(fr or 0), int(res or 0)) for key, fr, res in db.execute_sql(
            _SLA_PENDING.format(**names), params)}
        rows = []
        for key, tickets, fr_met, fr_due, res_met, res_due in db.execute_sql(
                _SLA_IN_WINDOW.format(**names), params):
            fr_pending, res_pending = pending.get(int(key), (0, 0))
            rows.append((key, tickets, int(fr_met or 0), int(fr_due) - fr_pending,
                         int(res_met or 0), int(res_due) - res_pending))
        return rows

    # -- copying a whole desk -----------------------------------------------------------------

    @contextmanager
    def snapshot(self, db: Any) -> Iterator[None]:
        with db.atomic("DEFERRED"):
            yield

    def bulk_writing(self, store: Store) -> AbstractContextManager[Any]:
        """A new desk file nobody else has open: a plain transaction."""
        return store.db.atomic()  # type: ignore[no-any-return]

    def lock_tables(self, db: Any, tables: Sequence[str]) -> None:
        """The write transaction already excludes every other writer."""

    def boolean(self, value: Any) -> Any:
        return int(bool(value))

    def row_writer(self, db: Any, table: str, columns: Sequence[str]) -> RowWriter:
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'

        def insert(rows: list[Row]) -> None:
            db.cursor().executemany(sql, rows)

        return insert

    def set_aside(self, db: Any, tables: Sequence[str]) -> Deferred | None:
        """SQLite keeps everything: its inserts are cheap and the file is new."""
        return None

    def last_used_id(self, db: Any, table: str, column: str) -> int:
        row = db.execute_sql("SELECT seq FROM sqlite_sequence WHERE name = ?",
                             (table,)).fetchone()
        return int(row[0]) if row else 0

    def continue_sequence(self, db: Any, table: str, column: str, last: int) -> None:
        db.execute_sql("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
                       (last, table))
        if not db.execute_sql("SELECT 1 FROM sqlite_sequence WHERE name = ?",
                              (table,)).fetchone():
            db.execute_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, last))

    def search_documents(self, db: Any) -> int:
        return int(db.execute_sql("SELECT count(*) FROM ticket_fts").fetchone()[0])

    def after_bulk_load(self, db: Any, tables: Sequence[str]) -> None:
        """A new file: SQLite plans without statistics until ANALYZE, as any new desk."""

    def checkpoint(self, db: Any) -> None:
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


SQLITE = SqliteEngine()
