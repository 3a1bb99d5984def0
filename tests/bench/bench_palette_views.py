"""Benchmark: the command palette and saved views on a large desk, offscreen (issue 18).

    .venv/bin/python tests/bench/bench_palette_views.py [--tickets 1000000] [--db PATH] [--runs 5]

Works on a COPY of the demo desk (default ~/.cache/ticketdesk-bench/demo_<N>.sqlite, built
with `ticketdesk demo` if missing): opening a desk migrates it, and the shared file must stay as
it is. Then, in a fresh process each run, it measures:

- open: Ctrl+K to the palette's first frame painted (no goal; median over the opens);
- palette: a keystroke in the palette (Ctrl+K) to its suggestions painted, for each letter of
  a few commands and views typed one by one (goal 30 ms; the median and the worst keystroke);
- ticket: typing the last digit of "TKT-000123" to the "Go to ticket" suggestion painted (the
  subject follows from a worker thread and is not waited for);
- view: opening a saved view (Open or In Progress, High; newest first) from the views panel to
  its rows painted — the same measure as bench_window's filter change (goal 50 ms);
- filter: the same criteria set through the filter bar instead, in the same run (what
  bench_window calls a filter change), for comparison on a loaded machine;
- builtin: opening the built-in view Unassigned the same way;
- counts: the views panel's live counts of every view, asked to answered (off the GUI thread;
  no goal: the panel shows "…" until they come);
- stall: the longest gap of a 5 ms heartbeat timer on the GUI thread during all of it.

Medians over runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from the checkout
    sys.path.insert(0, str(ROOT))

from tests.bench.desk import default_desk, ensure_demo_desk  # noqa: E402

GOALS = {"open": None, "palette": 30.0, "palette_worst": 30.0, "ticket": 30.0, "view": 50.0,
         "filter": 50.0, "builtin": 50.0, "counts": None, "stall": 50.0}
TYPED = ("analytics", "new ticket", "unassigned", "fetch mail", "my open")


def child(url: str) -> None:
    """One measured session in this process; prints a JSON line of figures (ms)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QObject, QSettings, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from ticketdesk.app import build_main_window
    from ticketdesk.domain.filters import TicketFilter
    from ticketdesk.domain.status import Priority, Status
    from ticketdesk.domain.view_spec import ViewSpec
    from ticketdesk.services import saved_views

    settings = QSettings(os.environ["BENCH_SETTINGS"], QSettings.Format.IniFormat)
    window = build_main_window(url, agent_name="Bench Agent", settings=settings)
    window.resize(1400, 900)
    window.show()
    model, table, panel = window.model, window.table, window.views

    class PaintWatch(QObject):
        painted = 0

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.painted += 1
            return False

    def painted_until(viewport, watch: PaintWatch, done) -> float:  # type: ignore[no-untyped-def]
        clock = QElapsedTimer()
        clock.start()
        while not done():
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        seen = watch.painted
        viewport.update()
        while watch.painted == seen:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return clock.nsecsElapsed() / 1e6

    table_watch = PaintWatch()
    table.viewport().installEventFilter(table_watch)

    def shown() -> bool:
        return (not model.pending and model.rowCount() > 0
                and model.data(model.index(0, 1)) is not None)

    painted_until(table.viewport(), table_watch, shown)
    while not panel.views or not panel._choices_ready:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    session = window.session
    if not any(v.name == "Urgent work" for v in panel.views):  # not timed: set-up
        saved_views.save_view(session, "Urgent work", ViewSpec(TicketFilter(
            statuses=frozenset({Status.OPEN, Status.IN_PROGRESS}),
            priorities=frozenset({Priority.HIGH}))))
    loaded = [False]
    panel.viewsLoaded.connect(lambda: loaded.__setitem__(0, True))
    panel.reload()
    while not loaded[0]:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    settle = QElapsedTimer()
    settle.start()
    while settle.elapsed() < 2500:  # the desk watch notices the set-up's write and refreshes
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    while model.matching is None or model.total is None:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    gaps = [0.0]
    phase = ["counts"]
    worst: dict[str, float] = {}
    beat = QElapsedTimer()
    beat.start()

    def heartbeat() -> None:
        gap = beat.nsecsElapsed() / 1e6
        gaps.append(gap)
        worst[phase[0]] = max(worst.get(phase[0], 0.0), gap)
        beat.restart()

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(heartbeat)
    timer.start()
    beat.restart()
    figures: dict[str, float] = {}

    counted = [False]
    panel.countsLoaded.connect(lambda: counted.__setitem__(0, True))
    clock = QElapsedTimer()
    clock.start()
    panel.refresh_counts()
    while not counted[0]:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    figures["counts"] = clock.nsecsElapsed() / 1e6

    phase[0] = "palette"
    palette = window.command_palette
    list_watch = PaintWatch()
    palette.list.viewport().installEventFilter(list_watch)
    strokes: list[float] = []
    opened: list[float] = []
    for text in TYPED:
        clock = QElapsedTimer()
        clock.start()
        palette.start()  # Ctrl+K: the palette's first frame, suggestions for "" included
        opened.append(painted_until(palette.list.viewport(), list_watch, lambda: True))
        for letter in text:
            clock = QElapsedTimer()
            clock.start()
            QTest.keyClick(palette.input, letter)
            painted_until(palette.list.viewport(), list_watch, lambda: True)
            strokes.append(clock.nsecsElapsed() / 1e6)
        palette.hide()
    figures["palette"] = statistics.median(strokes)
    figures["palette_worst"] = max(strokes)
    figures["open"] = statistics.median(opened)
    palette.start()
    QTest.keyClicks(palette.input, "TKT-00012")
    app.processEvents()
    clock = QElapsedTimer()
    clock.start()
    QTest.keyClick(palette.input, "3")
    figures["ticket"] = painted_until(palette.list.viewport(), list_watch,
                                      lambda: palette.list.count() > 0)
    palette.hide()

    def open_view(key: str) -> float:
        phase[0] = key
        view = panel.view_for(key)
        assert view is not None
        clock = QElapsedTimer()
        clock.start()
        panel.open_view(view)
        painted_until(table.viewport(), table_watch, shown)
        elapsed = clock.nsecsElapsed() / 1e6
        painted_until(table.viewport(), table_watch, lambda: model.matching is not None)
        return elapsed

    mine = next(v.key for v in panel.views if v.name == "Urgent work")
    figures["view"] = open_view(mine)
    open_view(saved_views.ALL)
    phase[0] = "filter"  # the same criteria through the filter bar: bench_window's filter
    clock = QElapsedTimer()
    clock.start()
    window.filter_bar.apply(TicketFilter(statuses=frozenset({Status.OPEN, Status.IN_PROGRESS}),
                                         priorities=frozenset({Priority.HIGH})))
    figures["filter"] = painted_until(table.viewport(), table_watch, shown)
    painted_until(table.viewport(), table_watch, lambda: model.matching is not None)
    figures["builtin"] = open_view(saved_views.UNASSIGNED)
    open_view(saved_views.ALL)  # the next run starts from the usual list
    for _ in range(20):
        app.processEvents()
        time.sleep(0.005)
    timer.stop()
    figures["stall"] = max(gaps)
    print("STALLS " + json.dumps(worst), file=sys.stderr, flush=True)
    figures["rows"] = float(model.rowCount())
    print("BENCH " + json.dumps(figures), flush=True)
    window.close()


