"""Rating by email (issue 21, services/csat_request.py), with a real SMTP receiver and a real
dovecot: resolving a ticket sends the desk's rating request; the customer's answer is fetched
and recorded as their rating (changeable), without reopening the ticket; an ordinary reply still
reopens it."""

from __future__ import annotations

import pytest

from tests.mail.servers import Dovecot, SmtpReceiver
from tests.unit.support import activity
from tests.unit.test_mail_intake import mail
from ticketdesk.db.models import Outbox, Ticket
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.csat import Rating
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.status import Status
from ticketdesk.services import csat, csat_request, tickets
from ticketdesk.services.csat_request import RequestSettings
from ticketdesk.services.mail.fetch import fetch_once
from ticketdesk.services.mail.intake import take_in
from ticketdesk.services.mail.parse import parse_mail
from ticketdesk.services.mail.send import send_outbox
from ticketdesk.services.mail.settings import MailSettings, save_settings
from ticketdesk.services.session import Session

TEMPLATE = "Dear {name}, how was {number} ({subject})? Answer 1-5 or Good/Bad. — {agent}"


def version(ticket_id: int) -> int:
    return int(Ticket.get_by_id(ticket_id).version)


def resolve(session: Session, ticket_id: int) -> None:
    tickets.set_status(session, ticket_id, version(ticket_id), Status.RESOLVED)


@pytest.fixture
def desk(store: Store, alice: Session, dovecot: Dovecot, smtp_server: SmtpReceiver
         ) -> MailSettings:
    settings = MailSettings(dovecot.url(), smtp_server.url(), "support@desk.example",
                            "Desk Support")
    save_settings(alice, settings)
    csat_request.save(alice, RequestSettings(True, TEMPLATE))
    return settings


def test_resolving_sends_the_request_and_the_answer_is_recorded_as_the_rating(
        alice: Session, desk: MailSettings, dovecot: Dovecot,
        smtp_server: SmtpReceiver) -> None:
    ticket_id = take_in(alice, parse_mail(mail())).ticket_id or 0
    resolve(alice, ticket_id)
    [row] = Outbox.select().where(Outbox.kind == csat_request.KIND)
    assert send_outbox(alice, desk, smtp_server.password).sent == 1
    [got] = smtp_server.received
    number = f"TKT-{ticket_id:06d}"
    assert got.rcpt_tos == ["ann@example.com"]
    assert got.message["Subject"] == f"How did we do? [{number}] Printer broken"
    assert got.message["Auto-Submitted"] == "auto-generated"
    body = got.message.get_body(("plain",)).get_content()
    assert f"Dear Ann Customer, how was {number} (Printer broken)?" in body

    dovecot.deliver(mail(f"Re: How did we do? [{number}]",
                         "4 - quick and friendly\n\nOn Monday Desk Support wrote:\n> how was",
                         msgid="<r1@example.com>", in_reply_to=row.rfc_message_id))
    report = fetch_once(alice, desk, dovecot.password)
    assert report.rated == 1
    assert "1 rating(s) recorded" in report.summary()
    assert csat.rating_of(alice, ticket_id) == Rating(4, True, "quick and friendly")
    assert Ticket.get_by_id(ticket_id).status == Status.RESOLVED  # not reopened
    rows = activity(ticket_id)
    assert [r.new for r in rows if r.kind == ActivityKind.CSAT] == [
        "4 (good) by email: quick and friendly"]
    assert rows[-1].kind == ActivityKind.MESSAGE_IN  # the answer is in the conversation

    # The customer changes their mind (in German); the rating changes, with its activity row.
    dovecot.deliver(mail(f"Re: How did we do? [{number}]", "Schlecht. Es geht wieder nicht.",
                         msgid="<r2@example.com>", in_reply_to=row.rfc_message_id))
    assert fetch_once(alice, desk, dovecot.password).rated == 1
    assert csat.rating_of(alice, ticket_id) == Rating(None, False, "Es geht wieder nicht.")
    changed = [r for r in activity(ticket_id) if r.kind == ActivityKind.CSAT][-1]
    assert (changed.old, changed.new) == ("4 (good) by email: quick and friendly",
                                          "Bad by email: Es geht wieder nicht.")
    assert Ticket.get_by_id(ticket_id).status == Status.RESOLVED


