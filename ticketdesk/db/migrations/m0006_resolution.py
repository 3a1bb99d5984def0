"""The ticket's resolution (issue 13, item 24): how it was resolved, kept with the ticket.

*Resolve…* used to save its text as an ordinary internal note, so the ticket had no resolution
of its own to show, export or import. The text now lives in `ticket.resolution` ("" when there
is none); setting or clearing it writes a `resolution` activity row with the old and new text,
so a reopen (which clears it) loses nothing from the history.

Notes written by *Resolve…* before this version stay notes: nothing in the old rows says for
certain which note was the resolution, and guessing would move an agent's words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 6


def apply(ctx: MigrationContext) -> None:
    ctx.execute("ALTER TABLE ticket ADD COLUMN resolution {text} NOT NULL DEFAULT ''")
