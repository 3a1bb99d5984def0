"""`ticketdesk import tickets FILE.csv`: tickets from the CSV that `export tickets` writes.

What a user moving tickets between desks (or from a spreadsheet) should be able to expect:

- **The file.** UTF-8 with or without a byte order mark, UTF-16, UTF-32 or an old Windows or
  DOS code page (detected, as for any import); the first line names the columns, in
  any order, matched without regard to case. Only `subject` is required; the others are those of
  the export (`services/export.py`), and a column ticketdesk does not know is an error, so a
  misspelt header never drops data silently. Cells the export protected against spreadsheet
  formulas (a leading apostrophe) are restored exactly; lists (assignees, tags) are
  ", "-separated, with names that contain a comma in double quotes (`csv_cells.join_list`).
  The file may
  be a FIFO, `/dev/fd/N` (a shell's process substitution) or "-" (standard input): what can be
  read only once is read to its end into a private temporary file before the desk is locked.
  An older export without the `resolution` column imports as before.
- **All or nothing.** The whole file is checked first and every bad row is reported with the line
  it starts on (a description may span lines) and every problem it has, not only the first; a
  row is checked for everything the writing needs (a customer's name that would be created
  empty included), so the write never fails half-way. If any row is bad nothing is imported,
  unless the user asks to skip bad rows, and then exactly the good ones are, and the bad ones
  are listed.
  The import is one transaction: an interruption, a full disk or a crash leaves the desk as it
  was.
- **Numbers.** A ticket keeps its number (`TKT-000123`) when no ticket of this desk has it, so
  moving a desk into a new one keeps every number people have written down. A number already
  taken gets the next free one, and its old number is recorded in the ticket's activity. A row
  whose number, subject and creation time all match a ticket of this desk was imported before:
  it is counted as already present and not duplicated, so importing a file twice is harmless.
  A row without a number is recognised by a digest of its cells (kept as the ticket's source
  id, migration 11), so it too is imported once however often the file is.
  Numbers are never reused: new ones go above every number the desk ever issued. A number is
  1 to `numbers.MAX_NUMBER` (TKT-999999999), in decimal digits; an import that would need a
  new number above it is refused, so every number a desk holds exports and imports again.
- **Customers** are found by external id, then by email (ignoring case), then, for a row that
  gives only a name, by name when exactly one customer has it; otherwise a customer is created.
  An existing customer's details are never changed by an import.
- **Agents** are found by name, ignoring case (inactive ones too, to keep history). An unknown
  agent is created, so a team moving its desk keeps who worked on what; the result lists the
  agents created, so a misspelt name is seen at once.
- **Tags** are created as needed, like when typed; a tag cannot hold a comma, so a quoted
  `"a,b"` is a bad row, never split into two tags.
- **Times** are ISO 8601 (`2026-03-31T14:05:00Z`; without an offset, UTC), within the years
  1970 to 9999 in UTC (`clock.EARLIEST`..`clock.LATEST`: what the desk shows and computes with).
  Timelines are made sound as for any import (`domain.import_timeline`): an empty creation time
  is the earliest time of the row (now only when it has none), the update time the latest; a
  Resolved or Closed ticket without its time gets the latest, an open one has none; a row whose
  times contradict each other (anything before creation, closed before resolved) is a bad row.
- **Resolution**: how a Resolved or Closed ticket was resolved. An active ticket with one is a
  bad row (the desk clears the resolution on a reopen), rather than text dropped silently.
- **Audit.** Every imported ticket gets one `imported` activity row (with its number in the file),
  and the full-text index covers it before the transaction commits.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

from peewee import fn

from ticketdesk.db import id_sequence
from ticketdesk.db.models import Activity, Agent, Customer, Ticket, TicketAssignee, TicketTag
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.clock import EARLIEST, LATEST, parse_utc
from ticketdesk.domain.errors import InvalidRowsError, ValidationError
from ticketdesk.domain.import_timeline import Timeline, make_sound
from ticketdesk.domain.numbers import MAX_NUMBER, format_number, is_valid, parse_number
from ticketdesk.domain.progress import Cancelled, Progress
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import categories, custom_fields
from ticketdesk.services.changes import Changes
from ticketdesk.services.csv_cells import restore, split_list
from ticketdesk.services.custom_fields import FIELD_PREFIX
from ticketdesk.services.customer_addresses import find_by_email, remember_primary
from ticketdesk.services.export import COLUMNS
from ticketdesk.services.importing.convert import content_id
from ticketdesk.services.output_file import reason
from ticketdesk.services.session import Session
from ticketdesk.services.tickets import tag_ids

CHUNK = 500
STDIN = "-"
OWN_SYSTEM = "ticketdesk-csv"
"""The source system of a row imported without a number (its source id: a digest)."""
SPOOL_CHUNK = 1024 * 1024
_T = TypeVar("_T")
FIELD_LIMIT = 16 * 1024 * 1024  # characters in one cell; a description may be 1,000,000
_PROTECTED = frozenset({"subject", "category", "customer", "customer_email", "customer_company",
                        "customer_external_id", "assignees", "tags", "description",
                        "resolution"})


class ImportCancelled(Cancelled):
    def __init__(self) -> None:
        super().__init__("Import cancelled; nothing was imported.")


@dataclass(frozen=True)
class ImportResult:
    imported: int
    renumbered: int
    """Tickets whose number was taken in this desk, so they got a new one."""
    already_present: int
    """Rows skipped because the same ticket is already in this desk."""
    skipped: tuple[tuple[int, str], ...]
    """Bad rows left out with --skip-bad-rows: (line, why)."""
    customers_created: int
    agents_created: tuple[str, ...]
    seconds: float
    changes: Changes = field(default_factory=lambda: Changes(everything=True))


@dataclass(frozen=True)
class _Customer:
    name: str
    email: str
    company: str
    external_id: str | None


@dataclass(frozen=True)
class _Row:
    line: int
    number: int | None
    subject: str
    description: str
    category: str
    status: Status
    priority: Priority
    customer: _Customer | None
    assignees: tuple[str, ...]
    tags: tuple[str, ...]
    created_at: int
    updated_at: int
    first_response_at: int | None
    resolved_at: int | None
    closed_at: int | None
    resolution: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    """(custom field name, cell) of the `field:` columns (issue 19)."""
    source_id: str | None = None
    """A row without a number: a digest of its cells, so importing it again is recognised."""


# -- reading and checking -----------------------------------------------------------------------

@contextmanager
def _opened(path: Path | str) -> Iterator[BinaryIO]:
    """The file to import, open at its start and readable as often as needed.

    A regular file is read in place. Anything else — a FIFO, `/dev/fd/N` from a process
    substitution, "-" for standard input — can be read only once, so it is read to its end
    into a private temporary file first: the check pass and the write pass then see the same
    bytes, and nothing waits for input while the desk's write lock is held.
    """
    shown = "standard input" if str(path) == STDIN else str(path)
    try:
        if str(path) == STDIN:
            source: BinaryIO = sys.stdin.buffer
            owned = False
        else:
            source = open(Path(path).expanduser(), "rb")  # noqa: SIM115 - closed below
            owned = True
    except (OSError, ValueError) as exc:
        why = reason(exc) if isinstance(exc, OSError) else str(exc)
        raise ValidationError(f"Cannot read {shown}: {why}.") from None
    try:
        if _is_regular(source):
            yield source
            return
        with tempfile.TemporaryFile(prefix="ticketdesk-import-") as copy:
            try:
                shutil.copyfileobj(source, copy, SPOOL_CHUNK)
            except OSError as exc:
                raise ValidationError(f"Cannot read {shown}: {reason(exc)}.") from None
            yield cast(BinaryIO, copy)
    finally:
        if owned:
            source.close()


def _is_regular(fh: BinaryIO) -> bool:
    try:
        return stat.S_ISREG(os.fstat(fh.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):
        return False  # a stream without a file behind it: read once, like a pipe


def _encoding(fh: BinaryIO) -> str:
    """The file's encoding, detected as for any import (`importing.sources.detect_encoding`):
    UTF-8 with or without a byte order mark, UTF-16 or UTF-32 (what Excel's "Unicode text"
    writes), or the Windows or DOS code page an older tool saved it in."""
    from ticketdesk.services.importing.sources import SAMPLE, detect_encoding

    fh.seek(0)
    head = fh.read(SAMPLE)
    return detect_encoding(head) if head else "utf-8-sig"


def _records(fh: BinaryIO, encoding: str = "utf-8-sig"
             ) -> Generator[tuple[int, list[str]], None, None]:
    """(line the record starts on, cells) for every non-blank record, the header first, read
    from the start of `fh`. Undecodable bytes survive as surrogates, so the row is reported
    rather than the file."""
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    fh.seek(0)
    if encoding == "utf-8":
        encoding = "utf-8-sig"
    text_in = io.TextIOWrapper(fh, encoding=encoding, errors="surrogateescape", newline="")
    try:
        reader = csv.reader(text_in, strict=True)
        start = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InvalidRowsError([(start, f"this is not valid CSV ({exc})")]) from None
            if cells:
                yield start, cells
            start = reader.line_num + 1
    finally:
        with suppress(ValueError):  # ValueError: the file was closed already
            text_in.detach()  # the file stays open for the next pass


def _header(cells: list[str]) -> list[str]:
    names = [c.strip().lower() for c in cells]
    errors = []
    unknown = [n for n in names if n not in COLUMNS and not n.startswith(FIELD_PREFIX)]
    if unknown:
        errors.append(f"unknown column(s) {', '.join(repr(n) for n in unknown)}; the columns "
                      f"are {', '.join(COLUMNS)}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        errors.append(f"column(s) {', '.join(twice)} appear more than once")
    if "subject" not in names:
        errors.append("there is no subject column (is the first line the header?)")
    if errors:
        raise InvalidRowsError([(1, e) for e in errors])
    return names


def _time(value: str, what: str) -> int | None:
    """An ISO 8601 time within the years 1970 to 9999 (UTC), the window every date function of
    the desk can show and compute with; None when empty."""
    epoch = parse_utc(value, what)
    if epoch is not None and not EARLIEST <= epoch <= LATEST:
        raise ValidationError(f"the {what} {value.strip()!r} is outside the years 1970 to 9999 "
                              "(UTC)")
    return epoch


def _number(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    number = int(value) if value.isdecimal() else parse_number(value)  # "²" is a digit, not
    if number is None or number <= 0:                                 # a decimal one
        raise ValidationError(f"{value!r} is not a ticket number (write TKT-000123, or leave it "
                              "empty for a new number)")
    if not is_valid(number):
        raise ValidationError(f"{value!r} is above the highest ticket number, "
                              f"{format_number(MAX_NUMBER)}")
    return number


class _Problems:
    """Every problem of one row, so the user fixes a row once rather than once per field."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, parse: Callable[[], _T], default: _T) -> _T:
        try:
            return parse()
        except ValidationError as exc:
            self.found.append(str(exc).rstrip("."))
            return default

    def raise_any(self) -> None:
        if self.found:
            raise ValidationError("; ".join(self.found) + ".")


