"""The words of the bulk actions in the user's language: what Edit ▸ Undo says ("Undo Close 214
Tickets") and the status bar's report when an action is done."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ticketdesk.domain.status import Priority, Status
from ticketdesk.services.bulk import Action, BulkChange, BulkResult, normalised
from ticketdesk.ui.labels import priority_text, status_text

CONTEXT = "BulkActions"


def _t(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def tickets_text(count: int) -> str:
    """"1 Ticket", "1,234 Tickets" (title case, for commands)."""
    return _t("1 Ticket") if count == 1 else _t("{0} Tickets").format(f"{count:,}")


def tickets_lower(count: int) -> str:
    """"1 ticket", "1,234 tickets"."""
    return _t("1 ticket") if count == 1 else _t("{0} tickets").format(f"{count:,}")


def undo_text(change: BulkChange, count: int) -> str:
    """The action as a command: "Close 214 Tickets", "Set Priority to High on 3 Tickets"."""
    a = change.action
    if a == Action.CLOSE or (a == Action.STATUS and Status.parse(change.value) == Status.CLOSED):
        return _t("Close {0}").format(tickets_text(count))
    if a == Action.STATUS:
        return _t("Set Status to {0} on {1}").format(
            status_text(Status.parse(change.value)), tickets_text(count))
    if a == Action.PRIORITY:
        return _t("Set Priority to {0} on {1}").format(
            priority_text(Priority.parse(change.value)), tickets_text(count))
    if a == Action.ASSIGN:
        return _t("Assign {0}").format(tickets_text(count))
    if a == Action.UNASSIGN:
        return _t("Unassign {0}").format(tickets_text(count))
    if a == Action.TAG:
        return _t("Tag {0} “{1}”").format(tickets_text(count), normalised(change).value)
    if a == Action.UNTAG:
        return _t("Remove Tag “{0}” from {1}").format(normalised(change).value,
                                                     tickets_text(count))
    return _t("Set Category on {0}").format(tickets_text(count))


def done_text(result: BulkResult) -> str:
    """"214 tickets changed; 3 changed meanwhile and were left as they are; 5 already were."""
    parts = [_t("{0} changed").format(tickets_lower(result.changed))]
    if result.collisions:
        parts.append(_t("{0} changed meanwhile and left as they are").format(
            f"{len(result.collisions):,}"))
    if result.skipped:
        parts.append(_t("{0} already so or not possible").format(f"{result.skipped:,}"))
    return "; ".join(parts)
