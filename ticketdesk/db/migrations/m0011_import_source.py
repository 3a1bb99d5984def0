"""Where an imported ticket came from (issue 16): `ticket.source_system` and `source_id`.

An import from another help desk records the system ("zendesk", or what the user names) and
the ticket's id there; the pair is unique where both are set, so importing the same file
again finds every ticket it brought before and adds nothing. Tickets made in this desk have
neither. The index is partial (only imported tickets), so a desk of a million tickets made
here pays nothing for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketdesk.db.migrations import MigrationContext

VERSION = 11


def apply(ctx: MigrationContext) -> None:
    ctx.execute("ALTER TABLE ticket ADD COLUMN source_system {text}")
    ctx.execute("ALTER TABLE ticket ADD COLUMN source_id {text}")
    ctx.execute("CREATE UNIQUE INDEX ticket_source ON ticket (source_system, source_id) "
                "WHERE source_system IS NOT NULL AND source_id IS NOT NULL")
