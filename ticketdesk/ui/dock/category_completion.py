"""Completing the Detail tab's category from the desk's list (issue 19).

The category is typed into the ticket's inline field; while it is typed, a popup offers the
desk's categories that contain the text, in any case ("bil" offers "Billing"), and a line under
the editor says what the text will be saved as: the list's spelling of a name it holds
("billing" → "Billing", as `services.categories.resolve` will save it) or a new category that
joins the list. The list is read on the dock's query thread when a ticket is first shown, and
again after the desk's lists changed (`Changes.tags`: a category added here or elsewhere,
renamed, merged or deleted); a keystroke never queries.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QStringListModel, Qt
from PySide6.QtWidgets import QCompleter

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import categories
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.context import DockContext
from ticketdesk.ui.dock.editors import InlineField, LineEditor

CHANNEL = "categories"


class CategoryCompletion(QObject):
    def __init__(self, field: InlineField, dock: DockContext) -> None:
        super().__init__(field)
        self.field = field
        self.dock = dock
        self.names: list[str] | None = None
        """The desk's categories as last read (None: not yet)."""
        self._spelling: dict[str, str] = {}
        self._fresh = False
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        popup = self.completer.popup()
        if popup is not None:
            popup.setObjectName("categoryPopup")
        if isinstance(field.editor, LineEditor):
            field.editor.setCompleter(self.completer)
        # A name chosen in the popup is set, not typed: keep it as the draft all the same.
        self.completer.activated[str].connect(  # type: ignore[index]
            lambda _name: field.editChanged.emit())
        field.editChanged.connect(self.show_hint)
        field.editor.textChanged.connect(lambda *_: self.show_hint())  # a completion chosen

    def load(self) -> None:
        """Read the list unless it is current (a ticket shown: the first one, or after a
        change to the lists)."""
        if not self._fresh:
            self.dock.read(CHANNEL, _names, self._loaded)

    def lists_changed(self) -> None:
        """The desk's lists changed: read again now if a ticket is shown, else when one is."""
        self._fresh = False
        if self.dock.ticket_id is not None:
            self.load()

    def _loaded(self, names: list[str]) -> None:
        self._fresh = True
        if names == self.names:
            return
        self.names = names
        self._spelling = {n.lower(): n for n in names}
        self.model.setStringList(names)
        self.show_hint()

    def show_hint(self) -> None:
        if not self.field.is_editing:
            self.field.set_hint("")
            return
        typed = " ".join(self.field.editor_text().split())
        known = self._spelling.get(typed.lower())
        if not typed or known == typed or self.names is None:
            self.field.set_hint("")
        elif known is not None:
            self.field.set_hint(self.tr("Saved as “{0}”, as the desk's list spells it.")
                                .format(known))
        else:
            self.field.set_hint(self.tr("“{0}” is new: it joins the desk's categories.")
                                .format(typed))


def _names(session: Session) -> list[str]:
    """The desk's categories (a failed read just completes nothing)."""
    try:
        return categories.category_names(session)
    except TicketdeskError:
        return []
