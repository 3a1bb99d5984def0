"""Fetching from a real dovecot: tickets are created and replies threaded, nothing is imported
twice (not after a crash, not with two fetchers on one team desk), fetched mail is marked seen
or moved."""

from __future__ import annotations

import multiprocessing
from email.message import EmailMessage
from typing import Any

import pytest

from tests.conftest import pg_url
from tests.mail.servers import Dovecot, SmtpReceiver
from ticketdesk.db.models import Message, Ticket
from ticketdesk.db.store import Store, open_database
from ticketdesk.services import messages, tickets
from ticketdesk.services.mail import fetch
from ticketdesk.services.mail.fetch import fetch_once
from ticketdesk.services.mail.send import send_outbox
from ticketdesk.services.mail.settings import MailSettings, save_settings
from ticketdesk.services.session import Session


def mail(n: int, subject: str | None = None, *, in_reply_to: str | None = None,
         sender: str = "ann@example.com", headers: dict[str, str] | None = None) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "support@desk.example"
    m["Subject"] = subject or f"Question {n}"
    m["Message-ID"] = f"<q{n}@example.com>"
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(f"Body {n}")
    return m.as_bytes()


def settings_for(dovecot: Dovecot, smtp_url: str = "smtp://x@127.0.0.1:1?tls=off",
                 **extra: Any) -> MailSettings:
    return MailSettings(dovecot.url(), smtp_url, "support@desk.example", "Desk Support",
                        **extra)


def test_fetch_creates_tickets_threads_replies_and_marks_mail_seen(
        store: Store, system: Session, dovecot: Dovecot) -> None:
    settings = settings_for(dovecot)
    dovecot.deliver(mail(1))
    dovecot.deliver(mail(2, sender="bob@example.com"))
    report = fetch_once(system, settings, dovecot.password)
    assert (report.fetched, report.created, report.appended) == (2, 2, 0)
    assert "2 message(s) fetched: 2 new ticket(s)" in report.summary()
    first = Message.get(Message.rfc_message_id == "<q1@example.com>").ticket_id
    dovecot.deliver(mail(3, "Re: Question 1", in_reply_to="<q1@example.com>"))
    dovecot.deliver(mail(4, f"Re: [TKT-{first:06d}] anything"))
    report = fetch_once(system, settings, dovecot.password)
    assert (report.fetched, report.created, report.appended) == (2, 0, 2)
    assert [m.body for m in messages.messages_for(first)] == ["Body 1", "Body 3", "Body 4"]
    assert all(b"\\Seen" in flags for _uid, flags in dovecot.folder_messages())
    assert fetch_once(system, settings, dovecot.password).fetched == 0


def test_fetched_mail_is_moved_to_the_folder_the_settings_name(
        store: Store, system: Session, dovecot: Dovecot) -> None:
    dovecot.deliver(mail(1))
    dovecot.deliver(mail(2))
    report = fetch_once(system, settings_for(dovecot, after_fetch="move:Archive"),
                        dovecot.password)
    assert report.created == 2
    assert dovecot.folder_messages("INBOX") == []
    assert len(dovecot.folder_messages("Archive")) == 2


class Crash(Exception):
    pass


def test_a_crash_between_download_and_commit_never_imports_twice(
        store: Store, system: Session, dovecot: Dovecot) -> None:
    settings = settings_for(dovecot)
    for n in range(1, 6):
        dovecot.deliver(mail(n))

    def die_at_third(uid: int, raw: bytes) -> None:
        if uid == 3:
            raise Crash("power cut after the download")

    with pytest.raises(Crash):
        fetch_once(system, settings, dovecot.password, batch=2, downloaded=die_at_third)
    assert Ticket.select().count() == 2
    report = fetch_once(system, settings, dovecot.password)
    assert report.created == 3
    assert Ticket.select().count() == 5
    assert sorted(m.rfc_message_id for m in Message.select()) == [
        f"<q{n}@example.com>" for n in range(1, 6)]


