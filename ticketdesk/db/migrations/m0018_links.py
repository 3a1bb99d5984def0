"""Merge and link (issue 18): tickets linked as related, and merged tickets' stubs.

- `ticket_link`: a "related" link, stored once each way (A -> B and B -> A), so either
  ticket lists its links with one index range. Deleting a ticket removes its links.
- `ticket_merge`: one row per ticket merged into another (the stub, Closed, points to
  `target_id`); `merged_at` and `agent_id` say when and by whom. A stub is merged once;
  undoing the merge deletes its row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 18

TABLES = """
CREATE TABLE ticket_link (
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    other_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    created_at {bigint} NOT NULL,
    agent_id {ref} REFERENCES agent (id),
    PRIMARY KEY (ticket_id, other_id)
) {without_rowid};
CREATE TABLE ticket_merge (
    ticket_id {ref} NOT NULL PRIMARY KEY REFERENCES ticket (id) ON DELETE CASCADE,
    target_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    merged_at {bigint} NOT NULL,
    agent_id {ref} REFERENCES agent (id)
);
CREATE INDEX ticket_merge_target ON ticket_merge (target_id, ticket_id)
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
