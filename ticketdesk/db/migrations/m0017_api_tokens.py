"""API tokens (issue 22): one row per integration that may call `ticketdesk serve`.

- `api_token`: the integration's `name`, the agent row its changes are recorded as
  (`agent_id`, an inactive agent called `api:NAME`, so the activity shows the integration and
  nobody can assign tickets to it), `token_hash` (the SHA-256 of the token, hex: the token itself
  is shown once and never stored), `read_only`, `created_at`, `last_used_at` (at most a minute
  stale) and `revoked_at` (a revoked token stays, so the activity keeps its name; a name may be
  reused once its token is revoked).

On PostgreSQL agents and viewers may not even read the table (`db/postgres_roles.TABLE_POLICY`
names it a secret); the server that answers the API connects as the desk's owner or an admin
login. What a reader could see would be a hash of 256 random bits, of no use to call the API
with, but the names and times of the desk's integrations are an admin's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 17

TABLES = """
CREATE TABLE api_token (
    id {pk},
    name {text} NOT NULL,
    agent_id {ref} NOT NULL REFERENCES agent (id),
    token_hash {text} NOT NULL,
    read_only {bool} NOT NULL DEFAULT FALSE,
    created_at {bigint} NOT NULL,
    last_used_at {bigint},
    revoked_at {bigint}
);
CREATE UNIQUE INDEX api_token_hash ON api_token (token_hash);
CREATE UNIQUE INDEX api_token_live_name ON api_token (lower(name)) WHERE revoked_at IS NULL
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
