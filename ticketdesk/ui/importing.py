"""File > Import Tickets… opens the import wizard (ui/import_wizard.py); this module runs the
import the wizard's Import button starts: the CSV that File > Export Tickets… (or `ticketdesk
export tickets`) writes, read the way `ticketdesk import tickets` reads it
(services/importer.py says how numbers, customers, agents and times are matched), or another
help desk's file under the wizard's mapping (services/importing/run.py).

The import runs on a thread of its own behind a progress dialog with Cancel, as the current agent
(the `imported` activity row of each ticket names them), and is one transaction: Cancel, a full
disk or a crash leaves the desk as it was. A file with bad rows imports nothing at first; the
user sees every bad row with its line and the reason, and chooses between importing the good
rows and fixing the file. When it is done a summary says what arrived, what got a new number,
what was already here, and which customers and agents were created (a misspelt agent's name
shows there at once).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from ticketdesk.domain.errors import InvalidRowsError
from ticketdesk.domain.progress import Progress
from ticketdesk.services.importer import import_tickets
from ticketdesk.ui.tasks import Task
from ticketdesk.ui.text import plain_box

if TYPE_CHECKING:
    from ticketdesk.domain.import_mapping import Mapping
    from ticketdesk.services.importing.sources import Source
    from ticketdesk.ui.import_wizard import ImportWizard
    from ticketdesk.ui.main_window import MainWindow

SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits, while an import reads or writes:
with Python's default (5 ms) a worker parsing a large file kept the GUI thread from running for
up to 0.8 s at a time (tests/bench/bench_import_wizard.py); at 1 ms it was 0.1-0.25 s, so a big
file's passes now run in a child process instead (services/importing/child.py) and these two
measures serve the files small enough for a thread.
The objects that exist when the import starts are also frozen out of the garbage collector
(`gc.freeze`) until it ends: a full collection of the window's heap, run on the worker while
it allocates rows, held the GIL for 100 ms. (Turning full collections off while an import runs
was measured too and made the longest stalls three times worse: 1.9 s against 0.65 s.)"""
_asked: dict[str, Any] = {"count": 0, "before": 0.005}


def responsive(on: bool) -> None:
    """Ask for (True) or give back (False) the short switch interval; asks are counted, and
    the interval of before comes back with the last one given back."""
    if on:
        if _asked["count"] == 0:
            _asked["before"] = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL)
            gc.freeze()
        _asked["count"] += 1
    elif _asked["count"] > 0:
        _asked["count"] -= 1
        if _asked["count"] == 0:
            sys.setswitchinterval(_asked["before"])
            gc.unfreeze()


Job = Callable[[bool, Progress], Any]
"""job(skip_bad_rows, progress) → the result (ImportResult or importing.run.Result)."""

INLINE_ROWS = 5
"""Bad rows listed in the message itself (all of them up to SHOWN_ROWS under Show Details…)."""
SHOWN_ROWS = 50
"""Bad rows listed in the details of the message; the rest are counted."""


