"""Which GUI-thread callbacks cost the most, one call at a time: a benchmark aid.

    with SlotProfile(loop_frame_name="main") as profile:
        ...  # the benchmark's own loop calling app.processEvents()
    print(profile.report())

While active, every Python function that Qt calls from the event loop (a slot, an event handler,
a model's data()) is timed in GUI-thread CPU from its call to its return, keyed by its name; the
report lists the costliest single calls and the totals. Python's profile hook slows every call,
so the figures are inflated alike: read the ranking, not the milliseconds.
"""

from __future__ import annotations

import collections
import sys
import threading
import time
from types import FrameType
from typing import Any


class SlotProfile:
    def __init__(self, loop_frame_name: str = "main") -> None:
        self._loop = loop_frame_name
        self._started: dict[int, float] = {}
        self.worst: dict[str, float] = collections.defaultdict(float)
        self.total: dict[str, float] = collections.defaultdict(float)
        self.calls: dict[str, int] = collections.defaultdict(int)

    def _hook(self, frame: FrameType, event: str, _arg: Any) -> None:
        if event not in ("call", "return"):
            return
        back = frame.f_back
        if back is None or back.f_code.co_name != self._loop:
            return
        if event == "call":
            self._started[id(frame)] = time.thread_time()
            return
        start = self._started.pop(id(frame), None)
        if start is None:
            return
        code = frame.f_code
        key = f"{code.co_filename.rsplit('/', 2)[-2]}/{code.co_filename.rsplit('/', 1)[-1]}:" \
              f"{code.co_firstlineno} {code.co_qualname}"
        spent = time.thread_time() - start
        self.worst[key] = max(self.worst[key], spent)
        self.total[key] += spent
        self.calls[key] += 1

    def __enter__(self) -> SlotProfile:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("profile the GUI thread")
        sys.setprofile(self._hook)
        return self

    def __exit__(self, *_exc: object) -> None:
        sys.setprofile(None)

    def report(self, rows: int = 15) -> str:
        lines = ["costliest single calls (GUI-thread CPU, inflated by the hook):"]
        for key, worst in sorted(self.worst.items(), key=lambda kv: -kv[1])[:rows]:
            lines.append(f"  {worst * 1000:7.1f} ms worst  {self.total[key] * 1000:8.1f} ms in "
                         f"{self.calls[key]:6d} calls  {key}")
        return "\n".join(lines)
