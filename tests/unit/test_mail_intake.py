"""Mail in, without a server: parsing untrusted MIME and turning mail into tickets (both
backends). The IMAP and SMTP round trips are in tests/mail/."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FakeClock
from ticketdesk.db.models import Customer, Message, Outbox, Ticket
from ticketdesk.db.store import Store
from ticketdesk.domain.status import Status
from ticketdesk.services import audit, messages, tickets
from ticketdesk.services.attachments import attachments_for
from ticketdesk.services.mail.intake import IntakeRules, take_in
from ticketdesk.services.mail.parse import parse_mail
from ticketdesk.services.session import Session

DAY = 86_400


def mail(subject: str = "Printer broken", body: str = "It jams.", *,
         sender: str = "Ann Customer <ann@example.com>", msgid: str | None = "<m1@example.com>",
         in_reply_to: str | None = None, references: str | None = None,
         headers: dict[str, str] | None = None) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "support@desk.example"
    m["Subject"] = subject
    if msgid:
        m["Message-ID"] = msgid
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
    if references:
        m["References"] = references
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(body)
    return m.as_bytes()


def test_a_new_mail_becomes_a_ticket_of_a_customer_found_or_created_by_address(
        store: Store, system: Session) -> None:
    first = take_in(system, parse_mail(mail()))
    assert first.outcome == "created"
    detail = tickets.get_ticket(first.ticket_id or 0)
    assert detail.subject == "Printer broken"
    assert detail.customer is not None
    assert (detail.customer.name, detail.customer.email) == ("Ann Customer", "ann@example.com")
    [msg] = messages.messages_for(detail.id)
    assert (msg.incoming, msg.body) == (True, "It jams.")
    second = take_in(system, parse_mail(mail("Another thing", sender="ANN@Example.com",
                                             msgid="<m2@example.com>")))
    assert second.outcome == "created"
    assert tickets.get_ticket(second.ticket_id or 0).customer == detail.customer
    assert Customer.select().count() == 1


def test_a_reply_threads_by_in_reply_to_then_by_the_number_never_by_subject_text(
        store: Store, system: Session) -> None:
    ticket_id = take_in(system, parse_mail(mail())).ticket_id
    by_header = take_in(system, parse_mail(mail("Something else", "More", msgid="<m2@x>",
                                                in_reply_to="<m1@example.com>")))
    assert (by_header.outcome, by_header.ticket_id) == ("appended", ticket_id)
    by_number = take_in(system, parse_mail(mail(f"Re: [TKT-{ticket_id:06d}] hm", "Again",
                                                msgid="<m3@x>")))
    assert (by_number.outcome, by_number.ticket_id) == ("appended", ticket_id)
    same_words = take_in(system, parse_mail(mail("Printer broken", "Other customer",
                                                 sender="bob@example.com", msgid="<m4@x>")))
    assert same_words.outcome == "created"
    assert same_words.ticket_id != ticket_id


def test_a_message_id_already_stored_is_never_imported_again(
        store: Store, system: Session) -> None:
    take_in(system, parse_mail(mail()))
    again = take_in(system, parse_mail(mail()))
    assert again.outcome == "duplicate"
    assert Ticket.select().count() == 1
    assert Message.select().count() == 1
    # A mail without a Message-ID gets a stand-in made of its bytes: importing the same file
    # twice still adds it once.
    bare = mail("No id", msgid=None)
    assert take_in(system, parse_mail(bare)).outcome == "created"
    assert take_in(system, parse_mail(bare)).outcome == "duplicate"


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_reply_to_a_finished_ticket_reopens_it_within_the_window_with_an_activity_row(
        store: Store, system: Session, clock: FakeClock, status: Status) -> None:
    ticket_id = take_in(system, parse_mail(mail())).ticket_id or 0
    tickets.set_status(system, ticket_id, 1, status)
    clock.advance(5 * DAY)
    result = take_in(system, parse_mail(mail("Re: x", "Still broken", msgid="<m2@x>",
                                             in_reply_to="<m1@example.com>")),
                     IntakeRules(reopen_days=7))
    assert (result.outcome, result.ticket_id) == ("reopened", ticket_id)
    assert tickets.get_ticket(ticket_id).status == Status.OPEN
    assert [a.kind for a in audit.activity_for(ticket_id)][:2] == ["message_in", "reopened"]


def test_a_reply_after_the_window_starts_a_new_ticket_linked_both_ways(
        store: Store, system: Session, clock: FakeClock) -> None:
    old = take_in(system, parse_mail(mail())).ticket_id or 0
    tickets.set_status(system, old, 1, Status.CLOSED)
    clock.advance(40 * DAY)
    result = take_in(system, parse_mail(mail("Re: x", "Broken again", msgid="<m2@x>",
                                             in_reply_to="<m1@example.com>")),
                     IntakeRules(reopen_days=30))
    assert result.outcome == "follow-up"
    new = result.ticket_id or 0
    assert new != old
    assert tickets.get_ticket(old).status == Status.CLOSED
    assert f"Follow-up of TKT-{old:06d}" in [a.new for a in audit.activity_for(new)]
    assert f"Followed up by TKT-{new:06d}" in [a.new for a in audit.activity_for(old)]


def test_html_mail_becomes_text_with_no_script_and_nothing_remote(
        store: Store, system: Session) -> None:
    m = EmailMessage()
    m["From"] = "ann@example.com"
    m["Subject"] = "HTML"
    m["Message-ID"] = "<h@x>"
    m.set_content("<html><head><script>alert(1)</script><style>p{}</style></head><body>"
                  "<p>Hello <b>there</b></p><img src='http://tracker.example/p.gif' alt='logo'>"
                  "<p>Line two</p></body></html>", subtype="html")
    parsed = parse_mail(m.as_bytes())
    assert parsed.text == "Hello there\n[logo]\nLine two"
    assert "alert" not in parsed.text
    assert "tracker" not in parsed.text


def test_attachments_and_inline_images_are_kept_with_safe_names_and_within_the_limit(
        store: Store, system: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from ticketdesk.domain import attachments as rules

    monkeypatch.setattr(rules, "MAX_BYTES", 1000)
    m = EmailMessage()
    m["From"] = "ann@example.com"
    m["Subject"] = "Files"
    m["Message-ID"] = "<f@x>"
    m.set_content("See attached.")
    m.add_attachment(b"log", maintype="text", subtype="plain", filename="../../etc/passwd")
    m.add_attachment(b"\x89PNG", maintype="image", subtype="png", disposition="inline")
    m.add_attachment(b"PK\x03\x04" + b"0" * 2000, maintype="application", subtype="zip",
                     filename="big.zip")
    result = take_in(system, parse_mail(m.as_bytes()))
    names = [a.name for a in attachments_for(result.ticket_id or 0)]
    assert names == ["passwd", "image-1.png"]
    [msg] = messages.messages_for(result.ticket_id or 0)
    assert msg.body.startswith("See attached.")
    assert "big.zip" in msg.body
    assert "not kept" in msg.body


def test_an_acknowledgement_goes_to_people_only_and_at_most_three_an_hour(
        store: Store, system: Session, clock: FakeClock) -> None:
    rules = IntakeRules(acknowledge=True, own_address="support@desk.example")
    for n in range(5):
        take_in(system, parse_mail(mail(f"Ticket {n}", msgid=f"<a{n}@x>")), rules)
        clock.advance(60)
    take_in(system, parse_mail(mail("Out of office", msgid="<ooo@x>", sender="bob@example.com",
                                    headers={"Auto-Submitted": "auto-replied"})), rules)
    take_in(system, parse_mail(mail("Newsletter", msgid="<list@x>", sender="news@example.com",
                                    headers={"List-Id": "<news.example.com>"})), rules)
    take_in(system, parse_mail(mail("Bounce", msgid="<b@x>",
                                    sender="MAILER-DAEMON@mx.example.com")), rules)
    acks = list(Outbox.select().where(Outbox.kind == "ack"))
    assert [a.to_address for a in acks] == ["ann@example.com"] * 3
    assert all(a.subject.startswith("[TKT-") for a in acks)
    clock.advance(3600)
    take_in(system, parse_mail(mail("Later", msgid="<late@x>")), rules)
    assert Outbox.select().where(Outbox.kind == "ack").count() == 4


# -- hostile input ------------------------------------------------------------------------------

HOSTILE = [
    b"",
    b"\x00\xff\xfe garbage",
    b"From: \xff\xfe\xe9t\xe9 <x@y.example>\r\nSubject: \xe9\xe8\r\n\r\nbody \xff",
    b"From: a@b.example\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nhi",
    b"From: a@b.example\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nna\xc3\xafve",
    b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
    b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!notbase64!!\r\n",
    b"From: a@b.example\r\nSubject: =?utf-8?b?broken?=\r\nMessage-ID: <<<>>>\r\n\r\n",
    b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
    + b"--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" * 300,
    b"From: \"support@desk.example\" <evil@attacker.example>\r\nSubject: forged\r\n\r\nhi",
    b"Subject: no sender and no body\r\n\r\n",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_mail_is_imported_whole_with_a_clear_result(
        store: Store, system: Session, raw: bytes) -> None:
    parsed = parse_mail(raw)
    result = take_in(system, parsed)
    assert result.outcome == "created"
    ticket = tickets.get_ticket(result.ticket_id or 0)
    assert ticket.subject
    assert len(messages.messages_for(ticket.id)) == 1


def test_a_forged_display_name_does_not_make_the_sender_our_address() -> None:
    parsed = parse_mail(HOSTILE[8])
    assert parsed.sender == "evil@attacker.example"


def test_a_lying_charset_is_read_as_utf8_and_an_unknown_one_is_noted() -> None:
    assert parse_mail(HOSTILE[4]).text == "naïve"
    unknown = parse_mail(HOSTILE[3])
    assert unknown.text == "hi"
    assert any("Unknown character set" in p for p in unknown.problems)


leaf = st.builds(
    lambda ctype, charset, cte, payload, name: (ctype, charset, cte, payload, name),
    st.sampled_from(["text/plain", "text/html", "image/png", "application/zip",
                     "message/rfc822", "text/x-weird", "application/octet-stream"]),
    st.sampled_from(["utf-8", "us-ascii", "iso-8859-1", "x-unknown", "", "utf-16"]),
    st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-bogus"]),
    st.binary(max_size=200),
    st.one_of(st.none(), st.text(max_size=30)),
)
trees = st.recursive(leaf, lambda children: st.tuples(
    st.sampled_from(["multipart/mixed", "multipart/alternative", "multipart/related"]),
    st.lists(children, max_size=4)), max_leaves=12)


def _render(node: object, depth: int = 0) -> bytes:
    if isinstance(node, tuple) and len(node) == 2:
        ctype, children = node
        boundary = f"b{depth}x".encode()
        out = b"Content-Type: " + str(ctype).encode() + b"; boundary=\"" + boundary + b"\"\r\n\r\n"
        for child in children:  # type: ignore[union-attr]
            out += b"--" + boundary + b"\r\n" + _render(child, depth + 1) + b"\r\n"
        return out + b"--" + boundary + b"--\r\n"
    ctype, charset, cte, payload, name = node  # type: ignore[misc]
    head = f"Content-Type: {ctype}; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n"
    if name is not None:
        head += f"Content-Disposition: attachment; filename=\"{name}\"\r\n"
    return head.encode("utf-8", "surrogateescape") + b"\r\n" + payload


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees, subject=st.binary(max_size=60), sender=st.binary(max_size=40))
def test_generated_mime_never_raises_and_imports_a_whole_message_or_nothing(
        store: Store, system: Session, tree: object, subject: bytes, sender: bytes) -> None:
    raw = (b"From: " + sender.replace(b"\n", b" ") + b"\r\nSubject: "
           + subject.replace(b"\n", b" ").replace(b"\r", b" ") + b"\r\nMIME-Version: 1.0\r\n"
           + _render(tree))
    parsed = parse_mail(raw)
    before = (Ticket.select().count(), Message.select().count())
    result = take_in(system, parsed)
    after = (Ticket.select().count(), Message.select().count())
    if result.outcome == "duplicate":
        assert after == before
    else:
        assert after == (before[0] + 1, before[1] + 1)
        [*_, last] = messages.messages_for(result.ticket_id or 0)
        assert last.body or last.attachments
