"""The filter bar's condition on a text, number or date custom field (issue 19): a small dialog
opened from the Fields menu ("Seats…") to choose how to compare and type the value, and the
condition's words as the bar shows them ("Seats ≥ 10").

The dialog checks what was typed with the domain's rules (domain/field_conditions.py) on the
GUI thread — no database is asked: the field's definition came with the filter bar's choices. A
bad number or date is named under the fields and nothing changes until it is right.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.custom_fields import FieldDef, FieldKind
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.field_conditions import OPS, FieldCondition, FieldOp, condition
from ticketdesk.ui.custom_columns import filter_choices
from ticketdesk.ui.menus import ChoiceButton
from ticketdesk.ui.text import plain_label, plain_tooltip


def op_text(kind: FieldKind, op: FieldOp) -> str:
    """How a comparison reads in the dialog's choice."""
    translate = QCoreApplication.translate
    if kind == FieldKind.DATE and op in DATED:
        return {FieldOp.EQ: translate("field_filter", "on"),
                FieldOp.LT: translate("field_filter", "before"),
                FieldOp.GT: translate("field_filter", "after"),
                FieldOp.LE: translate("field_filter", "on or before"),
                FieldOp.GE: translate("field_filter", "on or after")}[op]
    return {FieldOp.CONTAINS: translate("field_filter", "contains"),
            FieldOp.EMPTY: translate("field_filter", "is empty"),
            FieldOp.SET: translate("field_filter", "is set"),
            FieldOp.EQ: translate("field_filter", "equals"),
            FieldOp.LT: translate("field_filter", "less than"),
            FieldOp.LE: translate("field_filter", "at most"),
            FieldOp.GT: translate("field_filter", "more than"),
            FieldOp.GE: translate("field_filter", "at least"),
            FieldOp.BETWEEN: translate("field_filter", "between")}[op]


DATED = frozenset({FieldOp.EQ, FieldOp.LT, FieldOp.GT, FieldOp.LE, FieldOp.GE})
SYMBOLS = {FieldOp.EQ: "=", FieldOp.LT: "<", FieldOp.LE: "≤", FieldOp.GT: ">", FieldOp.GE: "≥"}


def condition_text(name: str, c: FieldCondition) -> str:
    """The condition as the Fields button and its tooltip show it: "Seats ≥ 10"."""
    translate = QCoreApplication.translate
    if c.op == FieldOp.CONTAINS:
        return translate("field_filter", "{0} contains “{1}”").format(name, c.value)
    if c.op == FieldOp.EMPTY:
        return translate("field_filter", "{0} is empty").format(name)
    if c.op == FieldOp.SET:
        return translate("field_filter", "{0} is set").format(name)
    if c.op == FieldOp.BETWEEN:
        return translate("field_filter", "{0} between {1} and {2}").format(name, c.value, c.upto)
    if c.kind == FieldKind.DATE:
        return f"{name} {op_text(c.kind, c.op)} {c.value}"
    return f"{name} {SYMBOLS[c.op]} {c.value}"


