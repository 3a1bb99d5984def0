"""Progress and cancellation of a long job (demo data, export, import, migration, backup).

One callback type and one exception for every long job, so the window's progress dialog
(`ui/tasks.py`), the command line's progress line and the services speak the same words, with no
adapter between them: a job calls `progress(done, total, phase)` now and then; a callback that
returns False asks it to stop, and the job raises `Cancelled` after undoing what it had started.
"""

from __future__ import annotations

from collections.abc import Callable

from ticketdesk.domain.errors import TicketdeskError

Progress = Callable[[int, int, str], bool | None]
"""`progress(done, total, phase)`: `phase` says what is happening ("" when nothing new); a
return value of False cancels, anything else (True, None) goes on."""


class Cancelled(TicketdeskError):
    """The user cancelled a long job. The message says what was left as it was."""

    def __init__(self, message: str = "Cancelled; nothing was changed.") -> None:
        super().__init__(message)
