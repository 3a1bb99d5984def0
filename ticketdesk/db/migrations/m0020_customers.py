"""Customers as records (issue 19): several email addresses, notes, organisations, and a
customer's own history.

- `customer_address`: every email address of a customer, the primary one (`customer.email`,
  kept for compatibility) included. `email_key` is the address in lower case, unique: one
  address belongs to one customer. (The table is not called `customer_email`: that name is
  taken by migration 1's index on `customer(lower(email))`, and tables and indexes share one
  namespace on both engines.) Filled here from `customer.email`; when two customers share an
  address (possible before this migration), the older keeps it in this table and the duplicate
  finder shows the pair.
- `organisation`: the companies customers belong to; `customer.organisation_id` points there
  and `customer.company` stays its name (for exports and search). Filled from the distinct
  `company` texts.
- `customer.notes`: free text about the customer.
- `customer_search`, `customer_address_search`: covering indexes, so a search of the Customers
  view (`LIKE '%text%'` over name, company and phone joined in one expression, and over every
  address, in name order) reads compact index pages instead of the table
  (services/customer_list.py; SQLite reads the indexed expression's stored value, one LIKE a
  customer).
- `customer_activity`: append-only, like `activity` but for a customer (created, edited,
  address added or removed, merged); `ticket_id` names a ticket the row is about, if any.

On PostgreSQL a desk whose sign-in roles exist gets its GRANTs re-applied (the owner's work), so
agents may write the new tables (db/postgres_roles.TABLE_POLICY lists them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ticketdesk.db import postgres_roles

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 20

TABLES = """
CREATE TABLE organisation (
    id {pk},
    name {text} NOT NULL,
    notes {text} NOT NULL DEFAULT '',
    created_at {bigint} NOT NULL,
    version {int} NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX organisation_name ON organisation (lower(name));
ALTER TABLE customer ADD COLUMN organisation_id {ref} REFERENCES organisation (id)
    ON DELETE SET NULL;
ALTER TABLE customer ADD COLUMN notes {text} NOT NULL DEFAULT '';
CREATE INDEX customer_organisation ON customer (organisation_id, id);
CREATE INDEX customer_company ON customer (lower(company), id);
CREATE TABLE customer_address (
    id {pk},
    customer_id {ref} NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    email {text} NOT NULL,
    email_key {text} NOT NULL
);
CREATE UNIQUE INDEX customer_address_key ON customer_address (email_key);
CREATE INDEX customer_address_customer ON customer_address (customer_id, id);
CREATE TABLE customer_activity (
    id {pk},
    customer_id {ref} NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    agent_id {ref} REFERENCES agent (id),
    at {bigint} NOT NULL,
    kind {text} NOT NULL,
    old {text},
    new {text},
    ticket_id {bigint}
);
CREATE INDEX customer_activity_customer ON customer_activity (customer_id, id);
CREATE INDEX customer_search ON customer (lower(name), id,
    lower(name || '|' || company || '|' || phone));
CREATE INDEX customer_address_search ON customer_address (email_key, customer_id)
"""

FILL = """
INSERT INTO organisation (name, created_at)
SELECT min(company), min(created_at) FROM customer WHERE company <> ''
GROUP BY lower(company) ORDER BY min(id);
UPDATE customer SET organisation_id = (
    SELECT o.id FROM organisation o WHERE lower(o.name) = lower(customer.company))
WHERE company <> '';
INSERT INTO customer_address (customer_id, email, email_key)
SELECT c.id, c.email, lower(c.email) FROM customer c
WHERE c.email <> '' AND c.id = (
    SELECT min(d.id) FROM customer d WHERE lower(d.email) = lower(c.email))
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
    ctx.script(FILL)
    if ctx.dialect.is_sqlite:
        return
    groups = postgres_roles.group_names(ctx.db)
    if all(postgres_roles.role_exists(ctx.db, g) for g in groups.values()) \
            and postgres_roles.is_owner(ctx.db):
        postgres_roles.apply_grants(ctx.db, groups)
