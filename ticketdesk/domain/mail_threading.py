"""Which ticket an incoming mail belongs to, and the subject of a reply (pure rules).

A reply is matched by the Message-IDs it names (In-Reply-To, then References, newest first)
against the Message-IDs of messages we received or sent; failing that, by a ticket number in
square brackets in the subject (`[TKT-000123]`), which our replies always carry. Never by the
subject's text: two customers both writing "Printer broken" are two tickets.
See ticketdesk/ARCHITECTURE.md ("Mail").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ticketdesk.domain.numbers import format_number

_MSGID = re.compile(r"<([^<>\s]{1,990})>")
_BRACKETED_NUMBER = re.compile(r"\[\s*TKT-0*(\d{1,12})\s*\]", re.IGNORECASE)
# Reply and forward prefixes as mail programs write them in several languages.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|antw|odp|rif|r|tr|ref|res)\s*(?:\[\d+\])?\s*[::]\s*)+",
    re.IGNORECASE)
ID_LIST_MAX = 50
"""At most this many References are considered (a forged header may carry thousands)."""


def message_ids(header: str | None) -> list[str]:
    """The `<id>`s a Message-ID, In-Reply-To or References header names, in order, each once,
    angle brackets kept (the form we store)."""
    if not header:
        return []
    found = dict.fromkeys(f"<{m}>" for m in _MSGID.findall(header))
    return list(found)


def normal_message_id(header: str | None) -> str | None:
    """The one Message-ID of a Message-ID header, or None if it carries none we can use."""
    ids = message_ids(header)
    return ids[0] if ids else None


def reference_candidates(in_reply_to: str | None, references: str | None) -> list[str]:
    """The ids to look up, best first: In-Reply-To, then References from the newest (last)."""
    ordered = message_ids(in_reply_to) + list(reversed(message_ids(references)))
    return list(dict.fromkeys(ordered))[:ID_LIST_MAX]


def number_in_subject(subject: str | None) -> int | None:
    """The ticket id of the first `[TKT-000123]` in the subject, or None."""
    m = _BRACKETED_NUMBER.search(subject or "")
    if not m:
        return None
    value = int(m.group(1))
    return value if value > 0 else None


@dataclass(frozen=True)
class ThreadMatch:
    ticket_id: int | None
    how: str
    """'in-reply-to/references', 'subject number' or 'new'."""


def match_ticket(candidates: Sequence[str], known: Mapping[str, int], subject: str | None,
                 existing_tickets: Mapping[int, bool]) -> ThreadMatch:
    """Decide the ticket of a mail.

    `known` maps the stored Message-IDs among `candidates` to their ticket; `existing_tickets`
    says for the subject's number whether that ticket exists (a number of a deleted or
    never-made ticket starts a new one).
    """
    for mid in candidates:
        if mid in known:
            return ThreadMatch(known[mid], "in-reply-to/references")
    number = number_in_subject(subject)
    if number is not None and existing_tickets.get(number):
        return ThreadMatch(number, "subject number")
    return ThreadMatch(None, "new")


def strip_reply_prefixes(subject: str) -> str:
    """`Re: Fwd: AW: hello` -> `hello`, and any `[TKT-…]` tag removed."""
    previous = None
    text = subject
    while previous != text:
        previous = text
        text = _PREFIX.sub("", text)
        text = _BRACKETED_NUMBER.sub("", text).strip()
    return " ".join(text.split())


def reply_subject(ticket_id: int, subject: str) -> str:
    """`Re: [TKT-000123] Printer broken`: one Re:, the ticket number once, whatever the
    subject already carried."""
    rest = strip_reply_prefixes(subject)
    tag = f"[{format_number(ticket_id)}]"
    return f"Re: {tag} {rest}" if rest else f"Re: {tag}"


def acknowledgement_subject(ticket_id: int, subject: str) -> str:
    rest = strip_reply_prefixes(subject)
    tag = f"[{format_number(ticket_id)}]"
    return f"{tag} {rest}" if rest else tag


def references_for_reply(parent_references: str | None, parent_id: str | None) -> str | None:
    """The References of a reply: the parent's, then the parent's own id (RFC 5322 3.6.4),
    kept to the last ID_LIST_MAX ids."""
    ids = message_ids(parent_references)
    if parent_id:
        ids = [i for i in ids if i != parent_id] + [parent_id]
    ids = ids[-ID_LIST_MAX:]
    return " ".join(ids) if ids else None
