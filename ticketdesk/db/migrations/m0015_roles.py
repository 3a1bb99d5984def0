"""Signing in on a team desk (issue 20): the server says who did it and what a role may do.

Every desk gains two columns on `agent`: `db_role`, the PostgreSQL login role the agent
connects as (unique where set), and `role` (admin, agent or viewer). A desk file has one user
and nothing to sign in to, so on SQLite the columns are all there is.

On PostgreSQL, three things make the server the judge (ticketdesk/ARCHITECTURE.md, "Signing in
on a team desk"):

- BEFORE INSERT triggers stamp the author: `activity.agent_id` and `note.author_id` become the
  agent mapped to the session's login (`session_user`: SET ROLE to the group cannot shed who
  you are), whatever the client sent; `message.agent_id` and
  `attachment.agent_id` too when the client named an agent and the role is not an admin (an
  admin's import keeps the agents its file names). A connection whose role no agent is mapped
  to (the desk's owner, a desk nobody has mapped yet) writes exactly what it sends, as before.
- Row-level security on `note`: a mapped agent or viewer may update or delete only notes it
  wrote; admins and unmapped roles all notes. The owner of the tables bypasses it (no FORCE):
  the role that runs the migrations stays the desk's way in.
- Row-level security on `draft`: unsent text is its writer's own; a signed-in agent, admins
  included, sees and writes only their drafts.
- The GRANTs themselves go to per-desk group roles created when the first agent is given a
  login (`db/postgres_roles.py`), not here: a migration must not need CREATEROLE, which many
  desk owners lack.

The functions name the desk's schema and run with a fixed search_path, so no role can slip a
temporary table called `agent` in front of the real one. They are SECURITY DEFINER (the
owner's rights) where they read `agent`, so a role with few GRANTs can still be stamped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 15

COLUMNS = """
ALTER TABLE agent ADD COLUMN db_role {text};
ALTER TABLE agent ADD COLUMN role {text} NOT NULL DEFAULT 'agent'
    CHECK (role IN ('admin', 'agent', 'viewer'));
CREATE UNIQUE INDEX agent_db_role ON agent (db_role) WHERE db_role IS NOT NULL
"""

# "S" stands for the quoted schema name; these statements go to the server unformatted.
FUNCTIONS = (
    # Who is signed in: the agent mapped to the session's login, `session_user`, which only a
    # superuser can change (SET ROLE, which members may do to the desk's group role, changes
    # current_user only, so it cannot shed the agent's identity).
    """
CREATE FUNCTION "S".ticketdesk_signed_in(login text, OUT agent_id bigint, OUT role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT id, role FROM "S".agent WHERE db_role = login $$
""",
    """
CREATE FUNCTION "S".ticketdesk_note_editable(author bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.agent_id IS NULL OR s.role = 'admin' OR author IS NOT DISTINCT FROM s.agent_id
    FROM "S".ticketdesk_signed_in(session_user::text) s
$$
""",
    """
CREATE FUNCTION "S".ticketdesk_draft_mine(owner bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.agent_id IS NULL OR owner IS NOT DISTINCT FROM s.agent_id
    FROM "S".ticketdesk_signed_in(session_user::text) s
$$
""",
    # The stamping triggers read `agent` themselves (SECURITY DEFINER, so any role can be
    # stamped): a call of ticketdesk_signed_in per row made a bulk insert four times slower.
    """
CREATE FUNCTION "S".ticketdesk_stamp_agent() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    me bigint;
BEGIN
    SELECT id INTO me FROM "S".agent WHERE db_role = session_user::text;
    IF me IS NOT NULL THEN
        NEW.agent_id := me;
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE FUNCTION "S".ticketdesk_stamp_author() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    me bigint;
BEGIN
    SELECT id INTO me FROM "S".agent WHERE db_role = session_user::text;
    IF me IS NOT NULL THEN
        NEW.author_id := me;
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE FUNCTION "S".ticketdesk_stamp_named_agent() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    me bigint;
    my_role text;
BEGIN
    IF NEW.agent_id IS NOT NULL THEN
        SELECT id, role INTO me, my_role FROM "S".agent WHERE db_role = session_user::text;
        IF me IS NOT NULL AND my_role <> 'admin' THEN
            NEW.agent_id := me;
        END IF;
    END IF;
    RETURN NEW;
END
$$
""",
)

TRIGGERS = (
    'CREATE TRIGGER ticketdesk_activity_author BEFORE INSERT ON "S".activity '
    'FOR EACH ROW EXECUTE FUNCTION "S".ticketdesk_stamp_agent()',
    'CREATE TRIGGER ticketdesk_note_author BEFORE INSERT ON "S".note '
    'FOR EACH ROW EXECUTE FUNCTION "S".ticketdesk_stamp_author()',
    'CREATE TRIGGER ticketdesk_message_author BEFORE INSERT ON "S".message '
    'FOR EACH ROW EXECUTE FUNCTION "S".ticketdesk_stamp_named_agent()',
    'CREATE TRIGGER ticketdesk_attachment_author BEFORE INSERT ON "S".attachment '
    'FOR EACH ROW EXECUTE FUNCTION "S".ticketdesk_stamp_named_agent()',
)

POLICIES = (
    'ALTER TABLE "S".note ENABLE ROW LEVEL SECURITY',
    'CREATE POLICY note_read ON "S".note FOR SELECT USING (true)',
    'CREATE POLICY note_write ON "S".note FOR INSERT WITH CHECK (true)',
    'CREATE POLICY note_change ON "S".note FOR UPDATE '
    'USING ("S".ticketdesk_note_editable(author_id))',
    'CREATE POLICY note_remove ON "S".note FOR DELETE '
    'USING ("S".ticketdesk_note_editable(author_id))',
    'ALTER TABLE "S".draft ENABLE ROW LEVEL SECURITY',
    'CREATE POLICY draft_own ON "S".draft USING ("S".ticketdesk_draft_mine(agent_id)) '
    'WITH CHECK ("S".ticketdesk_draft_mine(agent_id))',
)


def apply(ctx: MigrationContext) -> None:
    ctx.script(COLUMNS)
    if ctx.dialect.is_sqlite:
        return
    ctx.in_schema(*FUNCTIONS, *TRIGGERS, *POLICIES)
