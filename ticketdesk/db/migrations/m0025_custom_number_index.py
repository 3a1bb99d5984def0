"""A custom number field's values as numbers, indexed on PostgreSQL (issue 19).

`custom_value.value` holds a number in one canonical text form ("12.5", "-3"). The ticket filter
compares numbers as numbers (db/ticket_query.py, `PostgresBackend.number_key`): on PostgreSQL
the expression casts only a number's stored form (other fields' text is NULL), and this index
holds exactly that expression per field, so "Seats >= 990" is an index range and the planner
knows from the index's statistics how many tickets it matches. At 100,000 tickets the first page
of a number range few tickets match went from 128-225 ms to 18-36 ms, and of a range none does
from 327 ms to 3 ms (tests/bench/bench_custom_filters.py --url).

The expression must stay character for character what `PostgresBackend.number_key` builds, or
the planner no longer uses the index (tests/unit/test_custom_field_filters.py asks the plan).

SQLite has no such index: its filter probes each listed ticket's own value by the primary key
(ticket_id, field_id) and casts the one value, which an index cannot shorten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 25

POSTGRES_NUMBER_INDEX = (
    "CREATE INDEX custom_value_number ON custom_value (field_id, "
    "(CASE WHEN value ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN CAST(value AS numeric) END))"
)


def apply(ctx: MigrationContext) -> None:
    if not ctx.dialect.is_sqlite:
        ctx.db.execute_sql(POSTGRES_NUMBER_INDEX)
        # The planner chooses the index by its expression's statistics, which only ANALYZE
        # gathers (autovacuum does later, once enough values changed): without them a range few
        # tickets match was still answered by walking the list (124 ms instead of 18 at 100,000
        # tickets).
        ctx.db.execute_sql("ANALYZE custom_value")