class FieldConditionDialog(QDialog):
    """Choose a comparison and a value for one field. `chosen` carries the checked condition,
    or None when the user removed the field's condition."""

    chosen = Signal(object)  # FieldCondition | None

    def __init__(self, field: FieldDef, current: FieldCondition | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setObjectName("fieldConditionDialog")
        self.setWindowTitle(self.tr("Filter by {0}").format(field.name))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.op = QComboBox(self)
        self.op.setObjectName("fieldConditionOp")
        for op in OPS[field.kind]:
            self.op.addItem(op_text(field.kind, op), op)
        self.value = QLineEdit(self)
        self.value.setObjectName("fieldConditionValue")
        self.upto = QLineEdit(self)
        self.upto.setObjectName("fieldConditionUpto")
        if field.kind == FieldKind.DATE:
            for edit in (self.value, self.upto):
                edit.setPlaceholderText(self.tr("YYYY-MM-DD"))
        op_label = QLabel(self.tr("&Condition:"), self)
        op_label.setBuddy(self.op)
        value_label = QLabel(self.tr("&Value:"), self)
        value_label.setBuddy(self.value)
        self.upto_label = QLabel(self.tr("a&nd:"), self)
        self.upto_label.setBuddy(self.upto)
        form.addRow(op_label, self.op)
        form.addRow(value_label, self.value)
        form.addRow(self.upto_label, self.upto)
        self.value_label = value_label
        layout.addLayout(form)
        self.error = plain_label("", self)
        self.error.setObjectName("fieldConditionError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.remove = QPushButton(self.tr("&Remove condition"), self)
        self.remove.setObjectName("fieldConditionRemove")
        self.remove.setVisible(current is not None)
        buttons.addButton(self.remove, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.remove.clicked.connect(self._remove)
        buttons.accepted.connect(self._apply)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        if current is not None:
            self.op.setCurrentIndex(max(0, self.op.findData(current.op)))
            self.value.setText(current.value)
            self.upto.setText(current.upto)
        self.op.currentIndexChanged.connect(self._op_changed)
        self._op_changed()

    def _op(self) -> FieldOp:
        return FieldOp(self.op.currentData())

    def _op_changed(self) -> None:
        op = self._op()
        needs_value = op not in (FieldOp.EMPTY, FieldOp.SET)
        self.value.setVisible(needs_value)
        self.value_label.setVisible(needs_value)
        self.upto.setVisible(op == FieldOp.BETWEEN)
        self.upto_label.setVisible(op == FieldOp.BETWEEN)
        self.error.setVisible(False)

    def _apply(self) -> None:
        try:
            found = condition(self.field, self._op(), self.value.text(), self.upto.text())
        except ValidationError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            return
        self.chosen.emit(found)
        self.accept()

    def _remove(self) -> None:
        self.chosen.emit(None)
        self.accept()


class FieldsButton(ChoiceButton):
    """The filter bar's Fields menu: every choice of a list field and yes / no of a checkbox
    (ticked like the other menus), then one entry a text, number or date field ("Seats…")
    that opens `FieldConditionDialog`. The button's text and tooltip name what is chosen."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.defs: dict[int, FieldDef] = {}
        self.conditions: dict[int, FieldCondition] = {}
        self.dialog: FieldConditionDialog | None = None

    def set_fields(self, fields: list[FieldDef]) -> None:
        """The desk's fields (read off the GUI thread); conditions on a field that is gone are
        dropped, like a value no longer offered."""
        self.defs = {f.id: f for f in fields}
        self.conditions = {k: c for k, c in self.conditions.items() if k in self.defs}
        self.set_choices(filter_choices(fields))
        compared = [f for f in fields if f.kind in OPS]
        if compared:
            if self._actions:
                self.menu_.addSeparator()
            else:
                self.menu_.clear()  # not "(none yet)": there are fields
            for f in compared:
                action = self.menu_.addAction(self._entry(f))
                action.setData(f.id)
                action.setObjectName(f"fieldCondition_{f.id}")
                action.triggered.connect(lambda _on=False, fid=f.id: self.ask(fid))
        self.setVisible(bool(fields))
        self._update_text()

    def condition_actions(self) -> dict[int, QAction]:
        """The menu's entries of text, number and date fields, by field id."""
        return {a.data(): a for a in self.menu_.actions()
                if not a.isCheckable() and isinstance(a.data(), int)}

    def _entry(self, f: FieldDef) -> str:
        current = self.conditions.get(f.id)
        shown = condition_text(f.name, current) if current is not None else f.name
        return self.tr("{0}…").format(shown)

    def ask(self, field_id: int) -> None:
        """Open the dialog for one field (the menu entry's click)."""
        f = self.defs.get(field_id)
        if f is None:
            return
        self.dialog = FieldConditionDialog(f, self.conditions.get(field_id), self.window())
        self.dialog.chosen.connect(lambda found, fid=field_id: self._chosen(fid, found))
        self.dialog.open()

    def _chosen(self, field_id: int, found: FieldCondition | None) -> None:
        if found is None:
            self.conditions.pop(field_id, None)
        else:
            self.conditions[field_id] = found
        self._refresh_entries()
        self._update_text()
        self.changed.emit()

    def chosen_conditions(self) -> tuple[FieldCondition, ...]:
        return tuple(sorted(self.conditions.values()))

    def set_conditions(self, conditions: tuple[FieldCondition, ...]) -> None:
        """Show `conditions` (a saved view, Clear); announces nothing."""
        self.conditions = {c.field_id: c for c in conditions}
        self._refresh_entries()
        self._update_text()

    def _refresh_entries(self) -> None:
        for field_id, action in self.condition_actions().items():
            if field_id in self.defs:
                action.setText(self._entry(self.defs[field_id]))

    def _update_text(self) -> None:
        if not hasattr(self, "conditions"):
            super()._update_text()
            return
        labels = [a.text() for a in self._actions.values() if a.isChecked()]
        labels += [condition_text(self.defs[c.field_id].name if c.field_id in self.defs
                                  else self.tr("(a deleted field)"), c)
                   for c in self.chosen_conditions()]
        if not labels:
            self.setText(self.title)
        elif len(labels) <= 2:
            self.setText(f"{self.title}: {', '.join(labels)}")
        else:
            self.setText(f"{self.title}: {len(labels)}")
        self.setToolTip(plain_tooltip("\n".join(labels)) if labels else self.tr("Any"))
