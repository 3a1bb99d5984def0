"""Mail (issue 15): customers write in by email, replies go out through an outbox.

- `message` gains the RFC 5322 Message-ID it was sent or received with (unique where set: the
  key that makes an import never happen twice and that threads a reply), the raw In-Reply-To
  and References it carried, and its `channel` ('' typed in by an agent, 'email').
- `mailbox_state`: per mailbox (`user@host:port/folder`), the IMAP UIDVALIDITY and the last UID
  imported, written in the same transaction as the message it checkpoints.
- `outbox`: one row per outgoing mail, written in the transaction that adds the reply. The
  Message-ID is fixed when the row is queued, so a resend after a crash carries the same one.
  `state` is queued, sending, sent or failed; `kind` reply or ack (an acknowledgement).
- `agent.signature`: appended to the agent's mail replies.
- an index on lower(customer.email): a sender is found by address without a scan.

The mail settings live in desk_meta (key `mail.settings`, JSON, never the password).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 10

STATEMENTS = """
ALTER TABLE message ADD COLUMN rfc_message_id {text};
ALTER TABLE message ADD COLUMN in_reply_to {text};
ALTER TABLE message ADD COLUMN refs {text};
ALTER TABLE message ADD COLUMN channel {text} NOT NULL DEFAULT '';
CREATE UNIQUE INDEX message_rfc_message_id ON message (rfc_message_id)
    WHERE rfc_message_id IS NOT NULL;
ALTER TABLE agent ADD COLUMN signature {text} NOT NULL DEFAULT '';
CREATE INDEX customer_email_lower ON customer (lower(email));
CREATE TABLE mailbox_state (
    mailbox {text} PRIMARY KEY,
    uidvalidity {bigint} NOT NULL,
    last_uid {bigint} NOT NULL,
    updated_at {bigint} NOT NULL
);
CREATE TABLE outbox (
    id {pk},
    message_id {ref} NOT NULL REFERENCES message (id) ON DELETE CASCADE,
    kind {text} NOT NULL,
    state {text} NOT NULL,
    attempts {int} NOT NULL DEFAULT 0,
    last_error {text},
    rfc_message_id {text} NOT NULL,
    to_address {text} NOT NULL,
    subject {text} NOT NULL,
    in_reply_to {text},
    refs {text},
    signature {text} NOT NULL DEFAULT '',
    next_attempt_at {bigint} NOT NULL DEFAULT 0,
    created_at {bigint} NOT NULL,
    updated_at {bigint} NOT NULL
);
CREATE UNIQUE INDEX outbox_message ON outbox (message_id);
CREATE UNIQUE INDEX outbox_rfc_message_id ON outbox (rfc_message_id);
CREATE INDEX outbox_state ON outbox (state, next_attempt_at, id);
CREATE INDEX outbox_to_address ON outbox (to_address, kind, created_at)
"""


def apply(ctx: MigrationContext) -> None:
    ctx.script(STATEMENTS)
