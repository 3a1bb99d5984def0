"""Errors a user can act on. Each carries a message written for the person at the desk."""

from __future__ import annotations

from dataclasses import dataclass, field


class TicketdeskError(Exception):
    """Base of every error whose message is meant to be shown to the user as is."""


class ValidationError(TicketdeskError):
    """Input was refused before anything was written."""


class NotFoundError(TicketdeskError):
    """The thing asked for does not exist (any more)."""


class StorageError(TicketdeskError):
    """The database could not do what was asked: busy, read-only, full, unreachable, damaged."""


@dataclass(frozen=True)
class ChangeSeen:
    """One change another agent made since the version the user read (for conflict messages)."""

    agent: str
    at: int
    what: str


class ConflictError(TicketdeskError):
    """The ticket changed since the user read it; their update was refused and nothing was written.

    `changes` lists what happened in between so the UI can show it, and `current_version` lets the
    user re-apply their edit on top of the current state deliberately.
    """

    def __init__(self, number: str, read_version: int, current_version: int,
                 changes: tuple[ChangeSeen, ...] = ()) -> None:
        self.number = number
        self.read_version = read_version
        self.current_version = current_version
        self.changes = changes
        lines = [f"{number} was changed by someone else since you opened it; "
                 "your change was not saved."]
        lines += [f"  • {c.agent}: {c.what}" for c in changes]
        super().__init__("\n".join(lines))


@dataclass
class InvalidRowsError(TicketdeskError):
    """Several input rows were refused (import); nothing was written."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    good: int = 0
    """Rows that could be imported if the bad ones were skipped (0 when the file could not be
    read to its end, or its header is wrong: skipping rows cannot help then)."""

    def __str__(self) -> str:
        shown = [f"line {line}: {msg}" for line, msg in self.errors[:20]]
        more = len(self.errors) - len(shown)
        if more > 0:
            shown.append(f"… and {more} more")
        return "\n".join(shown)
