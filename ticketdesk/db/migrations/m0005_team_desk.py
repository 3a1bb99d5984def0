"""Team desks on PostgreSQL (issue 7): the server tells every desktop what changed.

Triggers send a NOTIFY on the desk's channel (`ticketdesk_<schema oid>`) whenever tickets,
activity, agents, customers or tags change, from whatever program wrote: ticketdesk, the command
line, an import, psql. NOTIFY is transactional, so a notification arrives only when the change is
committed, and never for a change that was rolled back.

The payload is a small JSON object: `o` the writer's application_name (a window skips its own
changes), `t` changed ticket ids, `c` created ticket ids, `k` activity kinds or table flags, and
`all` when a statement touched more than 100 rows (bulk work: the listener reloads everything
rather than send long lists; a payload must stay under 8000 bytes).

Triggers are per statement with transition tables, so a bulk insert of thousands of rows costs one
notification, not thousands. SQLite desks have one process per file and poll `data_version`
instead; this migration does nothing there.

It also makes text sort on the server as it does in a desk file (`text_sort_key`): an index on
lower(subject COLLATE "C") (ASCII letters folded, code point order) replaces the one on
lower(subject), which follows the server's locale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 5

# No braces in these statements: MigrationContext.execute fills {placeholders}.
CHANNEL = "'ticketdesk_' || (SELECT relnamespace FROM pg_class WHERE oid = TG_RELID)::text"
ORIGIN = "current_setting('application_name')"

FUNCTIONS = (
    f"""
CREATE FUNCTION ticketdesk_notify_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM changed) THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM changed OFFSET 100) THEN
        payload := json_build_object('o', {ORIGIN}, 'all', true)::text;
    ELSE
        SELECT json_build_object('o', {ORIGIN},
                                 CASE WHEN TG_OP = 'INSERT' THEN 'c' ELSE 't' END,
                                 json_agg(id ORDER BY id))::text
          INTO payload FROM changed;
    END IF;
    PERFORM pg_notify({CHANNEL}, payload);
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION ticketdesk_notify_activity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM changed) THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM changed OFFSET 100) THEN
        payload := json_build_object('o', {ORIGIN}, 'all', true)::text;
    ELSE
        SELECT json_build_object('o', {ORIGIN},
                                 't', json_agg(DISTINCT ticket_id),
                                 'k', json_agg(DISTINCT kind))::text
          INTO payload FROM changed;
    END IF;
    PERFORM pg_notify({CHANNEL}, payload);
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION ticketdesk_notify_flag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify({CHANNEL},
                      json_build_object('o', {ORIGIN}, 'k', json_build_array(TG_ARGV[0]))::text);
    RETURN NULL;
END
$$
""",
)

TRIGGERS = (
    "CREATE TRIGGER ticketdesk_ticket_insert AFTER INSERT ON ticket "
    "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
    "EXECUTE FUNCTION ticketdesk_notify_tickets()",
    "CREATE TRIGGER ticketdesk_ticket_update AFTER UPDATE ON ticket "
    "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
    "EXECUTE FUNCTION ticketdesk_notify_tickets()",
    "CREATE TRIGGER ticketdesk_ticket_delete AFTER DELETE OR TRUNCATE ON ticket "
    "FOR EACH STATEMENT EXECUTE FUNCTION ticketdesk_notify_flag('everything')",
    "CREATE TRIGGER ticketdesk_activity_insert AFTER INSERT ON activity "
    "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
    "EXECUTE FUNCTION ticketdesk_notify_activity()",
    "CREATE TRIGGER ticketdesk_agent_change AFTER INSERT OR UPDATE OR DELETE ON agent "
    "FOR EACH STATEMENT EXECUTE FUNCTION ticketdesk_notify_flag('agents')",
    "CREATE TRIGGER ticketdesk_customer_change AFTER INSERT OR UPDATE OR DELETE ON customer "
    "FOR EACH STATEMENT EXECUTE FUNCTION ticketdesk_notify_flag('customers')",
    "CREATE TRIGGER ticketdesk_customer_tag_change AFTER INSERT OR UPDATE OR DELETE "
    "ON customer_tag FOR EACH STATEMENT EXECUTE FUNCTION ticketdesk_notify_flag('customers')",
    "CREATE TRIGGER ticketdesk_customer_tag_link_change AFTER INSERT OR UPDATE OR DELETE "
    "ON customer_tag_link FOR EACH STATEMENT "
    "EXECUTE FUNCTION ticketdesk_notify_flag('customers')",
    "CREATE TRIGGER ticketdesk_tag_change AFTER INSERT OR UPDATE OR DELETE ON tag "
    "FOR EACH STATEMENT EXECUTE FUNCTION ticketdesk_notify_flag('tags')",
)


# Text sorts as on SQLite (see PostgresBackend.text_sort_key): ASCII-folded, code point order.
# lower() in the server's locale would order "ÉCRAN" and "écran" differently from a desk file.
INDEXES = (
    'CREATE INDEX ticket_subject_sort ON ticket (lower(subject COLLATE "C"), id)',
    "DROP INDEX ticket_subject",
    # The list sorted by customer walks customers in this order (ticket_query.ordered_parts).
    'CREATE INDEX customer_name_sort ON customer (lower(name COLLATE "C"), id)',
)


def apply(ctx: MigrationContext) -> None:
    if ctx.dialect.is_sqlite:
        return
    for statement in (*FUNCTIONS, *TRIGGERS, *INDEXES):
        ctx.execute(statement)
