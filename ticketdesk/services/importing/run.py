"""The import itself: every sound ticket of the file written in one transaction, in chunks,
with progress and cancel, on SQLite and PostgreSQL.

- **Idempotent.** Each ticket records its source system and source id (a column of the file,
  or a digest of the row's content when the file has none); a ticket already in the desk with
  the same pair is left as it is — counted as already present, neither updated nor added — so
  importing a file again changes nothing, whatever columns it has.
- **All or nothing.** The file is checked first (`check.dry_run`'s passes); a file with
  problems imports nothing unless the user asks to skip bad tickets, and then exactly the
  sound ones are, and the others are listed. Cancel, a full disk or a crash leaves the desk
  as it was.
- Customers and agents are found or created as `services/importer` does; each ticket gets an
  `imported` activity row (old: "system:id"), its event history (at the events' times) and
  its conversation (messages, notes) with their activity rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ticketdesk.db import id_sequence
from ticketdesk.db.models import Activity, Message, Note, Ticket, TicketAssignee, TicketTag
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import InvalidRowsError, ValidationError
from ticketdesk.domain.import_mapping import Mapping
from ticketdesk.services.changes import Changes
from ticketdesk.services.importer import ImportCancelled, _Customer, _People
from ticketdesk.services.importing import plan
from ticketdesk.services.importing.conversations import MessageIn
from ticketdesk.services.importing.convert import Incoming
from ticketdesk.services.importing.sources import Source
from ticketdesk.services.session import Session
from ticketdesk.services.tickets import tag_ids

CHUNK = 500
Progress = Callable[[int, int], bool | None]


@dataclass(frozen=True)
class Result:
    imported: int
    already_present: int
    skipped: tuple[tuple[int, str], ...]
    customers_created: int
    agents_created: tuple[str, ...]
    messages: int
    seconds: float
    changes: Changes = field(default_factory=lambda: Changes(everything=True))


def import_(session: Session, source: Source, mapping: Mapping, *, source_system: str,
            timezone: str | None = None, skip_bad_rows: bool = False,
            conversations: Path | str | None = None,
            progress: Progress | None = None) -> Result:
    """Import the tickets of `source` under `mapping` (see the module docstring). Problems
    raise InvalidRowsError (line, what) and nothing is imported, unless `skip_bad_rows`.
    `progress(done, total)` returning False cancels (ImportCancelled, nothing imported)."""
    started = time.perf_counter()
    mapping.check()
    if not source_system.strip():
        raise ValidationError("Name the source system (--source-system).")
    now = session.now()
    found = plan.survey(source, mapping)
    reader = plan.reader_for(mapping, found, timezone)
    messages, bad_messages = plan.load_messages(conversations, reader)
    errors: list[tuple[int, str]] = [(line, f"conversations file: {why}")
                                     for line, why in bad_messages]
    good = 0
    for lines, result in plan.prepared(source, mapping, found, reader, now, messages):
        if isinstance(result, list):
            errors.append((lines[0], "; ".join(f"{k}: {d}" if d else k for k, d in result)))
        else:
            good += 1
    if errors and not skip_bad_rows:
        raise InvalidRowsError(sorted(errors), good)
    tally = {"imported": 0, "present": 0, "messages": 0}
    with session.store.write():
        people = _People(session)
        next_id = [id_sequence.next_ticket_id(session.store)]
        chunk: list[Incoming] = []
        done = 0
        for _lines, result in plan.prepared(source, mapping, found, reader, now, messages):
            if isinstance(result, list):
                continue
            chunk.append(result)
            if len(chunk) == CHUNK:
                _write(session, source_system, chunk, people, next_id, tally)
                done += len(chunk)
                chunk = []
                if progress is not None and progress(done, good) is False:
                    raise ImportCancelled()
        if chunk:
            _write(session, source_system, chunk, people, next_id, tally)
        id_sequence.after_explicit_ids(session.store)
    return Result(imported=tally["imported"], already_present=tally["present"],
                  skipped=tuple(sorted(errors)), customers_created=people.customers_created,
                  agents_created=tuple(people.agents_created), messages=tally["messages"],
                  seconds=time.perf_counter() - started)


def _write(session: Session, system: str, chunk: list[Incoming], people: _People,
           next_id: list[int], tally: dict[str, int]) -> None:
    present = {sid for (sid,) in Ticket.select(Ticket.source_id)
               .where(Ticket.source_system == system,
                      Ticket.source_id.in_([t.source_id for t in chunk])).tuples()}
    rows: list[dict[str, Any]] = []
    links: list[tuple[int, Incoming]] = []
    for t in chunk:
        if t.source_id in present:
            tally["present"] += 1
            continue
        tid = next_id[0]
        next_id[0] += 1
        c = t.customer
        customer = people.customer(_Customer(c.name, c.email, c.company, c.external_id)) \
            if c is not None else None
        tl = t.timeline
        rows.append({"id": tid, "subject": t.subject, "description": t.description,
                     "status": int(t.status), "priority": int(t.priority),
                     "category": t.category, "customer": customer,
                     "created_at": tl.created_at, "updated_at": tl.updated_at,
                     "first_response_at": tl.first_response_at, "resolved_at": tl.resolved_at,
                     "closed_at": tl.closed_at, "resolution": t.resolution, "version": 1,
                     "source_system": system, "source_id": t.source_id})
        links.append((tid, t))
    if not rows:
        return
    Ticket.insert_many(rows).execute()
    ids, _ = tag_ids([tag for _, t in links for tag in t.tags])
    tag_rows = [{"ticket": tid, "tag": ids[tag]} for tid, t in links for tag in t.tags]
    if tag_rows:
        TicketTag.insert_many(tag_rows).execute()
    assignees = [{"ticket": tid, "agent": agent} for tid, t in links
                 for agent in dict.fromkeys(people.agent(n) for n in t.assignees)]
    if assignees:
        TicketAssignee.insert_many(assignees).execute()
    now = session.now()
    activity: list[dict[str, Any]] = []
    for tid, t in links:
        activity.append({"ticket": tid, "agent": session.agent_id, "at": now,
                         "kind": ActivityKind.IMPORTED.value, "old": f"{system}:{t.source_id}",
                         "new": None, "ref_id": None, "ticket_version": 1})
        activity += [{"ticket": tid, "agent": None, "at": at, "kind": kind, "old": old,
                      "new": new, "ref_id": None, "ticket_version": 1}
                     for at, kind, old, new in t.history]
        for m in t.messages:
            activity.append(_message(tid, t, m, people))
            tally["messages"] += 1
    for start in range(0, len(activity), CHUNK):
        Activity.insert_many(activity[start:start + CHUNK]).execute()
    session.store.reindex([tid for tid, _ in links])
    tally["imported"] += len(links)


def _message(tid: int, t: Incoming, m: MessageIn, people: _People) -> dict[str, Any]:
    """Write one message or note; its activity row (returned) is written with the chunk's."""
    at = m.at if m.at is not None else t.timeline.created_at
    agent = people.agent(m.author) if m.author and not m.customer else None
    if m.public:
        ref = int(Message.insert(ticket=tid, incoming=m.customer, agent=agent, body=m.body,
                                 created_at=at).execute())
        kind = ActivityKind.MESSAGE_IN if m.customer else ActivityKind.MESSAGE_OUT
        new = m.body[:200]
    else:
        ref = int(Note.insert(ticket=tid, author=agent, body=m.body, created_at=at,
                              updated_at=at).execute())
        kind, new = ActivityKind.NOTE_ADDED, m.body
    return {"ticket": tid, "agent": agent, "at": at, "kind": kind.value, "old": None,
            "new": new, "ref_id": ref, "ticket_version": 1}
