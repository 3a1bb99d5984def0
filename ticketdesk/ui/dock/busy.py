"""Controls marked busy while their save is on its way: disabled, a button saying "Saving…".

Several saves may mark one control (two tags added quickly); it comes back when the last one is
answered. Everything else in the dock stays usable meanwhile. A control that had the keyboard
focus gets it back when it comes back, unless the user has put the focus elsewhere meanwhile
(disabling a control hands its focus to the next one). Enabling goes through
`role_gate.enable`, so a control the signed-in role withholds stays disabled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from ticketdesk.ui import role_gate


class BusyMarks:
    def __init__(self) -> None:
        self._count: dict[QWidget, int] = {}
        self._texts: dict[QWidget, str] = {}

    def mark(self, widgets: Sequence[QWidget]) -> Callable[[], None]:
        """Mark `widgets` busy; the returned function (call it once) releases them."""
        marked = list(widgets)
        focused = next((w for w in marked if w.hasFocus()), None)
        for widget in marked:
            count = self._count.get(widget, 0)
            if count == 0:
                role_gate.enable(widget, False)
                if isinstance(widget, QAbstractButton):
                    self._texts[widget] = widget.text()
                    widget.setText(QCoreApplication.translate("TicketDock", "Saving…"))
            self._count[widget] = count + 1
        moved_to = QApplication.focusWidget() if focused is not None else None
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            for widget in marked:
                count = self._count.get(widget, 1) - 1
                if count > 0:
                    self._count[widget] = count
                    continue
                self._count.pop(widget, None)
                text = self._texts.pop(widget, None)
                if text is not None and isinstance(widget, QAbstractButton):
                    widget.setText(text)
                role_gate.enable(widget, True)
            if focused is not None and focused.isEnabled() \
                    and QApplication.focusWidget() in (moved_to, None):
                focused.setFocus()

        return release

    def is_busy(self, widget: QWidget) -> bool:
        return widget in self._count
