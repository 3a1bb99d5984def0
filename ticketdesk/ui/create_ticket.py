"""Create Ticket (Ctrl+N): subject (required), description, priority, customer (search existing
or create new), tags, assignees. Bad input is explained in the dialog and nothing is written.

The dialog reads (tags, agents, customers as they are typed) and saves on a worker thread of its
own, so a slow server never freezes it; what can be checked without the database (an empty
subject, a bad tag) is said at once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain import text
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.status import Priority
from ticketdesk.services import agents, assignees, customers, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import CustomerRecord
from ticketdesk.services.session import Session
from ticketdesk.ui.labels import priority_text
from ticketdesk.ui.text import plain_label, plain_tooltip
from ticketdesk.ui.theme import ErrorLabel
from ticketdesk.ui.worker import QueryRunner

CHOICES, CUSTOMERS, SAVE = "create.choices", "create.customers", "create.save"


def _customer_label(c: CustomerRecord) -> str:
    details = " · ".join(p for p in (c.email, c.company) if p)
    return f"{c.name} — {details}" if details else c.name


class CreateTicketDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createTicketDialog")
        self.setWindowTitle(self.tr("Create ticket"))
        self.session = session
        self.changes: Changes | None = None
        self._matches: dict[str, CustomerRecord] = {}
        self.customer: CustomerRecord | None = None
        self._asked = 0
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        self.subject = QLineEdit(self)
        self.subject.setObjectName("subjectEdit")
        self.subject.setPlaceholderText(self.tr("What is the problem, in a few words?"))
        self.subject.setMaxLength(text.SUBJECT_MAX)
        form.addRow(self.tr("&Subject:"), self.subject)

        self.description = QPlainTextEdit(self)
        self.description.setObjectName("descriptionEdit")
        self.description.setPlaceholderText(self.tr("Details, steps, error messages…"))
        self.description.setTabChangesFocus(True)
        form.addRow(self.tr("&Description:"), self.description)

        self.priority = QComboBox(self)
        self.priority.setObjectName("priorityCombo")
        for p in Priority:
            self.priority.addItem(priority_text(p), int(p))
        self.priority.setCurrentIndex(int(Priority.MEDIUM))
        form.addRow(self.tr("&Priority:"), self.priority)

        self.category = QLineEdit(self)
        self.category.setObjectName("categoryEdit")
        self.category.setPlaceholderText(self.tr("e.g. Billing, Hardware (optional)"))
        form.addRow(self.tr("Cate&gory:"), self.category)

        self.customer_edit = QLineEdit(self)
        self.customer_edit.setObjectName("customerEdit")
        self.customer_edit.setPlaceholderText(self.tr("Search customers, or type a new name"))
        self._completions = QStringListModel(self)
        completer = QCompleter(self._completions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # The service already chose the matches (any of a customer's addresses, too, which the
        # label does not show): the popup lists them as they are.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._customer_picked)
        self.customer_edit.setCompleter(completer)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self._search_customers)
        self.customer_edit.textEdited.connect(self._customer_typed)
        form.addRow(self.tr("C&ustomer:"), self.customer_edit)
        self.customer_email = QLineEdit(self)
        self.customer_email.setObjectName("customerEmailEdit")
        self.customer_email.setPlaceholderText(self.tr("email of a new customer (optional)"))
        form.addRow(self.tr("Customer &email:"), self.customer_email)
        self.customer_note = plain_label("", self)
        self.customer_note.setObjectName("customerNote")
        form.addRow("", self.customer_note)

        self.tags = QLineEdit(self)
        self.tags.setObjectName("tagsEdit")
        self.tags.setPlaceholderText(self.tr("comma-separated, e.g. billing, refund"))
        form.addRow(self.tr("&Tags:"), self.tags)

        self.assignee_list = QListWidget(self)
        self.assignee_list.setObjectName("assigneeList")
        self.assignee_list.setMaximumHeight(110)
        form.addRow(self.tr("&Assignees:"), self.assignee_list)

        self.error = ErrorLabel(self)
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Create"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        send = QShortcut(QKeySequence("Ctrl+Return"), self)
        send.activated.connect(self.accept)
        self._customer_typed("")
        self.resize(520, 560)
        store = session.store
        self._ask(CHOICES, lambda: (assignees.list_tags(store), agents.list_agents(store)))

    def _ask(self, channel: str, fn: Any) -> None:
        self._asked += 1
        self.runner.submit(channel, self._asked, fn)

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        if channel == CHOICES:
            self._show_choices(*result)
        elif channel == CUSTOMERS:
            self._customers_found(*result)
        elif channel == SAVE:
            self.buttons.setEnabled(True)
            self.changes = result
            super().accept()

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        if channel == SAVE:
            self.buttons.setEnabled(True)
            self._refused(error)
        elif channel == CUSTOMERS:
            self._customers_found(self.customer_edit.text(), [])

    def _show_choices(self, existing: list[str], agent_list: list[Any]) -> None:
        if existing:
            self.tags.setToolTip(plain_tooltip(self.tr("Existing tags: ")
                                               + ", ".join(existing[:40])))
        for agent in agent_list:
            item = QListWidgetItem(agent.name, self.assignee_list)
            item.setData(Qt.ItemDataRole.UserRole, agent.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)

    # -- customer picking ---------------------------------------------------------------------

    def _customer_typed(self, _text: str) -> None:
        self.customer = None
        self._search_timer.start()
        self._describe_customer()

    def _search_customers(self) -> None:
        store, typed = self.session.store, self.customer_edit.text()
        self._ask(CUSTOMERS, lambda: (typed, customers.find_customers(store, typed, limit=15)))

    def _customers_found(self, typed: str, found: list[CustomerRecord]) -> None:
        if typed != self.customer_edit.text():
            return  # typed on since: its own search follows
        self._matches = {_customer_label(c): c for c in found}
        self._completions.setStringList(list(self._matches))
        exact = [c for c in found if c.name.casefold() == typed.strip().casefold()]
        if len(exact) == 1:
            self.customer = exact[0]
        self._describe_customer()

    def _customer_picked(self, label: str) -> None:
        self.customer = self._matches.get(label)
        if self.customer is not None:
            self.customer_edit.setText(self.customer.name)
        self._describe_customer()

    def _describe_customer(self) -> None:
        typed = self.customer_edit.text().strip()
        if self.customer is not None:
            self.customer_note.setText(self.tr("Existing customer: ") +
                                       _customer_label(self.customer))
            self.customer_email.setEnabled(False)
        elif typed:
            self.customer_note.setText(self.tr("A new customer will be created."))
            self.customer_email.setEnabled(True)
        else:
            self.customer_note.setText(self.tr("No customer (you can add one later)."))
            self.customer_email.setEnabled(False)

    # -- create -------------------------------------------------------------------------------

    def selected_assignees(self) -> list[int]:
        return [int(self.assignee_list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.assignee_list.count())
                if self.assignee_list.item(i).checkState() == Qt.CheckState.Checked]

    def accept(self) -> None:
        """Check what can be checked here, then save on the worker; the answer closes the
        dialog (or says what the desk refused)."""
        if not self.buttons.isEnabled():
            return  # saving already
        typed = self.customer_edit.text().strip()
        new_customer = None
        if self.customer is None and typed:
            new_customer = tickets.NewCustomer(typed, email=self.customer_email.text())
        try:
            text.subject(self.subject.text())
            tag_names = text.split_tags(self.tags.text())
        except TicketdeskError as exc:
            self._refused(exc)
            return
        session, subject = self.session, self.subject.text()
        description, category = self.description.toPlainText(), self.category.text()
        priority = Priority(self.priority.currentData())
        customer_id = self.customer.id if self.customer else None
        assignee_ids = self.selected_assignees()
        self.buttons.setEnabled(False)
        self.error.setText("")
        self._ask(SAVE, lambda: tickets.create_ticket(
            session, subject=subject, description=description, priority=priority,
            category=category, customer_id=customer_id, new_customer=new_customer,
            tags=tag_names, assignee_ids=assignee_ids))

    def _refused(self, error: object) -> None:
        message = str(error) if isinstance(error, TicketdeskError) else self.tr(
            "Something went wrong: {0}").format(error)
        self.error.setText(message)
        if "subject" in message.lower():
            self.subject.setFocus()

    def done(self, result: int) -> None:
        self.runner.stop()  # its thread and connection end with the dialog
        super().done(result)
