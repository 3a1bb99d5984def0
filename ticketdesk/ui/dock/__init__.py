"""The ticket dock: everything about the selected ticket."""

from ticketdesk.ui.dock.ticket_dock import TicketDock

__all__ = ["TicketDock"]
