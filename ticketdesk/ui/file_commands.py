"""The File menu's commands: export, import, demo data, back up, restore.

Each long one runs as a `Task` (ui/tasks.py) on a thread of its own behind a progress dialog
with Cancel; nothing here touches the database on the GUI thread. The window closing cancels
what still runs and waits for it (`stop`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ticketdesk.db.store import Store
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.services import agents, ticket_list
from ticketdesk.services.changes import Changes
from ticketdesk.ui.tasks import Task, TaskThread
from ticketdesk.ui.text import plain_box

if TYPE_CHECKING:
    from ticketdesk.ui.import_wizard import ImportWizard
    from ticketdesk.ui.main_window import MainWindow

DEMO_TICKETS = 20_000
translate = QCoreApplication.translate
"""The window's strings, said from here, are translated in its context (lupdate files a
`window.tr(...)` under "window", where the running program never looks)."""


class DeskNotEmpty(TicketdeskError):
    """Demo data goes only into an empty desk (checked on the task's thread)."""


class FileCommands(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._tasks: list[Task] = []

    def load_demo(self, tickets: int = DEMO_TICKETS) -> Task | None:
        from ticketdesk.services import demo

        window, store = self.window, self.window.store
        count = tickets if isinstance(tickets, int) and tickets > 0 else DEMO_TICKETS

        def job(progress):  # type: ignore[no-untyped-def]
            if ticket_list.count(store, TicketFilter()) > 0:
                raise DeskNotEmpty("The desk has tickets.")
            return demo.generate(store, tickets=count, progress=progress)

        task = Task(store, job, translate("MainWindow", "Loading demo data…"), window)
        task.done.connect(self._demo_loaded)
        task.failed.connect(self._demo_failed)
        self.run_task(task)
        return task

    def _demo_loaded(self, _summary: object) -> None:
        self.window.hub.announce(Changes(everything=True), self.window)
        self.window.statusBar().showMessage(translate("MainWindow", "Demo data loaded."), 5000)

    def _demo_failed(self, error: object) -> None:
        window = self.window
        if isinstance(error, DeskNotEmpty):
            QMessageBox.information(window, translate("MainWindow", "Load demo data"), translate(
                "MainWindow",
                "Demo data can only be loaded into an empty desk. Start ticketdesk with "
                "--db demo.sqlite --demo to explore it in a desk of its own."))
            return
        self.show_task_error(translate("MainWindow", "Load demo data"), error)

    def export_tickets(self) -> None:
        from ticketdesk.services.export import export_tickets

        window = self.window
        path, _ = QFileDialog.getSaveFileName(
            window, translate("MainWindow", "Export tickets"), str(Path.home() / "tickets.csv"),
            translate("MainWindow", "CSV files (*.csv)"))
        if not path:
            return
        f, store = window.model.ticket_filter, window.store
        task = Task(store, lambda progress: export_tickets(
            store, Path(path), f, progress=progress),
            translate("MainWindow", "Exporting tickets…"), window)
        task.done.connect(lambda result: window.statusBar().showMessage(translate("MainWindow",
            "Exported {0} tickets to {1}.").format(f"{result.rows:,}", result.path), 10_000))
        title = translate("MainWindow", "Export tickets")
        task.failed.connect(lambda error: self.show_task_error(title, error))
        self.run_task(task)

    def import_tickets(self) -> ImportWizard:
        """File > Import Tickets…: the import wizard (ui/import_wizard.py), for ticketdesk's
        own export and any other help desk's file."""
        from ticketdesk.ui.importing import import_from_menu

        return import_from_menu(self.window)

    def import_mail(self) -> Task | None:
        """File > Import Mail…: a .eml file or an mbox, threaded as fetched mail, as a Task
        (each message is its own transaction: Cancel keeps what is in, a rerun skips it)."""
        path, _ = QFileDialog.getOpenFileName(
            self.window, translate("MainWindow", "Import mail"), "",
            translate("MainWindow", "Mail (*.eml *.mbox *.mbx);;All files (*)"))
        if not path:
            return None
        return self.import_mail_files([Path(path)])

    def import_mail_files(self, paths: list[Path]) -> Task:
        """The mail files at `paths` (chosen, or dropped on the list: ui/mail_drop.py) into the
        desk, as fetched mail, behind a progress dialog with Cancel."""
        from ticketdesk.domain.progress import Cancelled
        from ticketdesk.services.mail.importing import import_mail
        from ticketdesk.services.session import Session

        window = self.window
        store = window.store
        session = Session(store, None, window.session.clock)

        def job(progress: Any) -> Any:
            def each(done: int) -> None:
                if progress(done, 0, translate("MainWindow", "Importing mail")) is False:
                    raise Cancelled("Cancelled; the messages imported so far stay (importing "
                                    "the file again skips them).")

            return import_mail(session, paths, each)

        task = Task(store, job, translate("MainWindow", "Importing mail…"), window)

        def imported(report: Any) -> None:
            window.hub.announce(report.changes, window)
            window.statusBar().showMessage(report.summary(), 15_000)

        task.done.connect(imported)
        title = translate("MainWindow", "Import mail")
        task.failed.connect(lambda error: self.show_task_error(title, error))
        self.run_task(task)
        return task

    def backup_now(self) -> None:
        from ticketdesk.services.maintenance import backup

        window, store = self.window, self.window.store
        task = Task(store, lambda _progress: backup(store),
                    translate("MainWindow", "Backing up…"), window)
        task.done.connect(lambda path: window.statusBar().showMessage(
            translate("MainWindow", "Backup written to {0}.").format(path), 10_000))
        title = translate("MainWindow", "Back up")
        task.failed.connect(lambda error: self.show_task_error(title, error))
        self.run_task(task)

    def restore_backup(self) -> None:
        """File > Restore Backup…: the restored desk opens in a new window that replaces this one
        (ui/backups.py); the window keeps it alive."""
        from ticketdesk.ui.backups import restore_from_menu

        self.window.successor = restore_from_menu(self.window) or self.window.successor

    def run_task(self, task: Task) -> None:
        self._tasks.append(task)
        task.done.connect(lambda _r: self._tasks.remove(task) if task in self._tasks else None)
        task.failed.connect(lambda _e: self._tasks.remove(task) if task in self._tasks else None)
        task.start()

    def show_task_error(self, title: str, error: object) -> None:
        window = self.window
        message = str(error) if isinstance(error, TicketdeskError) else translate("MainWindow",
            "Something went wrong: {0}").format(error)
        if "cancel" in type(error).__name__.lower():
            window.statusBar().showMessage(message, 10_000)
            return
        plain_box(window, QMessageBox.Icon.Warning, title, message).exec()

    def stop(self) -> None:
        """Cancel what still runs and wait for it (the window is closing)."""
        for task in list(self._tasks):
            task.cancel()
            task.wait()


class DemoStart(QObject):
    """`ticketdesk --db demo.sqlite --demo` on an empty desk: the demo is made before anyone is
    asked who they are, so the question lists the demo's agents (README's first command)."""

    def __init__(self, store: Store, tickets: int) -> None:
        super().__init__()
        self.store = store
        self.tickets = tickets
        self.suggested: int | None = None
        """One of the demo's agents with unfinished work assigned, to offer first."""
        self.error: object = None

    def run(self) -> bool:
        """Make the demo behind a progress dialog (Cancel leaves the desk empty); False if it
        was cancelled or failed (`error` says why)."""
        from PySide6.QtWidgets import QProgressDialog

        from ticketdesk.services import demo

        store, count = self.store, self.tickets

        def job(progress):  # type: ignore[no-untyped-def]
            demo.generate(store, tickets=count, progress=progress)
            return agents.busiest_agent(store)

        self.dialog = QProgressDialog(translate("MainWindow", "Loading demo data…"),
                                      translate("MainWindow", "Cancel"), 0, 0)
        self.dialog.setObjectName("demoProgress")
        self.dialog.setMinimumDuration(300)
        worker = TaskThread(store, job)
        self._loop = QEventLoop()
        queued = Qt.ConnectionType.QueuedConnection
        worker.progressed.connect(self._progressed, queued)
        worker.succeeded.connect(self._succeeded, queued)
        worker.failed.connect(self._failed, queued)
        self.dialog.canceled.connect(worker.cancelled.set)
        worker.start()
        self._loop.exec()
        worker.wait()
        self.dialog.close()
        return self.error is None

    def _progressed(self, done: int, total: int, phase: str) -> None:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))
        if phase:
            self.dialog.setLabelText(phase)

    def _succeeded(self, agent_id: object) -> None:
        self.suggested = agent_id if isinstance(agent_id, int) else None
        self._loop.quit()

    def _failed(self, error: object) -> None:
        self.error = error
        self._loop.quit()
