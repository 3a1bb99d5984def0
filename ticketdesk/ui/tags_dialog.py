"""Desk ▸ Tags…: every ticket tag with its number of tickets; rename, merge, colour, delete.

Reads and changes go through `services/tag_records.py` off the GUI thread
(`ui/record_list_dialog.py`); a rename, merge or delete writes an activity row on every ticket
carrying the tag, as a long job with progress and Cancel. Deleting a tag in use asks first,
with the count.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QWidget

from ticketdesk.services import tag_records
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.record_list_dialog import ListEntry, RecordListDialog


class TagsDialog(RecordListDialog):
    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(session, announce, parent)
        self.setObjectName("tagsDialog")
        self.setWindowTitle(self.tr("Tags"))
        self.table.setObjectName("tagTable")
        self.rename_button = self.add_button(self.tr("&Rename…"), "renameTagButton", self.rename)
        self.merge_button = self.add_button(self.tr("&Merge Into…"), "mergeTagButton",
                                            self.merge)
        self.color_button = self.add_button(self.tr("&Colour…"), "colorTagButton", self.colour)
        self.clear_color_button = self.add_button(self.tr("&No Colour"), "clearColorButton",
                                                  self.clear_colour)
        self.delete_button = self.add_button(self.tr("&Delete…"), "deleteTagButton", self.delete)
        self.finish_buttons()
        self.load()

    def read(self) -> list[ListEntry]:
        return [ListEntry(t.id, t.name, t.tickets, t.color)
                for t in tag_records.list_tags(self.session)]

    def rename(self) -> None:
        entry = self.current()
        if entry is None:
            return
        name = self.ask_text(self.tr("Rename Tag"), self.tr("New name for “{0}”:").format(
            entry.name), entry.name)
        if name is None:
            return
        session = self.session
        self.run(self.tr("Renaming the tag on {0} tickets…").format(f"{entry.tickets:,}"),
                 lambda progress: tag_records.rename_tag(session, entry.id, name,
                                                         progress=progress),
                 self.tr("Renamed “{0}” to “{1}”.").format(entry.name, name.strip().casefold()))

    def merge(self) -> None:
        entry = self.current()
        if entry is None:
            return
        others = self.others(entry)
        chosen = self.ask_choice(self.tr("Merge Tag"), self.tr(
            "Tickets tagged “{0}” are tagged instead with:").format(entry.name),
            [e.name for e in others])
        if chosen is None:
            return
        target, session = others[chosen], self.session
        self.run(self.tr("Merging the tag on {0} tickets…").format(f"{entry.tickets:,}"),
                 lambda progress: tag_records.merge_tags(session, entry.id, target.id,
                                                         progress=progress),
                 self.tr("Merged “{0}” into “{1}”.").format(entry.name, target.name))

    def ask_colour(self, current: str) -> str | None:
        colour = QColorDialog.getColor(QColor(current) if current else QColor("#4a90d9"), self,
                                       self.tr("Tag Colour"))
        return colour.name() if colour.isValid() else None

    def colour(self) -> None:
        entry = self.current()
        if entry is None:
            return
        colour = self.ask_colour(entry.color)
        if colour is not None:
            self._set_colour(entry, colour)

    def clear_colour(self) -> None:
        entry = self.current()
        if entry is not None and entry.color:
            self._set_colour(entry, "")

    def _set_colour(self, entry: ListEntry, colour: str) -> None:
        session = self.session
        self.run(self.tr("Saving the colour…"),
                 lambda _progress: tag_records.set_color(session, entry.id, colour),
                 self.tr("Saved the colour of “{0}”.").format(entry.name))

    def delete(self) -> None:
        entry = self.current()
        if entry is None:
            return
        if entry.tickets and not self.confirm(self.tr("Delete Tag"), self.tr(
                "“{0}” is on {1} tickets. Remove it from all of them and delete it?").format(
                entry.name, f"{entry.tickets:,}")):
            return
        session = self.session
        self.run(self.tr("Removing the tag from {0} tickets…").format(f"{entry.tickets:,}"),
                 lambda progress: tag_records.delete_tag(session, entry.id, progress=progress),
                 self.tr("Deleted “{0}”.").format(entry.name))
