"""The dry run: everything an import would do and every problem it would meet, nothing
written. Problems are grouped by kind with a count and example lines, so a file with 3,000
bad dates says so in one line rather than 3,000."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ticketdesk.domain.import_mapping import IGNORE, Mapping
from ticketdesk.domain.progress import Progress
from ticketdesk.services.importing import plan
from ticketdesk.services.importing.sources import Source

EXAMPLES = 5


@dataclass
class Group:
    kind: str
    count: int = 0
    lines: list[int] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


@dataclass
class Report:
    rows: int
    tickets: int
    """Tickets that would be imported (a group of events is one)."""
    bad_tickets: int
    event_log: bool
    groups: dict[str, Group]
    survey: plan.Survey
    ignored_columns: list[str]
    conversation_problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.groups and not self.conversation_problems

    def lines(self) -> list[str]:
        """The report as a person reads it."""
        out = [f"{self.rows:,} rows → {self.tickets:,} tickets to import"
               + (" (one row per event, grouped by ticket id)" if self.event_log else "")
               + (f", {self.bad_tickets:,} with problems" if self.bad_tickets else "")]
        if self.ignored_columns:
            out.append("Ignored columns: " + ", ".join(self.ignored_columns))
        for group in sorted(self.groups.values(), key=lambda g: -g.count):
            shown = ", ".join(str(n) for n in group.lines)
            more = "" if group.count <= len(group.lines) else ", …"
            detail = f" — e.g. {'; '.join(group.details)}" if any(group.details) else ""
            out.append(f"  {group.kind}: {group.count:,} (lines {shown}{more}){detail}")
        for line, why in self.conversation_problems[:EXAMPLES]:
            out.append(f"  conversations file, line {line}: {why}")
        return out


def dry_run(source: Source, mapping: Mapping, *, now: int, timezone: str | None = None,
            conversations: Path | str | None = None,
            progress: Progress | None = None) -> Report:
    """Every problem of the file under `mapping`, grouped; nothing is written. Safe to call
    from a worker thread (it opens no database). `progress(done, total, phase)` is called every
    1,000 rows; returning False stops early, and the report covers the rows read."""
    mapping.check()
    found = plan.survey(source, mapping)
    reader = plan.reader_for(mapping, found, timezone)
    messages, bad_messages = plan.load_messages(conversations, reader)
    groups: dict[str, Group] = {}
    tickets = bad = done = reported = 0
    for lines, result in plan.prepared(source, mapping, found, reader, now, messages):
        done += len(lines)
        if isinstance(result, list):
            bad += 1
            for kind in dict.fromkeys(k for k, _ in result):  # a ticket counts once a kind
                group = groups.setdefault(kind, Group(kind))
                group.count += 1
                if len(group.lines) < EXAMPLES:
                    group.lines.append(lines[0])
            for kind, detail in result:
                group = groups[kind]
                if detail and len(group.details) < 2 and detail not in group.details:
                    group.details.append(detail)
        else:
            tickets += 1
        if progress is not None and done >= reported + 1000:
            reported = done
            if progress(done, found.rows, "") is False:
                break
    grouped = mapping.event_log if mapping.event_log is not None else found.repeated_ids
    return Report(rows=found.rows, tickets=tickets, bad_tickets=bad, event_log=grouped,
                  groups=groups, survey=found,
                  ignored_columns=[h for h, t in mapping.columns.items() if t == IGNORE],
                  conversation_problems=bad_messages)
