"""A checkable multi-choice menu that stays open while the user ticks several entries."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from ticketdesk.ui.text import plain_tooltip


class StayOpenMenu(QMenu):
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        action = self.activeAction()
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()  # toggles and emits, without closing the menu
            return
        super().mouseReleaseEvent(event)


class ChoiceButton(QToolButton):
    """"Status ▾" with a menu of checkable choices; its text says what is chosen."""

    changed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_ = StayOpenMenu(self)
        self.setMenu(self.menu_)
        self._actions: dict[Hashable, QAction] = {}
        self._update_text()

    def set_choices(self, choices: Iterable[tuple[Hashable, str]], *,
                    separator_after: int | None = None) -> None:
        """Replace the choices, keeping those still offered checked."""
        chosen = self.chosen()
        self.menu_.clear()
        self._actions = {}
        for i, (key, label) in enumerate(choices):
            action = self.menu_.addAction(label)
            action.setCheckable(True)
            action.setChecked(key in chosen)
            action.toggled.connect(self._toggled)
            self._actions[key] = action
            if separator_after is not None and i == separator_after:
                self.menu_.addSeparator()
        if not self._actions:
            empty = self.menu_.addAction(self.tr("(none yet)"))
            empty.setEnabled(False)
        self._update_text()

    def chosen(self) -> set[Hashable]:
        return {key for key, action in self._actions.items() if action.isChecked()}

    def set_chosen(self, keys: Iterable[Hashable]) -> None:
        wanted = set(keys)
        for key, action in self._actions.items():
            action.blockSignals(True)
            action.setChecked(key in wanted)
            action.blockSignals(False)
        self._update_text()

    def _toggled(self) -> None:
        self._update_text()
        self.changed.emit()

    def _update_text(self) -> None:
        labels = [a.text() for a in self._actions.values() if a.isChecked()]
        if not labels:
            self.setText(self.title)
        elif len(labels) <= 2:
            self.setText(f"{self.title}: {', '.join(labels)}")
        else:
            self.setText(f"{self.title}: {len(labels)}")
        # The labels are names people typed (agents, tags): never let Qt read them as HTML.
        self.setToolTip(plain_tooltip(", ".join(labels)) if labels else self.tr("Any"))
