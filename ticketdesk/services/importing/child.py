"""The import wizard's long passes over a big file (survey, dry run, import) in a child process.

**Why a process, not a thread** (issue 16: the window must never freeze more than 50 ms while
the wizard imports). Reading, converting and checking rows is pure Python: on a thread of the
window's process it holds the GIL nearly all the time, and the window's thread gets it back
only at a switch — each one needing both threads to be scheduled by the OS, which on a busy
two-core machine takes tens of milliseconds. Measured on the 100,000-row CSV of
tests/bench/bench_import_wizard.py (load 2.7-3.6 on 2 CPUs): a plain-Python heartbeat next to
the dry run on a thread missed its beat by up to 313 ms (5 ms switch interval) or 111 ms (1 ms,
what `ui/importing.responsive` asks for; p99 24 ms); the same dry run in a spawned process,
59 ms (p99 9.5 ms, the machine's own noise). Full garbage collections were not the cause (none
of the ten longest gaps overlapped one), and turning them off was worse (ui/importing.py).
So the window's process only waits on a pipe: a thread of the window (the wizard's runner, the
import's task) calls `call`, which starts the child, forwards its progress and Cancel, and
returns its answer or raises its error. Starting a child costs about half a second (importing
ticketdesk), so files under `CHILD_MIN_BYTES` stay on the thread, where they take no longer
than that (`worth_a_child`).

The child is spawned (nothing of the window — Qt, connections — is copied into it), dies with
its parent (`die_with_parent`), opens the desk itself for the import (`import_at`: the same URL
and password, the same agent) and commits it in one transaction as the thread did. Cancel
asks the child to stop at its next progress report (the import rolls back, as in a thread); a
child that has not stopped `KILL_AFTER_S` later, or a survey (which reports no progress), is
killed: it has written nothing (an unfinished transaction dies with its connection).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.progress import Cancelled, Progress
from ticketdesk.services.importing.sources import Source

CHILD_MIN_BYTES = 2_000_000
"""Files at least this big (about 10,000 rows of CSV) are read in a child process."""
POLL_S = 0.1
REPORT_S = 0.05
"""The child reports progress at most this often (the window repaints no faster)."""
KILL_AFTER_S = 5.0


def worth_a_child(source: Source) -> bool:
    """Whether `source` is big enough to be read in a child process (see the docstring)."""
    try:
        return source.path.stat().st_size >= CHILD_MIN_BYTES
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


def import_at(url: str, password: str | None, agent_id: int | None, source: Source,
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
