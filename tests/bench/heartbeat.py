"""The GUI thread's heartbeat for window benchmarks: how long it froze, and how much of that was
its own work.

A 5 ms QTimer on the GUI thread; each beat records the wall-clock gap since the previous one and
the GUI thread's own CPU time in that gap (`time.thread_time`). On a quiet machine the two agree;
on a shared, loaded one the wall gap also holds the time the thread waited for a CPU (or for
Python's lock), while the CPU figure is what the window itself did in one stretch. Gaps are kept
per phase (`heart.phase = "undo"`) so one run can report each step's worst.

    heart = Heartbeat()
    heart.start()
    ...
    heart.stop()
    heart.longest_ms, heart.longest_cpu_ms, heart.worst  # {phase: worst wall gap}
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 5


class Heartbeat(QObject):
    def __init__(self, on_gap: Callable[[float, float], None] | None = None) -> None:
        """`on_gap(start, end)` (time.perf_counter seconds) hears every gap over 30 ms (a stall
        sampler's cue, tests/bench/stall_sampler.py)."""
        super().__init__()
        self.phase = ""
        self.worst: dict[str, float] = {}
        self.longest_ms = 0.0
        self.longest_cpu_ms = 0.0
        self._on_gap = on_gap
        self._wall = time.perf_counter()
        self._cpu = time.thread_time()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.beat)

    def start(self) -> None:
        """Start (again) from zero."""
        self.worst.clear()
        self.longest_ms = self.longest_cpu_ms = 0.0
        self._wall, self._cpu = time.perf_counter(), time.thread_time()
        self._timer.start()

    def stop(self) -> None:
        self.beat()
        self._timer.stop()

    def beat(self) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        gap = (wall - self._wall) * 1000
        self.longest_ms = max(self.longest_ms, gap)
        self.longest_cpu_ms = max(self.longest_cpu_ms, (cpu - self._cpu) * 1000)
        self.worst[self.phase] = max(self.worst.get(self.phase, 0.0), gap)
        if self._on_gap is not None and gap > 30:
            self._on_gap(self._wall, wall)
        self._wall, self._cpu = wall, cpu
