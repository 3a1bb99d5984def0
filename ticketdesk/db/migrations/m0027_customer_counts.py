"""Each customer's ticket counts, stored (issue 19): the Customers view sorted by Tickets or Open
reads an index instead of counting every ticket of the desk (one GROUP BY over 1,000,000
tickets, ~1 s, for each sort).

`customer_ticket_count` holds, per customer, `tickets` (all their tickets) and `open_tickets`
(status Open, In Progress or Waiting: below Resolved = 3). Every customer has a row, 0 and 0
without tickets, so the sorts are an inner join driven by the indexes `(tickets, customer_id)`
and `(open_tickets, customer_id)`: ORDER BY count DESC, id DESC LIMIT 200 walks one of them
backwards and stops after 200 rows.

A table of its own, not two columns on `customer`:
- on PostgreSQL every write to `customer` tells every connected desktop "customers changed"
  (migration 5's statement triggers); a column there would make each ticket created or resolved
  reload every Customers view of the team;
- agents may write `customer` (they edit customers); the counts are READ for them and written
  only by the triggers below, which run with the owner's rights;
- the customer's row, its version (optimistic locking) and the recycle bin's snapshot of it stay
  as they were: the counts are derived data, not copied between desks and not kept in the bin
  (a binned customer has no tickets, by services/recycle_bin.delete_customer).

Triggers keep it right whatever writes — the window, the command line, an import, mail, the
API, the demo, another desktop of a team desk:
- a customer added: a row of zeros;
- a ticket added or deleted (the recycle bin deletes and restores rows): +1 / -1 for its
  customer, on both counts while it is open;
- a ticket's customer changed (a move, a customer merge, erasure) or its status crossing the
  open/done line: -1 for the old (customer, openness), +1 for the new.
A customer removed takes its row with it (ON DELETE CASCADE).

The last contact (the newest `updated_at` of their tickets) is not kept: a maximum cannot be
kept cheaply under deletes and moves (the next newest has to be found again). The index
`ticket_customer_updated` answers it instead: one seek a customer for a page of rows (the 200
busiest customers of the demo desk have 238,000 tickets, whose rows the page read to find each
maximum: ~670 ms of CPU, more than the sort), and the sort by last contact groups this covering
index rather than the tickets' rows.

`services/customer_counts.rebuild` recounts the table (a desk copy calls it after loading:
PostgreSQL's bulk load pauses the triggers). On PostgreSQL the trigger functions are SECURITY
DEFINER with a fixed search_path and the desk's schema named (as in migrations 15 and 24).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 27

TABLE = """
CREATE TABLE customer_ticket_count (
    customer_id {ref} PRIMARY KEY REFERENCES customer (id) ON DELETE CASCADE,
    tickets {int} NOT NULL DEFAULT 0,
    open_tickets {int} NOT NULL DEFAULT 0
);
CREATE INDEX customer_ticket_count_tickets ON customer_ticket_count (tickets, customer_id);
CREATE INDEX customer_ticket_count_open ON customer_ticket_count (open_tickets, customer_id);
CREATE INDEX ticket_customer_updated ON ticket (customer_id, updated_at)
"""

BACKFILL = """
INSERT INTO customer_ticket_count (customer_id, tickets, open_tickets)
SELECT c.id, count(t.id), coalesce(sum(CASE WHEN t.status < 3 THEN 1 ELSE 0 END), 0)
FROM customer AS c LEFT OUTER JOIN ticket AS t ON t.customer_id = c.id GROUP BY c.id
"""

# SQLite: one statement each (a trigger's body holds `;`). `WHERE true` before ON CONFLICT is
# SQLite's way to tell an upsert's SELECT from a join.
SQLITE_TRIGGERS = (
    """
CREATE TRIGGER customer_count_new AFTER INSERT ON customer
BEGIN
    INSERT INTO customer_ticket_count (customer_id, tickets, open_tickets)
    VALUES (NEW.id, 0, 0) ON CONFLICT (customer_id) DO NOTHING;
