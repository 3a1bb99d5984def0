"""Renaming a tag used by 200,000 tickets on the 1,000,000-ticket demo desk, through Desk ▸
Tags… in the running window (issue 19): the time from the click to the dialog's reload, and the
longest GUI-thread stall meanwhile (a 5 ms heartbeat QTimer; goal ≤ 50 ms), including the
window's list refresh that follows.

The desk is a copy of ~/.cache/ticketdesk-bench/demo_1000000.sqlite (opening migrates it, so the
original is never opened). Unless some tag already has `--tagged` tickets, a tag "bench-tag" is
put on every fifth ticket up to that many first. Each run renames the tag (back and forth), so
each writes `--tagged` activity rows. Medians over `--runs`.

usage: python tests/bench/bench_tags.py [--source PATH] [--tagged 200000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.desk import default_desk
from tests.bench.heartbeat import Heartbeat
from tests.bench.stall_sampler import StallSampler


def copy_desk(source: Path, folder: Path) -> Path:
    target = folder / "desk.sqlite"
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))
    return target


def prepare(url: str, tagged: int, fresh: bool = False) -> tuple[int, str, int]:
    """The tag to rename (id, name, tickets): a tag on at least `tagged` tickets."""
    from peewee import fn

    from ticketdesk.db.models import Tag, Ticket, TicketTag
    from ticketdesk.db.store import open_database

    started = time.perf_counter()
    store = open_database(url)  # migrates the copy (m0021 included)
    print(f"opened and migrated the copy in {time.perf_counter() - started:.1f} s", flush=True)
    try:
        with store.read():
            tickets = Ticket.select(fn.MAX(Ticket.id)).scalar() or 0
            counts = (TicketTag.select(TicketTag.tag, fn.COUNT(TicketTag.ticket).alias("n"))
                      .group_by(TicketTag.tag).order_by(fn.COUNT(TicketTag.ticket).desc())
                      .limit(1).tuples())
            best = next(iter(counts), None)
        print(f"{tickets:,} tickets; the most used tag has {best[1] if best else 0:,}",
              flush=True)
        if fresh or best is None or best[1] < tagged:
            with store.write():
                tag_id = Tag.insert(name="bench-tag").execute()
                step = max(tickets // tagged, 1)
                store.db.execute_sql(
                    "INSERT INTO ticket_tag (ticket_id, tag_id) SELECT id, ? FROM ticket "
                    "WHERE id % ? = 0 ORDER BY id LIMIT ?", (tag_id, step, tagged))
        with store.read():
            tag_id, name = (Tag.select(Tag.id, Tag.name).join(TicketTag)
                            .group_by(Tag.id, Tag.name)
                            .order_by(fn.COUNT(TicketTag.ticket).desc()).limit(1).tuples()[0]
                            if not fresh else
                            Tag.select(Tag.id, Tag.name).where(Tag.name == "bench-tag")
                            .tuples()[0])
            count = TicketTag.select().where(TicketTag.tag == tag_id).count()
        return int(tag_id), str(name), int(count)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=default_desk())
    parser.add_argument("--tagged", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh-tag", action="store_true",
                        help="rename a new tag on exactly --tagged tickets (e.g. a few, to "
                             "see the window's own share of a stall)")
    parser.add_argument("--diagnose", action="store_true",
                        help="sample the threads' stacks and print them for the longest stalls")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    folder = Path(tempfile.mkdtemp(prefix="bench-tags-"))
    started = time.perf_counter()
    path = copy_desk(args.source, folder)
    print(f"copied {args.source.name} in {time.perf_counter() - started:.1f} s", flush=True)
    url = f"sqlite:///{path}"
    tag_id, name, count = prepare(url, args.tagged, args.fresh_tag)
    print(f"renaming {name!r}, on {count:,} tickets, {args.runs} times", flush=True)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ticketdesk.app import build_main_window
    from ticketdesk.services.changes import Changes
    from ticketdesk.ui.tags_dialog import TagsDialog

    app = QApplication([])
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = build_main_window(url, agent_name="Bench", settings=settings)
    window.show()

    sampler = StallSampler(threading.main_thread()) if args.diagnose else None
    heart = Heartbeat(sampler.gap if sampler is not None else None)
    restart = heart.start
    if sampler is not None:
        sampler.start()

    def wait_for(ok: Callable[[], bool], limit: float = 1800) -> None:
        end = time.monotonic() + limit
        while not ok():
            if time.monotonic() > end:
                raise SystemExit("timed out")
            app.processEvents()
            time.sleep(0.001)

    wait_for(lambda: window.model.is_complete and window.model.total is not None)
    dialog = TagsDialog(window.session, lambda changes: window.hub.announce(changes, window),
                        window)
    dialog.show()
    wait_for(lambda: not dialog.busy and dialog.model.rowCount() > 0)
    restart()
    idle_until = time.monotonic() + 5.0  # the same window doing nothing: the machine's floor
    wait_for(lambda: time.monotonic() > idle_until)
    heart.stop()
    print(f"longest GUI stall over 5 s of the idle window (the machine's floor): "
          f"{heart.longest_ms:.0f} ms; load average {os.getloadavg()[0]:.1f}", flush=True)
    for label, changes in (("one ticket changed (as after any save)",
                            Changes(tickets=frozenset({1}))),
                           ("everything changed (as after an import)", Changes(everything=True))):
        restart()
        window.hub.announce(changes, None)
        wait_for(lambda: window.model.is_complete and window.model.total is not None)
        until = time.monotonic() + 2.0
        wait_for(lambda until=until: time.monotonic() > until)
        heart.stop()
        print(f"reference, the window's refresh when {label}: longest GUI stall "
              f"{heart.longest_ms:.0f} ms (GUI CPU {heart.longest_cpu_ms:.0f} ms)", flush=True)
    times: list[float] = []
    stalls: list[float] = []
    cpus: list[float] = []
    names = [name, f"{name}-renamed"]
    for run in range(args.runs):
        new = names[(run + 1) % 2]
        row = next(i for i, e in enumerate(dialog.model.entries) if e.id == tag_id)
        dialog.table.selectRow(row)
        dialog.ask_text = lambda *_a, _new=new, **_k: _new  # type: ignore[method-assign]
        restart()
        began = time.perf_counter()
        dialog.rename()
        wait_for(lambda: not dialog.busy)
        seconds = time.perf_counter() - began
        wait_for(lambda: window.model.is_complete and window.model.total is not None)
        settle = time.monotonic() + 1.0  # the list's refresh after the announce
        wait_for(lambda settle=settle: time.monotonic() > settle)
        heart.stop()
        times.append(seconds)
        stalls.append(heart.longest_ms)
        cpus.append(heart.longest_cpu_ms)
        print(f"  run {run + 1}: {seconds:.2f} s, longest GUI stall {heart.longest_ms:.0f} ms "
              f"(GUI CPU {heart.longest_cpu_ms:.0f} ms), load "
              f"{os.getloadavg()[0]:.1f} ({dialog.note.text()})", flush=True)
    print(f"rename of a tag on {count:,} tickets: median {statistics.median(times):.2f} s; "
          f"longest GUI stall median {statistics.median(stalls):.0f} ms, max {max(stalls):.0f} ms "
          f"(goal ≤ 50 ms); the most GUI-thread CPU between two beats median "
          f"{statistics.median(cpus):.0f} ms")
    if sampler is not None:
        sampler.stop()
        print(sampler.report())
    dialog.close()
    window.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
