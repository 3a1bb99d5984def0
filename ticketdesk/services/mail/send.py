"""Sending the outbox over SMTP, in order, once (ticketdesk/ARCHITECTURE.md, "Mail").

SMTP cannot be exactly-once by itself: a row is marked *sending* (committed) before the server
gets it and *sent* (committed) after. If the program dies in between, the next pass finds the
row still *sending* and sends it again with the same Message-ID and the same bytes, which mail
programs and servers treat as one message. A temporary refusal (4xx, no connection) puts the row
back in the queue with the reason and a growing delay; a permanent one (5xx) marks it *failed*
with the reason, for the user to correct and Retry. Call from a worker thread.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from ticketdesk.db.models import Attachment, AttachmentContent, Message, Outbox
from ticketdesk.services.changes import NOTHING, Changes
from ticketdesk.services.csat_request import KIND as CSAT_KIND
from ticketdesk.services.mail.fetch import exclusive
from ticketdesk.services.mail.outbox import ACK, FAILED, QUEUED, SENDING, SENT
from ticketdesk.services.mail.settings import (
    TIMEOUT,
    Endpoint,
    MailError,
    MailSettings,
    explain,
    mail_password,
    require_settings,
    tls_context,
)
from ticketdesk.services.session import Session

SEND_LOCK = 0x73656E64  # "send"
MAX_ATTEMPTS = 10


def open_smtp(endpoint: Endpoint, password: str | None) -> smtplib.SMTP:
    try:
        if endpoint.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                endpoint.host, endpoint.port, timeout=TIMEOUT, context=tls_context())
        else:
            connection = smtplib.SMTP(endpoint.host, endpoint.port, timeout=TIMEOUT)
    except Exception as exc:
        raise MailError(explain(exc, endpoint)) from exc
    try:
        if endpoint.security == "starttls":
            try:
                connection.starttls(context=tls_context())
            except Exception as exc:
                raise MailError(explain(exc, endpoint, "starttls")) from exc
        if password:
            try:
                connection.login(endpoint.user, password)
            except Exception as exc:
                raise MailError(explain(exc, endpoint, "login")) from exc
    except BaseException:
        connection.close()
        raise
    return connection


def build_mail(row: Any, body: str, settings: MailSettings) -> EmailMessage:
    """The bytes of an outbox row: the same every time it is built (its Date is when it was
    queued), so a resend is the same message."""
    mail = EmailMessage()
    mail["From"] = formataddr((settings.name, settings.address)) if settings.name \
        else settings.address
    mail["To"] = row.to_address
    mail["Subject"] = row.subject
    mail["Date"] = format_datetime(datetime.fromtimestamp(int(row.created_at), UTC))
    mail["Message-ID"] = row.rfc_message_id
    if row.in_reply_to:
        mail["In-Reply-To"] = row.in_reply_to
    if row.refs:
        mail["References"] = row.refs
    if row.kind == ACK:
        mail["Auto-Submitted"] = "auto-replied"  # RFC 3834: robots must not answer it
    elif row.kind == CSAT_KIND:
        mail["Auto-Submitted"] = "auto-generated"  # a person answers it; autoresponders not
    text = body.rstrip() + (f"\n\n-- \n{row.signature.rstrip()}\n" if row.signature else "\n")
    mail.set_content(text)
    files = (Attachment.select(Attachment.id, Attachment.name, Attachment.mime,
                               AttachmentContent.data)
             .join(AttachmentContent, on=(AttachmentContent.attachment == Attachment.id))
             .where(Attachment.message == row.message_id).order_by(Attachment.id).tuples())
    for _aid, name, mime, data in files:
        maintype, _, subtype = (mime or "application/octet-stream").partition("/")
        mail.add_attachment(bytes(data), maintype=maintype or "application",
                            subtype=subtype or "octet-stream", filename=name)
    return mail


@dataclass
class SendReport:
    sent: int = 0
    resent: int = 0
    """Of `sent`, rows found *sending* (interrupted before) and sent again, same Message-ID."""
    failed: int = 0
    deferred: int = 0
    busy: bool = False
    error: str | None = None
    """Why the pass stopped early (the server could not be reached)."""
    reasons: list[str] = field(default_factory=list)
    changes: Changes = NOTHING

    def summary(self) -> str:
        if self.busy:
            return "Another desktop is sending this desk's mail right now; nothing done."
        parts = [f"{self.sent:,} sent"]
        if self.resent:
            parts.append(f"{self.resent:,} of them resent after an interruption, same "
                         "Message-ID")
        if self.deferred:
            parts.append(f"{self.deferred:,} to retry later")
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        line = "Outbox: " + ", ".join(parts) + "."
        return line + (f"\n{self.error}" if self.error else "")


def _permanent(exc: BaseException) -> int | None:
    """The SMTP code of a permanent refusal (5xx), else None (try again later)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return min(codes) if codes and min(codes) >= 500 else None
    code = getattr(exc, "smtp_code", None)
    return int(code) if isinstance(code, int) and code >= 500 else None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {msg.decode('utf-8', 'replace')}"
                         for to, (code, msg) in exc.recipients.items())
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", b"")
    if code is not None:
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return f"{code} {' '.join(text.split())}"
    return " ".join(str(exc).split()) or type(exc).__name__


