"""The domain's words (status, priority, periods, date fields) in the user's language.

The domain layer has no Qt and speaks English. Each of its labels is marked here for the
translation template (QT_TRANSLATE_NOOP, which pyside6-lupdate finds) and translated in one
context, so "In Progress" is translated once, wherever it is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ticketdesk.domain.filters import DateField
from ticketdesk.domain.period import PeriodKind
from ticketdesk.domain.sla import SlaState
from ticketdesk.domain.status import Priority, Status


def QT_TRANSLATE_NOOP(_context: str, text: str) -> str:
    """Marks `text` for the template under `_context` (lupdate knows the name); typed, unlike
    PySide6's own."""
    return text


STATUS = {
    Status.OPEN: QT_TRANSLATE_NOOP("Status", "Open"),
    Status.IN_PROGRESS: QT_TRANSLATE_NOOP("Status", "In Progress"),
    Status.WAITING: QT_TRANSLATE_NOOP("Status", "Waiting"),
    Status.RESOLVED: QT_TRANSLATE_NOOP("Status", "Resolved"),
    Status.CLOSED: QT_TRANSLATE_NOOP("Status", "Closed"),
}
PRIORITY = {
    Priority.LOW: QT_TRANSLATE_NOOP("Priority", "Low"),
    Priority.MEDIUM: QT_TRANSLATE_NOOP("Priority", "Medium"),
    Priority.HIGH: QT_TRANSLATE_NOOP("Priority", "High"),
    Priority.URGENT: QT_TRANSLATE_NOOP("Priority", "Urgent"),
}
PERIOD = {
    PeriodKind.TODAY: QT_TRANSLATE_NOOP("Period", "Today"),
    PeriodKind.LAST_7D: QT_TRANSLATE_NOOP("Period", "Last 7 days"),
    PeriodKind.LAST_30D: QT_TRANSLATE_NOOP("Period", "Last 30 days"),
    PeriodKind.THIS_MONTH: QT_TRANSLATE_NOOP("Period", "This month"),
    PeriodKind.LAST_MONTH: QT_TRANSLATE_NOOP("Period", "Last month"),
    PeriodKind.ALL_TIME: QT_TRANSLATE_NOOP("Period", "All time"),
    PeriodKind.CUSTOM: QT_TRANSLATE_NOOP("Period", "Custom range"),
}
DATE_FIELD = {
    DateField.CREATED: QT_TRANSLATE_NOOP("DateField", "Created"),
    DateField.UPDATED: QT_TRANSLATE_NOOP("DateField", "Updated"),
    DateField.RESOLVED: QT_TRANSLATE_NOOP("DateField", "Resolved"),
    DateField.CLOSED: QT_TRANSLATE_NOOP("DateField", "Closed"),
    DateField.FIRST_RESPONSE: QT_TRANSLATE_NOOP("DateField", "First response"),
}

SLA_STATE = {
    SlaState.ON_TRACK: QT_TRANSLATE_NOOP("SlaState", "On track"),
    SlaState.AT_RISK: QT_TRANSLATE_NOOP("SlaState", "At risk"),
    SlaState.BREACHED: QT_TRANSLATE_NOOP("SlaState", "Breached"),
    SlaState.MET: QT_TRANSLATE_NOOP("SlaState", "Met"),
    SlaState.PAUSED: QT_TRANSLATE_NOOP("SlaState", "Paused"),
    SlaState.NONE: QT_TRANSLATE_NOOP("SlaState", "No SLA"),
}


def sla_text(state: SlaState) -> str:
    return QCoreApplication.translate("SlaState", SLA_STATE[state])


def status_text(status: Status) -> str:
    return QCoreApplication.translate("Status", STATUS[status])


def priority_text(priority: Priority) -> str:
    return QCoreApplication.translate("Priority", PRIORITY[priority])


def period_text(kind: PeriodKind) -> str:
    return QCoreApplication.translate("Period", PERIOD[kind])


def date_field_text(field: DateField) -> str:
    return QCoreApplication.translate("DateField", DATE_FIELD[field])
