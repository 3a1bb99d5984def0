"""Routing's open-ticket counts (issue 21), kept current by the database itself; and the
index of SLA analytics (issue 17).

`agent_open_count` holds, per agent, the number of open tickets (status Open, In Progress or
Waiting: below Resolved = 3) assigned to them. Least-open and skills routing, and round robin
with capacities, read it instead of counting the open tickets of the desk inside every create
(7.6-8.7 ms at 1,000,000 tickets; one indexed read of 50 rows now).

Triggers keep it right whatever writes — the window, the command line, an import, the demo's
bulk load, another desktop of a team desk:

- a row of `ticket_assignee` added or removed while its ticket is open: +1 / -1;
- a ticket's status crossing the open/done line: +1 / -1 for each of its assignees;
- a ticket deleted: its assignee rows are deleted first (BEFORE DELETE), so the removal above
  counts them while the ticket is still there to say whether it was open, and the foreign key's
  cascade finds nothing left.

`ticket_assignee` rows are never updated in place (the services delete and insert); a row
missing from the table counts 0. The table is derived data: it is not copied between desks
(it is not in `models.ALL_MODELS`); `services/routing_counts.rebuild` recounts it, which a desk
copy does after loading (PostgreSQL's bulk load pauses the triggers).

The same migration adds the indexes of SLA analytics (services/sla_analytics.py), each
covering the ticket columns it reads: `ticket_sla_outcome` (priority first, then the creation
time) reads a period's tickets per priority as one index range each, already grouped, on both
engines; on SQLite, `ticket_sla_by_id` (id first, about 40 bytes a ticket) answers each
assignment's or tag row's ticket by id without the wide table row (db/sqlite_engine.py).

On PostgreSQL the trigger functions are SECURITY DEFINER with a fixed search_path and the
desk's schema named (as in migration 15): an agent who may assign tickets need not be granted
writes on the counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 24

TABLE = """
CREATE TABLE agent_open_count (
    agent_id {ref} PRIMARY KEY REFERENCES agent (id) ON DELETE CASCADE,
    open_count {int} NOT NULL DEFAULT 0
);
CREATE INDEX ticket_sla_outcome ON ticket (priority, created_at, first_response_due,
    first_response_at, resolution_due, resolved_at, id)
"""
SQLITE_SLA_BY_ID = """
CREATE INDEX ticket_sla_by_id ON ticket (id, created_at, first_response_due, first_response_at,
    resolution_due, resolved_at)
"""

BACKFILL = """
INSERT INTO agent_open_count (agent_id, open_count)
SELECT ta.agent_id, count(*) FROM ticket AS t JOIN ticket_assignee AS ta ON ta.ticket_id = t.id
WHERE t.status < 3 GROUP BY ta.agent_id
"""

# SQLite: one statement each (a trigger's body holds `;`, so these are not run as a script).
SQLITE_TRIGGERS = (
    """
CREATE TRIGGER routing_count_assign AFTER INSERT ON ticket_assignee
WHEN (SELECT status FROM ticket WHERE id = NEW.ticket_id) < 3
BEGIN
    INSERT INTO agent_open_count (agent_id, open_count) VALUES (NEW.agent_id, 1)
    ON CONFLICT (agent_id) DO UPDATE SET open_count = open_count + 1;
END
""",
    """
CREATE TRIGGER routing_count_unassign AFTER DELETE ON ticket_assignee
WHEN (SELECT status FROM ticket WHERE id = OLD.ticket_id) < 3
BEGIN
    UPDATE agent_open_count SET open_count = open_count - 1 WHERE agent_id = OLD.agent_id;
END
""",
    """
CREATE TRIGGER routing_count_status AFTER UPDATE OF status ON ticket
WHEN (OLD.status < 3) <> (NEW.status < 3)
BEGIN
    INSERT INTO agent_open_count (agent_id, open_count)
    SELECT agent_id, CASE WHEN NEW.status < 3 THEN 1 ELSE -1 END FROM ticket_assignee
    WHERE ticket_id = NEW.id AND 1
    ON CONFLICT (agent_id) DO UPDATE SET open_count = open_count + excluded.open_count;
END
""",
    """
CREATE TRIGGER routing_count_ticket_gone BEFORE DELETE ON ticket
BEGIN
    DELETE FROM ticket_assignee WHERE ticket_id = OLD.id;
END
""",
)

# PostgreSQL: "S" stands for the quoted schema name.
POSTGRES = (
    """
CREATE FUNCTION "S".ticketdesk_count_assignee() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM "S".ticket WHERE id = NEW.ticket_id AND status < 3) THEN
            INSERT INTO "S".agent_open_count AS c (agent_id, open_count)
            VALUES (NEW.agent_id, 1)
            ON CONFLICT (agent_id) DO UPDATE SET open_count = c.open_count + 1;
        END IF;
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM "S".ticket WHERE id = OLD.ticket_id AND status < 3) THEN
        UPDATE "S".agent_open_count SET open_count = open_count - 1
        WHERE agent_id = OLD.agent_id;
    END IF;
    RETURN OLD;
END
$$
""",
    """
CREATE FUNCTION "S".ticketdesk_count_status() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO "S".agent_open_count AS c (agent_id, open_count)
    SELECT agent_id, CASE WHEN NEW.status < 3 THEN 1 ELSE -1 END
    FROM "S".ticket_assignee WHERE ticket_id = NEW.id
    ON CONFLICT (agent_id) DO UPDATE SET open_count = c.open_count + EXCLUDED.open_count;
    RETURN NEW;
END
$$
""",
    """
CREATE FUNCTION "S".ticketdesk_count_ticket_gone() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM "S".ticket_assignee WHERE ticket_id = OLD.id;
    RETURN OLD;
END
$$
""",
    'CREATE TRIGGER routing_count_assignee AFTER INSERT OR DELETE ON "S".ticket_assignee '
    'FOR EACH ROW EXECUTE FUNCTION "S".ticketdesk_count_assignee()',
    'CREATE TRIGGER routing_count_status AFTER UPDATE OF status ON "S".ticket FOR EACH ROW '
    'WHEN ((OLD.status < 3) IS DISTINCT FROM (NEW.status < 3)) '
    'EXECUTE FUNCTION "S".ticketdesk_count_status()',
    'CREATE TRIGGER routing_count_ticket_gone BEFORE DELETE ON "S".ticket FOR EACH ROW '
    'EXECUTE FUNCTION "S".ticketdesk_count_ticket_gone()',
)


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLE)
    ctx.execute(BACKFILL)
    if ctx.dialect.is_sqlite:
        ctx.execute(SQLITE_SLA_BY_ID)
        for statement in SQLITE_TRIGGERS:
            ctx.db.execute_sql(statement)
        return
    ctx.in_schema(*POSTGRES)
