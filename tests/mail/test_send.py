"""Sending through a real SMTP receiver: a reply leaves once, with the ticket number, the
threading headers, the signature and its files; a row interrupted while *sending* is resent
with the same Message-ID; refusals are recorded with their reason. And Test Connection says
what failed."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.mail.servers import Dovecot, SmtpReceiver, free_port, running_dovecot
from tests.unit.test_mail_intake import mail
from ticketdesk.db.models import Outbox
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import ValidationError
from ticketdesk.services import tickets
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.mail import outbox
from ticketdesk.services.mail.intake import take_in
from ticketdesk.services.mail.parse import parse_mail
from ticketdesk.services.mail.send import send_outbox
from ticketdesk.services.mail.settings import MailSettings, save_settings, test_connection
from ticketdesk.services.mail.signature import get_signature, set_signature
from ticketdesk.services.session import Session


def desk_settings(smtp: SmtpReceiver, imap: str = "imap://x@127.0.0.1:1/INBOX?tls=off"
                  ) -> MailSettings:
    return MailSettings(imap, smtp.url(), "support@desk.example", "Desk Support")


@pytest.fixture
def ticket_from_mail(system: Session) -> int:
    return take_in(system, parse_mail(mail())).ticket_id or 0


def test_a_reply_leaves_once_with_number_threading_headers_signature_and_files(
        store: Store, alice: Session, smtp_server: SmtpReceiver, ticket_from_mail: int) -> None:
    settings = desk_settings(smtp_server)
    save_settings(alice, settings)
    set_signature(alice, alice.agent_id or 0, "  Alice Agent\r\nDesk Support\n")
    outbox.queue_reply(alice, ticket_from_mail, "Try turning it off and on.",
                       files=[NewFile("steps.txt", b"1. off\n2. on\n")])
    [row] = Outbox.select()
    assert row.state == "queued"
    report = send_outbox(alice, settings, smtp_server.password)
    assert (report.sent, report.failed) == (1, 0)
    assert send_outbox(alice, settings, smtp_server.password).sent == 0
    [got] = smtp_server.received
    message = got.message
    assert got.rcpt_tos == ["ann@example.com"]
    assert message["Subject"] == f"Re: [TKT-{ticket_from_mail:06d}] Printer broken"
    assert message["In-Reply-To"] == "<m1@example.com>"
    assert message["References"] == "<m1@example.com>"
    assert message["Message-ID"] == row.rfc_message_id
    assert message["From"] == "Desk Support <support@desk.example>"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body == "Try turning it off and on.\n\n-- \nAlice Agent\nDesk Support\n"
    [attached] = list(message.iter_attachments())
    assert (attached.get_filename(), attached.get_content().replace("\r\n", "\n")) == (
        "steps.txt", "1. off\n2. on\n")
    assert Outbox.get().state == "sent"
    assert tickets.get_ticket(ticket_from_mail).first_response_at is not None
    assert get_signature(alice.agent_id or 0) == "Alice Agent\nDesk Support"
    with pytest.raises(ValidationError, match="limit is 2,000"):
        set_signature(alice, alice.agent_id or 0, "x" * 2001)


class Killed(Exception):
    pass


def test_a_row_found_sending_is_resent_with_the_same_message_id(
        store: Store, alice: Session, smtp_server: SmtpReceiver, ticket_from_mail: int) -> None:
    settings = desk_settings(smtp_server)
    save_settings(alice, settings)
    outbox.queue_reply(alice, ticket_from_mail, "First answer.")

    def die(outbox_id: int) -> None:
        raise Killed("the program died after the server accepted the mail")

    with pytest.raises(Killed):
        send_outbox(alice, settings, smtp_server.password, handed_over=die)
    assert Outbox.get().state == "sending"
    report = send_outbox(alice, settings, smtp_server.password)
    assert (report.sent, report.resent) == (1, 1)
    first, second = smtp_server.received
    assert first.message["Message-ID"] == second.message["Message-ID"] == \
        Outbox.get().rfc_message_id
    assert first.data == second.data
    assert Outbox.get().state == "sent"


def test_a_refusing_server_defers_the_mail_with_the_reason_and_it_leaves_later(
        store: Store, alice: Session, smtp_server: SmtpReceiver, clock: FakeClock,
        ticket_from_mail: int) -> None:
    settings = desk_settings(smtp_server)
    save_settings(alice, settings)
    outbox.queue_reply(alice, ticket_from_mail, "Answer.")
    smtp_server.refuse = True
    report = send_outbox(alice, settings, smtp_server.password)
    assert (report.sent, report.deferred) == (0, 1)
    row = Outbox.get()
    assert (row.state, row.attempts) == ("queued", 1)
    assert row.last_error.startswith("451")
    smtp_server.refuse = False
    assert send_outbox(alice, settings, smtp_server.password).sent == 0  # not due yet
    clock.advance(61)
    assert send_outbox(alice, settings, smtp_server.password).sent == 1
    assert len(smtp_server.received) == 1


def test_replies_wait_in_order_while_the_server_is_unreachable(
        store: Store, alice: Session, clock: FakeClock, ticket_from_mail: int) -> None:
    settings = MailSettings("imap://x@127.0.0.1:1/INBOX?tls=off",
                            f"smtp://x@127.0.0.1:{free_port()}?tls=off", "support@desk.example")
    save_settings(alice, settings)
    outbox.queue_reply(alice, ticket_from_mail, "One.")
    outbox.queue_reply(alice, ticket_from_mail, "Two.")
    report = send_outbox(alice, settings, "pw")
    assert report.error is not None
    assert report.error.startswith("Refused: nothing accepts connections at 127.0.0.1:")
    assert [r.state for r in Outbox.select().order_by(Outbox.id)] == ["queued", "queued"]


def test_a_reply_to_a_ticket_without_a_customer_address_is_refused_and_nothing_changes(
        store: Store, alice: Session, smtp_server: SmtpReceiver) -> None:
    save_settings(alice, desk_settings(smtp_server))
    ticket_id = tickets.create_ticket(alice, subject="Phone call").new_id
    with pytest.raises(ValidationError, match="no customer with an email address"):
        outbox.queue_reply(alice, ticket_id, "Hello")
    assert Outbox.select().count() == 0


# -- Test Connection ------------------------------------------------------------------------------


def test_test_connection_says_what_worked_and_what_failed(
        dovecot: Dovecot, smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    good = MailSettings(dovecot.url(), smtp_server.url(), "support@desk.example")
    assert [(r.what, r.ok) for r in test_connection(good, dovecot.password)] == [
        ("IMAP", True), ("SMTP", True)]
    imap, _ = test_connection(good, "wrong password")
    assert imap.message == "Login refused: the IMAP server did not accept user 'support' " \
                           "with this password."
    folder = MailSettings(dovecot.url("Nowhere"), smtp_server.url(), "support@desk.example")
    assert test_connection(folder, dovecot.password)[0].message.startswith(
        "Folder 'Nowhere' cannot be opened on 127.0.0.1")
    closed = free_port()
    refused = MailSettings(f"imap://support@127.0.0.1:{closed}?tls=off",
                           f"smtp://support@127.0.0.1:{closed}?tls=off", "support@desk.example")
    assert [r.message for r in test_connection(refused, "pw")] == [
        f"Refused: nothing accepts connections at 127.0.0.1:{closed}."] * 2

    def no_such_name(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    lookup = MailSettings("imaps://ann@imap.no-such-host.invalid",
                          "smtps://ann@smtp.no-such-host.invalid", "support@desk.example")
    assert [r.message for r in test_connection(lookup, "pw")] == [
        "Name lookup failed: 'imap.no-such-host.invalid' cannot be found (Name or service not "
        "known).",
        "Name lookup failed: 'smtp.no-such-host.invalid' cannot be found (Name or service not "
        "known)."]


def test_an_untrusted_tls_certificate_is_named_as_such(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    with running_dovecot(tls_cert=(cert, key)) as server:
        settings = MailSettings(f"imaps://support@127.0.0.1:{server.tls_port}/INBOX",
                                "smtp://x@127.0.0.1:1?tls=off", "support@desk.example")
        imap, _smtp = test_connection(settings, server.password)
    assert not imap.ok
    assert imap.message.startswith("TLS certificate of 127.0.0.1 is not trusted: "
                                   "self-signed certificate")


def test_a_permanent_refusal_fails_with_the_reason_until_retried(
        store: Store, alice: Session, smtp_server: SmtpReceiver, ticket_from_mail: int) -> None:
    settings = desk_settings(smtp_server)
    save_settings(alice, settings)
    outbox.queue_reply(alice, ticket_from_mail, "Answer.")
    smtp_server.reject = "550 5.1.1 No such mailbox"
    report = send_outbox(alice, settings, smtp_server.password)
    assert (report.sent, report.failed) == (0, 1)
    assert report.reasons == ["ann@example.com: 550 5.1.1 No such mailbox"]
    row = Outbox.get()
    assert (row.state, row.last_error) == ("failed", "550 5.1.1 No such mailbox")
    [shown] = outbox.outbox_states(ticket_from_mail).values()
    assert (shown.state, shown.last_error) == ("failed", "550 5.1.1 No such mailbox")
    assert send_outbox(alice, settings, smtp_server.password).sent == 0
    smtp_server.reject = None
    outbox.retry(alice, row.id)
    assert send_outbox(alice, settings, smtp_server.password).sent == 1
    assert Outbox.get().state == "sent"


def test_starttls_urls_never_fall_back_to_plain_text(
        dovecot: Dovecot, smtp_server: SmtpReceiver) -> None:
    """imap:// and smtp:// mean STARTTLS: a server that does not offer it is refused before
    the password is sent."""
    settings = MailSettings(f"imap://support@127.0.0.1:{dovecot.port}/INBOX",
                            f"smtp://support@127.0.0.1:{smtp_server.port}",
                            "support@desk.example")
    imap, smtp = test_connection(settings, dovecot.password)
    assert imap.message.startswith(f"STARTTLS failed with 127.0.0.1:{dovecot.port}: ")
    assert smtp.message == (f"STARTTLS failed with 127.0.0.1:{smtp_server.port}: STARTTLS "
                            "extension not supported by server.")
    assert (imap.ok, smtp.ok) == (False, False)
    assert "Login: user=<support>" not in (dovecot.root / "dovecot.log").read_text()