END
""",
    """
CREATE TRIGGER customer_count_ticket_in AFTER INSERT ON ticket
WHEN NEW.customer_id IS NOT NULL
BEGIN
    INSERT INTO customer_ticket_count (customer_id, tickets, open_tickets)
    VALUES (NEW.customer_id, 1, NEW.status < 3)
    ON CONFLICT (customer_id) DO UPDATE SET tickets = tickets + 1,
        open_tickets = open_tickets + excluded.open_tickets;
END
""",
    """
CREATE TRIGGER customer_count_ticket_out AFTER DELETE ON ticket
WHEN OLD.customer_id IS NOT NULL
BEGIN
    UPDATE customer_ticket_count SET tickets = tickets - 1,
        open_tickets = open_tickets - (OLD.status < 3)
    WHERE customer_id = OLD.customer_id;
END
""",
    """
CREATE TRIGGER customer_count_ticket_changed AFTER UPDATE OF customer_id, status ON ticket
WHEN OLD.customer_id IS NOT NEW.customer_id OR (OLD.status < 3) <> (NEW.status < 3)
BEGIN
    UPDATE customer_ticket_count SET tickets = tickets - 1,
        open_tickets = open_tickets - (OLD.status < 3)
    WHERE customer_id = OLD.customer_id;
    INSERT INTO customer_ticket_count (customer_id, tickets, open_tickets)
    SELECT NEW.customer_id, 1, NEW.status < 3 WHERE NEW.customer_id IS NOT NULL
    ON CONFLICT (customer_id) DO UPDATE SET tickets = tickets + 1,
        open_tickets = open_tickets + excluded.open_tickets;
END
""",
)

# PostgreSQL: "S" stands for the quoted schema name.
POSTGRES = (
    """
CREATE FUNCTION "S".ticketdesk_count_customer_new() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO "S".customer_ticket_count (customer_id, tickets, open_tickets)
    VALUES (NEW.id, 0, 0) ON CONFLICT (customer_id) DO NOTHING;
    RETURN NEW;
END
$$
""",
    """
CREATE FUNCTION "S".ticketdesk_count_customer_tickets() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.customer_id IS NOT NULL THEN
        UPDATE "S".customer_ticket_count SET tickets = tickets - 1,
            open_tickets = open_tickets - CASE WHEN OLD.status < 3 THEN 1 ELSE 0 END
        WHERE customer_id = OLD.customer_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.customer_id IS NOT NULL THEN
        INSERT INTO "S".customer_ticket_count AS c (customer_id, tickets, open_tickets)
        VALUES (NEW.customer_id, 1, CASE WHEN NEW.status < 3 THEN 1 ELSE 0 END)
        ON CONFLICT (customer_id) DO UPDATE SET tickets = c.tickets + 1,
            open_tickets = c.open_tickets + EXCLUDED.open_tickets;
    END IF;
    RETURN NULL;
END
$$
""",
    'CREATE TRIGGER customer_count_new AFTER INSERT ON "S".customer FOR EACH ROW '
    'EXECUTE FUNCTION "S".ticketdesk_count_customer_new()',
    'CREATE TRIGGER customer_count_ticket AFTER INSERT OR DELETE ON "S".ticket FOR EACH ROW '
    'EXECUTE FUNCTION "S".ticketdesk_count_customer_tickets()',
    'CREATE TRIGGER customer_count_ticket_changed AFTER UPDATE OF customer_id, status '
    'ON "S".ticket FOR EACH ROW '
    'WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id '
    'OR (OLD.status < 3) IS DISTINCT FROM (NEW.status < 3)) '
    'EXECUTE FUNCTION "S".ticketdesk_count_customer_tickets()',
)


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLE)
    ctx.execute(BACKFILL)
    if ctx.dialect.is_sqlite:
        for statement in SQLITE_TRIGGERS:
            ctx.db.execute_sql(statement)
        return
    ctx.in_schema(*POSTGRES)
