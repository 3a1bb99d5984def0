"""Ticket status and priority, and the rules for moving between statuses.

Both are stored as small integers in the order a person reads them, so sorting in SQL gives the
natural order (Open before Closed, Low before Urgent).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from typing import TypeVar

from ticketdesk.domain.errors import ValidationError


class Status(IntEnum):
    OPEN = 0
    IN_PROGRESS = 1
    WAITING = 2
    RESOLVED = 3
    CLOSED = 4

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_active(self) -> bool:
        """Open, In Progress and Waiting are work still to do; Resolved and Closed are done."""
        return self < Status.RESOLVED

    @classmethod
    def parse(cls, text: str | int) -> Status:
        return _parse(cls, text, _STATUS_LABELS, "status")


class Priority(IntEnum):
    LOW = 0
    MEDIUM = 1
    HIGH = 2
    URGENT = 3

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @classmethod
    def default(cls) -> Priority:
        return cls.MEDIUM

    @classmethod
    def parse(cls, text: str | int) -> Priority:
        return _parse(cls, text, {p: p.label for p in cls}, "priority")

    def escalated(self) -> Priority:
        """One step up, staying at Urgent."""
        return Priority(min(self + 1, Priority.URGENT))


_STATUS_LABELS = {
    Status.OPEN: "Open",
    Status.IN_PROGRESS: "In Progress",
    Status.WAITING: "Waiting",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}


def _key(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


E = TypeVar("E", bound=IntEnum)


def _parse(cls: type[E], text: str | int, labels: dict[E, str], what: str) -> E:
    """Accept a label in any case, width and spacing ("in progress", "IN_PROGRESS",
    "In-Progress"), or the stored number (a member itself, or a value read from a file); services
    pass what they are given through here so an unknown value is a clear ValidationError rather
    than a bare ValueError."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text in {int(m) for m in labels}:
            return cls(text)
    else:
        wanted = _key(str(text))
        for member, label in labels.items():
            if wanted in (_key(label), _key(member.name)):
                return member
    choices = ", ".join(labels.values())
    raise ValidationError(f"Unknown {what} {text!r}. Choose one of: {choices}.")


@dataclass(frozen=True)
class StatusTimes:
    """The lifecycle timestamps a status change sets or clears (epoch seconds, UTC)."""

    resolved_at: int | None
    closed_at: int | None


def check_transition(old: Status, new: Status) -> None:
    """Refuse moves that make no sense at a help desk.

    A Closed ticket is final except for reopening: it can go back to Open or In Progress, never
    straight to Waiting or Resolved (reopen first, so the audit trail says what happened).
    Everything else may move anywhere, including Open -> Closed (spam, duplicates).
    """
    if old == Status.CLOSED and new in (Status.WAITING, Status.RESOLVED):
        raise ValidationError(
            "A closed ticket can only be reopened (to Open or In Progress), "
            f"not moved to {new.label}."
        )


def is_reopen(old: Status, new: Status) -> bool:
    return not old.is_active and new.is_active


def times_after(old: Status, new: Status, now: int, times: StatusTimes) -> StatusTimes:
    """Lifecycle times after moving from `old` to `new` at `now`.

    Resolving stamps resolved_at; closing stamps closed_at (and resolved_at if the ticket was
    closed without being resolved first). Reopening clears both, so the figures describe the
    ticket's latest resolution rather than one that was undone.
    """
    if new == Status.RESOLVED:
        return StatusTimes(resolved_at=now if old != Status.RESOLVED else times.resolved_at,
                           closed_at=None)
    if new == Status.CLOSED:
        return StatusTimes(resolved_at=times.resolved_at or now,
                           closed_at=now if old != Status.CLOSED else times.closed_at)
    return StatusTimes(resolved_at=None, closed_at=None)
