"""Demo data: a realistic help desk of any size, for exploring the app and for benchmarks.

`generate(store, tickets=N)` fills a fresh desk with a support team, customers and N tickets over
the last two years, each with a consistent history (conversation, notes, attachments, activity
rows exactly as the services write them) and its full-text search document. It is one
transaction: cancelled or failed, the desk is left as it was.

How it is fast enough for a million tickets: ticket stories are generated in chunks, by worker
processes when the demo is large (`pipeline`), while this process writes the rows with the
backend's bulk path (`sqlite_bulk`, `postgres_bulk`) and builds indexes once at the end.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ticketdesk.db.errors import storage_error
from ticketdesk.db.store import Store
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.progress import Cancelled, Progress
from ticketdesk.services import categories
from ticketdesk.services.demo.bulk import BulkWriter, writer_for
from ticketdesk.services.demo.phrases import TAGS
from ticketdesk.services.demo.pipeline import chunks
from ticketdesk.services.demo.plan import plan_desk
from ticketdesk.services.demo.progress import Reporter
from ticketdesk.services.demo.summary import DemoSummary
from ticketdesk.services.session import Session

__all__ = ["MAX_TICKETS", "Cancelled", "DemoSummary", "generate"]

MAX_TICKETS = 20_000_000


def generate(store: Store, *, tickets: int, seed: int = 1, now: int | None = None,
             progress: Progress | None = None) -> DemoSummary:
    """Fill the fresh desk `store` with `tickets` demo tickets and everything around them.

    Deterministic for a given `seed`, `now` (default: the current time) and local time zone.
    `progress(done, total, phase)` is called at least every ~0.1 s; returning False cancels
    (raising `Cancelled`, with nothing written). A desk that already has tickets is refused with
    a ValidationError, also with nothing written.
    """
    if not 1 <= tickets <= MAX_TICKETS:
        raise ValidationError(f"The demo can make 1 to {MAX_TICKETS:,} tickets, not {tickets:,}.")
    with _collector_paused():
        return _generate(store, tickets, seed, now, progress)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector would walk every live row again and again while millions are
    made; generating makes no reference cycles, so reference counting frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _generate(store: Store, tickets: int, seed: int, now: int | None,
              progress: Progress | None) -> DemoSummary:
    started = time.monotonic()
    now = utc_now() if now is None else now
    finishing = max(1, tickets // 4)
    report = Reporter(progress, tickets + finishing)
    report.update(0, "Preparing", force=True)
    writer = writer_for(store, report)
    writer.begin(tickets)
    try:
        if writer.has_tickets():
            raise ValidationError(
                "This desk already has tickets, and demo data only goes into a fresh desk. "
                "Create a new desk and fill that one; nothing was changed here.")
        plan = plan_desk(writer.desk_state(), tickets=tickets, seed=seed, now=now)
        writer.prepare(tickets)
        counts = {"messages": 0, "notes": 0, "activity": 0, "attachments": 0}
        with chunks(plan.inputs, report, batched=writer.batched) as produced:
            report.update(0, "Writing people", force=True)
            writer.write_people(plan)
            done = 0
            for rows in produced:
                writer.write_chunk(rows)
                done += rows.count("tickets")
                for name in counts:
                    counts[name] += rows.count(name)
                report.update(done, f"Writing tickets ({done:,} of {tickets:,})")
        writer.finish(tickets, finishing)
        report.update(tickets + finishing - 1, "Filing the categories", force=True)
        with store.write():  # the topics' categories become the desk's list (issue 19)
            categories.adopt_all(Session(store, None))
    except BaseException as exc:
        _abort(writer, exc)
        error = storage_error(exc) if isinstance(exc, Exception) else None
        if error is not None and error is not exc:
            raise error from exc  # disk full, database locked...: a message the user can use
        raise
    report.update(tickets + finishing, "Done", force=True)
    return DemoSummary(
        tickets=tickets, customers=len(plan.customers), agents=len(plan.agents),
        messages=counts["messages"], notes=counts["notes"], activity_rows=counts["activity"],
        attachments=counts["attachments"], tags=len(TAGS),
        elapsed_seconds=round(time.monotonic() - started, 3))


def _abort(writer: BulkWriter, cause: BaseException) -> None:
    """Roll back; a failure to do so (a lost connection) must not hide why we stopped."""
    try:
        writer.abort()
    except Exception as exc:  # the server or file is gone: its own rollback undoes the work
        cause.add_note(f"Rolling back the demo data also failed: {exc}")
