"""Benchmark: the longest GUI-thread stall while the window fetches a mailbox.

    .venv/bin/python -m tests.bench.bench_mail_window [--messages 1000]
    .venv/bin/python -m tests.bench.bench_mail_window --desk [PATH] --messages 10000
    .venv/bin/python -m tests.bench.bench_mail_window --pg postgresql://…/DB --rtt 50 …

Without --desk: a fresh desk file and a dovecot of its own (tests/mail/servers.py) holding
--messages new mails, each from another sender. With --desk: a private copy of that desk
(default: the 1,000,000-ticket demo desk) and the mailbox of bench_mail (mixed sizes, a fifth
HTML, a tenth with an attachment, a third answering existing tickets) — the issue's case.
With --pg: that mailbox into a team desk on PostgreSQL, the window (and the fetching process
it starts) reaching the server through tests/bench/latency_proxy.py, which adds --rtt ms to
every round trip; a fresh desk each time (a Message-ID fetched once is never fetched again).

The real window (`build_main_window`, offscreen) opens the desk, its background mail worker
(ui/mail_worker.py) fetches the mailbox, and the heartbeat (tests/bench/heartbeat.py) records
the longest gap between two 5 ms beats, and the GUI thread's own CPU in it, until the mailbox's
fetch checkpoint covers every message (read by a thread of the bench on its own connection):
what a user would feel as a freeze while the mailbox is read.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.desk import default_desk
from tests.bench.heartbeat import Heartbeat
from tests.bench.slot_profile import SlotProfile
from tests.bench.stall_sampler import StallSampler

AGENT = "Alice Agent"


def _watch(path: Path, messages: int, done: threading.Event) -> None:
    """Set `done` once the desk's fetch checkpoint covers `messages` UIDs: the bench's own
    read-only connection, opened once (opening one on a large desk reads its whole schema)."""
    import apsw

    conn = apsw.Connection(f"file:{path}?mode=ro", flags=apsw.SQLITE_OPEN_READONLY
                           | apsw.SQLITE_OPEN_URI)
    try:
        while not done.wait(1.0):
            row = conn.execute("SELECT max(last_uid) FROM mailbox_state").fetchone()
            if row and int(row[0] or 0) >= messages:
                done.set()
    finally:
        conn.close()


def _watch_pg(url: str, messages: int, done: threading.Event, port: int) -> None:
    """`_watch` for a desk on PostgreSQL (`url` reaches the server directly), which may hold
    the checkpoints of earlier runs: only this run's mailbox (its dovecot's `port`) counts."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        while not done.wait(1.0):
            row = conn.execute("SELECT max(last_uid) FROM mailbox_state WHERE mailbox LIKE %s",
                               (f"%:{port}/%",)).fetchone()
            if row and int(row[0] or 0) >= messages:
                done.set()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--desk", nargs="?", type=Path, const=default_desk(), default=None,
                        help="fetch into a copy of this desk (default: the 1M demo desk)")
    parser.add_argument("--pg", help="fetch into this desk on PostgreSQL instead")
    parser.add_argument("--seed", type=int, default=1,
                        help="the mailbox's random seed (another seed, other Message-IDs)")
    parser.add_argument("--rtt", type=float, default=0.0,
                        help="with --pg: ms added to every round trip to the server")
    parser.add_argument("--slots", action="store_true",
                        help="time each GUI-thread callback and print the costliest")
    parser.add_argument("--why", action="store_true",
                        help="sample the threads and print what they did in the longest stalls")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from tests.bench.bench_mail import build_mailbox
    from tests.bench.bench_postgres import copy_sqlite
    from tests.mail.servers import running_dovecot
    from tests.unit.test_mail_intake import mail
    from ticketdesk.app import build_main_window
    from ticketdesk.db.models import Agent, Ticket
    from ticketdesk.db.store import open_database
    from ticketdesk.services import agents
    from ticketdesk.services.mail.settings import ENV_PASSWORD, MailSettings, save_settings
    from ticketdesk.services.session import Session

    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="bench-mail-window-"))
    path = work / "desk.sqlite"
    if args.desk is not None:
        copy_sqlite(args.desk, path)
        os.sync()  # the copy's dirty pages are not the fetch's to flush
    url = args.pg or f"sqlite:///{path}"
    into_a_desk = args.desk is not None or args.pg is not None
    with running_dovecot() as dovecot, contextlib.ExitStack() as proxy:
        window_url = url
        if args.pg is not None:
            from tests.bench.latency_proxy import proxied

            window_url = proxy.enter_context(proxied(args.pg, args.rtt))
        store = open_database(url)
        system = Session(store, None)
        if not Agent.select().where(Agent.name == AGENT).exists():
            agents.create_agent(system, AGENT)
        if not into_a_desk:
            for i in range(args.messages):
                dovecot.deliver(mail(f"Question {i}", f"Body of question {i}.",
                                     sender=f"Customer {i} <c{i}@example.com>",
                                     msgid=f"<q{i}@example.com>"))
        else:
            rng = random.Random(args.seed)
            top = int(Ticket.select(Ticket.id).order_by(Ticket.id.desc()).limit(1).scalar())

            def sync() -> None:
                client = dovecot.client()
                client.select_folder("INBOX")
                client.logout()

            build_mailbox(dovecot.deliver, sync, args.messages,
                          [rng.randint(1, top) for _ in range(2000)], rng)
        os.environ[ENV_PASSWORD] = dovecot.password
        save_settings(system, MailSettings(dovecot.url(), "smtp://x@127.0.0.1:1?tls=off",
                                           "support@desk.example"))
        store.close()
        settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
        sampler = StallSampler(threading.main_thread()) if args.why else None
        heart = Heartbeat(sampler.gap if sampler is not None else None)
        done = threading.Event()
        started = time.monotonic()
        window = build_main_window(window_url, agent_name=AGENT, settings=settings)
        window.show()
        if sampler is not None:
            sampler.start()
        heart.start()
        watching = ((_watch, (path, args.messages, done)) if args.pg is None
                    else (_watch_pg, (args.pg, args.messages, done, dovecot.port)))
        threading.Thread(target=watching[0], args=watching[1], daemon=True).start()
        profile = SlotProfile("main") if args.slots else contextlib.nullcontext()
        with profile:
            while not done.is_set():
                app.processEvents()
                time.sleep(0.001)
                if time.monotonic() - started > 3600:
                    done.set()
                    raise SystemExit("the mailbox was not fetched within an hour")
        heart.stop()
        took = time.monotonic() - started
        window.close()
        if sampler is not None:
            sampler.stop()
            print(sampler.report())
        if isinstance(profile, SlotProfile):
            print(profile.report())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kid = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the fetching child's
    where = ('a copy of ' + args.desk.name if args.desk else 'a new desk') if args.pg is None \
        else f"{args.pg} behind {args.rtt:.0f} ms a round trip"
    print(f"{args.messages:,} messages fetched in {took:.1f} s ({args.messages / took:.0f}/s) "
          f"into {where}; longest "
          f"GUI-thread stall {heart.longest_ms:.0f} ms, its most CPU between two beats "
          f"{heart.longest_cpu_ms:.0f} ms; peak memory {peak:.0f} MB, largest finished child "
          f"process {kid:.0f} MB (load average "
          f"{os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