def _parse(cells: dict[str, str], line: int, now: int) -> _Row:
    """The row, with every check the writing pass relies on (a name the customer or agent
    would be created with is checked here, so a row can never fail half-way through the
    write); every problem of the row is reported at once."""
    p = _Problems()
    for name, value in cells.items():
        if any("\udc80" <= ch <= "\udcff" for ch in value):
            p.found.append(f"the {name} is not valid text in the file's encoding; save the "
                           "file as UTF-8")
    get = cells.get
    status = p.check(lambda: Status.parse(get("status", "").strip() or Status.OPEN), Status.OPEN)
    priority = p.check(lambda: Priority.parse(get("priority", "").strip() or Priority.MEDIUM),
                       Priority.MEDIUM)
    cname = p.check(lambda: text.optional_line(get("customer", ""), "customer's name"), "")
    cemail = p.check(lambda: text.email(get("customer_email", "")), "")
    ccompany = p.check(lambda: text.optional_line(get("customer_company", ""), "company"), "")
    cext = p.check(lambda: text.optional_line(get("customer_external_id", ""),
                                              "external customer ID"), "") or None
    customer = None
    shown_as = cname or cemail or cext or ccompany
    if shown_as:
        customer = _Customer(p.check(lambda: text.name(shown_as, "customer's name"), ""),
                             cemail, ccompany, cext)
    created = p.check(lambda: _time(get("created_at", ""), "created_at time"), None)
    updated = p.check(lambda: _time(get("updated_at", ""), "updated_at time"), None)
    first = p.check(lambda: _time(get("first_response_at", ""), "first_response_at time"), None)
    resolved = p.check(lambda: _time(get("resolved_at", ""), "resolved_at time"), None)
    closed = p.check(lambda: _time(get("closed_at", ""), "closed_at time"), None)
    if status.is_active:
        resolved = closed = None  # as a reopen leaves it
    sound = make_sound(status, created_at=created, updated_at=updated, first_response_at=first,
                       resolved_at=resolved, closed_at=closed, now=now)
    if isinstance(sound, list):
        p.found += [f"the times contradict each other: {kind}" for kind in sound]
        sound = Timeline(now, now, None, None, None)  # the row is refused below
    resolution = p.check(lambda: text.body(get("resolution", ""), "resolution", required=False),
                         "")
    if resolution and status.is_active:
        p.found.append(f"a {status.label} ticket has no resolution (a reopen clears it); make "
                       "it Resolved or Closed, or empty the resolution")
    row = _Row(
        line=line,
        number=p.check(lambda: _number(get("number", "")), None),
        subject=p.check(lambda: text.subject(get("subject", "")), ""),
        description=p.check(lambda: text.body(get("description", ""), "description",
                                              required=False), ""),
        category=p.check(lambda: text.optional_line(get("category", ""), "category",
                                                    text.CATEGORY_MAX), ""),
        status=status,
        priority=priority,
        customer=customer,
        assignees=tuple(dict.fromkeys(p.check(partial(text.name, n, "agent's name"), "")
                                      for n in split_list(get("assignees", "")))),
        # each tag as the cell lists it: a quoted "a,b" is one (bad) tag, never split in two
        tags=tuple(dict.fromkeys(p.check(partial(text.tag, t), "")
                                 for t in split_list(get("tags", "")))),
        created_at=sound.created_at,
        updated_at=sound.updated_at,
        first_response_at=sound.first_response_at,
        resolved_at=sound.resolved_at,
        closed_at=sound.closed_at,
        resolution=resolution,
        fields=tuple((n[len(FIELD_PREFIX):], v) for n, v in cells.items()
                     if n.startswith(FIELD_PREFIX) and v.strip()),
    )
    p.raise_any()
    return row


