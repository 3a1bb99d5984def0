"""The Detail tab: the ticket's fields, people and times, and its lifecycle buttons.

Every control writes through `TicketDock.write`, which sends the version read (or, for an open
edit, the version the edit started from) and shows a conflict in the dock if it is stale. Field
edits and the resolution note keep drafts like the reply box does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain import text
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, assignees, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.drafts import Draft
from ticketdesk.services.records import TicketDetail
from ticketdesk.ui.dock.chips import ChipRow
from ticketdesk.ui.dock.customer_picker import CustomerPicker
from ticketdesk.ui.dock.editors import InlineField, LineEditor, ListCompleter, TextEditor
from ticketdesk.ui.icons import priority_icon, status_icon
from ticketdesk.ui.labels import priority_text, status_text
from ticketdesk.ui.text import local_time, plain_label

if TYPE_CHECKING:
    from ticketdesk.ui.dock.ticket_dock import TicketDock

NO_TIME = "—"
FIELD_KINDS = ("subject", "category", "description")


class DetailTab(QScrollArea):
    def __init__(self, dock: TicketDock) -> None:
        super().__init__(dock)
        self.dock = dock
        self.setObjectName("detailTab")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.ticket: TicketDetail | None = None
        page = QWidget(self)
        self.setWidget(page)
        column = QVBoxLayout(page)
        column.setContentsMargins(8, 8, 8, 8)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        column.addLayout(form)

        self.number = plain_label("", page)
        self.number.setObjectName("numberLabel")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Number:"), self.number)

        self.subject = InlineField(multiline=False, name="subject", parent=page,
                                   edit_label=self.tr("Edit the subject"))
        self.subject.set_max_length(text.SUBJECT_MAX)
        form.addRow(self.tr("Subject:"), self.subject)

        self.status = QComboBox(page)
        self.status.setObjectName("statusCombo")
        self.status.setAccessibleName(self.tr("Status"))
        for s in Status:
            self.status.addItem(status_icon(s), status_text(s), int(s))
        self.status.activated.connect(self._status_chosen)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        self.resolve_button = QPushButton(self.tr("Resol&ve…"), page)
        self.resolve_button.setObjectName("resolveButton")
        self.resolve_button.setToolTip(self.tr("Resolve with a note saying how"))
        self.resolve_button.clicked.connect(self.open_resolution)
        self.close_button = QPushButton(self.tr("Close"), page)
        self.close_button.setObjectName("closeTicketButton")
        self.close_button.clicked.connect(lambda: self.set_status(Status.CLOSED))
        self.reopen_button = QPushButton(self.tr("Reopen"), page)
        self.reopen_button.setObjectName("reopenButton")
        self.reopen_button.clicked.connect(lambda: self.set_status(Status.OPEN))
        for button in (self.resolve_button, self.close_button, self.reopen_button):
            status_row.addWidget(button)
        form.addRow(self._buddy(self.tr("&Status:"), self.status), status_row)

        self.resolution = QFrame(page)
        self.resolution.setObjectName("resolutionPanel")
        resolution_column = QVBoxLayout(self.resolution)
        resolution_column.setContentsMargins(0, 0, 0, 0)
        self.resolution_note = TextEditor(self.resolution)
        self.resolution_note.setObjectName("resolutionNote")
        self.resolution_note.setPlaceholderText(self.tr(
            "How was it resolved? Saved as an internal note. (Ctrl+Enter resolves, Esc "
            "cancels)"))
        self.resolution_note.setFixedHeight(90)
        self.resolution_note.submitted.connect(self.resolve)
        self.resolution_note.cancelled.connect(self.close_resolution)
        self.resolution_note.textChanged.connect(self._resolution_typed)
        resolution_column.addWidget(self.resolution_note)
        resolution_buttons = QHBoxLayout()
        resolution_buttons.addStretch(1)
        cancel = QPushButton(self.tr("Cancel"), self.resolution)
        cancel.clicked.connect(self.close_resolution)
        self.confirm_resolve = QPushButton(self.tr("Resolve"), self.resolution)
        self.confirm_resolve.setObjectName("confirmResolveButton")
        self.confirm_resolve.clicked.connect(self.resolve)
        resolution_buttons.addWidget(cancel)
        resolution_buttons.addWidget(self.confirm_resolve)
        resolution_column.addLayout(resolution_buttons)
        self.resolution.hide()
        form.addRow("", self.resolution)

        self.priority = QComboBox(page)
        self.priority.setObjectName("priorityCombo")
        self.priority.setAccessibleName(self.tr("Priority"))
        for p in Priority:
            self.priority.addItem(priority_icon(p), priority_text(p), int(p))
        self.priority.activated.connect(self._priority_chosen)
        self.escalate_button = QPushButton(self.tr("Escalate"), page)
        self.escalate_button.setObjectName("escalateButton")
        self.escalate_button.setToolTip(self.tr("Raise the priority one step"))
        self.escalate_button.clicked.connect(self.escalate)
        priority_row = QHBoxLayout()
        priority_row.addWidget(self.priority, 1)
        priority_row.addWidget(self.escalate_button)
        form.addRow(self._buddy(self.tr("&Priority:"), self.priority), priority_row)

        self.category = InlineField(multiline=False, name="category", parent=page,
                                    edit_label=self.tr("Edit the category"),
                                    placeholder=self.tr("e.g. Billing"))
        self.category.set_max_length(text.CATEGORY_MAX)
        form.addRow(self.tr("Category:"), self.category)

        self.assignees = ChipRow(page, remove_label=self.tr("Unassign {0}"),
                                 empty_text=self.tr("Nobody"))
        self.assignees.setObjectName("assigneeChips")
        self.add_assignee = QToolButton(page)
        self.add_assignee.setObjectName("addAssigneeButton")
        self.add_assignee.setText(self.tr("+ Add"))
        self.add_assignee.setAccessibleName(self.tr("Assign an agent"))
        self.add_assignee.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.add_assignee.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.agent_menu = QMenu(self.add_assignee)
        self.agent_menu.setObjectName("agentMenu")
        self.agent_menu.aboutToShow.connect(self._fill_agent_menu)
        self.add_assignee.setMenu(self.agent_menu)
        self.assignees.add_trailing(self.add_assignee)
        self.assignees.removeRequested.connect(self.unassign)
        form.addRow(self.tr("Assignees:"), self.assignees)

        self.tags = ChipRow(page, remove_label=self.tr("Remove tag {0}"),
                            empty_text=self.tr("No tags"))
        self.tags.setObjectName("tagChips")
        self.add_tag_button = QToolButton(page)
        self.add_tag_button.setObjectName("addTagButton")
        self.add_tag_button.setText(self.tr("+ Add"))
        self.add_tag_button.setAccessibleName(self.tr("Add a tag"))
        self.add_tag_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.add_tag_button.clicked.connect(self.open_tag_editor)
        self.tag_editor = LineEditor(page)
        self.tag_editor.setObjectName("tagEditor")
        self.tag_editor.setPlaceholderText(self.tr("tag, Enter adds, Esc cancels"))
        self.tag_editor.setMinimumWidth(180)
        self.tag_editor.submitted.connect(self.add_tags)
        self.tag_editor.cancelled.connect(self.close_tag_editor)
        self.tag_editor.hide()
        self.tags.add_trailing(self.add_tag_button)
        self.tags.add_trailing(self.tag_editor)
        self.tags.removeRequested.connect(self.remove_tag)
        form.addRow(self.tr("Tags:"), self.tags)

        customer_box = QGroupBox(self.tr("Customer"), page)
        customer_box.setObjectName("customerBox")
        customer_form = QFormLayout(customer_box)
        self.customer_name = plain_label("", customer_box)
        self.customer_name.setObjectName("customerName")
        bold = self.customer_name.font()
        bold.setBold(True)
        self.customer_name.setFont(bold)
        self.change_customer = QPushButton(self.tr("C&hange…"), customer_box)
        self.change_customer.setObjectName("changeCustomerButton")
        self.change_customer.clicked.connect(self.pick_customer)
        name_row = QHBoxLayout()
        name_row.addWidget(self.customer_name, 1)
        name_row.addWidget(self.change_customer)
        customer_form.addRow(self.tr("Name:"), name_row)
        self.customer_fields = {}
        for key, label in (("email", self.tr("Email:")), ("phone", self.tr("Phone:")),
                           ("company", self.tr("Company:"))):
            value = plain_label("", customer_box)
            value.setObjectName(f"customer{key.capitalize()}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            value.setWordWrap(True)
            customer_form.addRow(label, value)
            self.customer_fields[key] = value
        self.customer_tags = ChipRow(customer_box, removable=False, empty_text="—")
        self.customer_tags.setObjectName("customerTagChips")
        customer_form.addRow(self.tr("Tags:"), self.customer_tags)
        column.addWidget(customer_box)

        times = QGroupBox(self.tr("Times"), page)
        times_form = QFormLayout(times)
        self.times = {}
        for key, label in (("created", self.tr("Created:")), ("updated", self.tr("Updated:")),
                           ("first_response", self.tr("First response:")),
                           ("resolved", self.tr("Resolved:")), ("closed", self.tr("Closed:"))):
            value = plain_label(NO_TIME, times)
            value.setObjectName(f"{key}Time")
            times_form.addRow(label, value)
            self.times[key] = value
        column.addWidget(times)

        description_box = QGroupBox(self.tr("Description"), page)
        description_column = QVBoxLayout(description_box)
        self.description = InlineField(multiline=True, name="description", parent=description_box,
                                       edit_label=self.tr("Edit the description"),
                                       placeholder=self.tr("No description."))
        description_column.addWidget(self.description)
        column.addWidget(description_box)
        column.addStretch(1)

        self.fields = {"subject": self.subject, "category": self.category,
                       "description": self.description}
        for kind, field in self.fields.items():
            field.saveRequested.connect(lambda value, k=kind: self.save_field(k, value))
            field.editChanged.connect(lambda k=kind: self._field_typed(k))

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        """A form label whose mnemonic (Alt+S) focuses `widget`."""
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    # -- showing ------------------------------------------------------------------------------

    def show_detail(self, t: TicketDetail | None) -> None:
        """Show `t`; open edits and the resolution note keep what is typed in them."""
        self.ticket = t
        self.setEnabled(t is not None)
        if t is None:
            return
        self.number.setText(t.number)
        self.subject.set_value(t.subject)
        self.category.set_value(t.category)
        self.description.set_value(t.description)
        self.status.setCurrentIndex(int(t.status))
        model = self.status.model()
        if isinstance(model, QStandardItemModel):
            for s in (Status.WAITING, Status.RESOLVED):  # a closed ticket is reopened first
                item = model.item(int(s))
                item.setEnabled(t.status != Status.CLOSED)
        self.priority.setCurrentIndex(int(t.priority))
        self.escalate_button.setEnabled(t.priority != Priority.URGENT)
        self.resolve_button.setVisible(t.status.is_active)
        self.close_button.setVisible(t.status != Status.CLOSED)
        self.reopen_button.setVisible(not t.status.is_active)
        self.assignees.set_items([(a.id, a.name) for a in t.assignees])
        self.tags.set_items([(name, name) for name in t.tags])
        c = t.customer
        self.customer_name.setText(c.name if c else self.tr("No customer"))
        for key, label in self.customer_fields.items():
            label.setText(getattr(c, key) if c else "")
        self.customer_tags.set_items([(n, n) for n in c.tags] if c else [])
        self.change_customer.setText(self.tr("C&hange…") if c else self.tr("C&hoose…"))
        for key, epoch in (("created", t.created_at), ("updated", t.updated_at),
                           ("first_response", t.first_response_at),
                           ("resolved", t.resolved_at), ("closed", t.closed_at)):
            self.times[key].setText(local_time(epoch) or NO_TIME)

    def restore_drafts(self, found: dict[str, Draft]) -> None:
        for kind, field in self.fields.items():
            draft = found.get(kind)
            if draft is not None:
                field.begin_edit(draft.body, draft.base_version, focus=False)
        resolution = found.get("resolution")
        if resolution is not None:
            self.resolution_note.setPlainText(resolution.body)
            self.resolution.show()

    def reset_edits(self) -> None:
        """Close every editor (another ticket or agent): their drafts are already kept."""
        for field in self.fields.values():
            field.finish_edit()
        self.resolution_note.clear()
        self.resolution.hide()
        self.close_tag_editor()

    # -- drafts -------------------------------------------------------------------------------

    def _field_typed(self, kind: str) -> None:
        field = self.fields[kind]
        if field.is_editing:
            if field.base_version is None and self.ticket is not None:
                field.base_version = self.ticket.version
            self.dock.keep_draft(kind, field.editor_text(), field.base_version)
        else:
            self.dock.keep_draft(kind, None)

    def _resolution_typed(self) -> None:
        body = self.resolution_note.toPlainText()
        self.dock.keep_draft("resolution", body if body.strip() else None)

    # -- writes -------------------------------------------------------------------------------

    def save_field(self, kind: str, value: str) -> None:
        field = self.fields[kind]
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return
        label = {"subject": self.tr("Subject"), "category": self.tr("Category"),
                 "description": self.tr("Description")}[kind]
        shown = " ".join(value.split())
        shown = shown if len(shown) <= 60 else shown[:59] + "…"

        def done() -> None:
            field.finish_edit()
            self.dock.discard_draft(kind)
            field.edit_button.setFocus(Qt.FocusReason.OtherFocusReason)

        self.dock.write(lambda v: tickets.edit_ticket(session, tid, v, **{kind: value}),
                        self.tr("{0} → “{1}”").format(label, shown),
                        version=field.base_version, done=done, discard=done)

    def _status_chosen(self, index: int) -> None:
        self.set_status(Status(int(self.status.itemData(index))))

    def set_status(self, status: Status, note: str = "") -> bool:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return False
        what = self.tr("Status → {0}").format(status_text(status))
        return self.dock.write(lambda v: tickets.set_status(session, tid, v, status, note=note),
                               what)

    def open_resolution(self) -> None:
        self.resolution.show()
        self.resolution_note.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_resolution(self) -> None:
        self.resolution_note.clear()
        self.resolution.hide()
        self.dock.discard_draft("resolution")
        self.resolve_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def resolve(self) -> None:
        note = self.resolution_note.toPlainText()
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return

        def done() -> None:
            self.resolution_note.clear()
            self.resolution.hide()
            self.dock.discard_draft("resolution")

        self.dock.write(
            lambda v: tickets.set_status(session, tid, v, Status.RESOLVED, note=note),
            self.tr("Resolve with a note"), done=done, discard=done)

    def _priority_chosen(self, index: int) -> None:
        priority = Priority(int(self.priority.itemData(index)))
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return
        self.dock.write(lambda v: tickets.set_priority(session, tid, v, priority),
                        self.tr("Priority → {0}").format(priority_text(priority)))

    def escalate(self) -> None:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is not None:
            self.dock.write(lambda v: tickets.escalate(session, tid, v), self.tr("Escalate"))

    # -- assignees ----------------------------------------------------------------------------

    def _fill_agent_menu(self) -> None:
        self.agent_menu.clear()
        assigned = {a.id for a in self.ticket.assignees} if self.ticket else set()
        try:
            candidates = [a for a in agents.list_agents(self.dock.session.store)
                          if a.id not in assigned]
        except TicketdeskError as exc:
            self.dock.notify(str(exc))
            return
        if not candidates:
            empty = self.agent_menu.addAction(self.tr("Everyone is assigned"))
            empty.setEnabled(False)
        for agent in candidates:
            action = self.agent_menu.addAction(agent.name)
            action.setData(agent.id)
            action.triggered.connect(lambda _c=False, a=agent.id, n=agent.name: self.assign(a, n))

    def assign(self, agent_id: int, name: str = "") -> bool:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return False
        return self.dock.write(lambda v: assignees.assign(session, tid, v, agent_id),
                               self.tr("Assign {0}").format(name or agent_id))

    def unassign(self, agent_id: object) -> bool:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None or not isinstance(agent_id, int):
            return False
        name = next((a.name for a in self.ticket.assignees if a.id == agent_id), "") \
            if self.ticket else ""
        return self.dock.write(lambda v: assignees.unassign(session, tid, v, agent_id),
                               self.tr("Unassign {0}").format(name))

    # -- tags ---------------------------------------------------------------------------------

    def open_tag_editor(self) -> None:
        try:
            existing = assignees.list_tags(self.dock.session.store)
        except TicketdeskError:
            existing = []
        completer = ListCompleter(existing, self.tag_editor)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.tag_editor.setCompleter(completer)
        self.add_tag_button.hide()
        self.tag_editor.show()
        self.tag_editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_tag_editor(self) -> None:
        had_focus = self.tag_editor.hasFocus()
        self.tag_editor.clear()
        self.tag_editor.hide()
        self.add_tag_button.show()
        if had_focus:
            self.add_tag_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_tags(self) -> bool:
        """Add the typed tag (or several, comma-separated), one write each."""
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return False
        try:
            names = text.split_tags(self.tag_editor.text())
        except TicketdeskError as exc:
            self.dock.notify(str(exc))
            return False
        if not names:
            self.close_tag_editor()
            return False
        def tagging(name: str) -> Callable[[int], Changes]:
            return lambda v: assignees.add_tag(session, tid, v, name)

        for name in names:
            if not self.dock.write(tagging(name), self.tr("Tag “{0}”").format(name)):
                return False
        self.close_tag_editor()
        return True

    def remove_tag(self, name: object) -> bool:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None or not isinstance(name, str):
            return False
        return self.dock.write(lambda v: assignees.remove_tag(session, tid, v, name),
                               self.tr("Remove tag “{0}”").format(name))

    # -- customer -----------------------------------------------------------------------------

    def pick_customer(self) -> None:
        if self.ticket is None:
            return
        picker = CustomerPicker(self.dock.session.store, self.ticket.customer, self)
        if not picker.exec():
            return
        chosen = picker.customer_id
        current = self.ticket.customer.id if self.ticket.customer else None
        if chosen == current:
            return
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return
        self.dock.write(lambda v: tickets.set_customer(session, tid, v, chosen),
                        self.tr("Change the customer"))