def test_a_crash_after_the_commit_before_the_server_heard_of_it_is_finished_next_time(
        store: Store, system: Session, dovecot: Dovecot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(dovecot)
    dovecot.deliver(mail(1))
    dovecot.deliver(mail(2))
    real_done = fetch.Mailbox.done

    def lost(self: fetch.Mailbox, uids: list[int], move_to: str | None) -> None:
        raise Crash("killed before marking seen")

    monkeypatch.setattr(fetch.Mailbox, "done", lost)
    with pytest.raises(Crash):
        fetch_once(system, settings, dovecot.password)
    monkeypatch.setattr(fetch.Mailbox, "done", real_done)
    assert Ticket.select().count() == 2
    report = fetch_once(system, settings, dovecot.password)
    assert report.fetched == 0
    assert Ticket.select().count() == 2
    assert all(b"\\Seen" in flags for _uid, flags in dovecot.folder_messages())


def test_the_same_mail_in_the_mailbox_twice_is_imported_once(
        store: Store, system: Session, dovecot: Dovecot) -> None:
    dovecot.deliver(mail(1))
    dovecot.deliver(mail(1))
    report = fetch_once(system, settings_for(dovecot), dovecot.password)
    assert (report.created, report.duplicates) == (1, 1)


def test_a_new_tickets_sender_gets_one_acknowledgement_and_robots_none(
        store: Store, system: Session, dovecot: Dovecot, smtp_server: SmtpReceiver) -> None:
    settings = settings_for(dovecot, smtp_server.url(), acknowledge=True)
    dovecot.deliver(mail(1))
    dovecot.deliver(mail(2, "Out of office", sender="bob@example.com",
                         headers={"Auto-Submitted": "auto-replied"}))
    dovecot.deliver(mail(3, "Undeliverable", sender="MAILER-DAEMON@mx.example.com"))
    dovecot.deliver(mail(4, "Digest", sender="list@example.com",
                         headers={"Precedence": "bulk"}))
    report = fetch_once(system, settings, dovecot.password)
    assert (report.created, report.acknowledged) == (4, 1)
    sent = send_outbox(system, settings, smtp_server.password)
    assert sent.sent == 1
    [ack] = smtp_server.received
    assert ack.rcpt_tos == ["ann@example.com"]
    assert ack.message["Auto-Submitted"] == "auto-replied"
    assert ack.message["In-Reply-To"] == "<q1@example.com>"
    assert "[TKT-" in ack.message["Subject"]


# -- two desktops of one team desk ----------------------------------------------------------------


def _fetch_in_child(url: str, settings: MailSettings, password: str, barrier: Any,
                    results: Any) -> None:
    try:
        store = open_database(url)
        barrier.wait(timeout=60)
        total = 0
        for _ in range(3):
            total += fetch_once(Session(store, None), settings, password, batch=5).fetched
        results.put(("ok", total))
        store.close()
    except BaseException as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.postgres
@pytest.mark.slow
def test_two_fetchers_on_one_postgresql_desk_import_each_message_once(
        pg_schema: str, dovecot: Dovecot) -> None:
    url = pg_url(pg_schema)
    store = open_database(url)
    settings = settings_for(dovecot)
    save_settings(Session(store, None), settings)
    for n in range(40):
        dovecot.deliver(mail(n))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    children = [ctx.Process(target=_fetch_in_child,
                            args=(url, settings, dovecot.password, barrier, results))
                for _ in range(2)]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=180) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(n for _, n in outcomes) == 40
    assert Ticket.select().count() == 40
    assert Message.select().count() == 40
    store.close()


@pytest.mark.postgres
def test_a_second_fetcher_finds_the_desk_busy_and_does_nothing(
        pg_schema: str, dovecot: Dovecot) -> None:
    url = pg_url(pg_schema)
    first, second = open_database(url), open_database(url)
    try:
        dovecot.deliver(mail(1))
        with fetch.exclusive(Session(first, None), fetch.FETCH_LOCK) as mine:
            assert mine
            report = fetch_once(Session(second, None), settings_for(dovecot), dovecot.password)
        assert report.busy
        assert "another desktop is fetching" in report.summary()
        second._bind()
        assert Ticket.select().count() == 0
    finally:
        first.close()
        second.close()


def test_mail_over_the_size_limit_is_kept_as_its_headers_with_a_note(
        store: Store, system: Session, dovecot: Dovecot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "MAX_MESSAGE_BYTES", 2000)
    monkeypatch.setattr(fetch, "BATCH_BYTES", 1)  # every message downloaded on its own
    dovecot.deliver(mail(1))
    big = EmailMessage()
    big["From"] = "ann@example.com"
    big["Subject"] = "Huge scan"
    big["Message-ID"] = "<huge@example.com>"
    big.set_content("x" * 10_000)
    dovecot.deliver(big.as_bytes())
    dovecot.deliver(mail(3))
    report = fetch_once(system, settings_for(dovecot), dovecot.password)
    assert report.created == 3
    huge = Message.get(Message.rfc_message_id == "<huge@example.com>")
    assert tickets.get_ticket(huge.ticket_id).subject == "Huge scan"
    assert "only its headers were kept" in huge.body
    assert "xxxx" not in huge.body


def test_fetch_and_send_run_on_a_worker_thread_as_the_window_will_call_them(
        store: Store, system: Session, dovecot: Dovecot, smtp_server: SmtpReceiver) -> None:
    import threading

    from ticketdesk.services.mail.outbox import queue_reply

    settings = settings_for(dovecot, smtp_server.url())
    save_settings(system, settings)
    dovecot.deliver(mail(1))
    results: list[object] = []

    def worker() -> None:
        try:
            report = fetch_once(system, settings, dovecot.password)
            queue_reply(system, int(Ticket.select(Ticket.id).scalar()), "On it.")
            sent = send_outbox(system, settings, smtp_server.password)
            results.append((report.created, sent.sent))
        except BaseException as exc:
            results.append(exc)
        finally:
            store.close_thread()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=60)
    assert results == [(1, 1)]
    assert len(smtp_server.received) == 1


def test_waiting_for_mail_returns_when_the_server_announces_a_message(
        dovecot: Dovecot) -> None:
    import threading
    import time

    from ticketdesk.services.mail.fetch import wait_for_mail

    settings = settings_for(dovecot)
    assert wait_for_mail(settings, dovecot.password, 0.5) is False
    answers: list[bool] = []
    waiting = threading.Thread(
        target=lambda: answers.append(wait_for_mail(settings, dovecot.password, 30)))
    waiting.start()
    time.sleep(1.0)
    client = dovecot.client()
    client.append("INBOX", mail(1))
    client.logout()
    waiting.join(timeout=40)
    assert answers == [True]  # without the announcement it would have been False
