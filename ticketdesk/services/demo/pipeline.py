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
"""

from __future__ import annotations

import gc
import multiprocessing
import os
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

_maker: ChunkMaker | None = None


def _start_worker(inputs: TicketInputs) -> None:
    """A worker's set-up. The cyclic garbage collector is switched off: the rows make no cycles,
    and its passes over millions of live tuples cost more than the rest of the work's overhead."""
    global _maker  # noqa: PLW0603 - one maker per worker process, set once at its start
    gc.disable()
    _maker = ChunkMaker(inputs)


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
                               initializer=_start_worker, initargs=(inputs,))
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
