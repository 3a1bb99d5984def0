"""The analytics domain's words in the user's language.

`domain/analytics.py` defines each figure in English (its label and the sentence a tooltip
shows). They are marked here for the translation template, in the "Metric" context, and a test
holds them equal to the domain's, so a changed definition cannot silently keep an old
translation.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ticketdesk.domain.analytics import Metric
from ticketdesk.ui.labels import QT_TRANSLATE_NOOP

METRIC = {
    Metric.CREATED: (
        QT_TRANSLATE_NOOP("Metric", "Created"),
        QT_TRANSLATE_NOOP("Metric", "Tickets created in the period.")),
    Metric.CLOSED: (
        QT_TRANSLATE_NOOP("Metric", "Closed"),
        QT_TRANSLATE_NOOP("Metric", "Tickets whose latest closure falls in the period (a ticket "
                                    "closed and then reopened is not counted).")),
    Metric.OPEN: (
        QT_TRANSLATE_NOOP("Metric", "Open"),
        QT_TRANSLATE_NOOP("Metric", "Tickets that were Open, In Progress or Waiting at the end "
                                    "of the period.")),
    Metric.AVG_RESOLUTION: (
        QT_TRANSLATE_NOOP("Metric", "Avg Resolution"),
        QT_TRANSLATE_NOOP("Metric", "Average time from creation to the latest resolution, over "
                                    "tickets resolved in the period.")),
    Metric.AVG_FIRST_RESPONSE: (
        QT_TRANSLATE_NOOP("Metric", "Avg First Response"),
        QT_TRANSLATE_NOOP("Metric", "Average time from creation to the first reply to the "
                                    "customer, over tickets first answered in the period. "
                                    "Tickets never answered are not included.")),
    Metric.CLOSURE_RATE: (
        QT_TRANSLATE_NOOP("Metric", "Closure Rate"),
        QT_TRANSLATE_NOOP("Metric", "The share of the tickets created in the period that were "
                                    "closed by its end (and not reopened since); “—” when "
                                    "nothing was created.")),
}


def metric_label(metric: Metric) -> str:
    return QCoreApplication.translate("Metric", METRIC[metric][0])


def metric_definition(metric: Metric) -> str:
    return QCoreApplication.translate("Metric", METRIC[metric][1])
