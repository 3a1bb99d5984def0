"""One row of a foreign file → the fields of one ticket, with every problem of the row.

Two steps, so an event log can merge its rows between them (`events`): `Converter.fields`
reads the cells as the mapping says (values, times, durations) and `Converter.ticket` makes
the timeline sound (`domain.import_timeline`) and checks what the writing needs. A problem is
a (kind, detail) pair: the kind groups problems in the dry run ("unknown status"), the detail
says what this row has ("'Triage'").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping as Mapping_
from dataclasses import dataclass, field
from typing import Any

from ticketdesk.domain import text
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.import_mapping import (
    ADD_AS_TAG,
    APPEND_TO_DESCRIPTION,
    CUSTOM_FIELD,
    DURATIONS,
    SOURCE_ID,
    TIME_FIELDS,
    Mapping,
)
from ticketdesk.domain.import_timeline import Timeline, make_sound
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services.importing.sources import EXTRA_CELLS, Row
from ticketdesk.services.importing.times import AmbiguousDate, TimeReader, duration

Problem = tuple[str, str]
"""(kind, detail): the kind groups problems in the dry run."""


@dataclass(frozen=True)
class CustomerRef:
    name: str
    email: str
    company: str
    external_id: str | None


@dataclass
class Fields:
    """A row as read: times not yet made sound (an event log merges several first)."""

    line: int
    source_id: str
    subject: str = ""
    description: str = ""
    status: Status | None = None
    priority: Priority | None = None
    category: str = ""
    customer: CustomerRef | None = None
    assignees: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    times: dict[str, int | None] = field(default_factory=dict)
    durations: dict[str, int] = field(default_factory=dict)
    resolution: str = ""
    custom: tuple[tuple[str, str], ...] = ()
    """(custom field name, cell) of the columns mapped to "field:Name"."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[int, str, str | None, str | None]] = field(default_factory=list)
    """(at, activity kind, old, new): an event log's changes."""
    lines: tuple[int, ...] = ()

    @property
    def moment(self) -> int | None:
        """When this row happened: its update time, else its latest time."""
        known = [t for t in self.times.values() if t is not None]
        return self.times.get("updated_at") or (max(known) if known else None)


@dataclass(frozen=True)
class Incoming:
    """A ticket ready to write."""

    line: int
    source_id: str
    subject: str
    description: str
    status: Status
    priority: Priority
    category: str
    customer: CustomerRef | None
    assignees: tuple[str, ...]
    tags: tuple[str, ...]
    timeline: Timeline
    resolution: str
    messages: tuple[Any, ...] = ()
    """Raw nested messages, then `conversations.MessageIn` once read."""
    history: tuple[tuple[int, str, str | None, str | None], ...] = ()
    custom: tuple[tuple[str, str], ...] = ()


def _split(value: str, spaces: bool) -> list[str]:
    for sep in (",", ";"):
        if sep in value:
            return [p.strip() for p in value.split(sep) if p.strip()]
    return value.split() if spaces else [value.strip()]


