"""A file with one row per event or update (an audit export, ServiceNow's incident event log,
a spreadsheet kept by hand): grouped into tickets by their source id.

A file whose source ids repeat is taken as an event log unless the mapping says otherwise.
Each ticket's rows are put in time order (their update time, else their latest time; in file
order when a row has no time), and:

- the latest state wins: every field takes the last value an event gave it (tags add up);
- the creation time is the earliest any event gives, the first response the earliest one
  stated; the update time the latest;
- each change of status, priority or assignee between events becomes a row of the ticket's
  activity history, at the event's time;
- the resolution time is when the ticket last became Resolved (or Closed, if it never was
  Resolved), the closing time when it last became Closed — unless a column states them;
- without a first-response column, the first response is the first event that moved the
  ticket out of Open: in an event log without messages, the first time an agent acted on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.status import Status
from ticketdesk.services.importing.convert import Fields


def merge(events: list[Fields]) -> Fields:
    """One ticket's events as one row, with its history."""
    if any(e.moment is None for e in events):
        ordered = sorted(events, key=lambda e: e.line)
    else:
        ordered = sorted(events, key=lambda e: (e.moment, e.line))
    first = ordered[0]
    merged = Fields(line=first.line, source_id=first.source_id,
                    lines=tuple(e.line for e in ordered))
    status: Status | None = None
    became: dict[Status, int] = {}
    moved_at: int | None = None
    tags: dict[str, None] = {}
    for event in ordered:
        at = event.moment
        for name in ("subject", "description", "category", "resolution"):
            if getattr(event, name):
                setattr(merged, name, getattr(event, name))
        if event.customer is not None:
            merged.customer = event.customer
        tags.update(dict.fromkeys(event.tags))
        merged.messages += event.messages
        if event.status is not None:
            if status is not None and event.status != status and at is not None:
                kind = (ActivityKind.REOPENED if not status.is_active and event.status.is_active
                        else ActivityKind.STATUS)
                merged.history.append((at, kind.value, status.label, event.status.label))
                if status == Status.OPEN and moved_at is None:
                    moved_at = at
            if event.status != status and at is not None:
                became[event.status] = at
            status = event.status
        if event.priority is not None:
            if merged.priority is not None and event.priority != merged.priority and at:
                merged.history.append((at, ActivityKind.PRIORITY.value, merged.priority.label,
                                       event.priority.label))
            merged.priority = event.priority
        if event.assignees:
            if event.assignees != merged.assignees and at is not None:
                merged.history.append((at, ActivityKind.ASSIGNED.value,
                                       ", ".join(merged.assignees) or None,
                                       ", ".join(event.assignees)))
            merged.assignees = event.assignees
        for target, seconds in event.durations.items():
            merged.durations[target] = seconds
    merged.status = status
    merged.tags = tuple(tags)
    merged.times = {
        "created_at": _least(e.times.get("created_at") for e in ordered),
        "updated_at": _most(e.moment for e in ordered),
        "first_response_at": _least(e.times.get("first_response_at") for e in ordered),
        "resolved_at": _last(e.times.get("resolved_at") for e in ordered),
        "closed_at": _last(e.times.get("closed_at") for e in ordered),
    }
    if merged.times["first_response_at"] is None and "first_response_at" not in \
            merged.durations:
        merged.times["first_response_at"] = moved_at
    if merged.times["resolved_at"] is None:
        merged.times["resolved_at"] = became.get(Status.RESOLVED, became.get(Status.CLOSED))
    if merged.times["closed_at"] is None:
        merged.times["closed_at"] = became.get(Status.CLOSED)
    return merged


def _least(values: Iterable[int | None]) -> int | None:
    return min((v for v in values if v is not None), default=None)


def _most(values: Iterable[int | None]) -> int | None:
    return max((v for v in values if v is not None), default=None)


def _last(values: Iterable[int | None]) -> int | None:
    found = None
    for v in values:
        if v is not None:
            found = v
    return found
