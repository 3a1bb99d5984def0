"""Private saved views are private on the server too (issue 18 with issue 20's roles).

A saved view is its owner's unless `shared` (services/saved_views.py). Until now the service
filtered others' private views out, but any agent's login could read them, or change a shared
one, with plain SQL. On PostgreSQL row-level security now says the same as the service: every
login reads its own views and the shared ones, and writes (adds, changes, deletes) only its own
(`ticketdesk_draft_mine`, migration 15: the owner of the schema, mapped to no agent, keeps
every right, as it does for drafts). A desk file has one user and nothing to enforce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 26

POLICIES = (
    'ALTER TABLE "S".saved_view ENABLE ROW LEVEL SECURITY',
    'CREATE POLICY saved_view_read ON "S".saved_view FOR SELECT '
    'USING (shared OR "S".ticketdesk_draft_mine(owner_id))',
    'CREATE POLICY saved_view_add ON "S".saved_view FOR INSERT '
    'WITH CHECK ("S".ticketdesk_draft_mine(owner_id))',
    'CREATE POLICY saved_view_change ON "S".saved_view FOR UPDATE '
    'USING ("S".ticketdesk_draft_mine(owner_id)) WITH CHECK ("S".ticketdesk_draft_mine(owner_id))',
    'CREATE POLICY saved_view_remove ON "S".saved_view FOR DELETE '
    'USING ("S".ticketdesk_draft_mine(owner_id))',
)


def apply(ctx: MigrationContext) -> None:
    if ctx.dialect.is_sqlite:
        return
    ctx.in_schema(*POLICIES)
