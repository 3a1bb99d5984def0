"""What a dock tab may ask of the dock that holds it.

The tabs (Detail, Conversation, Notes, Activity) are given a `DockContext` instead of importing
the dock, so the dock module imports its tabs and nothing imports back. Everything a tab does to
the desk goes through it: `read` runs a service read on the dock's query thread and hands the
answer to `show` on the GUI thread (dropped if the ticket changed meanwhile); `write` and
`append` queue a save on the dock's write queue and mark the `busy` controls until it is done.
The GUI thread never waits on the database (ticketdesk/ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from PySide6.QtWidgets import QWidget

from ticketdesk.services.changes import Changes
from ticketdesk.services.records import TicketDetail
from ticketdesk.services.session import Session

T = TypeVar("T")
Action = Callable[[int], Changes]
"""A versioned save: gets the ticket (or note) version it is based on."""
Done = Callable[[], None]


class DockContext(Protocol):
    @property
    def session(self) -> Session: ...

    @property
    def ticket_id(self) -> int | None: ...

    @property
    def ticket(self) -> TicketDetail | None: ...

    def read(self, channel: str, fn: Callable[[Session], Any],
             show: Callable[[Any], None]) -> None:
        """Run `fn(session)` off the GUI thread; `show(answer)` on it if still wanted."""

    def write(self, action: Action, what: str, *, version: int | None = None,
              current: Callable[[Session], int | None] | None = None,
              done: Done | None = None, discard: Done | None = None, draft: str | None = None,
              busy: Sequence[QWidget] = ()) -> None:
        """Queue one versioned save (a conflict shows in the dock). `done` runs if it is saved
        while its ticket is still shown; the draft of kind `draft` is forgotten once saved."""

    def append(self, action: Callable[[], Changes], *, done: Done | None = None,
               draft: str | None = None, busy: Sequence[QWidget] = ()) -> None:
        """Queue one save that adds to the ticket (never conflicts)."""

    def is_busy(self, widget: QWidget) -> bool:
        """True while a save marked `widget` busy (it is disabled until the answer)."""

    def notify(self, message: str) -> None: ...

    def keep_draft(self, kind: str, body: str | None, base_version: int | None = None) -> None:
        ...

    def discard_draft(self, kind: str) -> None: ...

    def quiet(self) -> AbstractContextManager[None]: ...
