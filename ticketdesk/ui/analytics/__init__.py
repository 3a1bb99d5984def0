"""The analytics view (issue 5): cards, charts and the agents table of a period, with drill-down
to the ticket list and CSV/PNG export. See view.py; pyqtgraph is loaded by loader.py."""

from ticketdesk.ui.analytics.view import AnalyticsView

__all__ = ["AnalyticsView"]
