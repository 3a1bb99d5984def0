"""Benchmark: opening a long ticket in the dock of the real main window, offscreen.

    .venv/bin/python -m tests.bench.bench_dock [SOURCE_DB] [--work DIR] [--runs 9] [--lock 4]

Issue 4 holds the dock to: a ticket with 500 messages and 200 activity rows shows in <= 100 ms
on a 1,000,000-ticket desk. SOURCE_DB (default: the benchmarks' 1M demo desk, see
tests/bench/desk.py) is never modified: it is copied into --work once, and the copy
gets one more ticket ("Bench: a long conversation") with 500 messages (alternating customer and
agent, 80-1,500 characters, 10 with a file), 5 notes and 200 activity rows, inserted as the
services would write them. Then the real window (`build_main_window`) opens the copy, and for
each tab that can be current when a ticket is selected (Detail, Conversation, Notes, Activity)
the script selects the ticket beside it in the list, then the long one, and times the
selection until the dock shows it with the current tab filled (the dock reads on its query
thread, so the script runs the event loop until the dock is idle, then `repaint()`), and the
longest single stretch the GUI thread spent without returning to its event loop meanwhile
("longest stall": what the user feels as a freeze). Medians and maxima over
--runs, the first (cold) opening apart, with the machine's load average. Beside the wall time
it prints the GUI thread's CPU time for the same span: on a shared, loaded machine the wall
time includes waiting for a core, the CPU time is what the dock itself costs.

With --lock SECONDS it then changes the long ticket's status in the dock while another process
holds the desk's write lock for that long (as an import from the command line or a backup
would), and prints the longest GUI-thread stall until the save is stored (issue 14 measured
4,043 ms with a 4 s lock when saves ran on the GUI thread).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from tests.bench.desk import default_desk, ensure_demo_desk

DEFAULT_SOURCE = default_desk()  # built on first use (tests/bench/desk.py)
DEFAULT_WORK = Path("/tmp/ticketdesk-bench-dock")
SUBJECT = "Bench: a long conversation"
MESSAGES, NOTES, ACTIVITY, FILES = 500, 5, 200, 10
BUDGET_MS = 100.0
WORDS = ("printer invoice refund password account login error screen update order delivery "
         "please thanks again still when after before restart cable network server mail "
         "attached photo manager urgent tomorrow monday office laptop battery license").split()


def _text(rng: random.Random, low: int, high: int) -> str:
    """Words up to about `low`..`high` characters, in one to three paragraphs."""
    size = rng.randint(low, high)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < size:
        words.append(rng.choice(WORDS))
    paragraphs = rng.randint(1, 3)
    step = max(1, len(words) // paragraphs)
    return "\n\n".join(" ".join(words[i:i + step]) for i in range(0, len(words), step))


def prepare(copy: Path) -> int:
    """The long ticket's id in `copy`, adding it (and its history) if it is not there yet."""
    from ticketdesk.db.models import (
        Activity,
        Agent,
        Attachment,
        AttachmentContent,
        Message,
        Note,
        Ticket,
    )
    from ticketdesk.db.store import open_database
    from ticketdesk.domain.activity import ActivityKind
    from ticketdesk.services import agents, tickets
    from ticketdesk.services.session import Session

    store = open_database(f"sqlite:///{copy}")
    try:
        found = Ticket.select(Ticket.id).where(Ticket.subject == SUBJECT).scalar()
        if found:
            _times(store, int(found))
            return int(found)
        system = Session(store, None)
        agent = agents.find_agent(store, "Bench Agent")
        agent_id = agent.id if agent else agents.create_agent(system, "Bench Agent")[0]
        others = [a for (a,) in Agent.select(Agent.id).limit(5).tuples()]
        customer = Ticket.select(Ticket.customer).where(Ticket.customer.is_null(False)) \
            .limit(1).scalar()
        ticket_id = tickets.create_ticket(system.as_agent(agent_id), subject=SUBJECT,
                                          description=_text(random.Random(1), 300, 900),
                                          customer_id=customer).new_id
        rng = random.Random(4)
        start = int(time.time()) - 60 * 86400
        with store.write():
            rows: list[dict[str, Any]] = []
            for i in range(MESSAGES):
                incoming = i % 2 == 0
                rows.append({"ticket": ticket_id, "incoming": incoming,
                             "agent": None if incoming else rng.choice([*others, agent_id]),
                             "body": _text(rng, 80, 1500), "created_at": start + i * 9000})
            Message.insert_many(rows).execute()
            ids = [m for (m,) in Message.select(Message.id).where(Message.ticket == ticket_id)
                   .order_by(Message.id).tuples()]
            for n, message_id in enumerate(ids[:: MESSAGES // FILES]):
                data = os.urandom(2048 + n * 512)
                attachment = Attachment.insert(
                    ticket=ticket_id, message=message_id, name=f"screenshot-{n}.png",
                    mime="image/png", size=len(data), sha256="0" * 64,
                    created_at=start + n, agent=agent_id).execute()
                AttachmentContent.insert(attachment=attachment, data=data).execute()
            Note.insert_many([{"ticket": ticket_id, "author": agent_id,
                               "body": _text(rng, 40, 400), "created_at": start + i,
                               "updated_at": start + i} for i in range(NOTES)]).execute()
            kinds = [(ActivityKind.MESSAGE_IN, None, "excerpt"),
                     (ActivityKind.MESSAGE_OUT, None, "excerpt"),
                     (ActivityKind.STATUS, "Open", "Waiting"),
                     (ActivityKind.ASSIGNED, None, "Bench Agent"),
                     (ActivityKind.NOTE_ADDED, None, "excerpt"),
                     (ActivityKind.TAGGED, None, "billing")]
            existing = Activity.select().where(Activity.ticket == ticket_id).count()
            history = []
            for i in range(ACTIVITY - existing):
                kind, old, new = kinds[i % len(kinds)]
                history.append({"ticket": ticket_id, "agent": rng.choice([*others, agent_id]),
                                "at": start + i * 20000, "kind": kind.value, "old": old,
                                "new": _text(rng, 20, 190) if new == "excerpt" else new,
                                "ticket_version": 1})
            Activity.insert_many(history).execute()
            store.reindex([ticket_id])
        _times(store, ticket_id)
        return ticket_id
    finally:
        store.close()


def _times(store: Any, ticket_id: int) -> None:
    """Created before its first message, first response and last update as the services would
    have set them."""
    from peewee import fn

    from ticketdesk.db.models import Message, Ticket

    first = (Message.select(fn.min(Message.created_at))
             .where((Message.ticket == ticket_id) & (Message.incoming == False))  # noqa: E712
             .scalar())
    last = Message.select(fn.max(Message.created_at)).where(Message.ticket == ticket_id).scalar()
    start = Message.select(fn.min(Message.created_at)).where(Message.ticket == ticket_id).scalar()
    with store.write():
        Ticket.update(first_response_at=first, updated_at=last, created_at=start - 600).where(
            (Ticket.id == ticket_id) & Ticket.first_response_at.is_null()).execute()


def measure(copy: Path, ticket_id: int, runs: int) -> dict[str, list[float]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from ticketdesk.app import build_main_window
    from ticketdesk.services.ticket_counts import ticket_counts

    settings = QSettings(str(copy.parent / "bench_dock_settings.ini"),
                         QSettings.Format.IniFormat)
    window = build_main_window(f"sqlite:///{copy}", agent_name="Bench Agent",
                               settings=settings)
    try:
        window.resize(1400, 900)
        window.show()
        table, dock, model = window.table, window.ticket_dock, window.model
        deadline = time.monotonic() + 60
        while model.row_of(ticket_id) is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        if model.row_of(ticket_id) is None:
            raise SystemExit(f"ticket {ticket_id} never appeared in the list")
        row = model.row_of(ticket_id) or 0
        other = model.ticket_id(row + 1 if row + 1 < model.rowCount() else row - 1)
        assert other is not None
        table.select_ticket(ticket_id)  # scroll there once: the table's cost is not timed
        app.processEvents()
        counts = ticket_counts(window.store, ticket_id)
        print(f"ticket {ticket_id}: {counts.messages} messages, {counts.notes} notes, "
              f"{counts.activity} activity rows")
        results: dict[str, list[float]] = {}
        names = ("detail", "conversation", "notes", "activity")
        for run in range(runs + 1):
            for index, name in enumerate(names):
                table.select_ticket(other)
                dock.tabs.setCurrentIndex(index)
                app.processEvents()
                while not dock.is_idle():
                    app.processEvents()
                started, cpu = time.perf_counter(), time.thread_time()
                mark = time.perf_counter()
                table.select_ticket(ticket_id)
                stall = (time.perf_counter() - mark) * 1000
                while not (dock.is_idle() and dock.ticket is not None
                           and dock.ticket.id == ticket_id):
                    mark = time.perf_counter()
                    app.processEvents()
                    stall = max(stall, (time.perf_counter() - mark) * 1000)
                    time.sleep(0.0005)
                mark = time.perf_counter()
                dock.repaint()
                stall = max(stall, (time.perf_counter() - mark) * 1000)
                elapsed = (time.perf_counter() - started) * 1000
                used = (time.thread_time() - cpu) * 1000
                assert dock.ticket_id == ticket_id
                if index == 1:
                    assert len(dock.conversation_tab.messages) == counts.messages
                if index == 3:
                    assert len(dock.activity_tab.model.rows) == counts.activity
                key = name if run else f"{name} (first)"
                results.setdefault(key, []).append(elapsed)
                results.setdefault(key + " cpu", []).append(used)
                results.setdefault(key + " stall", []).append(stall)
        return results
    finally:
        window.close()


LOCK_HOLDER = """
import sys, time, apsw
db = apsw.Connection(sys.argv[1])
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""


def measure_lock(copy: Path, ticket_id: int, seconds: float) -> tuple[float, float]:
    """(longest GUI stall, time until saved), in ms, for a status change made in the dock
    while another process holds the write lock for `seconds`."""
    import subprocess
    import sys

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from ticketdesk.app import build_main_window
    from ticketdesk.domain.status import Status
    from ticketdesk.services import tickets

    settings = QSettings(str(copy.parent / "bench_dock_settings.ini"),
                         QSettings.Format.IniFormat)
    window = build_main_window(f"sqlite:///{copy}", agent_name="Bench Agent",
                               settings=settings)
    try:
        window.show()
        dock = window.ticket_dock
        deadline = time.monotonic() + 60
        while window.model.row_of(ticket_id) is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        window.table.select_ticket(ticket_id)
        idle = getattr(dock, "is_idle", lambda: True)
        while dock.ticket is None or not idle():
            app.processEvents()
        before = tickets.get_ticket(ticket_id).status
        wanted = Status.WAITING if before != Status.WAITING else Status.IN_PROGRESS
        holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(copy), str(seconds)],
                                  stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        started = mark = time.perf_counter()
        dock.detail_tab.status.setCurrentIndex(int(wanted))
        dock.detail_tab.status.activated.emit(int(wanted))
        stall = (time.perf_counter() - mark) * 1000
        while not idle() or dock.ticket is None or dock.ticket.status != wanted:
            mark = time.perf_counter()
            app.processEvents()
            stall = max(stall, (time.perf_counter() - mark) * 1000)
            time.sleep(0.001)
        saved = (time.perf_counter() - started) * 1000
        holder.wait()
        return stall, saved
    finally:
        window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--lock", type=float, default=0.0,
                        help="also time a status change behind another process's write lock")
    args = parser.parse_args()
    ensure_demo_desk(args.source)
    args.work.mkdir(parents=True, exist_ok=True)
    copy = args.work / f"{args.source.stem}.copy.sqlite"
    if not copy.exists():
        print(f"copying {args.source} to {copy} (the original is never modified)…")
        partial = copy.with_suffix(".partial")
        shutil.copyfile(args.source, partial)
        partial.replace(copy)
    started = time.perf_counter()
    ticket_id = prepare(copy)
    print(f"{copy}: {copy.stat().st_size / 1e9:.2f} GB; prepared in "
          f"{time.perf_counter() - started:.1f} s; load average before "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    results = measure(copy, ticket_id, args.runs)
    print(f"{'current tab':<22}{'wall: median':>13}{'max':>7}{'GUI-thread CPU: median':>25}"
          f"{'max':>7}{'longest stall':>15}   (budget {BUDGET_MS:.0f} ms)")
    for name, times in results.items():
        if name.endswith((" cpu", " stall")):
            continue
        cpu, stall = results[name + " cpu"], results[name + " stall"]
        flag = "" if statistics.median(times) <= BUDGET_MS else "  OVER"
        print(f"{name:<22}{statistics.median(times):>13.1f}{max(times):>7.1f}"
              f"{statistics.median(cpu):>25.1f}{max(cpu):>7.1f}{max(stall):>15.1f}{flag}")
    print(f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.lock:
        stall, saved = measure_lock(copy, ticket_id, args.lock)
        print(f"status change behind a {args.lock:.0f} s write lock: longest GUI stall "
              f"{stall:.1f} ms, saved after {saved:.0f} ms")


if __name__ == "__main__":
    main()
