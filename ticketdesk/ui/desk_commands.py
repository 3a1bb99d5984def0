"""The Desk and Help menus' commands: who is working, the desk's settings dialogs (SLA,
routing, mail, API tokens, agents and roles, canned responses), the workload window, fetching
mail, this computer's preferences and the mail signature, the keyboard shortcuts and About.

Each opens a dialog that reads and writes off the GUI thread itself (ticketdesk/ARCHITECTURE.md,
"Threading"); what it changed is announced to the window's change hub, so the list and the dock
follow. Kept out of `MainWindow`, which builds the window and routes changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from ticketdesk.services.changes import Changes
from ticketdesk.ui.agent_picker import AgentPicker
from ticketdesk.ui.dock.ticket_dock import dock_access_keys

if TYPE_CHECKING:
    from ticketdesk.ui.main_window import MainWindow
    from ticketdesk.ui.workload_dialog import WorkloadDialog

translate = QCoreApplication.translate
"""The window's strings, said from here, keep the window's translation context."""


class DeskCommands(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def _announce(self, changes: Changes) -> None:
        self.window.hub.announce(changes, self.window)

    def _run(self, dialog: QDialog) -> int:
        result = dialog.exec()
        dialog.deleteLater()
        return result

    # -- who is working -----------------------------------------------------------------------

    def switch_agent(self) -> None:
        w = self.window
        picker = AgentPicker(w.session.as_agent(None), w.session.agent_id, w)
        if picker.exec() and picker.agent_id is not None:
            w.set_agent(picker.agent_id)

    def show_agents_roles(self) -> QDialog:
        from ticketdesk.ui.agents_roles_dialog import AgentsRolesDialog

        w = self.window
        dialog = AgentsRolesDialog(w.session, self._announce, w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        w.agents_roles_dialog = dialog
        return dialog

    # -- the desk's settings ------------------------------------------------------------------

    def show_sla_policies(self) -> None:
        from ticketdesk.ui.sla_dialog import SlaPoliciesDialog

        self._run(SlaPoliciesDialog(self.window.session, self._announce, self.window))

    def show_routing(self) -> None:
        from ticketdesk.ui.routing_dialog import RoutingDialog

        self._run(RoutingDialog(self.window.session, self._announce, self.window))

    def show_workload(self) -> WorkloadDialog:
        """Desk ▸ Workload…: a window beside the list (not modal), so a double-clicked figure
        lists its tickets in the main window while the figures stay in view."""
        from ticketdesk.ui.workload_dialog import WorkloadDialog

        w = self.window
        if w.workload_dialog is not None:
            w.workload_dialog.load()
        else:
            dialog = WorkloadDialog(w.session, w.hub, w.drill_down, w)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda _result: setattr(w, "workload_dialog", None))
            w.workload_dialog = dialog
        dialog = w.workload_dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def show_api_tokens(self) -> None:
        from ticketdesk.ui.api_tokens_dialog import ApiTokensDialog

        self._run(ApiTokensDialog(self.window.session, self.window))

    def show_canned(self) -> None:
        from ticketdesk.ui.canned_dialog import CannedDialog

        self._run(CannedDialog(self.window.session, self.window))

    # -- mail ---------------------------------------------------------------------------------

    def fetch_mail(self) -> None:
        """F9: fetch and send now (the worker says what it did in the status bar)."""
        w = self.window
        w.statusBar().showMessage(translate("MainWindow", "Fetching mail…"), 5000)
        w.mail.wake(asked=True)

    def show_mail_settings(self) -> None:
        from ticketdesk.ui.mail_settings import MailSettingsDialog

        w = self.window
        if self._run(MailSettingsDialog(w.session, w.ticket_dock.writes, w)):
            w.statusBar().showMessage(translate("MainWindow", "Mail settings saved."), 5000)
            w.mail.wake(asked=True)

    # -- this computer ------------------------------------------------------------------------

    def show_preferences(self) -> None:
        from ticketdesk.ui.preferences import PreferencesDialog

        w = self.window
        PreferencesDialog(w.settings.qsettings, w.store.url, w,
                          edit_signature=self.edit_signature).exec()

    def edit_signature(self, parent: QWidget) -> None:
        from ticketdesk.ui.signature_dialog import SignatureDialog

        w = self.window
        if SignatureDialog(w.session, w.ticket_dock.writes, parent).exec():
            w.statusBar().showMessage(translate("MainWindow", "Mail signature saved."), 5000)

    # -- help ---------------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        from ticketdesk.ui.ticket_keys import everyday_keys

        w = self.window
        lines = [f"{a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}\t"
                 f"{a.text().replace('&', '').rstrip('…')}"
                 for a in w.actions() if not a.shortcut().isEmpty()]
        lines.append("Ctrl+D\t" + translate("MainWindow", "Show or hide the ticket details"))
        lines += [f"{keys}\t{what}" for keys, what in dock_access_keys()]
        lines += [f"{keys}\t{what}" for keys, what in everyday_keys()]
        box = QMessageBox(w)
        box.setWindowTitle(translate("MainWindow", "Keyboard shortcuts"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText("\n".join(lines))
        box.exec()

    def show_about(self) -> None:
        from ticketdesk.about import versions

        w = self.window
        box = QMessageBox(w)
        box.setWindowTitle(translate("MainWindow", "About ticketdesk"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(translate("MainWindow", "A desktop help desk for small support teams.")
                    + "\n\n" + versions() + "\n\n" + translate("MainWindow", "Desk: ")
                    + w.store.location)
        box.exec()
