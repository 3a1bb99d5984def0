"""Ticket numbers: `TKT-000013`. The number is the ticket's id, which is never reused."""

from __future__ import annotations

import re

PREFIX = "TKT-"
_NUMBER = re.compile(r"^\s*(?:tkt-?|#)?\s*0*(\d{1,12})\s*$", re.IGNORECASE)


def format_number(ticket_id: int) -> str:
    return f"{PREFIX}{ticket_id:06d}"


def parse_number(text: str) -> int | None:
    """The ticket id a user meant by `TKT-000123`, `tkt123`, `#123`; None if it is not a number.

    Bare digits are not a ticket number here: "404" in the search box may be an error code in a
    subject, so only a prefixed form finds a ticket exactly.
    """
    stripped = text.strip()
    if not stripped or stripped.isdigit():
        return None
    m = _NUMBER.match(stripped)
    if not m:
        return None
    value = int(m.group(1))
    return value if value > 0 else None