def _rows(fh: BinaryIO, name: str, now: int) -> Generator[tuple[int, _Row | str], None, None]:
    """Every record as (line, row) or (line, what is wrong with it)."""
    with closing(_records(fh, _encoding(fh))) as records:
        yield from _checked(records, name, now)


def _checked(records: Iterator[tuple[int, list[str]]], name: str,
             now: int) -> Iterator[tuple[int, _Row | str]]:
    first = next(records, None)
    if first is None:
        raise ValidationError(f"{name} is empty; nothing was imported.")
    names = _header(first[1])
    seen: set[int] = set()
    twins: dict[str, int] = {}
    for line, cells in records:
        if len(cells) != len(names):
            yield line, (f"this row has {len(cells)} cells but the header names {len(names)} "
                         "columns")
            continue
        values = {n: restore(c) if n in _PROTECTED or n.startswith(FIELD_PREFIX) else c
                  for n, c in zip(names, cells, strict=True)}
        try:
            row = _parse(values, line, now)
        except ValidationError as exc:
            yield line, str(exc)
            continue
        if row.number is not None:
            if row.number in seen:
                yield line, f"{format_number(row.number)} appears more than once in the file"
                continue
            seen.add(row.number)
        else:
            digest = content_id(values)
            twins[digest] = twins.get(digest, 0) + 1
            if twins[digest] > 1:  # the same row twice is two tickets, both recognised again
                digest += f"/{twins[digest]}"
            row = replace(row, source_id=digest)
        yield line, row


