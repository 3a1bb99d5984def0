"""Long pure-Python work of the window (a big file's import, a big mailbox's fetch, a bulk
action on many thousands of tickets) in a child process, from a thread of the window.

**Why a process, not a thread** (ticketdesk/ARCHITECTURE.md, "Threading": the window must
never freeze more than 50 ms). Reading, converting and checking rows, parsing MIME and HTML,
building SQL a chunk at a time: all pure Python. On a thread of the window's process it holds
the GIL nearly all the time, and the window's thread gets it back only at a switch, each one
needing both threads to be scheduled by the OS, which on a busy two-core machine takes tens of
milliseconds; and every call from Qt into Python (one per painted cell, per event) needs the
GIL again. Measured first on the import wizard (2 CPUs shared with other work, load 3-4):
`tests/bench/bench_import_wizard.py --rows 100000`, three runs each, alternating — on threads
the longest GUI stalls were 151, 252 and 193 ms (7-14 beats over 50 ms a run); with the passes
in a child, 69, 58 and 32 ms (0-2 beats over 50 ms), the window's process using 1.3-2.4 s of
CPU instead of 26-33 s. Fetching 3,000 messages into the 1,000,000-ticket desk on the mail
worker's thread stalled the window 307-359 ms (with 25 ms of the GUI thread's own CPU: the rest
was waiting for the GIL); a tag added to a million tickets, 67-72 ms. Garbage collection was
not the cause: none of the ten longest gaps overlapped one.

So the window's process only waits on a pipe: a thread of the window calls `call`, which
starts the child, forwards its progress, its notes (`on_note`: what a mail batch changed, so
the list fills while a big mailbox is read) and Cancel, and returns its answer or raises its
error. Starting a child costs 0.7-0.9 s (starting Python and importing ticketdesk), so small
work stays on the thread; each caller says where the line is (`importing.child.worth_a_child`,
`mail_worker.IN_THREAD_MAX`, `bulk.CHILD_FROM`).

The child is spawned (nothing of the window, Qt or connections, is copied into it), dies with
its parent (`die_with_parent`), and opens the desk itself (`desk_of` gives the URL and the
password, handed over the child's pipe, never its command line; `opened` opens it there) and
commits its own transactions as the thread did. Cancel asks the child to stop at its next
progress report (an import or a bulk action rolls back, as on a thread); a child that has not
stopped `KILL_AFTER_S` later, or one whose work reports no progress, is killed: an unfinished
transaction dies with its connection.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.progress import Cancelled, Progress

POLL_S = 0.1
REPORT_S = 0.05
"""The child reports progress at most this often (the window repaints no faster)."""
KILL_AFTER_S = 5.0
DIED = ("The worker process ended unexpectedly (out of memory?); nothing of its unfinished "
        "work was saved.")


def call(fn: Callable[..., Any], *args: Any, progress: Progress | None = None,
         pass_progress: bool = True, on_note: Callable[[Any], None] | None = None,
         died: str = DIED, name: str = "ticketdesk-child", **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` in a child process, from a thread of the window's process.

    `fn` must be importable by name and its arguments and answer picklable. With
    `pass_progress`, `fn` gets a `progress` keyword that reports to `progress` here and returns
    False once it returned False; without, `fn` is killed when `progress` returns False
    (asked every POLL_S with the last figures) and Cancelled is raised. With `on_note`, `fn`
    gets a `note` keyword: what it is given arrives at `on_note` here, in order, before the
    answer. A child that dies raises a TicketdeskError saying `died`."""
    context = multiprocessing.get_context("spawn")
    here, there = context.Pipe(duplex=False)
    stop = context.Event()
    child = context.Process(target=_child, args=(there, stop, os.getpid(), fn, args, kwargs,
                                                 pass_progress, on_note is not None),
                            daemon=True, name=name)
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
                    raise TicketdeskError(died) from None
                if kind == "progress":
                    last = payload
                elif kind == "note":
                    if on_note is not None:
                        on_note(payload)
                    continue  # notes come in bursts: read on before asking about Cancel
                elif kind == "ok":
                    return payload
                else:
                    raise payload
            elif not child.is_alive() and not here.poll():
                raise TicketdeskError(died)
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


def _child(out: Connection, stop: Any, parent: int, fn: Callable[..., Any],
           args: tuple[Any, ...], kwargs: dict[str, Any], pass_progress: bool,
           pass_note: bool) -> None:
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
    if pass_note:
        kwargs = {**kwargs, "note": lambda payload: out.send(("note", payload))}
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


def desk_of(store: Any) -> tuple[str, str | None]:
    """The URL and password a child opens `store`'s desk with (the password of a team desk the
    user typed or the keyring gave: handed over the child's pipe, never its command line)."""
    return store.url, getattr(store.backend, "params", {}).get("password")


@contextlib.contextmanager
def opened(url: str, password: str | None) -> Iterator[Any]:
    """In the child: the desk at `url` open (a Store, bound to this thread), closed after."""
    from ticketdesk.db.store import open_database

    store = open_database(url, password=password, create=False)
    try:
        yield store
    finally:
        store.close()
