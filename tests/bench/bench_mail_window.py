"""Benchmark: the longest GUI-thread stall while the window fetches a 1,000-message mailbox.

    .venv/bin/python -m tests.bench.bench_mail_window [--messages 1000]

A fresh desk file and a dovecot of its own (tests/mail/servers.py) holding --messages new
mails, each from another sender; the real window (`build_main_window`, offscreen) opens the
desk, its background mail worker (ui/mail_worker.py) fetches them, and a 5 ms heartbeat QTimer
on the GUI thread records the longest gap between two beats until every mail is a ticket in
the list: what a user would feel as a freeze while the mailbox is read.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.heartbeat import Heartbeat
from tests.bench.slot_profile import SlotProfile
from tests.bench.stall_sampler import StallSampler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--slots", action="store_true",
                        help="time each GUI-thread callback and print the costliest")
    parser.add_argument("--why", action="store_true",
                        help="sample the GUI thread and print what it did in the longest stalls")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from tests.mail.servers import running_dovecot
    from tests.unit.test_mail_intake import mail
    from ticketdesk.app import build_main_window
    from ticketdesk.db.store import open_database
    from ticketdesk.services import agents
    from ticketdesk.services.mail.settings import ENV_PASSWORD, MailSettings, save_settings
    from ticketdesk.services.session import Session

    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="bench-mail-window-"))
    url = f"sqlite:///{work / 'desk.sqlite'}"
    with running_dovecot() as dovecot:
        for i in range(args.messages):
            dovecot.deliver(mail(f"Question {i}", f"Body of question {i}.",
                                 sender=f"Customer {i} <c{i}@example.com>",
                                 msgid=f"<q{i}@example.com>"))
        os.environ[ENV_PASSWORD] = dovecot.password
        store = open_database(url)
        system = Session(store, None)
        agents.create_agent(system, "Alice Agent")
        save_settings(system, MailSettings(dovecot.url(), "smtp://x@127.0.0.1:1?tls=off",
                                           "support@desk.example"))
        store.close()
        settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
        sampler = StallSampler(threading.main_thread()) if args.why else None
        heart = Heartbeat(sampler.gap if sampler is not None else None)
        started = time.monotonic()
        window = build_main_window(url, agent_name="Alice Agent", settings=settings)
        window.show()
        if sampler is not None:
            sampler.start()
        heart.start()
        profile = SlotProfile("main") if args.slots else contextlib.nullcontext()
        with profile:
            while (window.model.total or 0) < args.messages:
                app.processEvents()
                time.sleep(0.001)
                if time.monotonic() - started > 600:
                    raise SystemExit("the mailbox was not fetched within 600 s")
        heart.stop()
        took = time.monotonic() - started
        window.close()
        if sampler is not None:
            sampler.stop()
            print(sampler.report())
        if isinstance(profile, SlotProfile):
            print(profile.report())
    print(f"{args.messages:,} messages fetched into the list in {took:.1f} s; longest GUI-thread "
          f"stall {heart.longest_ms:.0f} ms, its most CPU between two beats "
          f"{heart.longest_cpu_ms:.0f} ms (load "
          f"average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
