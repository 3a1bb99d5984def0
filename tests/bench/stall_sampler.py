"""What the GUI thread was doing during its longest stalls: a sampling profiler for benchmarks.

    sampler = StallSampler(threading.main_thread())
    sampler.start()
    ...  # the heartbeat reports each gap with sampler.gap(start_s, end_s)
    sampler.stop(); print(sampler.report())

A daemon thread reads the Python stacks of the GUI thread and of every other busy thread
(`sys._current_frames`; a thread waiting on a queue or a lock is not busy) every millisecond or
so and keeps the samples; the benchmark's heartbeat reports gaps between its beats, and the report
shows, for the longest gaps, the functions (in the project, innermost first) that most samples
inside that gap were in, on the GUI thread and on the others. Time the GUI thread spends in C++
shows as the Python frame that called into it; a gap with few samples is one where some thread
held Python's lock (the sampler needs it too): the other threads' stacks say which, and a
garbage collection overlapping the gap (which holds the lock whatever thread runs it) is named.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import sys
import threading
import time
from types import FrameType

INTERVAL_S = 0.001


_IDLE = ("threading.py", "queue.py", "selectors.py")


def _busy(frame: FrameType) -> bool:
    return not frame.f_code.co_filename.endswith(_IDLE)


def _stack(frame: FrameType | None, depth: int = 40) -> tuple[str, ...]:
    names: list[str] = []
    while frame is not None and len(names) < depth:
        code = frame.f_code
        if "ticketdesk" in code.co_filename or "tests/bench" in code.co_filename:
            names.append(f"{code.co_filename.rsplit('/', 2)[-2]}/"
                         f"{code.co_filename.rsplit('/', 1)[-1]}:{frame.f_lineno} {code.co_name}")
        frame = frame.f_back
    return tuple(names)


class StallSampler:
    def __init__(self, thread: threading.Thread) -> None:
        self._ident = thread.ident
        self._samples: collections.deque[tuple[float, tuple[str, ...], tuple[str, ...]]] = \
            collections.deque(maxlen=2_000_000)  # at, the GUI thread's stack, others' innermost
        self._gaps: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="stall-sampler")
        self._collections: list[tuple[float, float, int]] = []
        self._gc_started: float | None = None

    def start(self) -> None:
        gc.callbacks.append(self._collected)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._collected)

    def _collected(self, phase: str, info: dict[str, int]) -> None:
        """Garbage collections (they hold Python's lock, whichever thread runs them)."""
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started is not None:
            self._collections.append((self._gc_started, time.perf_counter(),
                                      info.get("generation", -1)))
            self._gc_started = None

    def gap(self, start_s: float, end_s: float) -> None:
        """A heartbeat gap, in time.perf_counter() seconds."""
        self._gaps.append((start_s, end_s))

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.is_set():
            frames = sys._current_frames()
            others = tuple(
                (_stack(frame, 3) or (f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:"
                                      f"{frame.f_lineno} {frame.f_code.co_name}",))[0]
                for ident, frame in frames.items()
                if ident not in (me, self._ident) and _busy(frame))
            self._samples.append((time.perf_counter(), _stack(frames.get(self._ident)), others))
            time.sleep(INTERVAL_S)

    def report(self, gaps: int = 5, lines: int = 8) -> str:
        out: list[str] = []
        for start, end in sorted(self._gaps, key=lambda g: g[0] - g[1])[:gaps]:
            inside = [(stack, others) for at, stack, others in self._samples
                      if start <= at <= end]
            out.append(f"-- gap of {(end - start) * 1000:.0f} ms, {len(inside)} samples")
            counts = collections.Counter(stack[:lines] for stack, _ in inside)
            for stack, n in counts.most_common(4):
                out.append(f"   GUI thread, {n} samples:")
                out.extend(f"      {name}" for name in stack)
            for began, ended, generation in self._collections:
                if began < end and ended > start:
                    out.append(f"   garbage collection of generation {generation}: "
                               f"{(ended - began) * 1000:.0f} ms")
            busy = collections.Counter(name for _, others in inside for name in others)
            for name, n in busy.most_common(4):
                out.append(f"   other thread, {n} samples: {name}")
        return "\n".join(out)
