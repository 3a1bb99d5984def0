"""The passes over a file that a dry run and an import share: `survey` (what the file holds:
distinct status and priority values with counts, date order, repeated ids) and `prepared`
(every ticket ready to write, or the problems of its lines)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.import_mapping import SOURCE_ID, TIME_FIELDS, Mapping
from ticketdesk.domain.import_timeline import Timeline
from ticketdesk.services.importing import conversations, events
from ticketdesk.services.importing.convert import Converter, Fields, Incoming, Problem
from ticketdesk.services.importing.sources import Source
from ticketdesk.services.importing.times import DateOrder, TimeReader, detect_order, zone

SAMPLE_DATES = 5000


@dataclass
class Survey:
    rows: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    priorities: Counter[str] = field(default_factory=Counter)
    date_order: dict[str, DateOrder] = field(default_factory=dict)
    highest_priority: int = 4
    repeated_ids: bool = False

    @property
    def day_first(self) -> bool | None:
        decided = {o.day_first for o in self.date_order.values() if o.day_first is not None}
        return decided.pop() if len(decided) == 1 else None


def survey(source: Source, mapping: Mapping) -> Survey:
    """One pass over the file: what the Values and Times pages of the wizard show."""
    result = Survey()
    status_col = next(iter(mapping.columns_for("status")), None)
    priority_col = next(iter(mapping.columns_for("priority")), None)
    id_col = next(iter(mapping.columns_for(SOURCE_ID)), None)
    time_cols = [h for t in TIME_FIELDS for h in mapping.columns_for(t)]
    samples: dict[str, list[str]] = defaultdict(list)
    ids: set[str] = set()
    for _line, row, _ in source.rows():
        result.rows += 1
        if status_col and (v := row.get(status_col)) is not None:
            result.statuses[v] += 1
        if priority_col and (v := row.get(priority_col)) is not None:
            result.priorities[v] += 1
        if id_col and (v := row.get(id_col)) is not None:
            if v in ids:
                result.repeated_ids = True
            ids.add(v)
        for h in time_cols:
            if (v := row.get(h)) is not None and len(samples[h]) < SAMPLE_DATES \
                    and re.match(r"\s*\d{1,2}\D\d{1,2}\D", v):
                samples[h].append(v)
    result.date_order = {h: detect_order(samples.get(h, [])) for h in time_cols}
    numbers = [int(v) for v in result.priorities if v.strip().isdigit()]
    result.highest_priority = max(numbers, default=4)
    return result


def reader_for(mapping: Mapping, found: Survey, timezone: str | None) -> TimeReader:
    day_first = mapping.day_first if mapping.day_first is not None else found.day_first
    return TimeReader(day_first, zone(timezone or mapping.timezone))


def prepared(source: Source, mapping: Mapping, found: Survey, reader: TimeReader, now: int,
             messages: dict[str, list[conversations.MessageIn]] | None = None
             ) -> Iterator[tuple[tuple[int, ...], Incoming | list[Problem]]]:
    """(lines, ticket or problems) for every ticket of the file."""
    converter = Converter(mapping, reader, now, found.highest_priority)
    grouped = mapping.event_log if mapping.event_log is not None else found.repeated_ids
    messages = messages or {}

    def finish(f: Fields) -> Incoming | list[Problem]:
        ticket = converter.ticket(f)
        if isinstance(ticket, list):
            return ticket
        said: list[conversations.MessageIn] = list(messages.get(f.source_id, []))
        try:
            said += [conversations.read_message(m, reader) for m in f.messages]
        except ValidationError as exc:
            return [("message not usable", str(exc).rstrip("."))]
        if not said:
            return ticket
        timeline = ticket.timeline
        first = timeline.first_response_at
        if first is None and (reply := conversations.first_public_reply(said)) is not None:
            first = max(reply, timeline.created_at)
        latest = max([timeline.updated_at, *(m.at for m in said if m.at is not None)])
        return replace(ticket, timeline=Timeline(timeline.created_at, latest, first,
                                                 timeline.resolved_at, timeline.closed_at),
                       messages=tuple(said))

    if not grouped:
        seen: set[str] = set()
        twins: dict[str, int] = {}
        for line, row, nested in source.rows():
            f = converter.fields(line, row, nested)
            if isinstance(f, list):
                yield (line,), f
                continue
            if f.source_id.startswith("sha256:"):  # no id column: the same row twice is two
                twins[f.source_id] = n = twins.get(f.source_id, 0) + 1  # tickets
                if n > 1:
                    f.source_id += f"/{n}"
            if f.source_id in seen:
                yield (line,), [("source id appears more than once", repr(f.source_id))]
                continue
            seen.add(f.source_id)
            yield (line,), finish(f)
        return
    groups: dict[str, list[Fields]] = defaultdict(list)
    for line, row, nested in source.rows():
        f = converter.fields(line, row, nested)
        if isinstance(f, list):
            yield (line,), f
            continue
        groups[f.source_id].append(f)
    for rows in groups.values():
        merged = events.merge(rows)
        yield merged.lines, finish(merged)


def load_messages(path: Path | str | None, reader: TimeReader
                  ) -> tuple[dict[str, list[conversations.MessageIn]], list[tuple[int, str]]]:
    if path is None:
        return {}, []
    return conversations.read_file(path, reader)
