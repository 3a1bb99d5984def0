"""The import wizard's long passes over a big file (survey, dry run, import; ticketdesk's own
export too) in a child process (services/child.py says why: on a thread of the window the
longest GUI stalls of `tests/bench/bench_import_wizard.py --rows 100000` were 151-252 ms, in a
child 32-69 ms at load 3-4).

A survey in a child took 0.7-0.9 s at load 5.8 (1.7 s at load 9), most of it starting Python
and importing ticketdesk, against 0.01-0.16 s on the thread for 1,000-10,000 rows, so files
under `CHILD_MIN_BYTES` stay on the thread (`worth_a_child`). For an import the child opens the
desk itself (`import_at`, `own_import_at`: the same URL and password, `desk_of`, as the same
agent) and commits it in one transaction as the thread did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ticketdesk.domain.progress import Progress
from ticketdesk.services import child
from ticketdesk.services.child import desk_of, opened

__all__ = ["CHILD_MIN_BYTES", "call", "desk_of", "import_at", "own_import_at", "worth_a_child"]

CHILD_MIN_BYTES = 2_000_000
"""Files at least this big (about 10,000 rows of CSV) are read in a child process."""


DIED = ("The import's worker process ended unexpectedly (out of memory?); nothing was "
        "imported.")


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """services/child.call for the import: its process named, its death said as the import's."""
    return child.call(fn, *args, died=DIED, name="ticketdesk-import", **kwargs)


def worth_a_child(path: Path) -> bool:
    """Whether the file at `path` is big enough to be read in a child process (see the
    docstring)."""
    try:
        return path.stat().st_size >= CHILD_MIN_BYTES
    except OSError:
        return False  # the thread's pass says what is wrong with the file


def import_at(url: str, password: str | None, agent_id: int | None, source: Any,
              mapping: Any, *, progress: Progress, **options: Any) -> Any:
    """In the child: open the desk at `url` and import as `agent_id` (run.import_)."""
    from ticketdesk.services.importing import run
    from ticketdesk.services.session import Session

    with opened(url, password) as store:
        return run.import_(Session(store, agent_id), source, mapping, progress=progress,
                           **options)


def own_import_at(url: str, password: str | None, agent_id: int | None, path: Path, *,
                  progress: Progress, skip_bad_rows: bool = False) -> Any:
    """In the child: open the desk at `url` and import ticketdesk's own export at `path` as
    `agent_id` (services/importer.import_tickets, numbers kept)."""
    from ticketdesk.services.importer import import_tickets
    from ticketdesk.services.session import Session

    with opened(url, password) as store:
        return import_tickets(Session(store, agent_id), path, skip_bad_rows=skip_bad_rows,
                              progress=progress)
