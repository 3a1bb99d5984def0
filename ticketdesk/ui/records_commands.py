"""The window's commands for the desk's records (issue 19): Edit ▸ Delete Ticket, Edit ▸ Erase
This Ticket's Customer…, Desk ▸ Recycle Bin…, Desk ▸ Agents…, and purging what has been in the
recycle bin past the desk's retention once after start.

Deleting and erasing run as long jobs (`ui/tasks.Task`, off the GUI thread, with progress);
the customer to erase is read on the window's reader first, so the question names them. The
dialogs read and write on their own query threads (ticketdesk/ARCHITECTURE.md, "Threading").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QMessageBox

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.progress import Progress
from ticketdesk.services import erasure, recycle_bin, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.ui.tasks import Task
from ticketdesk.ui.text import plain_box

if TYPE_CHECKING:
    from ticketdesk.ui.main_window import MainWindow

CUSTOMER, PURGE = "records.customer", "records.purge"


class RecordsCommands(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: QDialog | None = None
        self._asked = 0
        window.reader.finished.connect(self._read)
        window.reader.failed.connect(self._read_failed)

    def _announce(self, changes: Changes) -> None:
        self.window.hub.announce(changes, self.window)

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10_000)

    def purge_expired(self) -> None:
        """Once after start: what has been in the bin longer than the desk keeps it."""
        session = self.window.session
        self._asked += 1
        self.window.reader.submit(PURGE, self._asked,
                                  lambda: recycle_bin.purge_expired(session))

    # -- dialogs ------------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def show_recycle_bin(self) -> QDialog:
        from ticketdesk.ui.recycle_bin_dialog import RecycleBinDialog

        return self._open(RecycleBinDialog(self.window.session, self._announce, self.window))

    def show_agents(self) -> QDialog:
        from ticketdesk.ui.agents_dialog import AgentsDialog

        return self._open(AgentsDialog(self.window.session, self._announce, self.window))

    # -- deleting and erasing -----------------------------------------------------------------

    def _ask(self, title: str, text: str, extra: str | None = None) -> tuple[bool, bool]:
        """Yes or No, and whether the `extra` check box (if any) was ticked."""
        box = plain_box(self.window, QMessageBox.Icon.Question, title, text)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        check = None
        if extra is not None:
            check = QCheckBox(extra, box)
            check.setObjectName("askCheckBox")
            box.setCheckBox(check)
        yes = box.exec() == QMessageBox.StandardButton.Yes
        return yes, bool(check is not None and check.isChecked())

    def delete_selected(self) -> None:
        ticket_id = self.window.table.selected_ticket()
        if ticket_id is None:
            self._status(self.tr("Select a ticket to delete."))
            return
        number = format_number(ticket_id)
        if not self._ask(self.tr("Delete Ticket"), self.tr(
                "Move {0} to the recycle bin? It can be restored from Desk ▸ Recycle Bin until "
                "it is purged.").format(number))[0]:
            return
        session = self.window.session

        def job(progress: Progress) -> Changes:
            return recycle_bin.delete_tickets(session, [ticket_id], progress)

        self._run(Task(session.store, job, self.tr("Deleting {0}…").format(number), self.window),
                  self.tr("Moved {0} to the recycle bin.").format(number),
                  self.tr("Delete Ticket"))

    def delete_ids(self, ids: Any) -> None:
        """Edit ▸ Selected Tickets ▸ Move to Recycle Bin: the selected tickets, however many
        (the bulk actions' hook, ui/bulk_actions.py), as one job with progress and Cancel."""
        chosen = [int(i) for i in ids]
        if not chosen:
            return
        if len(chosen) == 1:
            what = format_number(chosen[0])
        else:
            what = self.tr("{0} tickets").format(f"{len(chosen):,}")
        if not self._ask(self.tr("Delete Tickets"), self.tr(
                "Move {0} to the recycle bin? They can be restored from Desk ▸ Recycle Bin until "
                "they are purged.").format(what))[0]:
            return
        session = self.window.session

        def job(progress: Progress) -> Changes:
            return recycle_bin.delete_tickets(session, chosen, progress)

        self._run(Task(session.store, job, self.tr("Deleting {0}…").format(what), self.window),
                  self.tr("Moved {0} to the recycle bin.").format(what),
                  self.tr("Delete Tickets"))

    def erase_selected_customer(self) -> None:
        ticket_id = self.window.table.selected_ticket()
        if ticket_id is None:
            self._status(self.tr("Select a ticket of the customer to erase."))
            return
        session = self.window.session
        self._asked += 1
        self.window.reader.submit(CUSTOMER, self._asked,
                                  lambda: tickets.read_ticket(session, ticket_id)[0].customer)

    def _read(self, channel: str, generation: int, result: Any) -> None:
        if channel == CUSTOMER and generation == self._asked:
            if result is None:
                self._status(self.tr("This ticket has no customer to erase."))
            else:
                self._confirm_erase(result.id, result.name)

    def _read_failed(self, channel: str, _generation: int, error: object) -> None:
        if channel in (CUSTOMER, PURGE):
            self._status(str(error))

    def _confirm_erase(self, customer_id: int, name: str) -> None:
        yes, messages = self._ask(self.tr("Erase Customer"), self.tr(
                "Erase {0}'s personal data everywhere on this desk: their record, their name "
                "and addresses in tickets, mail records and activity, their attachments, drafts "
                "on their tickets and their entries in the recycle bin? This cannot be undone. "
                "{1}").format(name, erasure.BACKUPS),
            self.tr("Also erase the texts of their messages and all attachments"))
        if not yes:
            return
        session = self.window.session

        def job(_progress: Progress) -> erasure.ErasureReport:
            return erasure.erase_customer(session, customer_id, messages=messages)

        self._run(Task(session.store, job, self.tr("Erasing…"), self.window), None,
                  self.tr("Erase Customer"))

    def _run(self, task: Task, done: str | None, title: str) -> None:
        def finished(result: object) -> None:
            if isinstance(result, erasure.ErasureReport):
                self._announce(result.changes)
                plain_box(self.window, QMessageBox.Icon.Information, title,
                          result.summary).open()
            elif isinstance(result, Changes):
                self._announce(result)
                if done:
                    self._status(done)

        def failed(error: object) -> None:
            message = str(error) if isinstance(error, TicketdeskError) else self.tr(
                "Something went wrong: {0}").format(error)
            plain_box(self.window, QMessageBox.Icon.Warning, title, message).open()

        task.done.connect(finished)
        task.failed.connect(failed)
        self.window.run_task(task)
