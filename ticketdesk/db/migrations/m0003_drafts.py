"""Drafts (issue 4): text an agent is writing on a ticket and has not sent or saved yet.

One row per agent, ticket and kind ("reply", "note", "subject", "note:17"...), replaced while
the agent types (debounced), so a reply survives switching tickets, closing the window and a
crash. `base_version` is the ticket (or note) version an open edit started from, so a restored
edit still meets the conflict check against what the agent actually read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 3

TABLES = """
CREATE TABLE draft (
    agent_id {ref} NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    kind {text} NOT NULL,
    body {text} NOT NULL,
    base_version {int},
    updated_at {bigint} NOT NULL,
    PRIMARY KEY (agent_id, ticket_id, kind)
) {without_rowid};
CREATE INDEX draft_ticket ON draft (ticket_id)
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
