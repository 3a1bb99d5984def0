"""One IMAP pass: every message past the mailbox's checkpoint is imported, each in its own
transaction together with the new checkpoint (intake.py), then marked seen or moved on the
server as the settings say (ticketdesk/ARCHITECTURE.md, "Mail").

Never twice: the checkpoint is the mailbox's UIDVALIDITY and the last UID imported, written with
the message; a crash between download and commit leaves both unwritten, and the next pass
fetches the message again. The Message-ID, unique in the desk, is the second guard (a changed
UIDVALIDITY, the same mail in two mailboxes). On PostgreSQL exactly one desktop fetches at a
time (a session advisory lock, let go when the pass ends or the connection dies); a SQLite desk
has one process, and each message's check and write run under its write lock.

Messages are downloaded with BODY.PEEK[] (no \\Seen until imported), in batches, so memory stays
bounded whatever the mailbox holds. Call from a worker thread, never the GUI thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ticketdesk.services.changes import NOTHING, Changes
from ticketdesk.services.mail.intake import Checkpoint, IntakeRules, checkpoint_of, take_in
from ticketdesk.services.mail.parse import MAX_MESSAGE_BYTES, parse_mail
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

BATCH = 50
BATCH_BYTES = 32 * 1024 * 1024
FETCH_LOCK = 0x6D61696C  # "mail": the first key of the advisory lock, the schema the second
_LOCAL = {FETCH_LOCK: threading.Lock()}


class Mailbox:
    """An IMAP connection to one folder, failures explained (`settings.explain`)."""

    def __init__(self, client: Any, endpoint: Endpoint) -> None:
        self.client = client
        self.endpoint = endpoint

    @property
    def key(self) -> str:
        e = self.endpoint
        return f"{e.user}@{e.host}:{e.port}/{e.folder}"

    def select_folder_checked(self) -> int:
        """Open the folder; its UIDVALIDITY."""
        try:
            info = self.client.select_folder(self.endpoint.folder)
        except Exception as exc:
            raise MailError(explain(exc, self.endpoint, "folder")) from exc
        return int(info[b"UIDVALIDITY"])

    def uids(self, criteria: list[Any]) -> list[int]:
        return sorted(int(u) for u in self._call(self.client.search, criteria))

    def uids_after(self, last_uid: int) -> list[int]:
        # "N:*" always matches the newest message, even below N: filter.
        return [u for u in self.uids(["UID", f"{last_uid + 1}:*"]) if u > last_uid]

    def download(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """(uid, raw bytes) in UID order, at most BATCH_BYTES of mail held at once; a message
        over the size limit comes with its headers only (and a note saying so)."""
        sizes = self._call(self.client.fetch, uids, ["RFC822.SIZE"])
        group: list[int] = []
        held = 0
        for uid in uids:
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            if size > MAX_MESSAGE_BYTES:
                yield from self._bodies(group)
                group, held = [], 0
                heads = self._call(self.client.fetch, [uid], ["BODY.PEEK[HEADER]"])
                head = bytes(heads.get(uid, {}).get(b"BODY[HEADER]") or b"")
                yield uid, head + b"\r\n" + _too_large_note(size)
                continue
            if group and held + size > BATCH_BYTES:
                yield from self._bodies(group)
                group, held = [], 0
            group.append(uid)
            held += size
        yield from self._bodies(group)

    def _bodies(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        if not uids:
            return
        bodies = self._call(self.client.fetch, uids, ["BODY.PEEK[]"])
        for uid in uids:
            if uid in bodies:  # a message expunged meanwhile is simply gone
                yield uid, bytes(bodies[uid].get(b"BODY[]") or b"")

    def done(self, uids: list[int], move_to: str | None) -> None:
        if not uids:
            return
        if move_to:
            if self.client.has_capability("MOVE"):
                self._call(self.client.move, uids, move_to)
            else:
                self._call(self.client.copy, uids, move_to)
                self._call(self.client.delete_messages, uids)
                self._call(self.client.uid_expunge, uids)
        else:
            self._call(self.client.add_flags, uids, [b"\\Seen"])

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except Exception as exc:
            raise MailError(explain(exc, self.endpoint)) from exc

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.logout()


def _too_large_note(size: int) -> bytes:
    from ticketdesk.domain.attachments import human_size

    return (f"[This message is {human_size(size)}, over the "
            f"{human_size(MAX_MESSAGE_BYTES)} limit: only its headers were kept.]\r\n").encode()


def open_imap(endpoint: Endpoint, password: str | None) -> Mailbox:
    """Connect, start TLS as the URL says, log in. Each failure names its step."""
    from imapclient import IMAPClient

    try:
        client = IMAPClient(endpoint.host, port=endpoint.port, ssl=endpoint.security == "tls",
                            ssl_context=tls_context(), timeout=TIMEOUT)
    except Exception as exc:
        raise MailError(explain(exc, endpoint)) from exc
    box = Mailbox(client, endpoint)
    try:
        if endpoint.security == "starttls":
            try:
                client.starttls(tls_context())
            except Exception as exc:
                raise MailError(explain(exc, endpoint, "starttls")) from exc
        if password is None:
            raise MailError(f"No password for {endpoint.user} on {endpoint.host}: save it with "
                            "`ticketdesk mail setup` or set TICKETDESK_MAIL_PASSWORD.")
        try:
            client.login(endpoint.user, password)
        except Exception as exc:
            raise MailError(explain(exc, endpoint, "login")) from exc
    except BaseException:
        box.close()
        raise
    return box


def wait_for_mail(settings: MailSettings, password: str | None, seconds: float, *,
                  connect: Callable[[Endpoint, str | None], Mailbox] = open_imap,
                  checkpoint: bool = False) -> bool:
    """Wait up to `seconds` for the server to announce new mail in the folder (IMAP IDLE); True
    when it did, so a fetch is worth running now. With `checkpoint`, also True at once when the
    folder holds mail after the desk's stored checkpoint (mail that came between the last fetch
    and this call, which no IDLE announces). A server without IDLE returns False at once:
    the caller polls at its interval instead. For the window's background worker (never the GUI
    thread); a connection problem raises MailError like a fetch."""
    box = connect(settings.imap_endpoint, password)
    try:
        uidvalidity = box.select_folder_checked()
        if checkpoint:
            stored = checkpoint_of(box.key)
            if box.uids_after(stored[1] if stored and stored[0] == uidvalidity else 0):
                return True
        if not box.client.has_capability("IDLE"):
            return False
        box._call(box.client.idle)
        try:
            responses = box._call(box.client.idle_check, seconds)
        finally:
            box._call(box.client.idle_done)
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)
    finally:
        box.close()


@dataclass
class FetchReport:
    mailbox: str = ""
    fetched: int = 0
    created: int = 0
    appended: int = 0
    reopened: int = 0
    follow_ups: int = 0
    duplicates: int = 0
    acknowledged: int = 0
    rated: int = 0
    """Answers to a rating request, recorded as ratings (services/csat_request.py)."""
    busy: bool = False
    waiting: int = 0
    """With `fetch_once(most=N)`: how many new messages waited when more than N did (then
    none was fetched)."""
    problems: list[str] = field(default_factory=list)
    changes: Changes = NOTHING

    def count(self, outcome: str) -> None:
        name = {"created": "created", "appended": "appended", "reopened": "reopened",
                "follow-up": "follow_ups", "duplicate": "duplicates", "rated": "rated"}[outcome]
        setattr(self, name, getattr(self, name) + 1)

    def summary(self) -> str:
        if self.busy:
            return (f"{self.mailbox}: another desktop is fetching this desk's mail right now; "
                    "nothing done.")
        parts = [f"{self.created:,} new ticket(s)", f"{self.appended:,} reply(ies) added"]
        if self.reopened:
            parts.append(f"{self.reopened:,} ticket(s) reopened")
        if self.follow_ups:
            parts.append(f"{self.follow_ups:,} follow-up ticket(s)")
        if self.duplicates:
            parts.append(f"{self.duplicates:,} already imported")
        if self.acknowledged:
            parts.append(f"{self.acknowledged:,} acknowledgement(s) queued")
        if self.rated:
            parts.append(f"{self.rated:,} rating(s) recorded")
        return f"{self.mailbox}: {self.fetched:,} message(s) fetched: {', '.join(parts)}."


@contextlib.contextmanager
def exclusive(session: Session, key: int) -> Iterator[bool]:
    """True if this process may do the job `key` names now: on PostgreSQL a session advisory
    lock for this desk's schema (let go at the end, or when the connection dies); on SQLite one
    thread at a time (the desk file has one process, db/desk_lock.py)."""
    store = session.store
    if store.is_sqlite:
        lock = _LOCAL.setdefault(key, threading.Lock())
        got = lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()
        return
    store._bind()
    got = bool(store.db.execute_sql(
        "SELECT pg_try_advisory_lock(%s, hashtext(current_schema()))", (key,)).fetchone()[0])
    try:
        yield got
    finally:
        if got:
            store.db.execute_sql("SELECT pg_advisory_unlock(%s, hashtext(current_schema()))",
                                 (key,))


def fetch_once(session: Session, settings: MailSettings | None = None,
               password: str | None = None, *,
               connect: Callable[[Endpoint, str | None], Mailbox] = open_imap,
               batch: int = BATCH, limit: int | None = None, most: int | None = None,
               downloaded: Callable[[int, bytes], None] | None = None) -> FetchReport:
    """One pass over the mailbox. `downloaded(uid, raw)` is called after each download, before
    the import (tests use it to fail at that instant). `limit` stops after that many. With
    `most`, a mailbox holding more new messages than that is left as it is and the report
    says how many wait (`waiting`): the window's worker hands those to a child process."""
    settings = settings or require_settings()
    endpoint = settings.imap_endpoint
    password = password if password is not None else mail_password(endpoint)
    rules = IntakeRules.of(settings)
    report = FetchReport(mailbox=str(endpoint))
    with exclusive(session, FETCH_LOCK) as mine:
        if not mine:
            report.busy = True
            return report
        box = connect(endpoint, password)
        try:
            uidvalidity = box.select_folder_checked()
            report.mailbox = box.key
            stored = checkpoint_of(box.key)
            last = stored[1] if stored and stored[0] == uidvalidity else 0
            if last:  # finish what a crash after the commit left undone on the server
                leftover = box.uids(["UID", f"1:{last}"] if settings.move_to else
                                    ["UNSEEN", "UID", f"1:{last}"])
                box.done([u for u in leftover if u <= last], settings.move_to)
            pending = box.uids_after(last)
            if most is not None and len(pending) > most:
                report.waiting = len(pending)
                return report
            if limit is not None:
                pending = pending[:limit]
            for start in range(0, len(pending), batch):
                chunk = pending[start:start + batch]
                imported: list[int] = []
                for uid, raw in box.download(chunk):
                    if downloaded is not None:
                        downloaded(uid, raw)
                    mail = parse_mail(raw)
                    result = take_in(session, mail, rules,
                                     checkpoint=Checkpoint(box.key, uidvalidity, uid))
                    report.fetched += 1
                    report.count(result.outcome)
                    report.acknowledged += int(result.acknowledged)
                    report.changes = report.changes | result.changes
                    report.problems += [f"UID {uid}: {p}" for p in result.problems]
                    imported.append(uid)
                box.done(imported, settings.move_to)
        finally:
            box.close()
    return report
