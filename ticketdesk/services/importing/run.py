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
- Customers are found as `services/importer` finds them (external id, then email, then a
  name only one customer has, ignoring case), from one read of the desk's customers rather
  than a query per row, and created in one statement per chunk; agents are found or created
  by name. Each ticket gets an
  `imported` activity row (old: "system:id"), its event history (at the events' times) and
  its conversation (messages, notes) with their activity rows.
- **Routing is asked for, not assumed** (`route=True`, `ticketdesk import --route`): an import
  is mostly history, its tickets already assigned or long resolved, and routing them would
  rewrite who worked on what. When asked, the imported tickets that are still open (Open, In
  Progress, Waiting) and came without assignees pass through the routing rules with channel
  `import`, chunk by chunk in the import's transaction (services/routing.route_many), each with
  its `routed` activity row; resolved, closed and assigned tickets never are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ticketdesk.db import id_sequence
from ticketdesk.db.models import Customer, CustomerAddress, Message, Note, Ticket
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import InvalidRowsError, ValidationError
from ticketdesk.domain.import_mapping import Mapping
from ticketdesk.domain.progress import Progress
from ticketdesk.services import categories, custom_fields
from ticketdesk.services.changes import Changes
from ticketdesk.services.customer_addresses import remember_primaries
from ticketdesk.services.importer import ImportCancelled, _People
from ticketdesk.services.importing import plan
from ticketdesk.services.importing.conversations import MessageIn
from ticketdesk.services.importing.convert import CustomerRef, Incoming
from ticketdesk.services.importing.sources import Source
from ticketdesk.services.session import Session
from ticketdesk.services.tickets import tag_ids

CHUNK = 500
IMPORT_CHANNEL = "import"
"""The channel routing rules see for imported tickets."""


@dataclass(frozen=True)
class Result:
    imported: int
    already_present: int
    skipped: tuple[tuple[int, str], ...]
    customers_created: int
    agents_created: tuple[str, ...]
    messages: int
    seconds: float
    routed: int = 0
    """Open, unassigned imported tickets the routing rules assigned (`route=True`)."""
    changes: Changes = field(default_factory=lambda: Changes(everything=True))


def import_(session: Session, source: Source, mapping: Mapping, *, source_system: str,
            timezone: str | None = None, skip_bad_rows: bool = False,
            conversations: Path | str | None = None,
            progress: Progress | None = None, route: bool = False) -> Result:
    """Import the tickets of `source` under `mapping` (see the module docstring). Problems
    raise InvalidRowsError (line, what) and nothing is imported, unless `skip_bad_rows`.
    `progress(done, total, phase)` returning False cancels (ImportCancelled, nothing imported)."""
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
    tally = {"imported": 0, "present": 0, "messages": 0, "routed": 0}
    with session.store.write():
        people = _People(session)
        directory = _Directory(now)
        next_id = [id_sequence.next_ticket_id(session.store)]
        chunk: list[Incoming] = []
        done = 0
        for _lines, result in plan.prepared(source, mapping, found, reader, now, messages):
            if isinstance(result, list):
                continue
            chunk.append(result)
            if len(chunk) == CHUNK:
                _write(session, source_system, chunk, people, directory, next_id, tally,
                       route=route)
                done += len(chunk)
                chunk = []
                if progress is not None and progress(done, good, "") is False:
                    raise ImportCancelled()
        if chunk:
            _write(session, source_system, chunk, people, directory, next_id, tally,
                   route=route)
        categories.adopt_all(session)  # the file's categories join the desk's list
        id_sequence.after_explicit_ids(session.store)
    return Result(imported=tally["imported"], already_present=tally["present"],
                  skipped=tuple(sorted(errors)), customers_created=directory.created,
                  agents_created=tuple(people.agents_created), messages=tally["messages"],
                  seconds=time.perf_counter() - started, routed=tally["routed"])


class _Directory:
    """The desk's customers, read once, found as `services/importer._People` finds them."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.created = 0
        self.known: dict[CustomerRef, int] = {}
        self.loaded = False
        self.by_external: dict[str, int] = {}
        self.by_email: dict[str, list[tuple[int, bool]]] = {}
        self.by_name: dict[str, list[int]] = {}

    def _load(self) -> None:
        for cid, name, email, external in Customer.select(
                Customer.id, Customer.name, Customer.email, Customer.external_id) \
                .order_by(Customer.id).tuples():
            self._add(int(cid), name, email, external)
        # Every other address of a customer finds them too (services/customer_addresses.py).
        for cid, key, external in CustomerAddress.select(
                CustomerAddress.customer, CustomerAddress.email_key, Customer.external_id) \
                .join(Customer).order_by(CustomerAddress.id).tuples():
            holders = self.by_email.setdefault(key, [])
            if all(h != cid for h, _ in holders):
                holders.append((int(cid), external is not None))
        self.loaded = True

    def _add(self, cid: int, name: str, email: str, external: str | None) -> None:
        if external:
            self.by_external[external] = cid
        if email:
            self.by_email.setdefault(email.lower(), []).append((cid, external is not None))
        self.by_name.setdefault(name.lower(), []).append(cid)

    def _find(self, c: CustomerRef) -> int | None:
        if c.external_id and c.external_id in self.by_external:
            return self.by_external[c.external_id]
        if c.email:
            for cid, has_external in self.by_email.get(c.email.lower(), []):
                if not (c.external_id and has_external):  # another external id: someone else
                    return cid
            return None
        if c.external_id:
            return None
        named = self.by_name.get(c.name.lower(), [])
        return named[0] if len(named) == 1 else None

    def resolve(self, wanted: list[CustomerRef]) -> None:
        """Find or create every customer of a chunk (creating them in one statement)."""
        if not self.loaded:
            self._load()
        new: list[CustomerRef] = []
        for c in dict.fromkeys(wanted):
            if c in self.known:
                continue
            found = self._find(c)
            if found is None:
                new.append(c)
            else:
                self.known[c] = found
        if not new:
            return
        created = Customer.insert_many([
            {"name": c.name, "email": c.email, "company": c.company,
             "external_id": c.external_id, "created_at": self.now} for c in new]).returning(
            Customer.id, Customer.name, Customer.email, Customer.company,
            Customer.external_id).tuples().execute()
        for cid, name, email, company, external in created:
            c = CustomerRef(name, email, company, external)
            self.known[c] = int(cid)
            self._add(int(cid), name, email, external)
        remember_primaries([(int(cid), email) for cid, _, email, _, _ in created])
        self.created += len(new)


_TICKET_COLUMNS = ("id", "subject", "description", "status", "priority", "category",
                   "customer_id", "created_at", "updated_at", "first_response_at",
                   "resolved_at", "closed_at", "resolution", "version", "source_system",
                   "source_id")
_ACTIVITY_COLUMNS = ("ticket_id", "agent_id", "at", "kind", "old", "new", "ref_id",
                     "ticket_version")


def _bulk(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """One multi-row INSERT per CHUNK rows, written as SQL directly: peewee's insert_many
    spends more time building the statement than the database takes to run it. One
    statement per chunk also keeps PostgreSQL's per-statement triggers to one notification."""
    db = Ticket._meta.database
    one = "(" + ", ".join([db.param] * len(columns)) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        db.execute_sql(head + ", ".join([one] * len(part)),
                       [value for row in part for value in row])


def _write(session: Session, system: str, chunk: list[Incoming], people: _People,
           directory: _Directory, next_id: list[int], tally: dict[str, int],
           *, route: bool = False) -> None:
    present = {sid for (sid,) in Ticket.select(Ticket.source_id)
               .where(Ticket.source_system == system,
                      Ticket.source_id.in_([t.source_id for t in chunk])).tuples()}
    rows: list[tuple[Any, ...]] = []
    links: list[tuple[int, Incoming]] = []
    directory.resolve([t.customer for t in chunk
                       if t.customer is not None and t.source_id not in present])
    for t in chunk:
        if t.source_id in present:
            tally["present"] += 1
            continue
        tid = next_id[0]
        next_id[0] += 1
        customer = directory.known[t.customer] if t.customer is not None else None
        tl = t.timeline
        rows.append((tid, t.subject, t.description, int(t.status), int(t.priority),
                     t.category, customer, tl.created_at, tl.updated_at,
                     tl.first_response_at, tl.resolved_at, tl.closed_at, t.resolution, 1,
                     system, t.source_id))
        links.append((tid, t))
    if not rows:
        return
    _bulk("ticket", _TICKET_COLUMNS, rows)
    ids, _ = tag_ids([tag for _, t in links for tag in t.tags])
    _bulk("ticket_tag", ("ticket_id", "tag_id"),
          [(tid, ids[tag]) for tid, t in links for tag in t.tags])
    _bulk("ticket_assignee", ("ticket_id", "agent_id"),
          [(tid, agent) for tid, t in links
           for agent in dict.fromkeys(people.agent(n) for n in t.assignees)])
    now = session.now()
    activity: list[tuple[Any, ...]] = []
    for tid, t in links:
        activity.append((tid, session.agent_id, now, ActivityKind.IMPORTED.value,
                         f"{system}:{t.source_id}", None, None, 1))
        activity += [(tid, None, at, kind, old, new, None, 1)
                     for at, kind, old, new in t.history]
        for m in t.messages:
            activity.append(_message(tid, t, m, people))
            tally["messages"] += 1
    _bulk("activity", _ACTIVITY_COLUMNS, activity)
    custom_fields.import_values((tid, t.line, t.custom) for tid, t in links if t.custom)
    session.store.reindex([tid for tid, _ in links])
    tally["imported"] += len(links)
    if route:
        from ticketdesk.services import routing  # only when routing was asked for

        tally["routed"] += routing.route_many(
            session, [tid for tid, t in links if t.status.is_active and not t.assignees],
            channel=IMPORT_CHANNEL)


def _message(tid: int, t: Incoming, m: MessageIn, people: _People) -> tuple[Any, ...]:
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
    return (tid, agent, at, kind.value, None, new, ref, 1)
