"""Where chunks are generated: in this process, or in worker processes while this one writes.

Generating a ticket's story is pure Python and so is feeding rows to the database, so on a
machine with two cores the work splits in two: worker processes (spawned, so nothing of the
caller's state, Qt or database connections, is copied into them) build chunks ahead, at most a
few at a time, and this process writes them in order. Small demos stay in-process, where
starting a worker would cost more than it saves. Either way a chunk's rows depend only on the
seed and its number, so the desk is the same.

A frozen application (a PyInstaller bundle) spawns workers the same way: its entry point
(packaging/bundle_main.py) calls `multiprocessing.freeze_support()` first. A worker that dies
(killed, out of memory) fails the generation with a clear error instead of hanging.

Workers die with their parent. A parent that ends normally shuts the pool down, but one killed
outright (SIGKILL, the out-of-memory killer) cannot, and its workers would be left running
(~75 MB each, waiting for work that never comes). So each worker, as it starts, asks Linux to
kill it when its parent goes (`prctl(PR_SET_PDEATHSIG, SIGKILL)`), checks that the parent has
not already gone before that took hold, and elsewhere watches its parent's pid from a thread.
The signal comes when the *thread* that started the worker ends: workers are started by the
thread that runs `chunks`, which shuts them down before it returns, so that is the same thing.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services.demo.chunk import ChunkMaker, TicketInputs, chunk_count
from ticketdesk.services.demo.progress import INTERVAL, Reporter
from ticketdesk.services.demo.rows import ChunkRows

MIN_TICKETS_FOR_WORKERS = 20_000
"""Below this the demo is generated in the calling process (tests may lower it)."""
AHEAD = 3
"""Chunks each worker may have ready or in progress beyond the one being written."""

PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal this process gets when its parent ends (Linux)."""
WATCH_SECONDS = 1.0

_maker: ChunkMaker | None = None


def _start_worker(inputs: TicketInputs, parent: int) -> None:
    """A worker's set-up: die with the parent process `parent` (see the module docstring), then
    switch off the cyclic garbage collector: the rows make no cycles, and its passes over
    millions of live tuples cost more than the rest of the work's overhead."""
    global _maker  # noqa: PLW0603 - one maker per worker process, set once at its start
    die_with_parent(parent)
    gc.disable()
    _maker = ChunkMaker(inputs)


def die_with_parent(parent: int) -> None:
    """End this process when process `parent` ends, even by SIGKILL."""
    if not (sys.platform.startswith("linux") and _pdeathsig()):
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                         name="watch-parent").start()
    if os.getppid() != parent:  # it ended before we asked
        os._exit(1)


def _pdeathsig() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _build(index: int, batched: bool) -> bytes:
    assert _maker is not None
    rows = _maker.build(index)
    return (rows.batched() if batched else rows).pack()


def worker_count(tickets: int) -> int:
    if tickets < MIN_TICKETS_FOR_WORKERS:
        return 0
    return max(1, min(2, (os.cpu_count() or 1)))


@contextmanager
def chunks(inputs: TicketInputs, progress: Reporter,
           batched: bool) -> Iterator[Iterator[ChunkRows]]:
    """The chunks of `inputs` in order (`batched` for multi-row INSERTs); worker processes, if
    any, end with the block."""
    workers = worker_count(inputs.count)
    if workers == 0:
        maker = ChunkMaker(inputs)
        yield (_in_process(maker, i, progress, batched)
               for i in range(chunk_count(inputs.count)))
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(inputs, os.getpid()))
    try:
        yield _ordered(pool, chunk_count(inputs.count), workers * AHEAD, progress, batched)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # at most the chunks being built finish


def _in_process(maker: ChunkMaker, index: int, progress: Reporter, batched: bool) -> ChunkRows:
    rows = maker.build(index, progress.tick)
    return rows.batched() if batched else rows


def _ordered(pool: ProcessPoolExecutor, total: int, window: int, progress: Reporter,
             batched: bool) -> Iterator[ChunkRows]:
    pending: dict[int, Future[bytes]] = {}
    submitted = 0
    for index in range(total):
        while submitted < total and submitted < index + window:
            pending[submitted] = pool.submit(_build, submitted, batched)
            submitted += 1
        future = pending.pop(index)
        while True:
            try:
                data = future.result(timeout=INTERVAL)
                break
            except FutureTimeout:
                progress.tick()  # keeps the caller's progress bar alive and honours Cancel
            except BrokenProcessPool as exc:
                raise TicketdeskError(
                    "A demo data worker process ended unexpectedly (out of memory?); "
                    "nothing was written.") from exc
        yield ChunkRows.unpack(data)
