"""Chips in a wrapping row: assignees, tags, customer tags, files waiting to be sent.

Each chip is a plain-text label with an optional remove button (reachable with Tab, named for
screen readers: "Remove billing"); the row ends with whatever trailing widgets the owner adds
("+ Add").
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from ticketdesk.ui import role_gate
from ticketdesk.ui.text import plain_label, plain_tooltip


class FlowLayout(QLayout):
    """Left to right, wrapping to the next line (the Qt "flow layout" example, typed)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y()


class Chip(QFrame):
    removeRequested = Signal(object)  # the chip's key

    def __init__(self, text: str, key: object, parent: QWidget | None = None, *,
                 removable: bool = True, remove_label: str = "", writes: bool = False) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("chip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 1, 2 if removable else 6, 1)
        row.setSpacing(2)
        self.label = plain_label("", self)
        row.addWidget(self.label)
        self.remove_button: QToolButton | None = None
        if removable:
            button = QToolButton(self)
            button.setObjectName("chipRemove")
            button.setText("×")
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.clicked.connect(lambda: self.removeRequested.emit(self.key))
            row.addWidget(button)
            self.remove_button = button
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.set(text, key, remove_label)
        if self.remove_button is not None and writes:
            role_gate.gate(self.remove_button)  # removing saves: the role may withhold it

    def set(self, text: str, key: object, remove_label: str) -> None:
        """Show another item (chips are reused: creating widgets is what costs)."""
        self.key = key
        if text != self.label.text():
            self.label.setText(text)
            self.label.setToolTip(plain_tooltip(text))
            if self.remove_button is not None:
                self.remove_button.setAccessibleName(remove_label)
                role_gate.set_tip(self.remove_button, plain_tooltip(remove_label))

    @property
    def text(self) -> str:
        return self.label.text()


class ChipRow(QWidget):
    """Chips for (key, text) pairs, then the trailing widgets. With `writes`, removing a chip
    saves, so its remove button is gated by the signed-in role (ui/role_gate.py)."""

    removeRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, removable: bool = True,
                 remove_label: str = "Remove {0}", empty_text: str = "",
                 writes: bool = False) -> None:
        super().__init__(parent)
        self._removable = removable
        self._writes = writes
        self._remove_label = remove_label
        self.flow = FlowLayout(self)
        self.chips: list[Chip] = []
        self._trailing: list[QWidget] = []
        self.empty = plain_label(empty_text, self)
        self.empty.setEnabled(False)
        self.flow.addWidget(self.empty)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._items: list[tuple[object, str]] = []
        self._colors: dict[str, str] = {}

    def set_colors(self, colors: dict[str, str]) -> None:
        """Colours by chip key (tags coloured in Desk ▸ Tags…): a stripe at the chip's left."""
        self._colors = dict(colors)
        self._paint_colors()

    def _paint_colors(self) -> None:
        for chip in self.chips:
            color = self._colors.get(str(chip.key), "")
            sheet = f"QFrame#chip {{ border-left: 4px solid {color}; }}" if color else ""
            if chip.styleSheet() != sheet:
                chip.setStyleSheet(sheet)

    def add_trailing(self, widget: QWidget) -> None:
        self._trailing.append(widget)
        self.flow.addWidget(widget)

    def set_items(self, items: list[tuple[object, str]]) -> None:
        if items == self._items:
            return
        self._items = list(items)
        focused = self.focusWidget()
        lost_focus = False
        while len(self.chips) > len(items):
            chip = self.chips.pop()
            lost_focus = lost_focus or (focused is not None and focused.parent() is chip)
            self.flow.removeWidget(chip)
            chip.deleteLater()
        for chip, (key, text) in zip(self.chips, items, strict=False):
            chip.set(text, key, self._remove_label.format(text))
        if len(items) > len(self.chips):
            for widget in self._trailing:
                self.flow.removeWidget(widget)
            for key, text in items[len(self.chips):]:
                chip = Chip(text, key, self, removable=self._removable,
                            remove_label=self._remove_label.format(text), writes=self._writes)
                chip.removeRequested.connect(self.removeRequested)
                self.flow.addWidget(chip)
                chip.show()
                self.chips.append(chip)
            for widget in self._trailing:
                self.flow.addWidget(widget)
        self.empty.setVisible(not items)
        if self._colors:
            self._paint_colors()
        if lost_focus and self._trailing:
            self._trailing[0].setFocus()  # the chip that had focus is gone
        self.flow.invalidate()
        self.updateGeometry()

    def texts(self) -> list[str]:
        return [c.text for c in self.chips]