class Converter:
    def __init__(self, mapping: Mapping, reader: TimeReader, now: int,
                 highest_priority: int = 4) -> None:
        self.mapping = mapping
        self.reader = reader
        self.now = now
        self.highest = highest_priority
        cols = mapping.columns
        self._one = {t: h for h, t in cols.items()}
        self._tags = mapping.columns_for(ADD_AS_TAG)
        self._append = mapping.columns_for(APPEND_TO_DESCRIPTION)
        self._custom = [(h, t[len(CUSTOM_FIELD):]) for h, t in cols.items()
                        if t.startswith(CUSTOM_FIELD)]
        self._space_tags = mapping.system in ("zendesk", "rt")
        self._statuses: dict[str, Status | None] = {}  # a file has a handful of values
        self._priorities: dict[str, Priority | None] = {}

    def _get(self, row: Row, target: str) -> str | None:
        header = self._one.get(target)
        return row.get(header) if header is not None else None

    def fields(self, line: int, row: Row,
               messages: list[dict[str, Any]] | None = None) -> Fields | list[Problem]:
        problems: list[Problem] = []
        if EXTRA_CELLS in row:
            return [("more cells than the header has columns", "")]
        get = self._get

        def check(kind: str, parse: Any, default: Any) -> Any:
            try:
                return parse()
            except AmbiguousDate as exc:
                problems.append(("day and month order ambiguous (say --day-first or "
                                 "--month-first)", str(exc)))
            except ValidationError as exc:
                problems.append((kind, str(exc).rstrip(".")))
            return default

        source_id = get(row, SOURCE_ID) or content_id(row)
        f = Fields(line=line, source_id=source_id, lines=(line,), messages=messages or [])
        f.subject = check("subject not usable",
                          lambda: text.optional_line(get(row, "subject"), "subject",
                                                     text.SUBJECT_MAX), "")
        description = get(row, "description") or ""
        extra = [f"{h}: {row[h]}" for h in self._append if row.get(h)]
        if extra:
            description = "\n".join([description, "", *extra] if description else extra)
        f.description = check("description not usable",
                              lambda: text.body(description, "description", required=False), "")
        self._values(row, f, problems)
        f.category = check("category not usable",
                           lambda: text.optional_line(get(row, "category"), "category",
                                                      text.CATEGORY_MAX), "")
        f.custom = tuple((name, cell) for h, name in self._custom
                         if (cell := (row.get(h) or "").strip()))
        f.resolution = check("resolution not usable",
                             lambda: text.body(get(row, "resolution"), "resolution",
                                               required=False), "")
        name = get(row, "customer")
        email = get(row, "customer_email")
        company = get(row, "customer_company")
        external = get(row, "customer_external_id")
        shown = name or email or external or company
        if shown:
            f.customer = check("customer not usable", lambda: CustomerRef(
                text.name(shown, "customer's name"), text.email(email or ""),
                text.optional_line(company, "company"),
                text.optional_line(external, "external customer ID") or None), None)
        if (value := get(row, "assignees")) is not None:
            f.assignees = tuple(dict.fromkeys(
                check("agent name not usable", lambda n=n: text.name(n, "agent's name"), "")
                for n in _split(value, False)))
        tags: list[str] = []
        if (value := get(row, "tags")) is not None:
            tags += _split(value, self._space_tags)
        tags += [v for h in self._tags if (v := row.get(h))]
        f.tags = tuple(t for t in dict.fromkeys(
            check("tag not usable", lambda t=t: text.tag(t), "") for t in tags) if t)
        for target in TIME_FIELDS:
            value = get(row, target)
            f.times[target] = None if value is None else check(
                "time not readable", lambda v=value, t=target: self.reader.read(
                    v, t.replace("_at", " time").replace("_", " ")), None)
        for target, (time_field, unit) in DURATIONS.items():
            if (value := get(row, target)) is not None:
                seconds = check("duration not readable",
                                lambda v=value, u=unit, t=target: duration(
                                    v, u, t.replace("_", " ")), None)
                if seconds is not None:
                    f.durations[time_field] = seconds
        return problems or f

    def _values(self, row: Row, f: Fields, problems: list[Problem]) -> None:
        """Status and priority, each distinct value of the file mapped once."""
        if (value := self._get(row, "status")) is not None:
            if value not in self._statuses:
                self._statuses[value] = self.mapping.status(value)
            f.status = self._statuses[value]
            if f.status is None:
                problems.append(("unknown status", repr(value)))
        if (value := self._get(row, "priority")) is not None:
            if value not in self._priorities:
                self._priorities[value] = self.mapping.priority(value, self.highest)
            f.priority = self._priorities[value]
            if f.priority is None:
                problems.append(("unknown priority", repr(value)))

    def ticket(self, f: Fields) -> Incoming | list[Problem]:
        """The ticket, with a sound timeline, or why it cannot be imported."""
        problems: list[Problem] = []
        subject = f.subject or text.one_line(f.description.split("\n", 1)[0], "subject",
                                             required=False, max_len=text.SUBJECT_MAX)
        if not subject:
            problems.append(("no subject", "the subject (and description) is empty"))
        status = f.status if f.status is not None else Status.OPEN
        times = dict(f.times)
        created = times.get("created_at")
        if f.durations:
            base = created if created is not None else min(
                [t for t in times.values() if t is not None], default=None)
            if base is None:
                problems.append(("duration without a creation time",
                                 "a duration counts from the creation time, which is missing"))
            else:
                for target, seconds in f.durations.items():
                    if times.get(target) is None:
                        times[target] = base + seconds
        if status.is_active:
            times["resolved_at"] = times["closed_at"] = None  # a reopened ticket has neither
        sound = make_sound(status, created_at=times.get("created_at"),
                           updated_at=times.get("updated_at"),
                           first_response_at=times.get("first_response_at"),
                           resolved_at=times.get("resolved_at"),
                           closed_at=times.get("closed_at"), now=self.now)
        if isinstance(sound, list):
            problems += [(f"times contradict each other: {kind}", "") for kind in sound]
        if f.resolution and status.is_active:
            problems.append(("resolution on an active ticket",
                             f"a {status.label} ticket has no resolution"))
        if problems or isinstance(sound, list):
            return problems
        return Incoming(line=f.line, source_id=f.source_id, subject=subject,
                        description=f.description, status=status,
                        priority=f.priority if f.priority is not None else Priority.MEDIUM,
                        category=f.category, customer=f.customer, assignees=f.assignees,
                        tags=f.tags, timeline=sound, resolution=f.resolution,
                        messages=tuple(f.messages), history=tuple(f.history),
                        custom=f.custom)


def content_id(row: Mapping_[str, str | None]) -> str:
    """A source id for a file without one: the row's own content, so the same row imported
    again is recognised whatever line it is on."""
    digest = hashlib.sha256(json.dumps(sorted((k, v) for k, v in row.items() if v is not None),
                                       ensure_ascii=False).encode()).hexdigest()
    return f"sha256:{digest[:32]}"
