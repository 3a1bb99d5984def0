"""Tags, categories and custom fields as the desk's managed records (issue 19).

- `tag.color`: an optional colour (`#rrggbb`, '' for none) the list's tag cells and the dock's
  tag chips show.
- `category`: the managed list of categories. `ticket.category` stays the category's name (text),
  so the 1,000,000-ticket list shows and sorts it without a join; services/categories.py keeps
  the two in step (a rename or merge rewrites the tickets' text in the same transaction) and
  refuses a category that is not in the list. Existing free-text values are copied into the list
  here (one row per name, case-insensitively). `ticket_category` serves the category filter.
- `custom_field`: a desk's own fields (kind: text, number, date, list, checkbox; `options` the
  newline-separated choices of a list field), in `position` order.
- `custom_value`: one value per ticket and field, stored as text in a canonical form
  (domain/custom_fields.py); `custom_value_field` serves a filter on one field's value.

On PostgreSQL agents may write values and add a category (a ticket's new category joins the
list, as a new tag does; postgres_roles.TABLE_POLICY); renaming, merging and deleting are an
admin's, like renaming a tag. A desk that already has sign-in roles gets these GRANTs from
`ticketdesk agents add` or `postgres_roles.apply_grants`, as after any migration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ticketdesk.domain.clock import utc_now

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 21

TABLES = """
ALTER TABLE tag ADD COLUMN color {text} NOT NULL DEFAULT '';
CREATE TABLE category (
    id {pk},
    name {text} NOT NULL,
    created_at {bigint} NOT NULL
);
CREATE UNIQUE INDEX category_name ON category (lower(name));
CREATE INDEX ticket_category ON ticket (category, created_at, id);
CREATE TABLE custom_field (
    id {pk},
    name {text} NOT NULL,
    kind {text} NOT NULL CHECK (kind IN ('text', 'number', 'date', 'list', 'checkbox')),
    options {text} NOT NULL DEFAULT '',
    position {int} NOT NULL DEFAULT 0,
    created_at {bigint} NOT NULL
);
CREATE UNIQUE INDEX custom_field_name ON custom_field (lower(name));
CREATE TABLE custom_value (
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    field_id {ref} NOT NULL REFERENCES custom_field (id) ON DELETE CASCADE,
    value {text} NOT NULL,
    PRIMARY KEY (ticket_id, field_id)
) {without_rowid};
CREATE INDEX custom_value_field ON custom_value (field_id, value, ticket_id)
"""

EXISTING = """
INSERT INTO category (name, created_at)
SELECT min(category), {now} FROM ticket WHERE category <> '' GROUP BY lower(category)
"""

# Spellings that differ only in case become the list's one spelling.
SPELLINGS = """
UPDATE ticket SET category = (SELECT c.name FROM category c
                              WHERE lower(c.name) = lower(ticket.category))
WHERE category <> '' AND category NOT IN (SELECT name FROM category)
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
    ctx.db.execute_sql(EXISTING.format(now=int(utc_now())))
    ctx.db.execute_sql(SPELLINGS)
