"""The Customers view's "Delete…": the selected customer goes to the recycle bin
(services/recycle_bin.delete_customer: record, tags, addresses, history), after a question that
names them, off the GUI thread (ui/tasks.Task; ticketdesk/ARCHITECTURE.md, "The window never
waits"). A customer who still has tickets is refused by the service with a message saying so
and what to do, shown as it is; Desk ▸ Recycle Bin… restores a deleted one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.progress import Progress
from ticketdesk.services import recycle_bin
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.tasks import Task
from ticketdesk.ui.text import plain_box


class CustomerDeleter(QObject):
    """`announce` tells the window what a deletion changed; `said` carries the outcome's words
    (for the view's notice line); a refusal or failure is also shown in a message box."""

    said = Signal(str)

    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.announce = announce
        self.parent_widget = parent
        self.task: Task | None = None
        self.box: QMessageBox | None = None

    @property
    def busy(self) -> bool:
        return self.task is not None

    def delete(self, customer_id: int, name: str) -> None:
        """Ask, then delete; nothing happens while a deletion runs or when the answer is No."""
        if self.busy:
            return
        box = plain_box(self.parent_widget, QMessageBox.Icon.Question, self.tr("Delete Customer"),
                        self.tr("Move {0} to the recycle bin, with their addresses, tags and "
                                "history? Desk ▸ Recycle Bin restores them until it is purged. "
                                "A customer who still has tickets cannot be deleted: delete or "
                                "move the tickets first, or erase the customer.").format(name))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        session = self.session

        def job(_progress: Progress) -> Changes:
            return recycle_bin.delete_customer(session, customer_id)

        task = Task(session.store, job, self.tr("Deleting {0}…").format(name),
                    self.parent_widget)
        task.done.connect(lambda changes: self._done(changes, name))
        task.failed.connect(self._failed)
        self.task = task
        task.start()

    def _done(self, changes: object, name: str) -> None:
        self.task = None
        if isinstance(changes, Changes):
            self.announce(changes)
        self.said.emit(self.tr("Moved {0} to the recycle bin.").format(name))

    def _failed(self, error: object) -> None:
        self.task = None
        message = str(error) if isinstance(error, TicketdeskError) else self.tr(
            "Something went wrong: {0}").format(error)
        self.said.emit(message)
        self.box = plain_box(self.parent_widget, QMessageBox.Icon.Warning,
                             self.tr("Delete Customer"), message)
        self.box.setObjectName("customerDeleteRefusal")
        self.box.open()