def test_an_answer_that_is_no_rating_reopens_the_ticket_as_any_reply(
        alice: Session, desk: MailSettings, dovecot: Dovecot) -> None:
    ticket_id = take_in(alice, parse_mail(mail())).ticket_id or 0
    resolve(alice, ticket_id)
    [row] = Outbox.select().where(Outbox.kind == csat_request.KIND)
    dovecot.deliver(mail("Re: How did we do?", "Actually it jams again.",
                         msgid="<r1@example.com>", in_reply_to=row.rfc_message_id))
    report = fetch_once(alice, desk, dovecot.password)
    assert (report.rated, report.reopened) == (0, 1)
    assert csat.rating_of(alice, ticket_id) is None
    assert Ticket.get_by_id(ticket_id).status == Status.OPEN


def test_a_number_in_a_reply_to_an_ordinary_answer_is_no_rating(
        alice: Session, desk: MailSettings, dovecot: Dovecot) -> None:
    ticket_id = take_in(alice, parse_mail(mail())).ticket_id or 0
    resolve(alice, ticket_id)
    dovecot.deliver(mail("Re: Printer broken", "5 more printers are broken now.",
                         msgid="<r1@example.com>", in_reply_to="<m1@example.com>"))
    assert fetch_once(alice, desk, dovecot.password).reopened == 1
    assert csat.rating_of(alice, ticket_id) is None


def test_no_request_when_asking_is_off_or_the_customer_has_no_address(
        alice: Session, desk: MailSettings) -> None:
    csat_request.save(alice, RequestSettings(False, TEMPLATE))
    resolve(alice, take_in(alice, parse_mail(mail())).ticket_id or 0)
    csat_request.save(alice, RequestSettings(True, TEMPLATE))
    resolve(alice, tickets.create_ticket(alice, subject="By phone").new_id)
    assert Outbox.select().where(Outbox.kind == csat_request.KIND).count() == 0


@pytest.mark.parametrize(("template", "message"), [
    ("How was {number}? {nmae}", r"uses \{nmae\}, which is not a placeholder"),
    ("How was it? {name}", r"must name the ticket, \{number\}"),
    ("How was {number}? {", "stray brace"),
    ("How was {number:>9}?", r"uses \{number:>9\}"),
    ("   ", "cannot be empty"),
])
def test_a_template_with_unknown_or_broken_placeholders_is_refused(
        alice: Session, template: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        csat_request.save(alice, RequestSettings(True, template))
    assert csat_request.read(alice) == RequestSettings()


def test_a_checked_template_is_kept_and_braces_can_be_written(alice: Session) -> None:
    csat_request.save(alice, RequestSettings(True, "  {{Rate}} {number}, {name}!  "))
    assert csat_request.read(alice) == RequestSettings(True, "{{Rate}} {number}, {name}!")
    assert csat_request.render("{{Rate}} {number}", name="", number="TKT-000001", subject="",
                               agent="") == "{Rate} TKT-000001"


def test_the_command_line_switches_the_request_and_checks_its_template(
        tmp_path, capsys) -> None:
    from ticketdesk.app import main

    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    open_database(url).close()
    good = tmp_path / "ask.txt"
    good.write_text("Hi {name}, rate {number} from 1 to 5.\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("Hi {customer}, rate {number}.", encoding="utf-8")
    assert main(["csat", "request", "--db", url, "--on", "--template", str(good)]) == 0
    assert "by email when a ticket is resolved: on.\n\nHi {name}, rate {number} from 1 to 5." \
        in capsys.readouterr().out
    assert main(["csat", "request", "--db", url, "--template", str(bad)]) == 1
    assert "{customer}, which is not a placeholder" in capsys.readouterr().err
    assert main(["csat", "request", "--db", url, "--off"]) == 0
    assert ": off." in capsys.readouterr().out
