"""SLA (issue 17): policies, the desk's business hours and holidays, and each ticket's SLA.

A ticket's SLA is derived from its history (domain/sla.py) and stored in its own row so the list
filters and sorts by it in SQL at a million tickets. Only instants that do not depend on the time
of day are stored; "breached" and "at risk" compare them with now:

- `sla_due`: the nearest due among the targets whose clock runs (sort by due, "due within the
  hour", "due today");
- `sla_breach_at`: the earliest breach, a past miss or the pending target's due ("breached" is
  `sla_breach_at <= now`);
- `sla_risk_at`: when the running target becomes at risk;
- `sla_state`: the time-free phase (0 none, 1 running, 2 paused, 3 done);
- `first_response_due`, `next_response_due`, `resolution_due`: per target, for the dock and the
  export. "Needs first reply" has a partial index, newest first, over tickets without a first
  response.

`sla_policy_id` carries no foreign key: deleting a policy recomputes the tickets that had it, and
a foreign key would make every policy delete scan the ticket table. Policies keep their narrowing
as newline-separated names (tags and categories hold no newline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 12

TABLES = """
CREATE TABLE sla_policy (
    id {pk},
    name {text} NOT NULL,
    position {int} NOT NULL,
    tags {text} NOT NULL DEFAULT '',
    customer_tags {text} NOT NULL DEFAULT '',
    categories {text} NOT NULL DEFAULT '',
    created_at {bigint} NOT NULL
);
CREATE UNIQUE INDEX sla_policy_name ON sla_policy (lower(name));
CREATE TABLE sla_target (
    policy_id {ref} NOT NULL REFERENCES sla_policy (id) ON DELETE CASCADE,
    priority {smallint} NOT NULL,
    first_response {int},
    next_response {int},
    resolution {int},
    PRIMARY KEY (policy_id, priority)
) {without_rowid};
CREATE TABLE sla_hours (
    id {int} PRIMARY KEY,
    zone {text} NOT NULL,
    week {text} NOT NULL,
    updated_at {bigint} NOT NULL
);
CREATE TABLE sla_holiday (
    day {text} PRIMARY KEY,
    name {text} NOT NULL DEFAULT ''
) {without_rowid};
ALTER TABLE ticket ADD COLUMN sla_policy_id {ref};
ALTER TABLE ticket ADD COLUMN first_response_due {bigint};
ALTER TABLE ticket ADD COLUMN next_response_due {bigint};
ALTER TABLE ticket ADD COLUMN resolution_due {bigint};
ALTER TABLE ticket ADD COLUMN sla_due {bigint};
ALTER TABLE ticket ADD COLUMN sla_risk_at {bigint};
ALTER TABLE ticket ADD COLUMN sla_breach_at {bigint};
ALTER TABLE ticket ADD COLUMN sla_state {smallint} NOT NULL DEFAULT 0;
CREATE INDEX ticket_sla_due ON ticket (sla_due, id);
CREATE INDEX ticket_sla_breach ON ticket (sla_breach_at, id);
CREATE INDEX ticket_sla_state ON ticket (sla_state, sla_risk_at);
CREATE INDEX ticket_sla_policy ON ticket (sla_policy_id);
CREATE INDEX ticket_awaiting_reply ON ticket (created_at, id)
    WHERE first_response_at IS NULL
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(TABLES)
