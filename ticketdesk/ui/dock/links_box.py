"""The Detail tab's "Related" box: tickets linked as related (both ways), the ticket this one
was merged into, and the tickets merged into it (services/merge.py). Read on the dock's query
thread when a ticket is shown; "Link…" and "Unlink" are saves on the dock's write queue, gated by
the signed-in role (ui/role_gate.py)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.numbers import format_number, parse_number
from ticketdesk.services import merge
from ticketdesk.services.merge import RelatedTicket, TicketLinks
from ticketdesk.ui import role_gate
from ticketdesk.ui.dock.context import DockContext
from ticketdesk.ui.labels import status_text
from ticketdesk.ui.text import plain_label

LINKS = "links"


class LinksBox(QGroupBox):
    def __init__(self, dock: DockContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Related"), parent)
        self.setObjectName("linksBox")
        self.dock = dock
        self.links: TicketLinks | None = None
        column = QVBoxLayout(self)
        self.rows = QVBoxLayout()
        column.addLayout(self.rows)
        self.empty = plain_label(self.tr("No related tickets."), self)
        self.empty.setEnabled(False)
        column.addWidget(self.empty)
        self.link_button = QPushButton(self.tr("Link to Ticket…"), self)
        self.link_button.setObjectName("linkTicketButton")
        self.link_button.clicked.connect(self.ask_link)
        role_gate.gate(self.link_button)
        column.addWidget(self.link_button)

    def load(self, ticket_id: int) -> None:
        self.dock.read(LINKS, lambda session: merge.read_links(session, ticket_id),
                       self.show_links)

    def show_links(self, links: TicketLinks) -> None:
        self.links = links
        while self.rows.count():
            item = self.rows.takeAt(0)
            layout = item.layout() if item is not None else None
            if layout is not None:
                while layout.count():
                    child = layout.takeAt(0)
                    widget = child.widget() if child is not None else None
                    if widget is not None:
                        widget.deleteLater()
        shown = False
        if links.merged_into is not None:
            self._row(self.tr("Merged into {0}"), links.merged_into, removable=False)
            shown = True
        for t in links.merged_from:
            self._row(self.tr("Merged here: {0}"), t, removable=False)
            shown = True
        for t in links.related:
            self._row(self.tr("Related: {0}"), t, removable=True)
            shown = True
        self.empty.setVisible(not shown)

    def _row(self, template: str, t: RelatedTicket, *, removable: bool) -> None:
        row = QHBoxLayout()
        text = template.format(f"{format_number(t.id)} · {t.subject} ({status_text(t.status)})")
        label = plain_label(text, self)
        label.setWordWrap(True)
        row.addWidget(label, 1)
        if removable:
            button = QPushButton(self.tr("Unlink"), self)
            button.setObjectName(f"unlink{t.id}")
            button.clicked.connect(lambda _=False, other=t.id: self.unlink(other))
            role_gate.gate(button)
            row.addWidget(button)
        self.rows.addLayout(row)

    def ask_link(self) -> None:
        ticket_id = self.dock.ticket_id
        if ticket_id is None:
            return
        typed, ok = QInputDialog.getText(self, self.tr("Link to Ticket"),
                                         self.tr("Ticket number to link as related:"))
        if not ok:
            return
        other = parse_number(typed)
        if other is None:
            self.dock.notify(self.tr("“{0}” is not a ticket number.").format(typed))
            return
        self.link(other)

    def link(self, other: int) -> None:
        ticket_id, session = self.dock.ticket_id, self.dock.session
        if ticket_id is None:
            return
        self.dock.append(lambda: merge.link(session, ticket_id, other),
                         done=lambda: self.load(ticket_id), busy=[self.link_button])

    def unlink(self, other: int) -> None:
        ticket_id, session = self.dock.ticket_id, self.dock.session
        if ticket_id is None:
            return
        self.dock.append(lambda: merge.unlink(session, ticket_id, other),
                         done=lambda: self.load(ticket_id))
