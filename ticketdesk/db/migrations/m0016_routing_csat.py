"""Routing and satisfaction (issue 21): teams, agents' availability and skills, routing rules
with their round-robin cursor, and CSAT ratings.

- `team`, `team_member`: named groups of agents a rule can route to.
- `agent.status` ('available', 'away', 'off') and `agent.capacity` (open tickets at most; NULL
  for no limit): routing skips agents who are away, off or full.
- `agent_tag_skill`, `agent_category_skill`: the tags and categories an agent handles (the
  "skills" method picks among the agents whose skills match the ticket).
- `routing_rule`: ordered by `position`, the first active rule whose conditions all match a new
  ticket decides. The conditions are newline-separated lists (empty: any): ticket tags,
  categories, customer tags, priorities (their numbers), words in subject or body, channels.
  The target is a team (`team_id`) or the agents of `routing_rule_agent`; `method` is
  'round-robin', 'least-open' or 'skills'. `last_agent_id` is round robin's last pick (an agent
  id): it lives in the database, so every desktop of a team desk continues the same rotation; it is
  read and moved inside the writing transaction, which holds the desk's write lock.
- `csat_rating`: one rating per ticket and resolution (`resolved_at`, the ticket's resolved
  time the rating is about; a reopen and a new resolve make a new resolution), changeable.
  `rating` is 1-5, NULL when the customer answered only Good or Bad; `good` is derived
  (rating 4 or 5, or Good). `source` is 'email', 'phone', 'chat' or 'agent'. The index on
  `created_at` covers `good` and `rating`, so a period's card and daily trend read the index
  alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 16

TABLES = """
CREATE TABLE team (
    id {pk},
    name {text} NOT NULL,
    created_at {bigint} NOT NULL
);
CREATE UNIQUE INDEX team_name ON team (lower(name));
CREATE TABLE team_member (
    team_id {ref} NOT NULL REFERENCES team (id) ON DELETE CASCADE,
    agent_id {ref} NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
) {without_rowid};
CREATE INDEX team_member_agent ON team_member (agent_id, team_id);
ALTER TABLE agent ADD COLUMN status {text} NOT NULL DEFAULT 'available';
ALTER TABLE agent ADD COLUMN capacity {int};
CREATE TABLE agent_tag_skill (
    agent_id {ref} NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    tag_id {ref} NOT NULL REFERENCES tag (id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, tag_id)
) {without_rowid};
CREATE INDEX agent_tag_skill_tag ON agent_tag_skill (tag_id, agent_id);
CREATE TABLE agent_category_skill (
    agent_id {ref} NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    category {text} NOT NULL,
    PRIMARY KEY (agent_id, category)
) {without_rowid};
CREATE TABLE routing_rule (
    id {pk},
    name {text} NOT NULL,
    position {int} NOT NULL,
    tags {text} NOT NULL DEFAULT '',
    categories {text} NOT NULL DEFAULT '',
    customer_tags {text} NOT NULL DEFAULT '',
    priorities {text} NOT NULL DEFAULT '',
    words {text} NOT NULL DEFAULT '',
    channels {text} NOT NULL DEFAULT '',
    team_id {ref} REFERENCES team (id) ON DELETE SET NULL,
    method {text} NOT NULL,
    active {bool} NOT NULL DEFAULT TRUE,
    last_agent_id {bigint} NOT NULL DEFAULT 0,
    created_at {bigint} NOT NULL
);
CREATE UNIQUE INDEX routing_rule_name ON routing_rule (lower(name));
CREATE TABLE routing_rule_agent (
    rule_id {ref} NOT NULL REFERENCES routing_rule (id) ON DELETE CASCADE,
    agent_id {ref} NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, agent_id)
) {without_rowid};
CREATE TABLE csat_rating (
    id {pk},
    ticket_id {ref} NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    resolved_at {bigint} NOT NULL,
    rating {smallint},
    good {bool} NOT NULL,
    comment {text} NOT NULL DEFAULT '',
    source {text} NOT NULL,
    agent_id {ref} REFERENCES agent (id),
    created_at {bigint} NOT NULL,
    updated_at {bigint} NOT NULL
);
CREATE UNIQUE INDEX csat_rating_resolution ON csat_rating (ticket_id, resolved_at);
CREATE INDEX csat_rating_created ON csat_rating (created_at, good, rating, ticket_id)
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
