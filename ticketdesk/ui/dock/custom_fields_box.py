"""The Detail tab's custom fields (issue 19): one editor per field of the desk (a line for text,
number and date, a choice for a list, a box for a checkbox) and Save Fields, which saves the
changed values in one step through the dock's write queue (version check, an activity row per
field). The fields and the ticket's values are read on the dock's query thread each time the
ticket is shown; the box hides while the desk has no fields. A value the field refuses ("abc"
in a number) shows the service's message and keeps what was typed. The editors and Save Fields
are gated by the signed-in role (ui/role_gate.py): a viewer reads the values, a line read-only.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ticketdesk.domain.custom_fields import FieldDef, FieldKind
from ticketdesk.services import custom_fields
from ticketdesk.services.session import Session
from ticketdesk.ui import role_gate
from ticketdesk.ui.dock.context import DockContext

Editor = QLineEdit | QComboBox | QCheckBox


def _placeholder(kind: FieldKind) -> str:
    if kind == FieldKind.DATE:
        return QCoreApplication.translate("CustomFieldsBox", "YYYY-MM-DD")
    if kind == FieldKind.NUMBER:
        return QCoreApplication.translate("CustomFieldsBox", "a number")
    return ""


class CustomFieldsBox(QGroupBox):
    def __init__(self, dock: DockContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Fields"))
        self.setObjectName("customFieldsBox")
        self.dock = dock
        self.form = QFormLayout(self)
        self.fields: list[FieldDef] = []
        self.editors: dict[int, Editor] = {}
        self.values: dict[int, str] = {}
        self.ticket_id: int | None = None
        self.save_button = QPushButton(self.tr("Save Fields"), self)
        self.save_button.setObjectName("saveFieldsButton")
        self.save_button.clicked.connect(self.save)
        role_gate.gate(self.save_button)
        self.setVisible(False)

    def read(self, ticket_id: int) -> None:
        def fetch(session: Session) -> tuple[list[FieldDef], dict[int, str]]:
            return (custom_fields.list_fields(session),
                    custom_fields.ticket_values(session, ticket_id))

        self.dock.read("custom_fields", fetch, lambda found: self.show_values(ticket_id, *found))

    def show_values(self, ticket_id: int, fields: list[FieldDef],
                    values: dict[int, str]) -> None:
        """Show the ticket's values; on the same ticket, what the user typed and has not saved
        yet (or a save refused) is kept."""
        same = ticket_id == self.ticket_id and fields == self.fields
        edited = self.typed() if same else {}
        self.ticket_id, self.values = ticket_id, values
        if not same:
            self._build(fields)
        for f in fields:
            if f.id not in edited:
                self._set(self.editors[f.id], f, values.get(f.id))
        self.setVisible(bool(fields))

    def _build(self, fields: list[FieldDef]) -> None:
        while self.form.rowCount():
            self.form.takeRow(0).fieldItem.widget().setParent(None)  # type: ignore[union-attr]
        self.fields, self.editors = list(fields), {}
        for f in fields:
            editor: Editor
            if f.kind == FieldKind.LIST:
                editor = QComboBox(self)
                editor.addItem("", "")
                for option in f.options:
                    editor.addItem(option, option)
            elif f.kind == FieldKind.CHECKBOX:
                editor = QCheckBox(self)
            else:
                editor = QLineEdit(self)
                editor.setPlaceholderText(_placeholder(f.kind))
            editor.setObjectName(f"customField_{f.id}")
            editor.setAccessibleName(f.name)
            self.editors[f.id] = editor
            self.form.addRow(f.name + ":", editor)
            role_gate.gate(editor)
        self.form.addRow("", self.save_button)

    @staticmethod
    def _set(editor: Editor, f: FieldDef, value: str | None) -> None:
        if isinstance(editor, QCheckBox):
            editor.setChecked(value == "1")
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(value or ""), 0))
        else:
            editor.setText(value or "")

    def typed(self) -> dict[int, str | bool | None]:
        """What the editors hold, for the fields whose value differs from the stored one."""
        found: dict[int, str | bool | None] = {}
        for f in self.fields:
            editor = self.editors[f.id]
            stored = self.values.get(f.id)
            if isinstance(editor, QCheckBox):
                if editor.isChecked() != (stored == "1"):
                    found[f.id] = editor.isChecked()
            else:
                now = str(editor.currentData()) if isinstance(editor, QComboBox) \
                    else editor.text()
                if now.strip() != (stored or ""):
                    found[f.id] = now
        return found

    def save(self) -> None:
        changed, tid = self.typed(), self.ticket_id
        if not changed or tid is None:
            return
        session = self.dock.session
        self.dock.write(lambda v: custom_fields.set_values(session, tid, v, changed),
                        self.tr("Save fields"), busy=[self.save_button],
                        done=lambda: self.read(tid))
