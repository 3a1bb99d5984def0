"""The longest GUI-thread stall while File ▸ Import Tickets…'s wizard previews, surveys, checks
and imports a 100,000-row foreign CSV (tests/bench/bench_import.py writes it) into an empty
desk (or a copy of `--desk`), offscreen, and while the list shows the new tickets after. A
5 ms heartbeat QTimer runs on the GUI thread; the longest gap between two beats is how long the
window was frozen (goal: ≤ 50 ms, issue 16).

usage: python tests/bench/bench_import_wizard.py [--rows N] [--desk DESK] [--in-process] [--why]

A file this big is surveyed, checked and imported in a child process (services/importing/
child.py); `--in-process` keeps it on the window's threads, as before, to compare. CPU time is
the window's process's own (the child's is printed beside it), the peak memory the child's.
A control process that only sleeps 5 ms in a loop runs meanwhile: how late it woke is the
machine's own noise (the machine is shared), printed beside the GUI's stalls.

`--why` samples the GUI thread's Python stack (tests/bench/stall_sampler.py) and prints what it
was doing in the longest stalls.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def control_heartbeat() -> None:
    """The machine's own noise: a process doing nothing but a 5 ms sleep loop, until its stdin
    closes; prints its longest late beat and how many were over 50 ms."""
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    late: list[float] = []
    while not stop.is_set():
        at = time.perf_counter()
        time.sleep(0.005)
        late.append((time.perf_counter() - at) * 1000)
    print(f"{max(late, default=0):.0f} {sum(1 for g in late if g > 50)}", flush=True)


def main() -> None:
    if sys.argv[1:] == ["--control"]:
        control_heartbeat()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--desk", type=Path,
                        help="import into a COPY of this desk (e.g. the 1,000,000-ticket demo "
                             "desk of tests/bench/desk.py; the original is never written)")
    parser.add_argument("--in-process", action="store_true",
                        help="read and import on a thread of the window's process, as before "
                             "services/importing/child.py (for comparison)")
    parser.add_argument("--why", action="store_true",
                        help="sample the GUI thread and print what it did in the longest stalls")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QWizard

    from tests.bench.bench_import import write_csv
    from tests.bench.stall_sampler import StallSampler
    from ticketdesk.app import build_main_window
    from ticketdesk.ui.import_wizard import ImportWizard

    if args.in_process:
        from ticketdesk.services.importing import child

        child.CHILD_MIN_BYTES = 1 << 62
    app = QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="bench-wizard-"))
    csv_path = folder / "foreign.csv"
    write_csv(csv_path, args.rows)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    desk = folder / "desk.sqlite"
    if args.desk is not None:
        copied = time.perf_counter()
        shutil.copyfile(args.desk, desk)  # never write to the original
        print(f"copied {args.desk.name} in {time.perf_counter() - copied:.1f} s")
    window = build_main_window(f"sqlite:///{desk}", agent_name="Bench", settings=settings)
    window.show()

    def listed() -> bool:
        model = window.model
        return bool(model.is_complete and model.matching is not None and model.total is not None)

    clock = QElapsedTimer()
    gaps: dict[str, int] = {}
    phase = ["start"]
    last = [0]
    sampler = StallSampler(threading.main_thread()) if args.why else None
    last_beat = [time.perf_counter()]

    over: dict[str, int] = {}
    """Beats more than 50 ms late, by phase."""

    def beat() -> None:
        now = clock.elapsed()
        gaps[phase[0]] = max(gaps.get(phase[0], 0), now - last[0])
        if now - last[0] > 50:
            over[phase[0]] = over.get(phase[0], 0) + 1
        last[0] = now
        at = time.perf_counter()
        if sampler is not None and at - last_beat[0] > 0.03:
            sampler.gap(last_beat[0], at)
        last_beat[0] = at

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(beat)

    def wait_for(ok: Callable[[], bool], limit: float = 1800) -> None:
        end = time.monotonic() + limit
        app.processEvents()
        while not ok():
            if time.monotonic() > end:
                raise SystemExit(f"timed out in phase {phase[0]}")
            app.processEvents()
            time.sleep(0.001)

    summary: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "importSummary":
            summary.append(box.text())
            box.button(QMessageBox.StandardButton.Ok).click()
        else:
            QTimer.singleShot(20, answer)

    settle = time.monotonic() + 2  # the window's first list load is not the wizard's
    wait_for(lambda: time.monotonic() > settle and listed())
    before = window.model.total or 0
    collections: list[float] = []
    gc_started = [0.0]

    def gc_watch(stage: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if stage == "start":
                gc_started[0] = time.perf_counter()
            else:
                collections.append((time.perf_counter() - gc_started[0]) * 1000)

    gc.callbacks.append(gc_watch)
    control = subprocess.Popen([sys.executable, __file__, "--control"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    started = time.perf_counter()
    cpu = time.process_time()
    if sampler is not None:
        sampler.start()
    last_beat[0] = time.perf_counter()
    clock.start()
    timer.start()
    phase[0] = "opening the wizard"
    window.import_action.trigger()
    wizard = window.findChildren(ImportWizard)[-1]
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    phase[0] = "preview"
    wizard.file_page.path_edit.setText(str(csv_path))
    wait_for(next_button.isEnabled)
    for name in ("columns", "survey (values)", "times", "dry run (check)"):
        phase[0] = name
        next_button.click()
        wait_for(next_button.isEnabled if name != "dry run (check)" else
                 wizard.button(QWizard.WizardButton.FinishButton).isEnabled)
    phase[0] = "import"
    QTimer.singleShot(0, answer)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    wait_for(lambda: bool(summary))
    imported = time.perf_counter()
    phase[0] = "the list reloading"
    wait_for(lambda: listed() and (window.model.total or 0) >= before + args.rows)
    phase[0] = "after"
    timer.stop()
    noise, _ = control.communicate("")
    noise_max, noise_over = noise.split()
    seconds = imported - started
    cpu = time.process_time() - cpu
    if sampler is not None:
        sampler.stop()
        print(sampler.report())
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    mine = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{args.rows:,} rows through the wizard in {seconds:.1f} s ({args.rows / seconds:,.0f} "
          f"rows/s; CPU {cpu:.1f} s in the window's process, {kids.ru_utime + kids.ru_stime:.1f}"
          f" s in child processes; load average {os.getloadavg()[0]:.2f}): {summary[0]}")
    print(f"peak memory: window's process {mine.ru_maxrss / 1024:,.0f} MB, largest child "
          f"{kids.ru_maxrss / 1024:,.0f} MB")
    for name, gap in gaps.items():
        if name not in ("start", "after"):
            print(f"  longest GUI stall while {name}: {gap} ms ({over.get(name, 0)} over 50 ms)")
    print(f"full garbage collections: {len(collections)}, longest "
          f"{max(collections, default=0):.0f} ms")
    print(f"longest GUI stall overall: {max(gaps.values())} ms (goal ≤ 50 ms); meanwhile a "
          f"process doing nothing but 5 ms sleeps had beats up to {noise_max} ms apart "
          f"({noise_over} over 50 ms): the machine's own noise")
    window.close()
    shutil.rmtree(folder, ignore_errors=True)  # a copy of a big desk is gigabytes


if __name__ == "__main__":
    main()
