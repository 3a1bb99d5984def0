"""Mail settings: server URLs, where they are kept (never the password)."""

from __future__ import annotations

import re

import pytest

from ticketdesk.db.models import DeskMeta
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import ValidationError
from ticketdesk.services.mail.settings import (
    Endpoint,
    MailSettings,
    load_settings,
    mail_password,
    parse_endpoint,
    save_settings,
)
from ticketdesk.services.session import Session


def test_server_urls_say_tls_starttls_user_host_port_and_folder() -> None:
    assert parse_endpoint("imaps://support@example.com@imap.example.com/Support", "imap") == \
        Endpoint("imap", "tls", "support@example.com", "imap.example.com", 993, "Support")
    assert parse_endpoint("imap://ann@mail.example.com:1143", "imap") == \
        Endpoint("imap", "starttls", "ann", "mail.example.com", 1143, "INBOX")
    assert parse_endpoint("smtps://ann@smtp.example.com", "smtp").port == 465
    assert parse_endpoint("smtp://ann@smtp.example.com", "smtp").security == "starttls"
    assert parse_endpoint("smtp://ann@127.0.0.1:2525?tls=off", "smtp").security == "off"


@pytest.mark.parametrize(("url", "kind", "message"), [
    ("imaps://ann@mail.example.com?tls=off", "imap", "only for a server on 127.0.0.1"),
    ("http://ann@mail.example.com", "imap", "must start with imaps:// or imap://"),
    ("imaps://mail.example.com", "imap", "names no user"),
    ("imaps://ann:hunter2@mail.example.com", "imap", "must not carry the password"),
    ("smtps://ann@smtp.example.com/INBOX", "smtp", "takes no folder"),
    ("imaps://ann@mail.example.com:99999", "imap", "not a valid URL"),
])
def test_a_bad_server_url_is_refused_saying_what_to_fix(url: str, kind: str,
                                                         message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_endpoint(url, kind)


def test_settings_are_kept_in_the_desk_without_any_password(
        store: Store, system: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings() is None
    settings = MailSettings("imaps://ann@imap.example.com/INBOX", "smtps://ann@smtp.example.com",
                            "Support@Example.com", "Example Support")
    save_settings(system, settings)
    loaded = load_settings()
    assert loaded is not None
    assert (loaded.address, loaded.name, loaded.after_fetch) == (
        "support@example.com", "Example Support", "seen")
    stored = DeskMeta.get(DeskMeta.key == "mail.settings").value
    assert "password" not in stored.lower()
    monkeypatch.setenv("TICKETDESK_MAIL_PASSWORD", "from-env")
    assert mail_password(loaded.imap_endpoint) == "from-env"


@pytest.mark.parametrize(("template", "message"), [
    ("Ticket {number} for {nmae}", "uses {nmae}, which ticketdesk does not know"),
    ("Thanks, we will answer soon.", "must contain {number}"),
    ("   \n ", "The acknowledgement text is empty."),
    ("{number}" + "x" * 6000, "the limit is 5,000"),
])
def test_an_acknowledgement_template_a_customer_should_not_see_is_refused(
        template: str, message: str) -> None:
    from ticketdesk.services.mail.settings import check_ack_template

    with pytest.raises(ValidationError, match=re.escape(message)):
        check_ack_template(template)


def test_the_acknowledgement_template_keeps_known_placeholders_and_windows_line_ends_go(
        ) -> None:
    from ticketdesk.services.mail.settings import DEFAULT_ACK, check_ack_template

    assert check_ack_template(DEFAULT_ACK) == DEFAULT_ACK
    assert check_ack_template("Hi {name},\r\n{number}: {subject}\r\n") == \
        "Hi {name},\n{number}: {subject}\n"
