"""A whole fetch or send pass in batches, each batch's changes handed on as it commits: what the
window's mail worker runs (ui/mail_worker.py), on its thread for a few messages and in a child
process for many (services/child.py says why: fetching 3,000 messages into the 1,000,000-ticket
desk on a thread of the window stalled it 307-359 ms, the GUI thread waiting for Python's lock
while the worker parsed MIME and HTML).

`fetch_at` and `send_at` are the child's side: they open the desk themselves and report each
batch through `note`. Killing the child at any instant loses nothing: a message downloaded but
not committed is fetched again (fetch.py), a mail handed to the server but not yet recorded as
sent is resent with the same Message-ID (outbox.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ticketdesk.services.changes import Changes
from ticketdesk.services.mail.fetch import FetchReport, Mailbox, fetch_once, open_imap
from ticketdesk.services.mail.send import SendReport, open_smtp, send_outbox
from ticketdesk.services.mail.settings import Endpoint, MailSettings
from ticketdesk.services.session import Session

BATCH = 100
"""Messages fetched (or sent) per connection; each batch's tickets are announced at once."""

Announce = Callable[[Changes], None]


def fetch_all(session: Session, settings: MailSettings, password: str | None, *,
              announce: Announce,
              connect: Callable[[Endpoint, str | None], Mailbox] = open_imap) -> FetchReport:
    """Fetch every new message in batches of BATCH, announcing each batch's changes."""
    total = FetchReport()
    while True:
        report = fetch_once(session, settings, password, connect=connect, limit=BATCH)
        if not report.changes.nothing:
            announce(report.changes)
        total = added(total, report)
        if report.busy or report.fetched < BATCH:
            break
    return total


def send_all(session: Session, settings: MailSettings, password: str | None, *,
             announce: Announce, connect: Callable[..., Any] = open_smtp) -> SendReport:
    """Send the whole outbox in batches of BATCH, announcing each batch's changes (the
    conversation shows a reply sent as its batch commits, not at the end of the outbox)."""
    total = SendReport()
    while True:
        report = send_outbox(session, settings, password, connect=connect, limit=BATCH)
        if not report.changes.nothing:
            announce(report.changes)
        total = sent_too(total, report)
        if report.busy or report.error or report.sent + report.failed + report.deferred < BATCH:
            return total


def fetch_at(url: str, desk_password: str | None, settings: MailSettings,
             password: str | None, *, note: Announce) -> FetchReport:
    """In a child process: open the desk at `url` and `fetch_all`."""
    from ticketdesk.services.child import opened

    with opened(url, desk_password) as store:
        return fetch_all(Session(store, None), settings, password, announce=note)


def send_at(url: str, desk_password: str | None, settings: MailSettings,
            password: str | None, *, note: Announce) -> SendReport:
    """In a child process: open the desk at `url` and `send_all`."""
    from ticketdesk.services.child import opened

    with opened(url, desk_password) as store:
        return send_all(Session(store, None), settings, password, announce=note)


def added(total: FetchReport, report: FetchReport) -> FetchReport:
    """Two fetch reports as one."""
    total.mailbox = report.mailbox or total.mailbox
    total.busy = total.busy or report.busy
    for name in ("fetched", "created", "appended", "reopened", "follow_ups", "duplicates",
                 "acknowledged", "rated"):
        setattr(total, name, getattr(total, name) + getattr(report, name))
    total.waiting = max(total.waiting, report.waiting)
    total.problems += report.problems
    total.changes = total.changes | report.changes
    return total


def sent_too(total: SendReport, report: SendReport) -> SendReport:
    """Two send reports as one."""
    for name in ("sent", "resent", "failed", "deferred"):
        setattr(total, name, getattr(total, name) + getattr(report, name))
    total.busy = total.busy or report.busy
    total.error = report.error or total.error
    total.reasons += report.reasons
    total.changes = total.changes | report.changes
    return total
