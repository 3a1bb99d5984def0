"""What a saved view remembers — a ticket filter, a sort and the list's columns — as text for
the database (JSON), and back. Unknown or damaged values read as "any" rather than failing, so
a view saved by a newer version still opens. No Qt, no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ticketdesk.domain.custom_fields import FieldKind
from ticketdesk.domain.field_conditions import FieldCondition, FieldOp
from ticketdesk.domain.filters import DateField, DueWindow, Sort, SortKey, TicketFilter
from ticketdesk.domain.sla import SlaState
from ticketdesk.domain.status import Priority, Status


@dataclass(frozen=True)
class ViewSpec:
    filter: TicketFilter = field(default_factory=TicketFilter)
    sort: Sort = field(default_factory=Sort)
    columns: tuple[int, ...] = ()
    """The list's shown columns, in the order shown (logical indexes); () keeps the layout."""


def filter_to_json(f: TicketFilter) -> str:
    data: dict[str, Any] = {
        "text": f.text,
        "statuses": sorted(int(s) for s in f.statuses),
        "priorities": sorted(int(p) for p in f.priorities),
        "date_field": f.date_field.value,
        "date_from": f.date_from.isoformat() if f.date_from else None,
        "date_to": f.date_to.isoformat() if f.date_to else None,
        "tags": sorted(f.tags),
        "customer_tags": sorted(f.customer_tags),
        "assignees": sorted(f.assignees),
        "unassigned": f.unassigned,
        "customer_id": f.customer_id,
        "sla": sorted(s.value for s in f.sla),
        "due": f.due.value if f.due else None,
        "needs_first_reply": f.needs_first_reply,
        "categories": sorted(f.categories),
        "custom": [[field_id, value] for field_id, value in sorted(f.custom)],
        "field_conditions": [{"field": c.field_id, "op": c.op.value, "kind": c.kind.value,
                              "value": c.value, "upto": c.upto}
                             for c in sorted(f.field_conditions)],
    }
    return json.dumps(data, sort_keys=True)


def _custom(data: dict[str, Any]) -> tuple[tuple[int, str], ...]:
    found = set()
    for item in data.get("custom") or ():
        try:
            field_id, value = item
            found.add((int(field_id), str(value)))
        except (TypeError, ValueError):
            continue
    return tuple(sorted(found))


def _conditions(data: dict[str, Any]) -> tuple[FieldCondition, ...]:
    """Custom field conditions (issue 19); one that does not read is left out, as an unknown
    status is."""
    found = set()
    for item in data.get("field_conditions") or ():
        try:
            c = FieldCondition(int(item["field"]), FieldOp(item["op"]), FieldKind(item["kind"]),
                               str(item.get("value") or ""), str(item.get("upto") or ""))
        except (TypeError, ValueError, KeyError, AttributeError):
            continue
        found.add(c)
    return tuple(sorted(found))


def filter_from_json(text: str) -> TicketFilter:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return TicketFilter()
    if not isinstance(data, dict):
        return TicketFilter()

    def each(key: str, kind: Any) -> frozenset[Any]:
        found = set()
        for value in data.get(key) or ():
            try:
                found.add(kind(value))
            except (TypeError, ValueError):
                continue
        return frozenset(found)

    def day(key: str) -> date | None:
        try:
            return date.fromisoformat(data[key]) if data.get(key) else None
        except (TypeError, ValueError):
            return None

    def one(key: str, kind: Any, default: Any) -> Any:
        try:
            return kind(data[key]) if data.get(key) is not None else default
        except (TypeError, ValueError):
            return default

    start, end = day("date_from"), day("date_to")
    if start and end and start > end:
        start = end = None
    return TicketFilter(
        text=str(data.get("text") or ""), statuses=each("statuses", Status),
        priorities=each("priorities", Priority),
        date_field=one("date_field", DateField, DateField.CREATED), date_from=start,
        date_to=end, tags=each("tags", str), customer_tags=each("customer_tags", str),
        assignees=each("assignees", int), unassigned=bool(data.get("unassigned")),
        customer_id=one("customer_id", int, None), sla=each("sla", SlaState),
        due=one("due", DueWindow, None), needs_first_reply=bool(data.get("needs_first_reply")),
        categories=each("categories", str), custom=_custom(data),
        field_conditions=_conditions(data))


def sort_to_text(sort: Sort) -> str:
    return f"{sort.key.value} {'descending' if sort.descending else 'ascending'}"


def sort_from_text(value: object) -> Sort:
    """The sort saved as "created descending"; the default for anything else."""
    key, _, order = str(value or "").partition(" ")
    try:
        return Sort(SortKey(key), order != "ascending")
    except ValueError:
        return Sort()


def columns_to_text(columns: tuple[int, ...]) -> str:
    return ",".join(str(c) for c in columns)


def columns_from_text(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(c) for c in (text or "").split(",") if c.strip())
    except ValueError:
        return ()
