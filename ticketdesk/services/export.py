"""`ticketdesk export tickets`: every matching ticket to CSV, streaming, in constant memory.

The file is written beside its target under a temporary name and renamed when complete, so an
interrupted export never leaves a truncated file that looks finished; it is created private to the
user (it holds the desk's data). A FIFO, a device or "-" (standard output) is written directly;
`services/output_file.py` holds these rules for every export. Times are ISO 8601 UTC. The columns
are the format that `ticketdesk import tickets` reads back.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

from peewee import JOIN

from ticketdesk.db import ticket_query
from ticketdesk.db.models import Customer, Ticket
from ticketdesk.db.store import Store
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.progress import Cancelled, Progress
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import custom_fields
from ticketdesk.services.csv_cells import join_list, neutralise
from ticketdesk.services.output_file import open_output
from ticketdesk.services.sla import sla_columns, sla_export_cells

COLUMNS = (
    "number", "subject", "status", "priority", "category", "customer", "customer_email",
    "customer_company", "customer_external_id", "assignees", "tags", "created_at", "updated_at",
    "first_response_at", "resolved_at", "closed_at", "description", "resolution",
    # SLA (services/sla.py): derived, so `import tickets` reads past them
    "sla_policy", "first_response_due", "resolution_due", "sla_state",
)
CHUNK = 2000


class ExportCancelled(Cancelled):
    def __init__(self) -> None:
        super().__init__("Export cancelled; no file was written.")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float(self.rows)


def _names(store: Store, link: str, other: str, column: str,
           ids: list[int]) -> dict[int, str]:
    """Names of the assignees or tags of the tickets `ids` (ascending), by ticket.

    One query per chunk in the database's own terms: the chunk's id range when it is dense (a
    whole-desk export), else the ids themselves. Through the ORM this was 70 % of the export.
    """
    mark = store.db.param
    lo, hi = ids[0], ids[-1]
    dense = hi - lo < 4 * len(ids)
    where = (f"l.ticket_id BETWEEN {mark} AND {mark}" if dense
             else f"l.ticket_id IN ({', '.join([mark] * len(ids))})")
    rows = store.db.execute_sql(
        f"SELECT l.ticket_id, o.name FROM {link} AS l JOIN {other} AS o ON o.id = l.{column} "
        f"WHERE {where} ORDER BY l.ticket_id, o.name", [lo, hi] if dense else ids)
    found: dict[int, list[str]] = defaultdict(list)
    for tid, name in rows:
        found[tid].append(name)
    return {tid: join_list(names) for tid, names in found.items()}


def _chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ticket_rows(store: Store, f: TicketFilter, tz: tzinfo | None = None) -> Iterator[list[str]]:
    """CSV rows (after the header) for every ticket matching `f`, in number order."""
    iso = store.backend.iso_utc  # times formatted by the database, in C
    query = (Ticket.select(Ticket.id, Ticket.subject, Ticket.status, Ticket.priority,
                           Ticket.category, Customer.name, Customer.email, Customer.company,
                           Customer.external_id, iso(Ticket.created_at),
                           iso(Ticket.updated_at), iso(Ticket.first_response_at),
                           iso(Ticket.resolved_at), iso(Ticket.closed_at), Ticket.description,
                           Ticket.resolution, *sla_columns(iso))
             .join(Customer, JOIN.LEFT_OUTER, on=(Ticket.customer == Customer.id))
             .order_by(Ticket.id))
    now = utc_now()
    sla_cells = sla_export_cells(now)
    condition = ticket_query.filter_condition(f, store.backend, tz, now=now)
    if condition is not None:
        query = query.where(condition)
    status_labels = {int(s): s.label for s in Status}
    priority_labels = {int(p): p.label for p in Priority}
    fields = custom_fields.export_fields()
    for chunk in _chunks(store.stream(query), CHUNK):
        ids = [row[0] for row in chunk]
        values = custom_fields.values_for(ids) if fields else {}
        assignees = _names(store, "ticket_assignee", "agent", "agent_id", ids)
        tags = _names(store, "ticket_tag", "tag", "tag_id", ids)
        for (tid, subject, status, priority, category, cname, cemail, ccompany, cext, created,
             updated, first, resolved, closed, description, resolution, *sla) in chunk:
            yield [
                format_number(tid), neutralise(subject), status_labels[status],
                priority_labels[priority], neutralise(category), neutralise(cname or ""),
                neutralise(cemail or ""), neutralise(ccompany or ""), neutralise(cext or ""),
                neutralise(assignees.get(tid, "")), neutralise(tags.get(tid, "")),
                created, updated, first or "", resolved or "", closed or "",
                neutralise(description), neutralise(resolution), *sla_cells(sla),
                *(neutralise(c) for c in custom_fields.export_cells(fields, values.get(tid, {}))),
            ]


def write_csv(path: Path | str, header: Iterable[str], rows: Iterable[list[str]], *,
              bom: bool = False, total: int = 0, progress: Progress | None = None) -> int:
    """Write rows to `path` (a file, a FIFO or device, or "-" for standard output) by the rules
    of `output_file`: a file is replaced atomically and privately; returns the row count."""
    written = 0
    with open_output(path, bom=bom) as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(list(header))
        for row in rows:
            writer.writerow(row)
            written += 1
            cancel = progress is not None and written % 5000 == 0 and (
                progress(written, total, "") is False)
            if cancel:
                raise ExportCancelled()
    return written


def export_tickets(store: Store, path: Path | str, f: TicketFilter | None = None, *,
                   bom: bool = False, tz: tzinfo | None = None,
                   progress: Progress | None = None) -> ExportResult:
    """Every ticket matching `f` to `path` ("-": standard output) in the import's format."""
    f = f or TicketFilter()
    started = time.perf_counter()
    total = 0
    if progress is not None:
        from ticketdesk.services.ticket_list import count

        total = count(store, f, tz)
    with store.read():  # the custom fields' columns follow the fixed ones (issue 19)
        header = [*COLUMNS, *custom_fields.export_headers(custom_fields.export_fields())]
    rows = write_csv(path, header, ticket_rows(store, f, tz), bom=bom, total=total,
                     progress=progress)
    return ExportResult(Path(path), rows, time.perf_counter() - started)
