"""Ticket numbers: `TKT-000013`. The number is the ticket's id, which is never reused.

Numbers go from 1 to `MAX_NUMBER` (nine digits, a billion tickets): a desk never issues a number
above it and an import never accepts one, so every number a desk holds can be written and read
back (an export imports again). Digits are decimal digits in any script (an Arabic keyboard types
"١٢٣"); a superscript "²" is not one.

What the search box's text asks for — one ticket by its number, a full-text search, or nothing —
is decided here once (`read_search`); the list, the first page's shortcut and the SQL receive
that decision instead of each deciding again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ticketdesk.domain.search import SearchQuery, parse_query

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


@dataclass(frozen=True)
class SearchText:
    """What text typed in the search box asks for (see `read_search`)."""

    number: int | None = None
    """A ticket number: exactly that ticket."""
    query: SearchQuery | None = None
    """A full-text search with at least one word (None for a number, or text with no words)."""

    @property
    def is_full_text(self) -> bool:
        return self.query is not None

    @property
    def is_empty(self) -> bool:
        """Nothing to narrow the list by (blank text, or only punctuation)."""
        return self.number is None and self.query is None


def read_search(text: str) -> SearchText:
    """The one decision on search text: a ticket number (`parse_number`) finds exactly that
    ticket; any other text with words is a full-text search; the rest asks for nothing."""
    if not text.strip():
        return SearchText()
    number = parse_number(text)
    if number is not None:
        return SearchText(number=number)
    query = parse_query(text)
    return SearchText() if query.is_empty else SearchText(query=query)
