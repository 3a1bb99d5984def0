"""Never answer a robot (pure rules): an automatic reply is sent only to a person's first mail,
never to auto-replies, bounces or mailing lists, and at most a few times per sender in a window,
so two robots can never keep answering each other (RFC 3834).
See ticketdesk/ARCHITECTURE.md ("Mail").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

ROBOT_LOCAL_PARTS = frozenset({
    "mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply",
    "bounce", "bounces", "listserv", "majordomo",
})
RATE_LIMIT = 3
"""At most this many acknowledgements to one sender ..."""
RATE_WINDOW = 3600
"""... per this many seconds."""


def local_part(address: str) -> str:
    return address.rpartition("@")[0].strip().lower() if "@" in address else address.lower()


def robot_reason(headers: Mapping[str, str], sender: str, own_address: str = "") -> str | None:
    """Why this mail must get no automatic answer, or None if it may. `headers` holds lower-case
    header names (only the first of each is needed)."""
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto.split(';')[0].strip()}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if headers.get("list-id", "").strip():
        return "a mailing list (List-Id)"
    for name in ("x-autoreply", "x-autorespond", "x-auto-response-suppress"):
        value = headers.get(name, "").strip().lower()
        if value and (name != "x-auto-response-suppress" or "all" in value or "oof" in value):
            return f"an automatic reply ({name})"
    if headers.get("return-path", "").strip() == "<>":
        return "a bounce (empty Return-Path)"
    if not sender:
        return "no sender address"
    if local_part(sender) in ROBOT_LOCAL_PARTS or local_part(sender).startswith(
            ("mailer-daemon", "postmaster", "bounce")):
        return f"a system address ({sender})"
    if own_address and sender.strip().lower() == own_address.strip().lower():
        return "our own address"
    return None


def within_rate(previous: Sequence[int], now: int, limit: int = RATE_LIMIT,
                window: int = RATE_WINDOW) -> bool:
    """May one more automatic mail go to a sender who got these (epoch seconds) already?"""
    recent = [t for t in previous if now - window < t <= now]
    return len(recent) < limit
