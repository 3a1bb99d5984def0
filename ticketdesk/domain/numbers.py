"""Ticket numbers: `TKT-000013`. The number is the ticket's id, which is never reused.

Numbers go from 1 to `MAX_NUMBER` (nine digits, a billion tickets): a desk never issues a number
above it and an import never accepts one, so every number a desk holds can be written and read
back (an export imports again). Digits are decimal digits in any script (an Arabic keyboard types
"١٢٣"); a superscript "²" is not one.
"""

from __future__ import annotations

import re

PREFIX = "TKT-"
MAX_NUMBER = 999_999_999
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
    return value if 0 < value <= MAX_NUMBER else None


def is_valid(ticket_id: int) -> bool:
    """A number the desk can hold (see the module docstring)."""
    return 0 < ticket_id <= MAX_NUMBER
