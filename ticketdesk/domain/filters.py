"""The ticket filter: what the filter bar, the CLI and analytics drill-downs ask for.

Within one kind of criterion the choices are alternatives (status Open *or* Waiting; tag billing
*or* refund); different kinds must all hold (Open *and* tagged billing). "Unassigned" is one more
alternative among the assignees, so "Me or Unassigned" is a single filter. An empty choice means
"any". Dates are local days, inclusive at both ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.field_conditions import FieldCondition
from ticketdesk.domain.sla import SlaState
from ticketdesk.domain.status import Priority, Status


class DateField(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    RESOLVED = "resolved"
    CLOSED = "closed"
    FIRST_RESPONSE = "first_response"
    """When the first reply was sent (what analytics' Avg First Response averages over)."""


class SortKey(StrEnum):
    NUMBER = "number"
    SUBJECT = "subject"
    STATUS = "status"
    PRIORITY = "priority"
    CUSTOMER = "customer"
    CREATED = "created"
    UPDATED = "updated"
    DUE = "due"
    """The nearest SLA due (tickets whose clock does not run come last)."""


class DueWindow(StrEnum):
    """SLA due windows: the nearest due falls within the next hour, or within today (local)."""

    HOUR = "hour"
    TODAY = "today"


@dataclass(frozen=True)
class Sort:
    key: SortKey = SortKey.CREATED
    descending: bool = True


@dataclass(frozen=True)
class TicketFilter:
    text: str = ""
    statuses: frozenset[Status] = field(default_factory=frozenset)
    priorities: frozenset[Priority] = field(default_factory=frozenset)
    date_field: DateField = DateField.CREATED
    date_from: date | None = None
    date_to: date | None = None
    tags: frozenset[str] = field(default_factory=frozenset)
    customer_tags: frozenset[str] = field(default_factory=frozenset)
    assignees: frozenset[int] = field(default_factory=frozenset)
    unassigned: bool = False
    customer_id: int | None = None
    sla: frozenset[SlaState] = field(default_factory=frozenset)
    """SLA states at the time of the query (alternatives)."""
    due: DueWindow | None = None
    needs_first_reply: bool = False
    """Open or In Progress and no reply sent yet."""
    categories: frozenset[str] = field(default_factory=frozenset)
    """Category names (alternatives; issue 19)."""
    custom: tuple[tuple[int, str], ...] = ()
    """(custom field id, stored value) pairs (domain/custom_fields.py): values of one field are
    alternatives, different fields must all hold."""
    field_conditions: tuple[FieldCondition, ...] = ()
    """Conditions on text, number and date fields (domain/field_conditions.py): contains, is
    empty, compared, between. All must hold, and with `custom`."""

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationError(
                f"The start date {self.date_from} is after the end date {self.date_to}."
            )

    @property
    def is_empty(self) -> bool:
        return self == TicketFilter()

    def with_(self, **changes: object) -> TicketFilter:
        return replace(self, **changes)  # type: ignore[arg-type]
