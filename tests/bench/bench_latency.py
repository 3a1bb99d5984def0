"""Benchmark: the real main window on a team desk (PostgreSQL) behind a network that adds a
fixed round trip, and the longest stall of the GUI thread during each step.

    .venv/bin/python -m tests.bench.bench_latency [--pg postgresql://postgres@127.0.0.1:5432/ticketdesk_bench]
                                                  [--rtt 0 20 50 100] [--runs 1]

For each added round trip a `LatencyProxy` (tests/bench/latency_proxy.py, a process of its own)
sits between ticketdesk and the server, and a fresh process opens the real window offscreen on
the desk through it, then measures, each to the first paint that shows the answer:

- start: `build_main_window` called to the first rows painted (opening the desk, checking its
  schema and picking the agent happen before the window exists, on the way to the first paint);
- filter: a status + priority filter; search: a full-text search (`refund crash`);
- scroll: the jump to the last row after the full snapshot has arrived;
- open: selecting the newest ticket to its details in the dock;
- save: a status change in the dock to the change announced (put back afterwards, not timed);
- analytics: Ctrl+2, Last 30 days, to every card and chart.

Beside each, `stall`: the longest gap of a 5 ms heartbeat timer on the GUI thread during that
step (the goal is 50 ms at every round trip: the window never waits on the database), and
`queries`: the statements the GUI thread itself sent to the server during the step (each one a
round trip the window waited for; counted by wrapping the driver's cursor).

The desk must exist (the lead loads the 1,000,000-ticket demo into `ticketdesk_bench`); the
benchmark adds the agent "Bench Agent" to it if missing and changes one ticket's status and
back on each run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from the checkout
    sys.path.insert(0, str(ROOT))

from tests.bench.latency_proxy import proxied  # noqa: E402

STEPS = ("start", "filter", "search", "scroll", "open", "save", "analytics")
TIMEOUT_S = 300.0


def child(url: str, settings_path: str) -> None:
    """One measured session in this process; prints a JSON line of figures (ms)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    import threading

    from ticketdesk.app import build_main_window
    from ticketdesk.domain.filters import TicketFilter
    from ticketdesk.domain.status import Priority, Status
    from ticketdesk.services.changes import Changes

    gaps = [0.0]
    beat = QElapsedTimer()
    beat.start()

    def heartbeat() -> None:
        gaps.append(beat.nsecsElapsed() / 1e6)
        beat.restart()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(heartbeat)
    timer.start()

    gui_queries = [0]
    from ticketdesk.db.postgres_backend import PostgresBackend

    def count_gui_queries(cls: Any) -> None:
        real = cls.cursor

        def cursor(db: Any, *args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is threading.main_thread():
                gui_queries[0] += 1
            return real(db, *args, **kwargs)

        cls.cursor = cursor

    figures: dict[str, float] = {}
    clock = QElapsedTimer()
    clock.start()
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    window = build_main_window(url, agent_name="Bench Agent", settings=settings)
    figures["open_desk"] = clock.nsecsElapsed() / 1e6  # before the window exists
    assert isinstance(window.store.backend, PostgresBackend)
    count_gui_queries(type(window.store.db))
    window.resize(1400, 900)
    window.show()
    model, table, dock = window.model, window.table, window.ticket_dock

    class PaintWatch(QObject):
        painted = 0

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.painted += 1
            return False

    watch = PaintWatch()
    table.viewport().installEventFilter(watch)

    def until(done: Any, what: str, paint: Any = None) -> None:
        """Run the event loop until `done()`, then until the next paint of `paint` (the
        table's viewport by default)."""
        deadline = time.monotonic() + TIMEOUT_S
        while not done():  # the heartbeat wakes the loop every 5 ms
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            if time.monotonic() > deadline:
                raise SystemExit(f"{what}: no answer within {TIMEOUT_S:.0f} s")
        target = paint or table.viewport()
        seen = watch.painted
        if target is not table.viewport():
            target.repaint()
            return
        target.update()
        while watch.painted == seen:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    def step(name: str, act: Any, done: Any, paint: Any = None) -> None:
        gui_queries[0] = 0
        gaps.clear()
        beat.restart()
        started = QElapsedTimer()
        started.start()
        act()
        until(done, name, paint)
        figures[name] = started.nsecsElapsed() / 1e6
        # The gap still open counts too: a step done without a turn of the event loop (a
        # synchronous read) blocked the thread for all of it.
        figures[f"{name}_stall"] = max([*gaps, beat.nsecsElapsed() / 1e6])
        figures[f"{name}_queries"] = float(gui_queries[0])

    def shown() -> bool:
        return (not model.pending and model.rowCount() > 0
                and model.data(model.index(0, 1)) is not None)

    def settled() -> bool:
        return model.is_complete and model.matching is not None and model.total is not None

    gaps.clear()
    beat.restart()
    until(shown, "start")
    figures["start"] = clock.nsecsElapsed() / 1e6
    figures["start_stall"] = max([*gaps, beat.nsecsElapsed() / 1e6])  # from the first event
    until(settled, "start (counts)")

    step("filter", lambda: window.filter_bar.apply(TicketFilter(
        statuses=frozenset({Status.OPEN, Status.IN_PROGRESS}),
        priorities=frozenset({Priority.HIGH}))), shown)
    step("search", lambda: window.filter_bar.apply(TicketFilter(text="refund crash")), shown)
    window.filter_bar.apply(TicketFilter())
    until(lambda: shown() and settled(), "all tickets again")
    last = model.rowCount() - 1
    step("scroll", table.scrollToBottom,
         lambda: model.data(model.index(last, 1)) is not None)
    figures["rows"] = float(model.rowCount())

    table.scrollToTop()
    tid = model.ticket_id(0)
    assert tid is not None

    def dock_shows() -> bool:
        ticket = dock.detail_tab.ticket
        return dock.ticket_id == tid and ticket is not None and ticket.id == tid

    step("open", lambda: table.select_ticket(tid), dock_shows, dock)

    heard: list[Changes] = []
    window.hub.changed.connect(lambda changes, _initiator: heard.append(changes))
    before = dock.detail_tab.ticket.status if dock.detail_tab.ticket else Status.OPEN
    after = Status.WAITING if before != Status.WAITING else Status.OPEN

    def saved() -> bool:
        return any(tid in c.tickets for c in heard)

    step("save", lambda: dock.detail_tab.set_status(after), saved)
    heard.clear()
    until(lambda: dock.detail_tab.ticket is not None and dock.detail_tab.ticket.status == after,
          "save shown", dock)
    dock.detail_tab.set_status(before)  # put back, not timed
    until(saved, "status put back", dock)

    def analytics_settled() -> bool:
        view = window.analytics_view
        return (view is not None and view.report is not None and not view.busy
                and view.charts_report is view.report)

    step("analytics", window.analytics_view_action.trigger, analytics_settled,
         window.analytics_view or window)
    timer.stop()
    print("BENCH " + json.dumps(figures), flush=True)
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/ticketdesk_bench")
    parser.add_argument("--rtt", type=float, nargs="+", default=[0.0, 20.0, 50.0, 100.0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.settings)
        return
    settings = str(Path(tempfile.gettempdir()) / "ticketdesk-bench-latency.ini")
    results: dict[float, list[dict[str, float]]] = {}
    for rtt in args.rtt:
        for _ in range(args.runs):
            with proxied(args.pg, rtt) as url:
                env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
                out = subprocess.run(
                    [sys.executable, "-m", "tests.bench.bench_latency",
                     "--child", url, "--settings", settings],
                    cwd=ROOT, env=env, capture_output=True, text=True, check=False)
            line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
            if line is None:
                sys.exit(f"run at {rtt:.0f} ms failed:\n{out.stdout}\n{out.stderr[-3000:]}")
            results.setdefault(rtt, []).append(json.loads(line[6:]))
            print(f"rtt {rtt:.0f} ms: {line[6:]}", flush=True)
    rows = int(next(iter(results.values()))[0]["rows"])
    print(f"\nticketdesk main window on PostgreSQL, {rows:,} tickets, added round trip per "
          f"column, medians of {args.runs} run(s), {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}: time to the answer painted / longest GUI stall "
          f"(statements sent from the GUI thread)")
    print(f"{'step':10s}" + "".join(f"{f'{rtt:.0f} ms':>24s}" for rtt in results))
    for name in STEPS:
        cells = []
        for runs in results.values():
            took = statistics.median(r[name] for r in runs)
            stall = statistics.median(r[f"{name}_stall"] for r in runs)
            queries = statistics.median(r.get(f"{name}_queries", 0.0) for r in runs)
            cells.append(f"{took:6.0f} / {stall:4.0f} ms ({queries:.0f})")
        print(f"{name:10s}" + "".join(f"{c:>24s}" for c in cells))
    opened = [statistics.median(r["open_desk"] for r in runs) for runs in results.values()]
    print(f"{'(desk open)':10s}" + "".join(f"{o:>21.0f} ms" for o in opened))


if __name__ == "__main__":
    main()
