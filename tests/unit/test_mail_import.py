"""`ticketdesk import mail`: a .eml file, a folder of them, an mbox file; threaded as fetched mail
is, each message once."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from ticketdesk.db.models import Message, Ticket
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import ValidationError
from ticketdesk.services import messages
from ticketdesk.services.mail.importing import import_mail
from ticketdesk.services.session import Session


def mail(n: int, subject: str, body: str, in_reply_to: str | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "ann@example.com"
    m["Subject"] = subject
    m["Message-ID"] = f"<imp{n}@example.com>"
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
    m.set_content(body)
    return m


def test_a_folder_of_eml_files_threads_in_name_order_and_twice_adds_nothing(
        store: Store, system: Session, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "1.eml").write_bytes(mail(1, "Printer", "It jams.").as_bytes())
    (folder / "2.eml").write_bytes(mail(2, "Re: Printer", "Still.", "<imp1@example.com>")
                                   .as_bytes())
    (folder / "notes.txt").write_text("not mail")
    report = import_mail(system, folder)
    assert (report.messages, report.created, report.appended) == (2, 1, 1)
    again = import_mail(system, folder)
    assert again.duplicates == 2
    [ticket] = Ticket.select()
    assert [m.body for m in messages.messages_for(ticket.id)] == ["It jams.", "Still."]


def test_an_mbox_keeps_from_lines_inside_bodies_as_text(
        store: Store, system: Session, tmp_path: Path) -> None:
    path = tmp_path / "archive.mbox"
    box = mailbox.mbox(path)
    box.add(mail(1, "Forwarded", "Look:\nFrom the start it failed.\nFrom: forged@evil.example"))
    box.add(mail(2, "Other", "Second"))
    box.close()
    report = import_mail(system, path)
    assert report.created == 2
    first = Message.get(Message.rfc_message_id == "<imp1@example.com>")
    assert first.body == "Look:\nFrom the start it failed.\nFrom: forged@evil.example"


def test_a_single_eml_file_imports_one_message(store: Store, system: Session,
                                                tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(mail(1, "Hello", "Hi").as_bytes())
    assert import_mail(system, path).created == 1


def test_a_missing_path_or_an_empty_folder_is_refused(store: Store, system: Session,
                                                      tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        import_mail(system, tmp_path / "nope.eml")
    with pytest.raises(ValidationError, match=r"holds no \.eml files"):
        import_mail(system, tmp_path)
