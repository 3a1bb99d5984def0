"""The desk's records (issue 19): a recycle bin, desk-wide activity, and erasure.

- `recycle_bin`: one row per deleted ticket or customer. A deleted ticket leaves the live
  tables with every row that belongs to it (messages, notes, attachments, activity, tags, assignees,
  drafts, ratings, outgoing mail) as one JSON `snapshot`; restoring inserts them again with the
  same ids, so the number comes back. No list, search or analytics query needs a "deleted"
  filter: deleted tickets are simply not in `ticket` (services/recycle_bin.py). `label` is
  what the bin lists (number and subject, or a customer's name); `customer_id` the customer
  the entry is about, so erasing a person finds their entries in the bin too.
- `recycle_blob`: the bytes of a deleted ticket's attachments, kept apart like
  `attachment_content` so listing the bin never reads them.
- `desk_event`: what happened to the desk rather than to one ticket (an agent renamed or
  deactivated, tickets deleted, restored or purged, a person's data erased). On PostgreSQL the
  author is stamped by the server, like `activity` (migration 15).
- On PostgreSQL, `ticketdesk_forget_note(ticket_id, note_id)`: once a note is deleted, its
  activity rows keep who and when but no longer the text. Agents may not UPDATE `activity` (it is
  append-only for them), so this SECURITY DEFINER function does that one thing, and only for a
  note that no longer exists. `ticketdesk_erase_drafts(ticket_ids)` lets an admin discard
  every draft on an erased person's tickets (row security hides other agents' drafts).

Teams (`team`, `team_member`) already exist (migration 16) and are reused. The new tables are
read-only for the agent group (`db/postgres_roles.TABLE_POLICY`): deleting,
restoring and erasing are an admin's work on a team desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 22

TABLES = """
CREATE TABLE recycle_bin (
    id {pk},
    kind {text} NOT NULL CHECK (kind IN ('ticket', 'customer')),
    item_id {bigint} NOT NULL,
    label {text} NOT NULL DEFAULT '',
    customer_id {bigint},
    deleted_at {bigint} NOT NULL,
    deleted_by {ref} REFERENCES agent (id),
    snapshot {text} NOT NULL
);
CREATE UNIQUE INDEX recycle_bin_item ON recycle_bin (kind, item_id);
CREATE INDEX recycle_bin_deleted ON recycle_bin (deleted_at, id);
CREATE INDEX recycle_bin_customer ON recycle_bin (customer_id);
CREATE TABLE recycle_blob (
    bin_id {ref} NOT NULL REFERENCES recycle_bin (id) ON DELETE CASCADE,
    attachment_id {bigint} NOT NULL,
    data {blob} NOT NULL,
    PRIMARY KEY (bin_id, attachment_id)
);
CREATE TABLE desk_event (
    id {pk},
    agent_id {ref} REFERENCES agent (id),
    at {bigint} NOT NULL,
    kind {text} NOT NULL,
    subject {text} NOT NULL DEFAULT '',
    detail {text} NOT NULL DEFAULT ''
);
CREATE INDEX desk_event_at ON desk_event (at, id)
"""

NOTE_KINDS = "('note_added', 'note_edited', 'note_deleted')"

# "S" stands for the quoted schema name, as in migration 15.
POSTGRES = (
    f"""
CREATE FUNCTION "S".ticketdesk_forget_note(owner bigint, gone bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE "S".activity SET old = NULL, new = NULL
    WHERE ticket_id = owner AND ref_id = gone AND kind IN {NOTE_KINDS}
      AND NOT EXISTS (SELECT 1 FROM "S".note WHERE id = gone)
$$
""",
    # Erasing a person discards the unsent drafts on their tickets, whoever wrote them; row
    # security keeps other agents' drafts out of even an admin's sight, so this function (an
    # admin's or the owner's only) does it.
    """
CREATE FUNCTION "S".ticketdesk_erase_drafts(tickets bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM "S".agent WHERE db_role = session_user::text
               AND role <> 'admin') THEN
        RAISE EXCEPTION 'only an admin may erase drafts' USING ERRCODE = '42501';
    END IF;
    DELETE FROM "S".draft WHERE ticket_id = ANY(tickets);
END
$$
""",
    # A restore puts rows back with the authors they had: an admin who set
    # ticketdesk.restoring in its transaction (db/recycle_sql.keep_original_authors) is not
    # stamped; everyone else still is.
    """
CREATE OR REPLACE FUNCTION "S".ticketdesk_stamp_agent() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    me bigint;
    my_role text;
BEGIN
    SELECT id, role INTO me, my_role FROM "S".agent WHERE db_role = session_user::text;
    IF me IS NOT NULL AND NOT (my_role = 'admin'
            AND coalesce(current_setting('ticketdesk.restoring', true), '') = 'on') THEN
        NEW.agent_id := me;
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION "S".ticketdesk_stamp_author() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    me bigint;
    my_role text;
BEGIN
    SELECT id, role INTO me, my_role FROM "S".agent WHERE db_role = session_user::text;
    IF me IS NOT NULL AND NOT (my_role = 'admin'
            AND coalesce(current_setting('ticketdesk.restoring', true), '') = 'on') THEN
        NEW.author_id := me;
    END IF;
    RETURN NEW;
END
$$
""",
    'CREATE TRIGGER ticketdesk_desk_event_author BEFORE INSERT ON "S".desk_event '
    'FOR EACH ROW EXECUTE FUNCTION "S".ticketdesk_stamp_agent()',
)


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
    if ctx.dialect.is_sqlite:
        return
    ctx.in_schema(*POSTGRES)
