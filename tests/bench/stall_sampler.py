"""What the GUI thread was doing during its longest stalls: a sampling profiler for benchmarks.

    sampler = StallSampler(threading.main_thread())
    sampler.start()
    ...  # the heartbeat reports each gap with sampler.gap(start_s, end_s)
    sampler.stop(); print(sampler.report())

A daemon thread reads the GUI thread's Python stack (`sys._current_frames`) every millisecond or
so and keeps the samples; the benchmark's heartbeat reports gaps between its beats, and the report
shows, for the longest gaps, the functions (in the project, innermost first) that most samples
inside that gap were in. Time the GUI thread spends in C++ without holding Python's lock (Qt
painting, mostly) shows as the Python frame that called into it.
"""

from __future__ import annotations

import collections
import sys
import threading
import time
from types import FrameType

INTERVAL_S = 0.001


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
        self._samples: collections.deque[tuple[float, tuple[str, ...]]] = collections.deque(
            maxlen=2_000_000)
        self._gaps: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="stall-sampler")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def gap(self, start_s: float, end_s: float) -> None:
        """A heartbeat gap, in time.perf_counter() seconds."""
        self._gaps.append((start_s, end_s))

    def _run(self) -> None:
        while not self._stop.is_set():
            frame = sys._current_frames().get(self._ident)
            self._samples.append((time.perf_counter(), _stack(frame)))
            time.sleep(INTERVAL_S)

    def report(self, gaps: int = 5, lines: int = 8) -> str:
        out: list[str] = []
        for start, end in sorted(self._gaps, key=lambda g: g[0] - g[1])[:gaps]:
            inside = [stack for at, stack in self._samples if start <= at <= end]
            out.append(f"-- gap of {(end - start) * 1000:.0f} ms, {len(inside)} samples")
            counts = collections.Counter(stack[:lines] for stack in inside)
            for stack, n in counts.most_common(4):
                out.append(f"   {n} samples:")
                out.extend(f"      {name}" for name in stack)
        return "\n".join(out)
