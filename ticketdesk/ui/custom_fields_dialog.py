"""Desk ▸ Custom Fields…: the desk's own ticket fields (text, number, date, list, checkbox);
add, edit (name and a list's choices), delete. Values are edited in the dock's Detail tab
(`ui/dock/custom_fields_box.py`). Everything through `services/custom_fields.py`, off the GUI
thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ticketdesk.domain.custom_fields import FieldDef, FieldKind
from ticketdesk.services import custom_fields
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.record_list_dialog import ListEntry, RecordListDialog

KIND_ORDER = (FieldKind.TEXT, FieldKind.NUMBER, FieldKind.DATE, FieldKind.LIST,
              FieldKind.CHECKBOX)


def kind_text(kind: FieldKind) -> str:
    from PySide6.QtCore import QCoreApplication

    return {
        FieldKind.TEXT: QCoreApplication.translate("custom_fields", "Text"),
        FieldKind.NUMBER: QCoreApplication.translate("custom_fields", "Number"),
        FieldKind.DATE: QCoreApplication.translate("custom_fields", "Date"),
        FieldKind.LIST: QCoreApplication.translate("custom_fields", "List"),
        FieldKind.CHECKBOX: QCoreApplication.translate("custom_fields", "Checkbox"),
    }[kind]


class FieldEditor(QDialog):
    """A field's name, kind (fixed once made) and, for a list, its choices one a line."""

    def __init__(self, parent: QWidget | None, name: str = "", kind: FieldKind | None = None,
                 choices: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("customFieldEditor")
        self.setWindowTitle(self.tr("Custom Field"))
        form = QFormLayout(self)
        self.name = QLineEdit(name, self)
        self.name.setObjectName("fieldName")
        form.addRow(self.tr("&Name:"), self.name)
        self.kind = QComboBox(self)
        self.kind.setObjectName("fieldKind")
        for k in KIND_ORDER:
            self.kind.addItem(kind_text(k), k.value)
        if kind is not None:
            self.kind.setCurrentIndex(KIND_ORDER.index(kind))
            self.kind.setEnabled(False)
        form.addRow(self.tr("&Kind:"), self.kind)
        self.choices = QPlainTextEdit(choices, self)
        self.choices.setObjectName("fieldChoices")
        self.choices.setPlaceholderText(self.tr("One choice a line (list fields)"))
        form.addRow(self.tr("&Choices:"), self.choices)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_kind(self) -> FieldKind:
        return KIND_ORDER[max(self.kind.currentIndex(), 0)]

    def _kind_changed(self) -> None:
        self.choices.setEnabled(self.chosen_kind() == FieldKind.LIST)


class CustomFieldsDialog(RecordListDialog):
    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(session, announce, parent)
        self.model.detail_title = self.tr("Kind")
        self.setObjectName("customFieldsDialog")
        self.setWindowTitle(self.tr("Custom Fields"))
        self.table.setObjectName("customFieldTable")
        self.add_button(self.tr("&Add…"), "addFieldButton", self.add)
        self.add_button(self.tr("&Edit…"), "editFieldButton", self.edit)
        self.add_button(self.tr("&Delete…"), "deleteFieldButton", self.delete)
        self.finish_buttons()
        self.load()

    def read(self) -> list[ListEntry]:
        return [ListEntry(f.id, f.name, n, detail=kind_text(f.kind), extra=f)
                for f, n in custom_fields.field_counts(self.session)]

    def open_editor(self, editor: FieldEditor) -> bool:
        return bool(editor.exec())

    def add(self) -> None:
        editor = FieldEditor(self)
        if not self.open_editor(editor):
            return
        name, kind, choices = (editor.name.text(), editor.chosen_kind(),
                               editor.choices.toPlainText())
        session = self.session
        self.run(self.tr("Adding the field…"),
                 lambda _progress: custom_fields.add_field(session, name, kind, choices)[1],
                 self.tr("Added the field “{0}”.").format(name.strip()))

    def edit(self) -> None:
        entry = self.current()
        if entry is None:
            return
        field = entry.extra
        assert isinstance(field, FieldDef)
        editor = FieldEditor(self, entry.name, field.kind, "\n".join(field.options))
        if not self.open_editor(editor):
            return
        name, choices, session = editor.name.text(), editor.choices.toPlainText(), self.session
        self.run(self.tr("Saving the field…"),
                 lambda _progress: custom_fields.edit_field(session, entry.id, name, choices),
                 self.tr("Saved the field “{0}”.").format(name.strip()))

    def delete(self) -> None:
        entry = self.current()
        if entry is None:
            return
        if entry.tickets and not self.confirm(self.tr("Delete Field"), self.tr(
                "{1} tickets have a value of “{0}”. Delete the field and those values?").format(
                entry.name, f"{entry.tickets:,}")):
            return
        session = self.session
        self.run(self.tr("Deleting the field…"),
                 lambda _progress: custom_fields.delete_field(session, entry.id),
                 self.tr("Deleted the field “{0}”.").format(entry.name))