def _due(session: Session) -> list[int]:
    return [int(i) for (i,) in Outbox.select(Outbox.id).where(
        (Outbox.state == SENDING)
        | ((Outbox.state == QUEUED) & (Outbox.next_attempt_at <= session.now())))
        .order_by(Outbox.id).tuples()]


def _ticket_of(message_id: int) -> int:
    return int(Message.select(Message.ticket).where(Message.id == message_id).scalar())


def send_outbox(session: Session, settings: MailSettings | None = None,
                password: str | None = None, *,
                connect: Callable[[Endpoint, str | None], smtplib.SMTP] = open_smtp,
                limit: int | None = None,
                handed_over: Callable[[int], None] | None = None) -> SendReport:
    """Send what is due, oldest first. `handed_over(outbox_id)` is called after the server
    accepted a mail and before that is recorded (tests fail at that instant)."""
    settings = settings or require_settings()
    endpoint = settings.smtp_endpoint
    password = password if password is not None else mail_password(endpoint)
    work = _Pass(session, settings, lambda: connect(endpoint, password), handed_over)
    with exclusive(session, SEND_LOCK) as mine:
        if not mine:
            work.report.busy = True
            return work.report
        try:
            for outbox_id in _due(session)[:limit]:
                if not work.send(outbox_id):
                    break
        finally:
            work.close()
    return work.report


class _Pass:
    def __init__(self, session: Session, settings: MailSettings,
                 connect: Callable[[], smtplib.SMTP],
                 handed_over: Callable[[int], None] | None) -> None:
        self.session = session
        self.settings = settings
        self.connect = connect
        self.handed_over = handed_over
        self.connection: smtplib.SMTP | None = None
        self.report = SendReport()

    def send(self, outbox_id: int) -> bool:
        """Send one row; False when the pass must stop (no server)."""
        session, report = self.session, self.report
        with session.store.write():
            row = Outbox.get_or_none(Outbox.id == outbox_id)
            if row is None or row.state not in (QUEUED, SENDING):
                return True
            interrupted = row.state == SENDING
            Outbox.update(state=SENDING, attempts=Outbox.attempts + 1,
                          updated_at=session.now()).where(Outbox.id == outbox_id).execute()
            body = Message.select(Message.body).where(
                Message.id == row.message_id).scalar() or ""
            mail = build_mail(row, body, self.settings)
        report.changes = report.changes | Changes(
            tickets=frozenset({_ticket_of(row.message_id)}), conversation=True)
        try:
            if self.connection is None:
                self.connection = self.connect()
            self.connection.send_message(mail, from_addr=self.settings.address,
                                         to_addrs=[row.to_address])
        except MailError as exc:  # no connection: everything waits, in order
            _defer(session, row, str(exc))
            report.deferred += 1
            report.error = str(exc)
            return False
        except Exception as exc:
            reason = _reason(exc)
            if _permanent(exc) is not None or row.attempts + 1 >= MAX_ATTEMPTS:
                _mark(session, outbox_id, FAILED, reason)
                report.failed += 1
                report.reasons.append(f"{row.to_address}: {reason}")
            else:
                _defer(session, row, reason)
                report.deferred += 1
            if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                report.error = f"The SMTP server went away: {reason}"
                self.connection = None
                return False
            return True
        if self.handed_over is not None:
            self.handed_over(outbox_id)
        _mark(session, outbox_id, SENT, None)
        report.sent += 1
        report.resent += int(interrupted)
        return True

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except Exception:
                self.connection.close()
            self.connection = None


def _mark(session: Session, outbox_id: int, state: str, error: str | None) -> None:
    with session.store.write():
        Outbox.update(state=state, last_error=error, updated_at=session.now()).where(
            Outbox.id == outbox_id).execute()


def _defer(session: Session, row: Any, reason: str) -> None:
    attempts = int(row.attempts) + 1
    delay = min(3600, 60 * 2 ** (attempts - 1))
    with session.store.write():
        Outbox.update(state=QUEUED, last_error=reason, next_attempt_at=session.now() + delay,
                      updated_at=session.now()).where(Outbox.id == row.id).execute()


def send_pending(session: Session) -> SendReport:
    """The outbox sent with the desk's settings and saved password (the window's timer)."""
    settings = require_settings()
    return send_outbox(session, settings, mail_password(settings.smtp_endpoint))
