"""The Detail tab: the ticket's fields, people and times, and its lifecycle buttons.

Every control saves through the dock's `write` (queued off the GUI thread), which sends the
version the dock knows (or, for an open edit, the version the edit started from) and shows a
conflict in the dock if it is stale; the control shows "Saving…" until the answer. Field edits
and the resolution note keep drafts like the reply box does.

Every control that saves is gated by the signed-in role (`role_gate.gate`, issue 20): a viewer
sees them disabled with the reason, the values still readable and selectable. The tab's own
enabling (Escalate only below Urgent, "Saving…") goes through `role_gate.enable`, so showing
another ticket, or the same one changed elsewhere, never undoes the role's.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain import text
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import csat, customers, sla, tickets
from ticketdesk.services.drafts import Draft
from ticketdesk.services.records import CustomerRecord, TicketDetail
from ticketdesk.ui import role_gate
from ticketdesk.ui.dock.category_completion import CategoryCompletion
from ticketdesk.ui.dock.context import DockContext
from ticketdesk.ui.dock.csat_box import CsatBox
from ticketdesk.ui.dock.custom_fields_box import CustomFieldsBox
from ticketdesk.ui.dock.customer_picker import LIMIT as PICKER_LIMIT
from ticketdesk.ui.dock.customer_picker import CustomerPicker
from ticketdesk.ui.dock.detail_boxes import NO_TIME, CustomerBox, TimesBox
from ticketdesk.ui.dock.editors import InlineField, TextEditor
from ticketdesk.ui.dock.links_box import LinksBox
from ticketdesk.ui.dock.people import PeopleRows
from ticketdesk.ui.dock.sla_box import SlaBox
from ticketdesk.ui.icons import priority_icon, status_icon
from ticketdesk.ui.labels import priority_text, status_text
from ticketdesk.ui.text import plain_label

__all__ = ["NO_TIME", "DetailTab"]
FIELD_KINDS = ("subject", "category", "description")


class DetailTab(QScrollArea):
    def __init__(self, dock: DockContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dock = dock
        self.setObjectName("detailTab")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.ticket: TicketDetail | None = None
        self._sla_ticket: int | None = None
        page = QWidget(self)
        self.setWidget(page)
        column = QVBoxLayout(page)
        column.setContentsMargins(8, 8, 8, 8)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        column.addLayout(form)
        self._build_heading(page, form)
        self._build_status(page, form)
        self._build_resolution(page, form)
        self._build_priority(page, form)
        self.category = InlineField(multiline=False, name="category", parent=page,
                                    edit_label=self.tr("Edit the category"),
                                    placeholder=self.tr("e.g. Billing"))
        self.category.set_max_length(text.CATEGORY_MAX)
        self.category_completion = CategoryCompletion(self.category, dock)
        form.addRow(self.tr("Category:"), self.category)
        self.people = PeopleRows(dock, self, page, form)
        self.assignees, self.tags = self.people.assignees, self.people.tags
        self.agent_menu, self.add_assignee = self.people.agent_menu, self.people.add_assignee
        self.add_tag_button, self.tag_editor = self.people.add_tag_button, self.people.tag_editor
        self.close_tag_editor = self.people.close_tag_editor
        self.customer_box = CustomerBox(page)
        self.customer_box.change_button.clicked.connect(self.pick_customer)
        self.customer_name = self.customer_box.name
        self.customer_fields = self.customer_box.fields
        self.customer_tags = self.customer_box.tags
        self.change_customer = self.customer_box.change_button
        column.addWidget(self.customer_box)
        self.times_box = TimesBox(page)
        self.times = self.times_box.times
        column.addWidget(self.times_box)
        self.sla_box = SlaBox(page)
        column.addWidget(self.sla_box)
        self.custom_box = CustomFieldsBox(dock, page)  # the desk's own fields (issue 19)
        column.addWidget(self.custom_box)
        self.csat_box = CsatBox(page)  # satisfaction (issue 21)
        self.csat_box.record_button.clicked.connect(self.record_rating)
        column.addWidget(self.csat_box)
        self.links_box = LinksBox(dock, page)  # related and merged tickets (issue 18)
        column.addWidget(self.links_box)
        self._build_description(page, column)
        column.addStretch(1)
        self.fields = {"subject": self.subject, "category": self.category,
                       "description": self.description}
        for kind, field in self.fields.items():
            field.saveRequested.connect(lambda value, k=kind: self.save_field(k, value))
            field.editChanged.connect(lambda k=kind: self._field_typed(k))
        for control in self.writing_controls():
            role_gate.gate(control)

    def writing_controls(self) -> list[QWidget]:
        """The controls of this tab that save (the boxes gate their own)."""
        fields = [w for f in self.fields.values() for w in (f.edit_button, f.save_button,
                                                             f.editor)]
        return [self.status, self.resolve_button, self.close_button, self.reopen_button,
                self.resolution_note, self.confirm_resolve, self.priority,
                self.escalate_button, self.change_customer, *fields]

    # -- building -----------------------------------------------------------------------------

    def load_choices(self) -> None:
        """What "+ Add" and the category's completion offer, read off the GUI thread."""
        self.people.load_choices()
        self.category_completion.load()

    def _build_heading(self, page: QWidget, form: QFormLayout) -> None:
        self.number = plain_label("", page)
        self.number.setObjectName("numberLabel")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Number:"), self.number)
        self.subject = InlineField(multiline=False, name="subject", parent=page,
                                   edit_label=self.tr("Edit the subject"))
        self.subject.set_max_length(text.SUBJECT_MAX)
        form.addRow(self.tr("Subject:"), self.subject)

    def _build_status(self, page: QWidget, form: QFormLayout) -> None:
        self.status = QComboBox(page)
        self.status.setObjectName("statusCombo")
        self.status.setAccessibleName(self.tr("Status"))
        for s in Status:
            self.status.addItem(status_icon(s), status_text(s), int(s))
        self.status.activated.connect(self._status_chosen)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        self.resolve_button = QPushButton(self.tr("Res&olve…"), page)
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
            row.addWidget(button)
        form.addRow(self._buddy(self.tr("Stat&us:"), self.status), row)

    def _build_resolution(self, page: QWidget, form: QFormLayout) -> None:
        self.resolution = QFrame(page)
        self.resolution.setObjectName("resolutionPanel")
        column = QVBoxLayout(self.resolution)
        column.setContentsMargins(0, 0, 0, 0)
        self.resolution_note = TextEditor(self.resolution)
        self.resolution_note.setObjectName("resolutionNote")
        self.resolution_note.setPlaceholderText(self.tr(
            "How was it resolved? Saved as the ticket's resolution. (Ctrl+Enter resolves, "
            "Esc cancels)"))
        self.resolution_note.setFixedHeight(90)
        self.resolution_note.submitted.connect(self.resolve)
        self.resolution_note.cancelled.connect(self.close_resolution)
        self.resolution_note.textChanged.connect(self._resolution_typed)
        column.addWidget(self.resolution_note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton(self.tr("Cancel"), self.resolution)
        cancel.clicked.connect(self.close_resolution)
        self.confirm_resolve = QPushButton(self.tr("Resolve"), self.resolution)
        self.confirm_resolve.setObjectName("confirmResolveButton")
        self.confirm_resolve.clicked.connect(self.resolve)
        buttons.addWidget(cancel)
        buttons.addWidget(self.confirm_resolve)
        column.addLayout(buttons)
        self.resolution.hide()
        form.addRow("", self.resolution)

        # The ticket's resolution (what Resolve… saved), read-only; hidden while there is none.
        self.resolution_text = plain_label("", page)
        self.resolution_text.setObjectName("resolutionText")
        self.resolution_text.setWordWrap(True)
        self.resolution_text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.resolution_title = QLabel(self.tr("Resolution:"), page)
        form.addRow(self.resolution_title, self.resolution_text)

    def _build_priority(self, page: QWidget, form: QFormLayout) -> None:
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
        row = QHBoxLayout()
        row.addWidget(self.priority, 1)
        row.addWidget(self.escalate_button)
        form.addRow(self._buddy(self.tr("&Priority:"), self.priority), row)

    def _build_description(self, page: QWidget, column: QVBoxLayout) -> None:
        box = QGroupBox(self.tr("Description"), page)
        box_column = QVBoxLayout(box)
        self.description = InlineField(multiline=True, name="description", parent=box,
                                       edit_label=self.tr("Edit the description"),
                                       placeholder=self.tr("No description."))
        box_column.addWidget(self.description)
        column.addWidget(box)

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        """A form label whose mnemonic (Alt+U) focuses `widget`."""
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    # -- showing ------------------------------------------------------------------------------

    def show_detail(self, t: TicketDetail | None) -> None:
        """Show `t` (None: still loading); open edits and the resolution note keep what is
        typed in them."""
        self.ticket = t
        self.setEnabled(t is not None)
        if t is None:
            return
        self.number.setText(t.number)
        self.subject.set_value(t.subject)
        self.category.set_value(t.category)
        self.description.set_value(t.description)
        self.status.setCurrentIndex(int(t.status))
        self.resolution_text.setText(t.resolution)
        for widget in (self.resolution_title, self.resolution_text):
            widget.setVisible(bool(t.resolution))
        model = self.status.model()
        if isinstance(model, QStandardItemModel):
            for s in (Status.WAITING, Status.RESOLVED):  # a closed ticket is reopened first
                item = model.item(int(s))
                item.setEnabled(t.status != Status.CLOSED)
        self.priority.setCurrentIndex(int(t.priority))
        if not self.dock.is_busy(self.escalate_button):
            role_gate.enable(self.escalate_button, t.priority != Priority.URGENT)
        self.resolve_button.setVisible(t.status.is_active)
        self.close_button.setVisible(t.status != Status.CLOSED)
        self.reopen_button.setVisible(not t.status.is_active)
        self.people.show_ticket(t)
        self.customer_box.show_ticket(t)
        self.times_box.show_ticket(t)
        self._read_sla(t.id)
        self.custom_box.read(t.id)
        self.csat_box.show_resolved(t.resolved_at is not None)
        self.dock.read("csat", lambda session: csat.ratings_of(session, t.id),
                       self.csat_box.show_ratings)
        self.links_box.load(t.id)

    def _read_sla(self, ticket_id: int) -> None:
        """The ticket's full SLA, read on the dock's query thread each time it is shown (a
        change re-shows it); until it comes, the box keeps what it showed of this ticket."""
        sla_box = self.sla_box
        if sla_box.sla is None or self._sla_ticket != ticket_id:
            sla_box.show_sla(None)
        self._sla_ticket = ticket_id

        self.dock.read("sla", lambda session: sla.read_ticket_sla(session, ticket_id),
                       sla_box.show_sla)

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
            field.edit_button.setFocus(Qt.FocusReason.OtherFocusReason)

        self.dock.write(lambda v: tickets.edit_ticket(session, tid, v, **{kind: value}),
                        self.tr("{0} → “{1}”").format(label, shown),
                        version=field.base_version, done=done, discard=done, draft=kind,
                        busy=[field.save_button])

    def _status_chosen(self, index: int) -> None:
        self.set_status(Status(int(self.status.itemData(index))))

    def set_status(self, status: Status, note: str = "") -> None:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return
        what = self.tr("Status → {0}").format(status_text(status))
        self.dock.write(lambda v: tickets.set_status(session, tid, v, status, note=note),
                        what, busy=[self.status])

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

        self.dock.write(
            lambda v: tickets.set_status(session, tid, v, Status.RESOLVED, note=note),
            self.tr("Resolve with a note"), done=done, discard=done, draft="resolution",
            busy=[self.confirm_resolve, self.status])

    def record_rating(self) -> None:
        """A rating the customer gave by phone or chat, for the current resolution."""
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return
        value, source = self.csat_box.chosen(), self.csat_box.chosen_source()
        self.dock.append(lambda: csat.record(session, tid, value, source=source),
                         done=self.csat_box.clear_form, busy=[self.csat_box.record_button])

    def _priority_chosen(self, index: int) -> None:
        priority = Priority(int(self.priority.itemData(index)))
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return
        self.dock.write(lambda v: tickets.set_priority(session, tid, v, priority),
                        self.tr("Priority → {0}").format(priority_text(priority)),
                        busy=[self.priority])

    def escalate(self) -> None:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is not None:
            self.dock.write(lambda v: tickets.escalate(session, tid, v), self.tr("Escalate"),
                            busy=[self.escalate_button, self.priority])

    # -- customer -----------------------------------------------------------------------------

    def pick_customer(self) -> None:
        if self.ticket is None:
            return
        picker = CustomerPicker(self.ticket.customer, self._find_customers, self)
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
                        self.tr("Change the customer"), busy=[self.change_customer])


    def _find_customers(self, words: str,
                        show: Callable[[list[CustomerRecord]], None]) -> None:
        self.dock.read("customers", lambda session: customers.find_customers(
            session.store, words, limit=PICKER_LIMIT), show)
