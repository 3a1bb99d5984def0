"""Benchmark: the analytics view of the real main window on a 1,000,000-ticket desk, offscreen.

    .venv/bin/python -m tests.bench.bench_analytics_view [--db PATH] [--source PATH] [--runs 7]

The desk is a copy: `--source` (default: the benchmarks' 1M demo desk, tests/bench/desk.py) is
copied to `--db`
(default /tmp/ticketdesk-bench/analytics_1m.sqlite) the first time, and the original is never
opened. The window opens as `ticketdesk` opens it, shows the analytics (Ctrl+2), waits for the
first figures and the charts, then alternates the period between Last 30 days and All time and
measures, for each change:

- time: from the period picked to every card, chart and the agents table showing the new
  figures and the window repainted;
- stall: the longest gap of a 5 ms heartbeat timer on the GUI thread meanwhile (the view must
  never freeze: goal <= 50 ms), in wall time and in the GUI thread's own CPU time between two
  beats (a loaded machine also stalls an idle window: its heartbeat is printed too);
- GUI CPU: CPU time the GUI thread itself spent (what the view costs beside the queries, which
  run on the view's own thread); on a shared, loaded machine it is steadier than wall time;
- service: `services.analytics.compute` alone for the same period and filter, run right after
  each change (so under the same load), and the median difference between the two.

After one unmeasured change to each period, medians over `--runs` changes each. Beside
them: the raw-SQL floors (tests/bench/bench_analytics.py --limit prints them), the first
opening (pyqtgraph imported on a thread), the machine's CPUs and load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from tests.bench.desk import default_desk, ensure_demo_desk

SOURCE = default_desk()  # built on first use (tests/bench/desk.py)
DEFAULT_DB = Path("/tmp/ticketdesk-bench/analytics_1m.sqlite")
BUDGET_MS = {"last-30d": 150.0, "all-time": 1500.0}
STALL_MS = 50.0


def copy_desk(source: Path, target: Path) -> None:
    if target.exists():
        return
    if not source.exists():
        raise SystemExit(f"{source} does not exist: build a 1M desk with "
                         f"`ticketdesk demo --tickets 1000000 --db {target}`")
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"copying {source} to {target} (the original is never opened) …", flush=True)
    partial = target.with_suffix(".partial")
    shutil.copyfile(source, partial)  # a desk file without -wal: a consistent copy
    partial.rename(target)


def measure_view(db: Path, runs: int) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from ticketdesk.app import build_main_window
    from ticketdesk.domain.period import PeriodKind
    from ticketdesk.services import analytics
    from ticketdesk.ui.analytics import AnalyticsView

    def settled(view: AnalyticsView) -> bool:
        return view.report is not None and not view.busy and view.charts_report is view.report

    def wait_until(done: Any, signal: Any = None) -> None:
        """Run the event loop until `done()`, sleeping while idle. Woken by `signal` (else
        checked every 50 ms): a loop of processEvents(), or a fast polling timer, would keep
        the GUI thread taking the GIL from the view's query thread, which a user's idle
        window never does."""
        loop = QEventLoop()
        check = QTimer()
        check.setInterval(50)
        check.timeout.connect(lambda: done() and loop.quit())
        check.start()
        if signal is not None:
            signal.connect(loop.quit)
        while not done():
            loop.exec()
        check.stop()
        if signal is not None:
            signal.disconnect(loop.quit)

    settings_path = db.parent / "bench-analytics-settings.ini"
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    window = build_main_window(f"sqlite:///{db}", agent_name="Bench Agent", settings=settings)
    window.resize(1600, 900)
    window.show()
    wait_until(lambda: window.model.rowCount() > 0)

    gaps: list[float] = []
    cpu_gaps: list[float] = []
    beat = QElapsedTimer()
    beat_cpu = [time.thread_time()]

    def heartbeat() -> None:
        """Between two beats: the wall time (a stall as the user sees it, which on a loaded
        machine includes waiting for a CPU) and the GUI thread's own CPU time (the work that
        blocked it)."""
        now_cpu = time.thread_time()
        gaps.append(beat.nsecsElapsed() / 1e6)
        cpu_gaps.append((now_cpu - beat_cpu[0]) * 1000)
        beat.restart()
        beat_cpu[0] = now_cpu

    def restart_beat() -> None:
        beat.restart()
        beat_cpu[0] = time.thread_time()
        gaps.clear()
        cpu_gaps.clear()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(heartbeat)
    timer.start()

    # The machine's own noise: the heartbeat of the idle window for a second.
    beat.start()
    restart_beat()
    idle = QEventLoop()
    QTimer.singleShot(1000, idle.quit)
    idle.exec()
    idle_stall = max(gaps, default=0.0)

    # First opening: Ctrl+2 to the first figures with their charts.
    restart_beat()
    clock = QElapsedTimer()
    clock.start()
    window.analytics_view_action.trigger()  # Ctrl+2
    view = window.analytics_view
    assert isinstance(view, AnalyticsView)
    wait_until(lambda: settled(view), view.updated)
    window.repaint()
    first_open = clock.nsecsElapsed() / 1e6
    first_stall = (max(gaps, default=0.0), max(cpu_gaps, default=0.0))

    results: dict[str, list[tuple[float, ...]]] = {"last-30d": [], "all-time": []}
    created: dict[str, int] = {}
    # One unmeasured change to each period first, as the service bench warms up: the first
    # weekly trend, the first year labels, the pages of SQLite's cache (the first opening is
    # reported above).
    for kind in (PeriodKind.ALL_TIME, PeriodKind.LAST_30D):
        before = view.report
        view.set_period(kind)
        wait_until(lambda before=before: settled(view) and view.report is not before,
                   view.updated)
    order = [PeriodKind.ALL_TIME, PeriodKind.LAST_30D] * runs
    for kind in order:
        for _ in range(10):  # let the heartbeat settle between changes
            app.processEvents()
            time.sleep(0.01)
        before = view.report
        restart_beat()
        cpu0 = time.thread_time()
        clock.restart()
        view.set_period(kind)
        wait_until(lambda before=before: settled(view) and view.report is not before,
                   view.updated)
        heartbeat()  # the stall the view caused, before the bench's own repaint below
        stall, stall_cpu = max(gaps, default=0.0), max(cpu_gaps, default=0.0)
        # Each chart painted in its own step; whatever the window still had to paint (the
        # cards, the table) is painted now, inside the measured time.
        window.repaint()
        app.processEvents()
        elapsed = clock.nsecsElapsed() / 1e6
        cpu = (time.thread_time() - cpu0) * 1000
        report = view.report
        assert report is not None
        created[kind.value] = report.current.summary.created
        # The service alone, right after, under the same load: what the view's thread ran.
        timer.stop()
        t0, c0 = time.perf_counter(), time.thread_time()
        analytics.compute(window.store, report.current.period, filter=report.current.filter,
                          tz=view.tz)
        service = (time.perf_counter() - t0) * 1000
        service_cpu = (time.thread_time() - c0) * 1000
        timer.start()
        results[kind.value].append((elapsed, stall, cpu, stall_cpu, service, service_cpu))
    timer.stop()
    window.close()
    return {"first_open": first_open, "first_stall": first_stall, "idle_stall": idle_stall,
            "runs": results, "created": created}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-floors", action="store_true")
    args = parser.parse_args()
    ensure_demo_desk(args.source)
    if args.db.resolve() == args.source.resolve():
        raise SystemExit("--db must be a copy, never the source desk itself")
    copy_desk(args.source, args.db)
    load_before = os.getloadavg()
    view = measure_view(args.db, args.runs)
    load_after = os.getloadavg()

    print(f"\nanalytics view on {args.db} ({os.cpu_count()} CPUs, load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after), medians of "
          f"{args.runs} period changes each")
    wall, cpu = view["first_stall"]
    print(f"first opening (Ctrl+2, pyqtgraph imported on a thread): "
          f"{view['first_open']:.0f} ms; longest GUI stall {wall:.0f} ms wall, {cpu:.0f} ms of "
          f"GUI-thread CPU")
    print(f"heartbeat of the idle window (the machine's noise): longest gap "
          f"{view['idle_stall']:.0f} ms")
    print(f"{'period':10s} {'created':>9s} {'view':>8s} {'worst':>8s} {'budget':>8s} "
          f"{'service':>8s} {'view-svc':>8s} {'stall':>6s} {'stall CPU':>9s} {'GUI CPU':>8s} "
          f"{'svc CPU':>8s}")
    verdicts = []
    for kind, rows in view["runs"].items():
        times = [r[0] for r in rows]
        median = statistics.median(times)
        stall = max(r[1] for r in rows)
        gui_cpu = statistics.median(r[2] for r in rows)
        stall_cpu = max(r[3] for r in rows)
        svc = statistics.median(r[4] for r in rows)
        svc_cpu = statistics.median(r[5] for r in rows)
        overhead = statistics.median(r[0] - r[4] for r in rows)
        ok = median <= BUDGET_MS[kind] and stall_cpu <= STALL_MS
        verdicts.append(ok)
        print(f"{kind:10s} {view['created'][kind]:9,d} {median:6.0f}ms {max(times):6.0f}ms "
              f"{BUDGET_MS[kind]:6.0f}ms {svc:6.0f}ms {overhead:6.0f}ms {stall:4.0f}ms "
              f"{stall_cpu:7.0f}ms {gui_cpu:6.0f}ms {svc_cpu:6.0f}ms  {'ok' if ok else 'OVER'}")
    print("view, worst: period picked to every card and chart repainted (wall). service: "
          "compute() alone right after each change, under the same load; view-svc: the median "
          "of the differences, what the view adds. stall: the longest gap of a 5 ms GUI "
          "heartbeat (wall, worst change); stall CPU: the most GUI-thread CPU between two "
          "beats (the work that blocked it). GUI CPU: the GUI thread's CPU per change.")
    if not args.no_floors:
        from tests.bench.bench_analytics import floors

        floors(args.db, int(time.time()))
    if not all(verdicts):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
