"""Saved views and canned responses (issue 18).

- `saved_view`: a named ticket filter, sort and column layout (`domain/view_spec.py` writes
  `filter_json`, `sort` like "created descending" and `columns` like "0,1,2,4"). Every view has
  an owner agent; `shared` shows it to every agent of a team desk, otherwise only its owner
  sees it. `position` orders the list (each agent reorders the views they own). The built-in
  views (My open tickets, Unassigned, All) are not rows: they are code
  (services/saved_views.py).
- `canned_response`: a reply text with placeholders (`domain/placeholders.py`, checked before
  every save) shared by the whole desk, and optional actions applied with it: a status, a
  priority (their numbers) and tags to add (newline-separated). Titles are unique regardless of
  case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 19

TABLES = """
CREATE TABLE saved_view (
    id {pk},
    name {text} NOT NULL,
    owner_id {ref} NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    shared {bool} NOT NULL DEFAULT FALSE,
    position {int} NOT NULL DEFAULT 0,
    filter_json {text} NOT NULL DEFAULT '{{}}',
    sort {text} NOT NULL DEFAULT 'created descending',
    columns {text} NOT NULL DEFAULT '',
    created_at {bigint} NOT NULL,
    updated_at {bigint} NOT NULL
);
CREATE INDEX saved_view_owner ON saved_view (owner_id, position);
CREATE INDEX saved_view_shared ON saved_view (shared, position);
CREATE TABLE canned_response (
    id {pk},
    title {text} NOT NULL,
    body {text} NOT NULL,
    set_status {smallint},
    set_priority {smallint},
    add_tags {text} NOT NULL DEFAULT '',
    created_by {ref} REFERENCES agent (id) ON DELETE SET NULL,
    created_at {bigint} NOT NULL,
    updated_at {bigint} NOT NULL
);
CREATE UNIQUE INDEX canned_response_title ON canned_response (lower(title))
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
