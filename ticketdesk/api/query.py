"""The list endpoint's query string as a `TicketFilter`: the same filters as the window's filter
bar, `ticketdesk export tickets` and `ticketdesk ticket list`."""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import QueryParams

from ticketdesk.domain.clock import parse_date
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import DateField, TicketFilter
from ticketdesk.domain.status import Priority, Status

LIST_PARAMS = frozenset({"status", "priority", "tag", "assignee", "unassigned", "customer",
                         "date_field", "from", "to", "search", "cursor", "limit"})


def _values(params: QueryParams, key: str) -> list[str]:
    return [part.strip() for value in params.getlist(key) for part in value.split(",")
            if part.strip()]


def ticket_filter(params: QueryParams, agent_id: Callable[[str], int],
                  customer_id: Callable[[str], int]) -> TicketFilter:
    """Unknown parameters are refused by name, so a typo never silently lists everything."""
    unknown = sorted(set(params) - LIST_PARAMS)
    if unknown:
        raise ValidationError(f"Unknown parameter {unknown[0]!r}; the list takes "
                              f"{', '.join(sorted(LIST_PARAMS))}.")
    date_field = params.get("date_field", DateField.CREATED.value)
    if date_field not in {d.value for d in DateField}:
        raise ValidationError(f"date_field is one of {', '.join(d.value for d in DateField)}.")
    customer = params.get("customer", "").strip()
    return TicketFilter(
        text=params.get("search", ""),
        statuses=frozenset(Status.parse(s) for s in _values(params, "status")),
        priorities=frozenset(Priority.parse(p) for p in _values(params, "priority")),
        tags=frozenset(t.casefold() for t in _values(params, "tag")),
        assignees=frozenset(agent_id(a) for a in _values(params, "assignee")),
        unassigned=params.get("unassigned", "").lower() in ("1", "true", "yes"),
        customer_id=customer_id(customer) if customer else None,
        date_field=DateField(date_field),
        date_from=parse_date(params["from"], "from date") if params.get("from") else None,
        date_to=parse_date(params["to"], "to date") if params.get("to") else None,
    )


def limit(params: QueryParams, default: int) -> int:
    raw = params.get("limit")
    if raw is None:
        return default
    if not raw.isdigit():
        raise ValidationError("The limit must be a whole number.")
    return int(raw)
