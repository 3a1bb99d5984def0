"""The mail commands as a script runs them: setup, test, fetch, reply, send, import; exit codes
and messages, bad input refused with nothing changed."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.mail.servers import Dovecot, SmtpReceiver
from ticketdesk.app import main
from ticketdesk.db.models import DeskMeta, Message, Ticket
from ticketdesk.db.store import open_database


def mail(n: int, subject: str, in_reply_to: str | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "Ann <ann@example.com>"
    m["To"] = "support@desk.example"
    m["Subject"] = subject
    m["Message-ID"] = f"<cli{n}@example.com>"
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
    m.set_content(f"Text {n}")
    return m


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dovecot: Dovecot) -> str:
    monkeypatch.setenv("TICKETDESK_MAIL_PASSWORD", dovecot.password)
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    open_database(url).close()  # the mail commands work on a desk; only demo and import make one
    return url


def counts(url: str) -> tuple[int, int]:
    store = open_database(url)
    try:
        return Ticket.select().count(), Message.select().count()
    finally:
        store.close()


def test_setup_fetch_reply_send_and_import_from_the_command_line(
        desk: str, dovecot: Dovecot, smtp_server: SmtpReceiver, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mail", "setup", "--db", desk, "--imap", dovecot.url(), "--smtp",
                 smtp_server.url(), "--address", "support@desk.example", "--name",
                 "Desk Support"]) == 0
    assert "Mail connected" in capsys.readouterr().out
    assert main(["mail", "test", "--db", desk]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("IMAP: ok")

    dovecot.deliver(mail(1, "Printer broken"))
    assert main(["mail", "fetch", "--db", desk]) == 0
    assert "1 message(s) fetched: 1 new ticket(s)" in capsys.readouterr().out
    assert main(["mail", "fetch", "--db", desk]) == 0
    assert "0 message(s) fetched" in capsys.readouterr().out

    assert main(["ticket", "reply", "TKT-000001", "--db", desk, "--text", "Fixed?"]) == 0
    assert "Reply to TKT-000001 queued" in capsys.readouterr().out
    assert main(["mail", "send", "--db", desk]) == 0
    assert capsys.readouterr().out.startswith("Outbox: 1 sent.")
    assert main(["mail", "send", "--db", desk]) == 0
    [sent] = smtp_server.received
    assert sent.message["Subject"] == "Re: [TKT-000001] Printer broken"

    box_path = tmp_path / "old.mbox"
    box = mailbox.mbox(box_path)
    box.add(mail(1, "Printer broken"))  # already fetched: skipped
    box.add(mail(2, "Re: Printer broken", in_reply_to=sent.message["Message-ID"]))
    box.add(mail(3, "New question"))
    box.close()
    assert main(["import", "mail", "--db", desk, str(box_path)]) == 0
    assert "3 message(s): 1 new ticket(s), 1 added to tickets, 1 already in the desk" in \
        capsys.readouterr().out
    assert counts(desk) == (2, 4)


def test_bad_input_is_refused_with_a_message_and_nothing_changes(
        desk: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mail", "fetch", "--db", desk]) == 1
    assert "No mailbox is connected to this desk yet" in capsys.readouterr().err
    assert main(["mail", "setup", "--db", desk, "--imap", "imaps://ann@mail.example.com?tls=off",
                 "--smtp", "smtps://ann@smtp.example.com", "--address", "a@b.example"]) == 1
    assert "only for a server on 127.0.0.1" in capsys.readouterr().err
    store = open_database(desk)
    try:
        assert DeskMeta.get_or_none(DeskMeta.key == "mail.settings") is None
    finally:
        store.close()
    assert main(["ticket", "reply", "TKT-000042", "--db", desk, "--text", "hi"]) == 1
    assert "No mailbox is connected" in capsys.readouterr().err
    assert main(["import", "mail", "--db", desk, "/nonexistent/mail.eml"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert counts(desk) == (0, 0)


class FakeKeyring:
    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, account: str, password: str) -> None:
        self.saved[(service, account)] = password

    def get_password(self, service: str, account: str) -> str | None:
        return self.saved.get((service, account))


def test_setup_keeps_the_password_in_the_keyring_and_never_in_the_desk(
        tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpReceiver,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from ticketdesk.db import credentials

    ring = FakeKeyring()
    monkeypatch.setattr(credentials, "_keyring", lambda: ring)
    monkeypatch.delenv("TICKETDESK_MAIL_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(dovecot.password + "\n"))
    desk = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    open_database(desk).close()
    assert main(["mail", "setup", "--db", desk, "--imap", dovecot.url(), "--smtp",
                 smtp_server.url(), "--address", "support@desk.example",
                 "--password-stdin"]) == 0
    assert "kept in the system keyring" in capsys.readouterr().out
    assert ring.saved == {
        ("ticketdesk", f"mail:support@127.0.0.1:{dovecot.port}"): dovecot.password,
        ("ticketdesk", f"mail:support@127.0.0.1:{smtp_server.port}"): dovecot.password}
    stored = [p.read_bytes() for p in tmp_path.glob("desk.sqlite*") if p.is_file()]
    assert stored
    assert not any(dovecot.password.encode() in data for data in stored)
    assert main(["mail", "test", "--db", desk]) == 0
