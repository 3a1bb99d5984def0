"""A customer's history names its author the way a ticket's does (issue 19 after issue 20).

On a PostgreSQL team desk a BEFORE INSERT trigger on `customer_activity` stamps `agent_id`
with the agent mapped to the session's login (`session_user`), through migration 15's
`ticketdesk_stamp_agent()` — the function `activity`'s trigger runs — so a desktop cannot
write a customer's history in another agent's name. An unmapped login (the desk's owner)
writes what it sends, as before. A desk file (SQLite) has nobody signed in: nothing changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 23

TRIGGER = ('CREATE TRIGGER ticketdesk_customer_activity_author BEFORE INSERT ON '
           '"S".customer_activity FOR EACH ROW EXECUTE FUNCTION "S".ticketdesk_stamp_agent()')


def apply(ctx: MigrationContext) -> None:
    if ctx.dialect.is_sqlite:
        return
    ctx.in_schema(TRIGGER)
