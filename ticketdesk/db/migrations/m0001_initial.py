"""The first schema: people, tickets, conversation, notes, attachments, activity, search index."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 1

TABLES = """
CREATE TABLE agent (
    id {pk},
    name {text} NOT NULL,
    email {text} NOT NULL DEFAULT '',
    active {bool} NOT NULL,
    created_at {bigint} NOT NULL
);
CREATE UNIQUE INDEX agent_name ON agent (lower(name));

CREATE TABLE customer (
    id {pk},
    name {text} NOT NULL,
    email {text} NOT NULL DEFAULT '',
    phone {text} NOT NULL DEFAULT '',
    company {text} NOT NULL DEFAULT '',
    external_id {text},
    created_at {bigint} NOT NULL,
    version {int} NOT NULL DEFAULT 1
);
CREATE INDEX customer_name ON customer (lower(name), id);
CREATE INDEX customer_email ON customer (lower(email));
CREATE UNIQUE INDEX customer_external_id ON customer (external_id);

CREATE TABLE customer_tag (
    id {pk},
    name {text} NOT NULL UNIQUE
);
CREATE TABLE customer_tag_link (
    customer_id {ref} NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    tag_id {ref} NOT NULL REFERENCES customer_tag (id) ON DELETE CASCADE,
    PRIMARY KEY (customer_id, tag_id)
) {without_rowid};
CREATE INDEX customer_tag_link_tag ON customer_tag_link (tag_id, customer_id);

CREATE TABLE tag (
    id {pk},
    name {text} NOT NULL UNIQUE
);

CREATE TABLE ticket (
    id {pk},
    subject {text} NOT NULL,
    description {text} NOT NULL DEFAULT '',
    status {smallint} NOT NULL,
    priority {smallint} NOT NULL,
    category {text} NOT NULL DEFAULT '',
    customer_id {ref} REFERENCES customer (id),
    created_at {bigint} NOT NULL,
    updated_at {bigint} NOT NULL,
    first_response_at {bigint},
    resolved_at {bigint},
    closed_at {bigint},
    version {int} NOT NULL DEFAULT 1
);
CREATE INDEX ticket_created ON ticket (created_at, id);
CREATE INDEX ticket_updated ON ticket (updated_at, id);
CREATE INDEX ticket_status ON ticket (status, created_at, id);
CREATE INDEX ticket_priority ON ticket (priority, created_at, id);
CREATE INDEX ticket_customer ON ticket (customer_id, id);
CREATE INDEX ticket_subject ON ticket (lower(subject), id);
CREATE INDEX ticket_resolved ON ticket (resolved_at);
CREATE INDEX ticket_closed ON ticket (closed_at);

CREATE TABLE ticket_tag (
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    tag_id {ref} NOT NULL REFERENCES tag (id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, tag_id)
) {without_rowid};
CREATE INDEX ticket_tag_tag ON ticket_tag (tag_id, ticket_id);

CREATE TABLE ticket_assignee (
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    agent_id {ref} NOT NULL REFERENCES agent (id),
    PRIMARY KEY (ticket_id, agent_id)
) {without_rowid};
CREATE INDEX ticket_assignee_agent ON ticket_assignee (agent_id, ticket_id);

CREATE TABLE note (
    id {pk},
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    author_id {ref} REFERENCES agent (id),
    body {text} NOT NULL,
    created_at {bigint} NOT NULL,
    updated_at {bigint} NOT NULL,
    version {int} NOT NULL DEFAULT 1
);
CREATE INDEX note_ticket ON note (ticket_id, id);

CREATE TABLE message (
    id {pk},
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    incoming {bool} NOT NULL,
    agent_id {ref} REFERENCES agent (id),
    body {text} NOT NULL,
    created_at {bigint} NOT NULL
);
CREATE INDEX message_ticket ON message (ticket_id, id);

CREATE TABLE attachment (
    id {pk},
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    message_id {ref} REFERENCES message (id) ON DELETE SET NULL,
    name {text} NOT NULL,
    mime {text} NOT NULL,
    size {bigint} NOT NULL,
    sha256 {text} NOT NULL,
    created_at {bigint} NOT NULL,
    agent_id {ref} REFERENCES agent (id)
);
CREATE INDEX attachment_ticket ON attachment (ticket_id, id);
CREATE INDEX attachment_message ON attachment (message_id);

CREATE TABLE attachment_content (
    attachment_id {ref} PRIMARY KEY REFERENCES attachment (id) ON DELETE CASCADE,
    data {blob} NOT NULL
);

CREATE TABLE activity (
    id {pk},
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    agent_id {ref} REFERENCES agent (id),
    at {bigint} NOT NULL,
    kind {text} NOT NULL,
    old {text},
    new {text},
    ref_id {bigint},
    ticket_version {int} NOT NULL
);
CREATE INDEX activity_ticket ON activity (ticket_id, id);

CREATE TABLE desk_meta (
    key {text} PRIMARY KEY,
    value {text} NOT NULL
)
"""

# The search index holds one document per ticket, already folded by domain.search, so the
# engines only split on spaces. SQLite: a contentless FTS5 table whose rowid is the ticket id.
SQLITE_SEARCH = """
CREATE VIRTUAL TABLE ticket_fts USING fts5(
    ref, subject, body, talk, notes,
    content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
)
"""

POSTGRES_SEARCH = """
CREATE TABLE ticket_search (
    ticket_id BIGINT PRIMARY KEY REFERENCES ticket (id) ON DELETE CASCADE,
    doc TSVECTOR NOT NULL
);
CREATE INDEX ticket_search_doc ON ticket_search USING GIN (doc)
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
    if ctx.dialect.is_sqlite:
        ctx.script(SQLITE_SEARCH)
    else:
        ctx.script(POSTGRES_SEARCH)
