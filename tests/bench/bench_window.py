"""Benchmark: the real main window on a large desk, offscreen.

    .venv/bin/python tests/bench/bench_window.py [--tickets 1000000] [--db PATH] [--runs 5]

Builds the demo desk with `ticketdesk demo` if PATH does not exist yet (default:
~/.cache/ticketdesk-bench/demo_<N>.sqlite), then measures, in a fresh process each run:

- start: process start to the first rows painted (what a user waits for after launching);
- filter: a status+priority filter applied to its rows painted;
- search: a full-text search to its rows painted;
- jump: scrolling to the last row to its rows painted;
- count: a filter change to "N of M tickets" known (the id snapshot, off the GUI thread);
- breached: the SLA filter Breached to its rows painted (a desk without SLA shows none);
- due: the whole list sorted by due (the SLA column's header) to its rows painted;
- memory: peak resident set size;
- stall: the longest gap of a 5 ms heartbeat timer on the GUI thread during all of it.

Beside each wall time, the CPU time the GUI thread itself spent (`cpu`): on a shared, loaded
machine wall time stretches while the GUI thread's own work does not.

With `--limit SCRIPT` (a raw-SQL floor script: `OPS`, a table of the operations' plain SQL, and
`timeit`; or the environment's TICKETDESK_LIMIT_SCRIPT), each figure is printed beside the floor
that script measures with plain sqlite3 on LIMIT_DB (default /tmp/limit_1000000.db, if there).
Medians over runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from the checkout
    sys.path.insert(0, str(ROOT))

from tests.bench.desk import default_desk, ensure_demo_desk  # noqa: E402

GOALS = {"start": 1200.0, "filter": 50.0, "search": 50.0, "jump": 100.0, "count": None,
         "breached": 50.0, "due": 50.0, "memory_mb": 250.0, "stall": 50.0}
FLOORS = {"start": "page_first", "filter": "filter_status_priority_page", "search": "fts_page",
          "jump": "keyset_page_mid", "count": "id_snapshot_filtered_sorted"}


def child(url: str) -> None:
    """One measured session in this process; prints a JSON line of figures (ms, MB)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = float(os.environ["BENCH_T0"])
    from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QObject, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from ticketdesk.app import build_main_window
    from ticketdesk.domain.filters import TicketFilter
    from ticketdesk.domain.status import Priority, Status

    settings = QSettings(os.environ["BENCH_SETTINGS"], QSettings.Format.IniFormat)
    window = build_main_window(url, agent_name="Bench Agent", settings=settings)
    window.resize(1400, 900)
    window.show()
    model, table = window.model, window.table

    class PaintWatch(QObject):
        """Counts the table's paint events: a figure stops at the first paint showing it."""

        painted = 0

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.painted += 1
            return False

    watch = PaintWatch()
    table.viewport().installEventFilter(watch)

    def painted_until(done) -> float:
        clock = QElapsedTimer()
        clock.start()
        while not done():  # block until an event comes: spinning would steal the GIL
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        if not table.viewport().isVisible():  # no match: the empty-state page shows instead
            app.processEvents()
            return clock.nsecsElapsed() / 1e6
        seen = watch.painted
        table.viewport().update()
        while watch.painted == seen:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return clock.nsecsElapsed() / 1e6

    def shown() -> bool:
        """The first rows are there to paint — or the filter is known to match nothing (the
        Breached filter on a desk without SLA policies), else that figure would wait forever."""
        if model.pending:
            return False
        if model.rowCount() == 0:
            return model.matching == 0
        return model.data(model.index(0, 1)) is not None

    painted_until(shown)
    figures: dict[str, float] = {"start": (time.monotonic() - started) * 1000,
                                 "start_cpu": time.process_time() * 1000}

    gaps = [0.0]
    beat = QElapsedTimer()
    beat.start()

    def heartbeat() -> None:
        gaps.append(beat.nsecsElapsed() / 1e6)
        beat.restart()

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(heartbeat)
    timer.start()
    painted_until(lambda: model.matching is not None and model.total is not None)
    beat.restart()

    def apply(f: TicketFilter) -> tuple[float, float, float]:
        clock = QElapsedTimer()
        clock.start()
        cpu = time.thread_time()
        window.filter_bar.apply(f)
        painted_until(shown)
        first_ms, first_cpu = clock.nsecsElapsed() / 1e6, (time.thread_time() - cpu) * 1000
        painted_until(lambda: model.matching is not None)
        return first_ms, first_cpu, clock.nsecsElapsed() / 1e6

    figures["filter"], figures["filter_cpu"], figures["count"] = apply(TicketFilter(
        statuses=frozenset({Status.OPEN, Status.IN_PROGRESS}),
        priorities=frozenset({Priority.HIGH})))
    figures["search"], figures["search_cpu"], _ = apply(TicketFilter(
        text=os.environ.get("BENCH_SEARCH", "refund crash")))
    from ticketdesk.domain.filters import Sort, SortKey
    from ticketdesk.domain.sla import SlaState

    figures["breached"], figures["breached_cpu"], _ = apply(TicketFilter(
        sla=frozenset({SlaState.BREACHED})))
    apply(TicketFilter())
    clock = QElapsedTimer()
    clock.start()
    cpu = time.thread_time()
    table.set_sort(Sort(SortKey.DUE, descending=False), announce=True)  # a header click
    painted_until(shown)
    figures["due"], figures["due_cpu"] = (clock.nsecsElapsed() / 1e6,
                                          (time.thread_time() - cpu) * 1000)
    painted_until(lambda: model.matching is not None)
    table.set_sort(Sort(), announce=True)  # the next run starts from the usual order
    painted_until(shown)
    cpu = time.thread_time()
    table.scrollToBottom()
    last = model.rowCount() - 1
    figures["jump"] = painted_until(lambda: model.data(model.index(last, 1)) is not None)
    figures["jump_cpu"] = (time.thread_time() - cpu) * 1000
    for _ in range(20):  # let the heartbeat see the settled window
        app.processEvents()
        time.sleep(0.005)
    timer.stop()
    import resource

    figures["memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["stall"] = max(gaps)
    figures["rows"] = float(model.rowCount())
    print("BENCH " + json.dumps(figures), flush=True)
    window.close()


def floors(script: Path | None, limit_db: Path) -> dict[str, float]:
    if script is None or not script.exists() or not limit_db.exists():
        return {}
    spec = importlib.util.spec_from_file_location("limit", script)
    assert spec
    assert spec.loader
    argv, sys.argv = sys.argv, ["limit.py", "1000000", str(limit_db)]
    try:
        limit = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(limit)
    finally:
        sys.argv = argv
    import sqlite3  # noqa: TID251 - the floor is measured with plain sqlite3 on purpose

    con = sqlite3.connect(limit_db)
    result = {}
    for name, op in FLOORS.items():
        sql, params = limit.OPS[op]
        result[name] = limit.timeit(con, sql, params) * 1000
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=Path, default=os.environ.get("TICKETDESK_LIMIT_SCRIPT"),
                        help="a raw-SQL floor script to print each figure beside")
    parser.add_argument("--limit-db", type=Path, default=Path("/tmp/limit_1000000.db"))
    parser.add_argument("--search", default="refund crash", help="the text searched")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    path = ensure_demo_desk(args.db or default_desk(args.tickets), args.tickets)
    runs: list[dict[str, float]] = []
    settings = Path(os.environ.get("TMPDIR", "/tmp")) / "ticketdesk-bench-settings.ini"
    for _ in range(args.runs):
        env = dict(os.environ, BENCH_T0=repr(time.monotonic()), BENCH_SETTINGS=str(settings),
                   QT_QPA_PLATFORM="offscreen", BENCH_SEARCH=args.search)
        out = subprocess.run([sys.executable, __file__, "--child", f"sqlite:///{path}"],
                             env=env, capture_output=True, text=True, check=False)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
        if line is None:
            sys.exit(f"run failed:\n{out.stdout}\n{out.stderr}")
        runs.append(json.loads(line[6:]))
    floor = floors(args.limit, args.limit_db)
    rows = int(runs[0]["rows"])
    print(f"\nticketdesk main window, {rows:,} tickets, {args.runs} runs, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"{'figure':10s} {'median':>10s} {'worst':>10s} {'GUI cpu':>9s} {'goal':>8s} "
          f"{'floor':>9s} {'x floor':>8s}")
    for name, goal in GOALS.items():
        values = [r[name] for r in runs]
        median, worst = statistics.median(values), max(values)
        unit = "MB" if name == "memory_mb" else "ms"
        cpus = [r[f"{name}_cpu"] for r in runs if f"{name}_cpu" in r]
        cpu_text = f"{statistics.median(cpus):7.1f}ms" if cpus else f"{'-':>9s}"
        base = floor.get(name)
        ratio = f"{median / base:8.1f}" if base else f"{'':>8s}"
        goal_text = f"{goal:.0f}" if goal else "-"
        base_text = f"{base:.1f}" if base else "-"
        print(f"{name:10s} {median:8.1f}{unit} {worst:8.1f}{unit} {cpu_text} {goal_text:>8s} "
              f"{base_text:>9s} {ratio}")


if __name__ == "__main__":
    main()
