"""The window's background mail: fetch the desk's mailbox and send its outbox, on a thread of
its own with its own database connection, never the GUI thread (ticketdesk/ARCHITECTURE.md,
"Threading" and "Mail").

One pass sends what the outbox holds, fetches new mail in batches (each batch announced, so
the list fills while a big mailbox is read) and sends again (acknowledgements the intake
queued). A few messages (up to `IN_THREAD_MAX` waiting on the server or in the outbox) are
handled on the thread; more go to a child process that opens the desk itself
(services/mail/passes.py, services/child.py: parsing and building mail is pure Python, and on
a thread of the window it kept the GUI thread waiting for Python's lock, 307-359 ms at a time
while 3,000 messages were fetched into a 1,000,000-ticket desk), while this thread only passes
on what each of the child's batches changed. Starting the child costs under a second, so a
message or two arriving by IDLE never pays it.

Between passes the worker waits for the server to announce new mail (IMAP IDLE, via
`wait_for_mail`) or, where the server has no IDLE, the desk's fetch interval. `wake()` (F9,
Desk ▸ Fetch Mail, a reply just queued) cuts the wait short; `stop()` shuts the sockets it has
open and kills a child, so a close never waits on a server. A mail handed to SMTP but not yet
recorded as sent is resent with the same Message-ID by the next pass
(services/mail/outbox.py), and an IMAP message downloaded but not committed is fetched again,
so cutting a pass short loses nothing.

Errors are reported with `failed` (the status bar), never raised, never a modal box.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from ticketdesk.db.store import Store
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import child
from ticketdesk.services.mail import passes
from ticketdesk.services.mail.fetch import (
    FetchReport,
    Mailbox,
    fetch_once,
    open_imap,
    wait_for_mail,
)
from ticketdesk.services.mail.outbox import pending_count
from ticketdesk.services.mail.send import SendReport, open_smtp
from ticketdesk.services.mail.settings import Endpoint, MailSettings, load_settings, mail_password
from ticketdesk.services.session import Session

IN_THREAD_MAX = 10
"""More new messages than this on the server, or more mails than this in the outbox, are
fetched or sent by a child process (see the docstring)."""
NO_MAILBOX_WAIT = 60.0
"""Without mail settings, how often the worker looks whether a mailbox has been connected."""


class _Thread(QThread):
    def __init__(self, worker: MailWorker) -> None:
        super().__init__()
        self.worker = worker

    def run(self) -> None:
        self.worker._loop()


class MailWorker(QObject):
    changed = Signal(object)  # Changes: new tickets, replies, outbox states
    reported = Signal(str)  # what a pass did, in words (status bar)
    failed = Signal(str)  # what went wrong, in words (status bar)
    passed = Signal()  # a pass ended (tests and the F9 command wait for it)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.session = Session(store, None, utc_now)
        self._wake = threading.Event()
        self._stopped = False
        self._asked = False  # the user asked for this pass: always say what it did
        self._lock = threading.Lock()
        self._sockets: list[Any] = []
        self._thread = _Thread(self)
        self.passes = 0

    def start(self) -> None:
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wake(self, *, asked: bool = False) -> None:
        """Run a pass now (cuts an IDLE wait short)."""
        if asked:
            self._asked = True
        self._wake.set()
        self._cut_idle()

    def stop(self) -> None:
        """End the thread: its waits and open connections are cut; its connection closed."""
        self._stopped = True
        self._wake.set()
        self._cut_all()
        self._thread.wait()

    # -- sockets that a wake or a stop cuts -------------------------------------------------

    def _remember_imap(self, endpoint: Endpoint, password: str | None, *,
                       idle: bool = False) -> Mailbox:
        box = open_imap(endpoint, password)
        with self._lock:
            self._sockets.append((idle, box.client.socket()))
        if self._stopped or (idle and self._wake.is_set()):
            self._cut_all()
        return box

    def _remember_smtp(self, endpoint: Endpoint, password: str | None) -> Any:
        connection = open_smtp(endpoint, password)
        with self._lock:
            self._sockets.append((False, connection.sock))
        return connection

    def _cut_idle(self) -> None:
        self._cut(lambda idle: idle)

    def _cut_all(self) -> None:
        self._cut(lambda _idle: True)

    def _cut(self, which: Any) -> None:
        with self._lock:
            chosen = [s for idle, s in self._sockets if which(idle) and s is not None]
        for sock in chosen:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _forget_sockets(self) -> None:
        with self._lock:
            self._sockets.clear()

    # -- the thread -------------------------------------------------------------------------

    def _loop(self) -> None:
        try:
            while not self._stopped:
                self._wake.clear()
                self.store._bind()
                try:
                    settings = load_settings()
                except TicketdeskError as exc:
                    self.failed.emit(str(exc))
                    settings = None
                if settings is None:
                    self._asked = False
                    self._wake.wait(NO_MAILBOX_WAIT)
                    continue
                ok = self._pass(settings)
                self.passes += 1
                self.passed.emit()
                if self._stopped or self._wake.is_set():
                    continue
                self._wait(settings, ok)
        finally:
            self.store.close_thread()

    def _pass(self, settings: MailSettings) -> bool:
        """Send, fetch, send; True when it all worked."""
        asked, self._asked = self._asked, False
        words: list[str] = []
        try:
            sent = self._send(settings)
            fetched = self._fetch(settings)
            if not self._stopped:
                sent.sent += self._send(settings).sent
        except TicketdeskError as exc:
            if not self._stopped:
                self.failed.emit(self.tr("Mail: {0}").format(exc))
            return False
        except Exception as exc:  # never let the thread die on a surprise; say it
            if not self._stopped:
                self.failed.emit(self.tr("Mail failed: {0}").format(exc))
            return False
        finally:
            self._forget_sockets()
        if fetched.busy or fetched.fetched or asked:
            words.append(fetched.summary())
        if sent.sent or sent.failed or sent.deferred:
            words.append(sent.summary())
        if sent.error:
            self.failed.emit(self.tr("Mail not sent: {0}").format(sent.error))
        elif words:
            self.reported.emit(" ".join(words))
        return not sent.error

    def _send(self, settings: MailSettings) -> SendReport:
        waiting = pending_count()
        if waiting == 0:
            return SendReport()
        password = mail_password(settings.smtp_endpoint)
        if waiting > IN_THREAD_MAX:
            report: SendReport = self._in_child(passes.send_at, settings, password)
            return report
        return passes.send_all(self.session, settings, password, announce=self.changed.emit,
                               connect=self._remember_smtp)

    def _fetch(self, settings: MailSettings) -> FetchReport:
        password = mail_password(settings.imap_endpoint)
        report = fetch_once(self.session, settings, password, connect=self._remember_imap,
                            most=IN_THREAD_MAX)
        self._forget_sockets()
        if report.waiting and not self._stopped:
            fetched: FetchReport = self._in_child(passes.fetch_at, settings, password)
            return fetched
        if not report.changes.nothing:
            self.changed.emit(report.changes)
        return report

    def _in_child(self, fn: Any, settings: MailSettings, password: str | None) -> Any:
        """`fn` (passes.fetch_at or send_at) in a child process on this window's desk; each
        batch it commits is announced as it comes; a stop kills it (nothing is lost,
        passes.py says why)."""
        return child.call(fn, *child.desk_of(self.store), settings, password,
                          on_note=self.changed.emit, progress=lambda *_: not self._stopped,
                          pass_progress=False, name="ticketdesk-mail")

    def _wait(self, settings: MailSettings, ok: bool) -> None:
        """Until the server announces mail (IDLE) or the fetch interval has passed."""
        interval = float(max(30, settings.poll_seconds))
        if not ok:
            self._wake.wait(interval)
            return
        started = time.monotonic()
        try:
            announced = wait_for_mail(
                settings, mail_password(settings.imap_endpoint), interval,
                connect=lambda e, p: self._remember_imap(e, p, idle=True), checkpoint=True)
        except TicketdeskError as exc:
            if not (self._stopped or self._wake.is_set()):
                self.failed.emit(self.tr("Mail: {0}").format(exc))
                self._wake.wait(interval)
            return
        finally:
            self._forget_sockets()
        if not announced and time.monotonic() - started < 1.0:
            # no IDLE on this server (or nothing within the interval): poll
            self._wake.wait(max(0.0, interval - (time.monotonic() - started)))

