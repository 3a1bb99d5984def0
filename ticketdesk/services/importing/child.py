"""The import wizard's long passes over a big file (survey, dry run, import; ticketdesk's own
export too) in a child process.

**Why a process, not a thread** (issue 16: the window must never freeze more than 50 ms while
the wizard imports). Reading, converting and checking rows is pure Python: on a thread of the
window's process it holds the GIL nearly all the time, and the window's thread gets it back
only at a switch, each one needing both threads to be scheduled by the OS, which on a busy
two-core machine takes tens of milliseconds. Decided by measuring (2 CPUs shared with other
work, load 3-4): `tests/bench/bench_import_wizard.py --rows 100000`, three runs each,
alternating — on threads (`--in-process`) the longest GUI stalls were 151, 252 and 193 ms
(7-14 beats over 50 ms a run; the survey 116-159 ms, the import 118-252 ms); with the passes in
a child, 69, 58 and 32 ms (0-2 beats over 50 ms), the window's process using 1.3-2.4 s of CPU
instead of 26-33 s. A plain-Python heartbeat beside the dry run on a thread was up to 313 ms
late at the default 5 ms switch interval, 111 ms at 1 ms (what `ui/importing.responsive` asks
for), 59 ms beside the same dry run in a child. Garbage collection was not the cause: none of
the ten longest gaps overlapped one, and turning full collections off was worse
(ui/importing.py).

So the window's process only waits on a pipe: a thread of the window (the wizard's runner, the
import's task) calls `call`, which starts the child, forwards its progress and Cancel, and
returns its answer or raises its error. A survey in a child took 0.7-0.9 s at load 5.8 (1.7 s
at load 9), most of it starting Python and importing ticketdesk, against 0.01-0.16 s on the
thread for 1,000-10,000 rows, so files under `CHILD_MIN_BYTES` stay on the thread
(`worth_a_child`).

The child is spawned (nothing of the window, Qt or connections, is copied into it), dies with
its parent (`die_with_parent`), and for an import opens the desk itself (`import_at`,
`own_import_at`: the same URL and password, `desk_of`, as the same agent) and commits it in one
transaction as the thread did. Cancel asks the child to stop at its next progress report (the
import rolls back, as on a thread); a child that has not stopped `KILL_AFTER_S` later, or a
survey (which reports no progress), is killed: it has written nothing (an unfinished
transaction dies with its connection).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.progress import Cancelled, Progress

CHILD_MIN_BYTES = 2_000_000
"""Files at least this big (about 10,000 rows of CSV) are read in a child process."""
POLL_S = 0.1
REPORT_S = 0.05
"""The child reports progress at most this often (the window repaints no faster)."""
KILL_AFTER_S = 5.0


def worth_a_child(path: Path) -> bool:
    """Whether the file at `path` is big enough to be read in a child process (see the
    docstring)."""
    try:
        return path.stat().st_size >= CHILD_MIN_BYTES
    except OSError:
        return False  # the thread's pass says what is wrong with the file


def call(fn: Callable[..., Any], *args: Any, progress: Progress | None = None,
         pass_progress: bool = True, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` in a child process, from a thread of the window's process.

    `fn` must be importable by name and its arguments and answer picklable. With
    `pass_progress`, `fn` gets a `progress` keyword that reports to `progress` here and returns
    False once it returned False; without, `fn` is killed when `progress` returns False
    (asked every POLL_S with the last figures) and Cancelled is raised."""
    context = multiprocessing.get_context("spawn")
    here, there = context.Pipe(duplex=False)
    stop = context.Event()
    child = context.Process(target=_child, args=(there, stop, os.getpid(), fn, args, kwargs,
                                                 pass_progress),
                            daemon=True, name="ticketdesk-import")
    child.start()
    there.close()
    last: tuple[int, int, str] = (0, 0, "")
    stopped_at: float | None = None
    try:
        while True:
            if here.poll(POLL_S):
                try:
                    kind, payload = here.recv()
                except EOFError:
                    raise _died() from None
                if kind == "progress":
                    last = payload
                elif kind == "ok":
                    return payload
                else:
                    raise payload
            elif not child.is_alive() and not here.poll():
                raise _died()
            if stopped_at is None and progress is not None and progress(*last) is False:
                if not pass_progress:
                    raise Cancelled()
                stop.set()
                stopped_at = time.monotonic()
            elif stopped_at is not None and time.monotonic() - stopped_at > KILL_AFTER_S:
                raise Cancelled()
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        here.close()


def _died() -> TicketdeskError:
    return TicketdeskError("The import's worker process ended unexpectedly (out of memory?); "
                           "nothing was imported.")


def _child(out: Connection, stop: Any, parent: int, fn: Callable[..., Any],
           args: tuple[Any, ...], kwargs: dict[str, Any], pass_progress: bool) -> None:
    from ticketdesk.services.demo.pipeline import die_with_parent

    die_with_parent(parent)
    sent = [0.0]

    def report(done: int, total: int, phase: str = "") -> bool:
        now = time.monotonic()
        if now - sent[0] >= REPORT_S or done >= total:
            sent[0] = now
            out.send(("progress", (done, total, phase)))
        return not stop.is_set()

    if pass_progress:
        kwargs = {**kwargs, "progress": report}
    try:
        answer = ("ok", fn(*args, **kwargs))
    except Exception as exc:  # handed to the window as it would be from a thread
        answer = ("error", _picklable(exc))
    out.send(answer)
    out.close()


def _picklable(exc: Exception) -> Exception:
    """`exc` itself if it survives the pipe, else an error with its message."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, just written
    except Exception:
        kind = Cancelled if isinstance(exc, Cancelled) else TicketdeskError
        return kind(str(exc))
    return exc


def import_at(url: str, password: str | None, agent_id: int | None, source: Any,
              mapping: Any, *, progress: Progress, **options: Any) -> Any:
    """In the child: open the desk at `url` and import as `agent_id` (run.import_)."""
    from ticketdesk.db.store import open_database
    from ticketdesk.services.importing import run
    from ticketdesk.services.session import Session

    store = open_database(url, password=password, create=False)
    try:
        return run.import_(Session(store, agent_id), source, mapping, progress=progress,
                           **options)
    finally:
        store.close()


def own_import_at(url: str, password: str | None, agent_id: int | None, path: Path, *,
                  progress: Progress, skip_bad_rows: bool = False) -> Any:
    """In the child: open the desk at `url` and import ticketdesk's own export at `path` as
    `agent_id` (services/importer.import_tickets, numbers kept)."""
    from ticketdesk.db.store import open_database
    from ticketdesk.services.importer import import_tickets
    from ticketdesk.services.session import Session

    store = open_database(url, password=password, create=False)
    try:
        return import_tickets(Session(store, agent_id), path, skip_bad_rows=skip_bad_rows,
                              progress=progress)
    finally:
        store.close()


def desk_of(store: Any) -> tuple[str, str | None]:
    """The URL and password a child opens `store`'s desk with (the password of a team desk the
    user typed or the keyring gave: handed over the child's pipe, never its command line)."""
    return store.url, getattr(store.backend, "params", {}).get("password")