def copy_desk(source: Path, folder: Path) -> Path:
    """A copy of the desk (and its write-ahead log), migrated once before the runs."""
    target = folder / source.name
    shutil.copyfile(source, target)
    for suffix in ("-wal",):
        extra = source.with_name(source.name + suffix)
        if extra.exists():
            shutil.copyfile(extra, target.with_name(target.name + suffix))
    from ticketdesk.db.store import open_database

    open_database(f"sqlite:///{target}").close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--copy", type=Path,
                        help="a copy made earlier (used as it is, not copied again)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    source = ensure_demo_desk(args.db or default_desk(args.tickets), args.tickets)
    with tempfile.TemporaryDirectory(prefix="bench-palette-") as folder:
        path = copy_desk(source, Path(folder)) if not args.copy else args.copy
        settings = Path(folder) / "settings.ini"
        runs: list[dict[str, float]] = []
        for _ in range(args.runs):
            env = dict(os.environ, BENCH_SETTINGS=str(settings), QT_QPA_PLATFORM="offscreen")
            out = subprocess.run([sys.executable, __file__, "--child", f"sqlite:///{path}"],
                                 env=env, capture_output=True, text=True, check=False)
            line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")),
                        None)
            if args.copy:
                print(next((ln for ln in out.stderr.splitlines() if ln.startswith("STALLS")),
                           ""))
            if line is None:
                sys.exit(f"run failed:\n{out.stdout}\n{out.stderr}")
            runs.append(json.loads(line[6:]))
    print(f"\npalette and saved views, {int(runs[0]['rows']):,} tickets listed at the end, "
          f"{args.runs} runs, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"{'figure':14s} {'median':>10s} {'worst':>10s} {'goal':>8s}")
    for name, goal in GOALS.items():
        values = [r[name] for r in runs]
        goal_text = f"{goal:.0f}" if goal else "-"
        print(f"{name:14s} {statistics.median(values):8.1f}ms {max(values):8.1f}ms "
              f"{goal_text:>8s}")


if __name__ == "__main__":
    main()