class TicketImport(QObject):
    """One import from the menu: the file, the task, the questions and the summary."""

    finished = Signal(object)
    """The ImportResult, or None when nothing was imported (cancelled, refused, failed)."""

    def __init__(self, window: MainWindow, path: Path, job: Job | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.path = path
        self.task: Task | None = None
        self.job: Job = job or own_job(window, path)
        """ticketdesk's own export unless the wizard gives another job."""

    def start(self, *, skip_bad_rows: bool = False) -> None:
        window, path, job = self.window, self.path, self.job
        self.task = Task(window.store, lambda progress: job(skip_bad_rows, progress),
                         self.tr("Importing tickets from {0}…").format(path.name), window)
        responsive(True)
        self.task.done.connect(lambda _r: responsive(False))
        self.task.failed.connect(lambda _e: responsive(False))
        self.task.done.connect(self._imported)
        self.task.failed.connect(self._failed)
        window.run_task(self.task)  # a window closing meanwhile cancels it and waits

    def _failed(self, error: object) -> None:
        if isinstance(error, InvalidRowsError) and error.good > 0:
            if self._ask_to_skip(error):
                self.start(skip_bad_rows=True)
                return
        elif isinstance(error, InvalidRowsError):
            box = plain_box(self.window, QMessageBox.Icon.Warning, self.tr("Import tickets"),
                            self.tr("{0} cannot be imported; nothing was imported.")
                            .format(self.path.name))
            box.setObjectName("importRefused")
            box.setInformativeText(self._rows_text(error.errors))
            box.exec()
        else:
            self.window.show_task_error(self.tr("Import tickets"), error)
        self.finished.emit(None)

    def _ask_to_skip(self, error: InvalidRowsError) -> bool:
        bad = len(error.errors)
        box = plain_box(self.window, QMessageBox.Icon.Warning, self.tr("Import tickets"),
                        self.tr("{0} has {1} row(s) that cannot be imported, so nothing was "
                                "imported. The other {2} row(s) are fine.")
                        .format(self.path.name, f"{bad:,}", f"{error.good:,}"))
        box.setObjectName("importBadRows")
        listed = error.errors[:INLINE_ROWS]
        more = "" if bad <= INLINE_ROWS else "\n" + self.tr(
            "… and {0} more (Show Details… lists them all).").format(f"{bad - INLINE_ROWS:,}")
        box.setInformativeText(self._rows_text(listed) + more + "\n\n" + self.tr(
            "Fix them and import the file again, or import the good rows now and leave the "
            "bad ones out."))
        box.setDetailedText(self._rows_text(error.errors))
        skip = box.addButton(self.tr("Import {0} Good Row(s)").format(f"{error.good:,}"),
                             QMessageBox.ButtonRole.AcceptRole)
        skip.setObjectName("importGoodRowsButton")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is skip

    def _imported(self, result: Any) -> None:
        """Every view hears of the new tickets now; the summary opens in the next turn of the
        event loop, so the window paints between the two (together they were the one GUI
        stall over 50 ms left in bench_import_wizard's import)."""
        self.window.hub.announce(result.changes, self.window)
        summary = self.tr("Imported {0} ticket(s) from {1}.").format(
            f"{result.imported:,}", self.path.name)
        self.window.statusBar().showMessage(summary, 10_000)
        QTimer.singleShot(0, self, lambda: self._summarize(result, summary))

    def _summarize(self, result: Any, summary: str) -> None:
        details = []
        if getattr(result, "renumbered", 0):
            details.append(self.tr("{0} got new numbers: theirs were already taken in this desk "
                                   "(each ticket's activity records its old number).")
                           .format(f"{result.renumbered:,}"))
        if result.already_present:
            details.append(self.tr("{0} were already in this desk and were left as they are.")
                           .format(f"{result.already_present:,}"))
        if getattr(result, "messages", 0):
            details.append(self.tr("{0} messages and notes.").format(f"{result.messages:,}"))
        if getattr(result, "routed", 0):
            details.append(self.tr("{0} routed to an agent by the routing rules.").format(
                f"{result.routed:,}"))
        if result.customers_created:
            details.append(self.tr("{0} new customer(s).").format(f"{result.customers_created:,}"))
        if result.agents_created:
            details.append(self.tr("New agents: {0}.").format(", ".join(result.agents_created)))
        if result.skipped:
            details.append(self.tr("{0} bad row(s) were left out.").format(
                f"{len(result.skipped):,}"))
        box = plain_box(self.window, QMessageBox.Icon.Information, self.tr("Import tickets"),
                        summary)
        box.setObjectName("importSummary")
        box.setInformativeText("\n".join(details))
        if result.skipped:
            box.setDetailedText(self._rows_text(result.skipped))
        box.exec()
        self.finished.emit(result)

    def _rows_text(self, rows: Sequence[tuple[int, str]]) -> str:
        lines = [self.tr("line {0}: {1}").format(line, why) for line, why in rows[:SHOWN_ROWS]]
        if len(rows) > SHOWN_ROWS:
            lines.append(self.tr("… and {0} more").format(f"{len(rows) - SHOWN_ROWS:,}"))
        return "\n".join(lines)


def own_job(window: MainWindow, path: Path) -> Job:
    """ticketdesk's own export, as `ticketdesk import tickets` imports it (numbers kept); a big
    file by a child process, as `foreign_job`."""
    from ticketdesk.services.importing import child

    session = window.session

    def job(skip: bool, progress: Progress) -> Any:
        if not child.worth_a_child(path):
            return import_tickets(session, path, skip_bad_rows=skip, progress=progress)
        return child.call(child.own_import_at, *child.desk_of(session.store),
                          session.agent_id, path, skip_bad_rows=skip, progress=progress)

    return job


def foreign_job(window: MainWindow, source: Source, mapping: Mapping, *,
                system: str | None = None, conversations: Path | None = None,
                route: bool = False) -> Job:
    """Another help desk's file, imported as `ticketdesk import tickets` imports it
    (cli_import._foreign): the same source system (default the detected one), zone, mapping,
    conversations file and `--route`. A big file is imported by a child process
    (services/importing/child.py says why), which opens the desk as this window did."""
    from ticketdesk.services.importing import child, run

    session = window.session
    named = system or mapping.system or "spreadsheet"

    def job(skip: bool, progress: Progress) -> Any:
        options: dict[str, Any] = {
            "source_system": named, "timezone": mapping.timezone, "skip_bad_rows": skip,
            "conversations": conversations, "route": route}
        if not child.worth_a_child(source.path):
            return run.import_(session, source, mapping, progress=progress, **options)
        return child.call(child.import_at, *child.desk_of(session.store), session.agent_id,
                          source, mapping, progress=progress, **options)

    return job


def import_from_menu(window: MainWindow) -> ImportWizard:
    """File > Import Tickets… and the empty desk's "Import tickets…": the wizard."""
    from ticketdesk.ui.import_wizard import open_wizard

    return open_wizard(window)