# -- writing --------------------------------------------------------------------------------

class _People:
    """Customers and agents found or created during one import (inside its transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.customers: dict[_Customer, int] = {}
        self.customers_created = 0
        self.agents: dict[str, int] = {}
        self.agents_created: list[str] = []

    def customer(self, c: _Customer) -> int:
        if c not in self.customers:
            self.customers[c] = self._find(c) or self._create(c)
        return self.customers[c]

    def _find(self, c: _Customer) -> int | None:
        if c.external_id:
            found = Customer.select(Customer.id).where(Customer.external_id == c.external_id)
            if (cid := found.scalar()) is not None:
                return int(cid)
        if c.email:
            found = find_by_email(c.email)  # any of a customer's addresses
            if found is not None and c.external_id and Customer.select(
                    Customer.external_id).where(Customer.id == found).scalar() is not None:
                return None  # someone with another external id is someone else
            return found
        if c.external_id:
            return None
        named = [cid for (cid,) in Customer.select(Customer.id)
                 .where(fn.lower(Customer.name) == fn.lower(c.name)).limit(2).tuples()]
        return int(named[0]) if len(named) == 1 else None

    def _create(self, c: _Customer) -> int:
        self.customers_created += 1
        customer_id = int(Customer.insert(
            name=text.name(c.name, "customer's name"), email=c.email, company=c.company,
            external_id=c.external_id, created_at=self.session.now()).execute())
        remember_primary(customer_id, c.email)
        return customer_id

    def agent(self, name: str) -> int:
        """The agent called `name`, ignoring case as the desk's unique index does (SQL lower()),
        created if there is none."""
        if name not in self.agents:
            found = Agent.select(Agent.id).where(fn.lower(Agent.name) == fn.lower(name)).scalar()
            if found is None:
                found = Agent.insert(name=name, email="", active=True,
                                     created_at=self.session.now()).execute()
                self.agents_created.append(name)
            self.agents[name] = int(found)
        return self.agents[name]


@dataclass
class _Tally:
    imported: int = 0
    renumbered: int = 0
    already_present: int = 0


def _write_chunk(session: Session, rows: list[_Row], people: _People, next_id: list[int],
                 tally: _Tally) -> None:
    wanted = [r.number for r in rows if r.number is not None]
    existing = {tid: (subject, created) for tid, subject, created in
                Ticket.select(Ticket.id, Ticket.subject, Ticket.created_at)
                .where(Ticket.id.in_(wanted)).tuples()} if wanted else {}
    digests = [r.source_id for r in rows if r.source_id is not None]
    imported = {sid for (sid,) in Ticket.select(Ticket.source_id).where(
        Ticket.source_system == OWN_SYSTEM, Ticket.source_id.in_(digests)).tuples()} \
        if digests else set()
    tickets: list[dict[str, Any]] = []
    links: list[tuple[int, _Row]] = []
    for row in rows:
        if row.source_id is not None and row.source_id in imported:
            tally.already_present += 1
            continue
        if row.number is not None and row.number in existing:
            if existing[row.number] == (row.subject, row.created_at):
                tally.already_present += 1
                continue
            tid = next_id[0]
            next_id[0] += 1
            tally.renumbered += 1
        elif row.number is not None:
            tid = row.number
        else:
            tid = next_id[0]
            next_id[0] += 1
        customer = people.customer(row.customer) if row.customer else None
        tickets.append({
            "id": tid, "subject": row.subject, "description": row.description,
            "status": int(row.status), "priority": int(row.priority), "category": row.category,
            "customer": customer, "created_at": row.created_at, "updated_at": row.updated_at,
            "first_response_at": row.first_response_at, "resolved_at": row.resolved_at,
            "closed_at": row.closed_at, "resolution": row.resolution, "version": 1,
            "source_system": OWN_SYSTEM if row.source_id is not None else None,
            "source_id": row.source_id})
        links.append((tid, row))
    if not tickets:
        return
    Ticket.insert_many(tickets).execute()
    names = [t for _, row in links for t in row.tags]
    ids, _ = tag_ids(names)
    tag_rows = [{"ticket": tid, "tag": ids[t]} for tid, row in links for t in row.tags]
    if tag_rows:
        TicketTag.insert_many(tag_rows).execute()
    assignee_rows = [{"ticket": tid, "agent": agent}  # "Ann" and "ann" may be one agent
                     for tid, row in links
                     for agent in dict.fromkeys(people.agent(n) for n in row.assignees)]
    if assignee_rows:
        TicketAssignee.insert_many(assignee_rows).execute()
    custom_fields.import_values((tid, row.line, row.fields) for tid, row in links if row.fields)
    now = session.now()
    Activity.insert_many([
        {"ticket": tid, "agent": session.agent_id, "at": now, "kind": ActivityKind.IMPORTED.value,
         "old": format_number(row.number) if row.number is not None else None, "new": None,
         "ref_id": None, "ticket_version": 1}
        for tid, row in links]).execute()
    session.store.reindex([tid for tid, _ in links])
    tally.imported += len(links)


def import_tickets(session: Session, path: Path | str, *, skip_bad_rows: bool = False,
                   progress: Progress | None = None) -> ImportResult:
    """Import every ticket of the CSV file at `path` ("-": standard input) in one transaction
    (see the module docstring for how numbers, customers, agents and times are mapped). Bad
    rows raise InvalidRowsError with their lines and nothing is imported, unless
    `skip_bad_rows`."""
    started = time.perf_counter()
    name = "standard input" if str(path) == STDIN else Path(path).name
    now = session.now()
    with _opened(path) as fh:
        errors: list[tuple[int, str]] = []
        good = 0
        highest = 0
        with closing(_rows(fh, name, now)) as checked:
            for line, row in checked:
                if isinstance(row, str):
                    errors.append((line, row))
                else:
                    good += 1
                    highest = max(highest, row.number or 0)
        if errors and not skip_bad_rows:
            raise InvalidRowsError(errors, good)
        tally = _Tally()
        with session.store.write():
            people = _People(session)
            next_id = [max(id_sequence.next_ticket_id(session.store), highest + 1)]
            chunk: list[_Row] = []
            done = 0
            with closing(_rows(fh, name, now)) as again:
                for _line, row in again:
                    if isinstance(row, str):
                        continue
                    chunk.append(row)
                    if len(chunk) == CHUNK:
                        _write_chunk(session, chunk, people, next_id, tally)
                        done += len(chunk)
                        chunk = []
                        if progress is not None and progress(done, good, "") is False:
                            raise ImportCancelled()
            if chunk:
                _write_chunk(session, chunk, people, next_id, tally)
            categories.adopt_all(session)  # the file's categories join the desk's list
            if not is_valid(next_id[0] - 1):
                raise ValidationError(
                    f"The tickets of {name} would need numbers above "
                    f"{format_number(MAX_NUMBER)}, the highest there is; nothing was imported.")
            id_sequence.after_explicit_ids(session.store)
    return ImportResult(
        imported=tally.imported, renumbered=tally.renumbered,
        already_present=tally.already_present, skipped=tuple(errors),
        customers_created=people.customers_created, agents_created=tuple(people.agents_created),
        seconds=time.perf_counter() - started)
