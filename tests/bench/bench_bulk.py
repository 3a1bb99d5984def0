"""Benchmark: many tickets at once in the window (issue 18; ticketdesk/ARCHITECTURE.md, "Many
tickets at once"), on a copy of the benchmarks' demo desk (tests/bench/desk.py; the original is
never opened).

Each run, in a fresh process on the same copy, driving the real window as a user does:

- select_all: Ctrl+A on the whole list (every ticket), until the dock says how many;
- tag_all: "Add Tag" on that selection, until the task is done and the list has its new
  snapshot (time; the tickets changed);
- undo_tag: Edit ▸ Undo of that, until done and listed;
- status_10k: the first 10,000 rows selected (one Shift-click range), "Set Status ▸ In Progress",
  until done and listed (then undone, unmeasured, so the next run starts alike);
- stall: the longest gap of a 5 ms heartbeat timer on the GUI thread during all of it;
- memory_mb: the process's peak resident memory (window, list snapshot, undo records);
  child_memory_mb: the largest child process's (a big selection is changed in one,
  services/child.py).

    .venv/bin/python tests/bench/bench_bulk.py [--source DESK] [--db COPY] [--runs 3]
    .venv/bin/python tests/bench/bench_bulk.py --pg postgresql://…/DB [--rtt 50]

With `--pg`, a team desk on PostgreSQL instead (used as it is: every run puts back what it
changed), reached through `tests/bench/latency_proxy.py` adding `--rtt` ms a round trip.

Prints each run's figures and the medians (milliseconds, MB).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_analytics_view import copy_desk
from tests.bench.desk import default_desk
from tests.bench.heartbeat import Heartbeat
from tests.bench.latency_proxy import proxied

DEFAULT_DB = Path(tempfile.gettempdir()) / "ticketdesk-bench" / "bulk_1m.sqlite"
TAG = "bench-bulk"
STATUS_ROWS = 10_000


def child(url: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QItemSelection, QSettings
    from PySide6.QtCore import QItemSelectionModel as Sel
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from ticketdesk.app import build_main_window
    from ticketdesk.domain.status import Status
    from ticketdesk.services.bulk import Action, BulkChange

    settings = QSettings(os.environ["BENCH_SETTINGS"], QSettings.Format.IniFormat)
    window = build_main_window(url, agent_name="Bench Agent", settings=settings)
    window.resize(1400, 900)
    window.show()
    model, table, bulk = window.model, window.table, window.bulk

    def note(step: str) -> None:  # followed on stderr while a run goes on
        print(f"  {time.strftime('%H:%M:%S')} {step}", file=sys.stderr, flush=True)

    def wait(done) -> float:  # type: ignore[no-untyped-def]
        clock = QElapsedTimer()
        clock.start()
        while not done():
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return clock.nsecsElapsed() / 1e6

    def listed() -> bool:
        return model.is_complete and model.matching is not None and model.total is not None

    def settled() -> bool:
        return bulk.running is None and listed()

    wait(listed)
    note(f"listed {model.rowCount():,} tickets")
    sampler = None
    if os.environ.get("BENCH_WHY"):
        import threading

        from tests.bench.stall_sampler import StallSampler

        sampler = StallSampler(threading.main_thread())
        sampler.start()
    heart = Heartbeat(sampler.gap if sampler is not None else None)
    heart.phase = "select"
    heart.start()
    figures: dict[str, float] = {"tickets": float(model.rowCount())}

    clock = QElapsedTimer()
    clock.start()
    table.setFocus()
    bulk.select_all_action.trigger()
    wait(window.ticket_dock.empty.isVisible)
    app.processEvents()  # painted with the selection
    figures["select_all"] = clock.nsecsElapsed() / 1e6
    figures["selected"] = float(table.selection_count())
    note(f"selected {table.selection_count():,}")

    heart.phase = "tag"
    clock.restart()
    bulk.run(BulkChange(Action.TAG, TAG))
    wait(settled)
    figures["tag_all"] = clock.nsecsElapsed() / 1e6
    figures["tagged"] = float(bulk.undo_stack[-1].record.ids.size) if bulk.undo_stack else 0.0
    note(f"tagged {figures['tagged']:,.0f} in {figures['tag_all']:,.0f} ms")
    heart.phase = "undo"
    clock.restart()
    bulk.undo()
    wait(settled)
    figures["undo_tag"] = clock.nsecsElapsed() / 1e6
    note(f"undone in {figures['undo_tag']:,.0f} ms")

    heart.phase = "status"
    selection = QItemSelection(model.index(0, 0), model.index(STATUS_ROWS - 1,
                                                              model.columnCount() - 1))
    table.selectionModel().select(selection, Sel.SelectionFlag.ClearAndSelect)
    clock.restart()
    bulk.run(BulkChange(Action.STATUS, Status.IN_PROGRESS))  # every status may move there
    wait(settled)
    figures["status_10k"] = clock.nsecsElapsed() / 1e6
    figures["status_changed"] = float(bulk.undo_stack[-1].record.ids.size) \
        if bulk.undo_stack else 0.0
    heart.stop()
    if sampler is not None:
        sampler.stop()
        print(sampler.report(), file=sys.stderr, flush=True)
    figures["stall"] = heart.longest_ms
    figures["stall_cpu"] = heart.longest_cpu_ms
    figures.update({f"stall_{k}": v for k, v in heart.worst.items()})
    bulk.undo()  # unmeasured: the next run starts from the same desk
    wait(settled)
    import resource

    figures["memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["child_memory_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    window.close()
    print("BENCH " + json.dumps(figures), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=default_desk())
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", help="a PostgreSQL desk instead of a copy of --source")
    parser.add_argument("--rtt", type=float, default=0.0,
                        help="with --pg: ms added to every round trip to the server")
    parser.add_argument("--why", action="store_true",
                        help="sample the threads and print what they did in the longest stalls")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.pg is None:
        if args.db.resolve() == args.source.resolve():
            raise SystemExit("--db must be a copy, never the source desk itself")
        copy_desk(args.source, args.db)
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as temp:
        env = {**os.environ, "BENCH_SETTINGS": str(Path(temp) / "settings.ini"),
               **({"BENCH_WHY": "1"} if args.why else {})}
        for run in range(args.runs):
            started = time.monotonic()
            with contextlib.ExitStack() as stack:
                url = f"sqlite:///{args.db}" if args.pg is None \
                    else stack.enter_context(proxied(args.pg, args.rtt))
                out = subprocess.run([sys.executable, __file__, "--child", url],
                                     env=env, stdout=subprocess.PIPE, text=True, check=False)
            line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
            if line is None:
                print(out.stdout, file=sys.stderr)
                raise SystemExit(f"run {run + 1} failed")
            figures = json.loads(line[6:])
            figures["process_s"] = time.monotonic() - started
            results.append(figures)
            print(f"run {run + 1}: " + ", ".join(f"{k} {v:,.0f}" for k, v in figures.items()),
                  flush=True)
    print("median: " + ", ".join(f"{k} {statistics.median(r[k] for r in results):,.0f}"
                                 for k in results[0]))


if __name__ == "__main__":
    main()
