"""The longest GUI-thread stall while File ▸ Import Tickets…'s wizard previews, surveys, checks
and imports a 100,000-row foreign CSV (tests/bench/bench_import.py writes it) into an empty
desk, offscreen. A 5 ms heartbeat QTimer runs on the GUI thread; the longest gap between two
beats is how long the window was frozen (goal: ≤ 50 ms, issue 16).

usage: python tests/bench/bench_import_wizard.py [--rows N]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QWizard

    from tests.bench.bench_import import write_csv
    from ticketdesk.app import build_main_window
    from ticketdesk.ui.import_wizard import ImportWizard

    app = QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="bench-wizard-"))
    csv_path = folder / "foreign.csv"
    write_csv(csv_path, args.rows)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = build_main_window(f"sqlite:///{folder / 'desk.sqlite'}", agent_name="Bench",
                               settings=settings)
    window.show()

    clock = QElapsedTimer()
    gaps: dict[str, int] = {}
    phase = ["start"]
    last = [0]

    def beat() -> None:
        now = clock.elapsed()
        gaps[phase[0]] = max(gaps.get(phase[0], 0), now - last[0])
        last[0] = now

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
    wait_for(lambda: time.monotonic() > settle)
    collections: list[float] = []
    gc_started = [0.0]

    def gc_watch(stage: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if stage == "start":
                gc_started[0] = time.perf_counter()
            else:
                collections.append((time.perf_counter() - gc_started[0]) * 1000)

    gc.callbacks.append(gc_watch)
    started = time.perf_counter()
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
    phase[0] = "after"
    timer.stop()
    seconds = time.perf_counter() - started
    print(f"{args.rows:,} rows through the wizard in {seconds:.1f} s: {summary[0]}")
    for name, gap in gaps.items():
        if name not in ("start", "after"):
            print(f"  longest GUI stall while {name}: {gap} ms")
    print(f"full garbage collections: {len(collections)}, longest "
          f"{max(collections, default=0):.0f} ms")
    print(f"longest GUI stall overall: {max(gaps.values())} ms (goal ≤ 50 ms)")
    window.close()


if __name__ == "__main__":
    main()
