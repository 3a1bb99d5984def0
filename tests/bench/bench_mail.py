"""Benchmark: fetching a 10,000-message mailbox into a 1,000,000-ticket desk, and sending an
outbox of 1,000 replies (issue 15).

    .venv/bin/python -m tests.bench.bench_mail [SOURCE_DB] [--work DIR] [--messages 10000]
        [--replies 1000] [--seed 1]

SOURCE_DB (default: the benchmarks' 1M demo desk, tests/bench/desk.py) is never written: it is
copied into --work (SQLite's backup API from a read-only connection) and the copy is used.
A real dovecot is started (tests/mail/servers.py, needs root and dovecot-imapd) and its maildir
filled with --messages messages: body sizes from 200 bytes to 20 KB (a few of 100 KB), one in
five HTML-only, a tenth with an attachment of 10-200 KB, a third answering existing tickets
(half by `[TKT-…]` in the subject, half by In-Reply-To of a message earlier in the mailbox).
Then one `fetch_once` pass (the code `ticketdesk mail fetch` runs) is timed: messages per
second, the longest and 99th-percentile time of one message's transaction (how long the desk's
write lock is held at a time, which is what a window on the same desk could wait for), and the
process's peak resident memory. Then --replies replies are queued on tickets whose customer has
an address and `send_outbox` sends them to aiosmtpd on a loopback port: messages per second.
The machine's load average is printed beside the figures (it may be shared).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tests.bench.desk import default_desk, ensure_demo_desk

WORDS = ("printer invoice refund login password error screen update order delivery account "
         "network slow crash install license backup sync mobile email report").split()


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _text(rng: random.Random, size: int) -> str:
    out: list[str] = []
    length = 0
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."
        out.append(line)
        length += len(line) + 1
    return "\n".join(out)


def build_mailbox(deliver: Callable[[bytes], None], sync: Callable[[], None], count: int,
                  ticket_ids: list[int], rng: random.Random) -> None:
    """Dovecot numbers new maildir files in directory order, not in the order written: the
    mailbox is written in chunks, each numbered (`sync`) before the next, and a reply only
    answers a message of an earlier chunk, so it comes after its parent as in a real mailbox."""
    sent_ids: list[str] = []
    numbered = 0
    for n in range(count):
        if n % 200 == 0:
            sync()
            numbered = len(sent_ids)
        m = EmailMessage()
        m["From"] = f"Customer {n % 3000} <customer{n % 3000}@bench.example>"
        m["To"] = "support@desk.example"
        m["Date"] = "Sun, 06 Dec 2026 04:00:00 +0000"
        msgid = f"<bench{n}.{rng.getrandbits(32)}@bench.example>"
        m["Message-ID"] = msgid
        subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()
        kind = n % 3
        if kind == 1 and n % 6 == 1:
            subject = f"Re: [TKT-{rng.choice(ticket_ids):06d}] {subject}"
        elif kind == 1 and numbered:
            parent = sent_ids[rng.randrange(numbered)]
            m["In-Reply-To"] = parent
            m["References"] = parent
            subject = f"Re: {subject}"
        m["Subject"] = subject
        size = rng.choice((200, 500, 1000, 2000, 5000, 20_000)) if n % 100 else 100_000
        body = _text(rng, size)
        if n % 5 == 0:
            m.set_content("<html><body>" + "".join(f"<p>{line}</p>" for line in
                                                   body.splitlines()) + "</body></html>",
                          subtype="html")
        else:
            m.set_content(body)
        if n % 10 == 0:
            m.add_attachment(rng.randbytes(rng.randint(10_000, 200_000)),
                             maintype="application", subtype="pdf", filename=f"scan{n}.pdf")
        sent_ids.append(msgid)
        deliver(m.as_bytes())


def main() -> None:
    from tests.bench.bench_postgres import copy_sqlite
    from tests.mail.servers import running_dovecot, running_smtp
    from ticketdesk.db.models import Customer, Ticket
    from ticketdesk.db.store import open_database
    from ticketdesk.services.mail import fetch as fetch_module
    from ticketdesk.services.mail.fetch import fetch_once
    from ticketdesk.services.mail.outbox import queue_reply
    from ticketdesk.services.mail.send import send_outbox
    from ticketdesk.services.mail.settings import MailSettings, save_settings
    from ticketdesk.services.session import Session

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=default_desk())
    parser.add_argument("--work", type=Path, default=Path(
        os.environ.get("TICKETDESK_BENCH_DIR", "/tmp/ticketdesk-bench")))
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--replies", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    source = ensure_demo_desk(args.source)
    args.work.mkdir(parents=True, exist_ok=True)
    desk = args.work / f"mail_{source.stem}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{desk}{suffix}").unlink(missing_ok=True)
    copy_sqlite(source, desk)
    # The copy is 2.5 GB of dirty page cache: without this, the desk's first WAL checkpoint
    # (a dozen messages in) would pay for flushing all of it, which no real desk does.
    started = time.perf_counter()
    os.sync()
    print(f"copy flushed to disk in {time.perf_counter() - started:.1f} s")
    store = open_database(str(desk))
    system = Session(store, None)
    tickets_before = Ticket.select().count()
    max_id = int(Ticket.select(Ticket.id).order_by(Ticket.id.desc()).limit(1).scalar())
    existing = [rng.randint(1, max_id) for _ in range(2000)]
    print(f"desk: {tickets_before:,} tickets ({desk})")

    with running_dovecot() as dovecot, running_smtp() as smtp:
        started = time.perf_counter()
        def sync() -> None:
            client = dovecot.client()
            client.select_folder("INBOX")
            client.logout()

        build_mailbox(dovecot.deliver, sync, args.messages, existing, rng)
        mailbox_bytes = sum(p.stat().st_size for sub in ("new", "cur")
                            for p in (dovecot.maildir / sub).iterdir())
        print(f"mailbox: {args.messages:,} messages, {mailbox_bytes / 1e6:,.1f} MB, written in "
              f"{time.perf_counter() - started:.1f} s")
        settings = MailSettings(dovecot.url(), smtp.url(), "support@desk.example", "Bench Desk")
        save_settings(system, settings)

        holds: list[float] = []
        real_take_in = fetch_module.take_in

        def timed(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return real_take_in(*a, **k)
            finally:
                holds.append(time.perf_counter() - t0)

        fetch_module.take_in = timed  # type: ignore[assignment]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        load_before = _load()
        started = time.perf_counter()
        report = fetch_once(system, settings, dovecot.password)
        seconds = time.perf_counter() - started
        fetch_module.take_in = real_take_in  # type: ignore[assignment]
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(report.summary())
        worst = sorted(range(len(holds)), key=holds.__getitem__)[-3:]
        print("longest transactions: " + ", ".join(
            f"message {i + 1:,}: {holds[i] * 1000:,.0f} ms" for i in reversed(worst)))
        holds.sort()
        print(f"fetch: {report.fetched:,} messages in {seconds:.1f} s = "
              f"{report.fetched / seconds:,.0f} messages/s; one message's transaction: median "
              f"{statistics.median(holds) * 1000:.1f} ms, p99 "
              f"{holds[int(len(holds) * 0.99) - 1] * 1000:.1f} ms, longest "
              f"{holds[-1] * 1000:.1f} ms; peak RSS {rss_peak / 1024:,.0f} MB "
              f"(before the fetch {rss_before / 1024:,.0f} MB); load {load_before} -> {_load()}")

        targets = [int(t) for (t,) in Ticket.select(Ticket.id).join(
            Customer, on=(Ticket.customer == Customer.id)).where(Customer.email != "")
            .order_by(Ticket.id.desc()).limit(args.replies).tuples()]
        started = time.perf_counter()
        for ticket_id in targets:
            queue_reply(system, ticket_id, _text(rng, rng.choice((200, 1000, 3000))))
        queued = time.perf_counter() - started
        load_before = _load()
        started = time.perf_counter()
        sent = send_outbox(system, settings, smtp.password)
        seconds = time.perf_counter() - started
        print(f"queue: {len(targets):,} replies in {queued:.1f} s = "
              f"{len(targets) / queued:,.0f}/s")
        print(f"send: {sent.sent:,} replies in {seconds:.1f} s = {sent.sent / seconds:,.0f} "
              f"messages/s ({len(smtp.received):,} received by aiosmtpd); load {load_before} "
              f"-> {_load()}")
    store.close()


if __name__ == "__main__":
    main()
