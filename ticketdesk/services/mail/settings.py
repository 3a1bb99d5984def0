"""Where the desk's mail comes from and goes to, and the password to get there.

Servers are written as URLs: `imaps://USER@HOST[:PORT]/FOLDER` and `smtps://USER@HOST[:PORT]`
(TLS from the first byte), `imap://` and `smtp://` (STARTTLS, refused if the server does not
offer it). `?tls=off` (no encryption at all) is accepted only for a server on 127.0.0.1, for
tests and local relays. The settings live in the desk (desk_meta, key `mail.settings`), so every
desktop of a team desk uses the same mailbox; the password never does: it is in the system
keyring (service "ticketdesk", account `mail:USER@HOST:PORT`) or in TICKETDESK_MAIL_PASSWORD.
"""

from __future__ import annotations

import json
import os
import re
import socket
import ssl
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ticketdesk.db.models import DeskMeta
from ticketdesk.domain import text as text_rules
from ticketdesk.domain.errors import StorageError, TicketdeskError, ValidationError
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

SETTINGS_KEY = "mail.settings"
ENV_PASSWORD = "TICKETDESK_MAIL_PASSWORD"  # noqa: S105 - the variable's name
KEYRING_SERVICE = "ticketdesk"
LOCAL_ONLY = ("127.0.0.1",)
TIMEOUT = 30.0
DEFAULT_ACK = (
    "Hello {name},\n\n"
    "Thank you for writing to us. Your request has been received as ticket {number}; "
    "we will answer as soon as we can. To add anything, reply to this mail and keep "
    "{number} in the subject.\n"
)


ACK_PLACEHOLDERS = ("number", "name", "subject")
"""What an acknowledgement may say: the ticket number, the sender's name, the mail's subject."""
ACK_MAX = 5000
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check_ack_template(template: str) -> str:
    """`template` as it will be sent, or ValidationError naming what is wrong: an unknown
    placeholder is refused here, never mailed to a customer as `{nmber}`."""
    text = template.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError("The acknowledgement text is empty.")
    if len(text) > ACK_MAX:
        raise ValidationError(f"The acknowledgement is {len(text):,} characters long; the limit "
                              f"is {ACK_MAX:,}.")
    known = ", ".join("{" + name + "}" for name in ACK_PLACEHOLDERS)
    unknown = sorted({name for name in _PLACEHOLDER.findall(text)
                      if name not in ACK_PLACEHOLDERS})
    if unknown:
        listed = ", ".join("{" + name + "}" for name in unknown)
        raise ValidationError(f"The acknowledgement uses {listed}, which ticketdesk does not "
                              f"know. It can use {known}.")
    if "{number}" not in text:
        raise ValidationError("The acknowledgement must contain {number}: the customer quotes "
                              "the ticket number to add to their request.")
    return text + "\n"


class MailError(TicketdeskError):
    """A mail server could not be used; the message says what failed, for the user."""


@dataclass(frozen=True)
class Endpoint:
    kind: str
    """'imap' or 'smtp'."""
    security: str
    """'tls' (implicit), 'starttls' or 'off' (127.0.0.1 only)."""
    user: str
    host: str
    port: int
    folder: str = "INBOX"

    @property
    def account(self) -> str:
        return f"mail:{self.user}@{self.host}:{self.port}"

    def __str__(self) -> str:
        scheme = self.kind + ("s" if self.security == "tls" else "")
        where = f"{scheme}://{self.user}@{self.host}:{self.port}"
        if self.kind == "imap":
            where += f"/{self.folder}"
        return where + ("?tls=off" if self.security == "off" else "")


_SCHEMES = {"imaps": ("imap", "tls", 993), "imap": ("imap", "starttls", 143),
            "smtps": ("smtp", "tls", 465), "smtp": ("smtp", "starttls", 587)}


def parse_endpoint(url: str, kind: str) -> Endpoint:
    """An --imap or --smtp URL, checked, with a message that says what to fix."""
    what = "--imap" if kind == "imap" else "--smtp"
    example = ("imaps://support@example.com@imap.example.com/INBOX" if kind == "imap"
               else "smtps://support@example.com@smtp.example.com")
    try:
        parts = urlsplit((url or "").strip())
        port_value = parts.port
    except ValueError as exc:
        raise ValidationError(f"{what} {url!r} is not a valid URL ({exc}); "
                              f"for example {example}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or _SCHEMES[scheme][0] != kind:
        allowed = " or ".join(f"{s}://" for s, v in _SCHEMES.items() if v[0] == kind)
        raise ValidationError(f"{what} must start with {allowed}; for example {example}.")
    _, security, default_port = _SCHEMES[scheme]
    netloc = parts.netloc
    user, at, _hostport = netloc.rpartition("@")
    if not at or not user:
        raise ValidationError(f"{what} {url!r} names no user: write USER@HOST, for example "
                              f"{example}.")
    host = (parts.hostname or "").strip()
    if not host:
        raise ValidationError(f"{what} {url!r} names no server.")
    if ":" in user:
        raise ValidationError(f"{what} must not carry the password; it is kept in the system "
                              f"keyring or in {ENV_PASSWORD}.")
    query = parse_qs(parts.query)
    tls = (query.get("tls") or ["on"])[-1].lower()
    if tls == "off":
        if host not in LOCAL_ONLY:
            raise ValidationError(f"{what}: ?tls=off is accepted only for a server on "
                                  "127.0.0.1; a real mailbox needs TLS.")
        security = "off"
    elif tls != "on":
        raise ValidationError(f"{what}: tls={tls!r} is not understood (only tls=off, for "
                              "127.0.0.1).")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    if kind == "smtp" and parts.path.strip("/"):
        raise ValidationError(f"{what} takes no folder: {example}.")
    return Endpoint(kind, security, unquote(user), host, port_value or default_port, folder)


@dataclass(frozen=True)
class MailSettings:
    imap: str
    smtp: str
    address: str
    name: str = ""
    after_fetch: str = "seen"
    """'seen' (mark fetched mail \\Seen) or 'move:FOLDER'."""
    reopen_days: int = 30
    """A reply to a Resolved or Closed ticket within this many days reopens it; later, it
    starts a new ticket linked to the old one."""
    acknowledge: bool = False
    ack_template: str = DEFAULT_ACK
    poll_seconds: int = 300
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def imap_endpoint(self) -> Endpoint:
        return parse_endpoint(self.imap, "imap")

    @property
    def smtp_endpoint(self) -> Endpoint:
        return parse_endpoint(self.smtp, "smtp")

    @property
    def move_to(self) -> str | None:
        return self.after_fetch[5:] if self.after_fetch.startswith("move:") else None

    def checked(self) -> MailSettings:
        parse_endpoint(self.imap, "imap")
        parse_endpoint(self.smtp, "smtp")
        address = text_rules.email(self.address)
        if not address:
            raise ValidationError("The address the desk sends as is needed (--address).")
        name = text_rules.optional_line(self.name, "display name")
        if self.after_fetch != "seen" and not (self.move_to or "").strip():
            raise ValidationError("After fetching, mail is either marked seen ('seen') or moved "
                                  "to a folder ('move:FOLDER').")
        if not 0 <= self.reopen_days <= 3650:
            raise ValidationError("The reopen window is between 0 and 3650 days.")
        if self.poll_seconds < 30:
            raise ValidationError("Mail is fetched at most every 30 seconds.")
        return replace(self, address=address.lower(), name=name,
                       ack_template=check_ack_template(self.ack_template))


def load_settings() -> MailSettings | None:
    """The desk's mail settings, or None when no mailbox is connected."""
    row = DeskMeta.get_or_none(DeskMeta.key == SETTINGS_KEY)
    if row is None:
        return None
    try:
        data = json.loads(row.value)
        known = {k: data.pop(k) for k in list(data) if k in MailSettings.__dataclass_fields__}
        return MailSettings(**{**known, "extra": data})
    except (ValueError, TypeError) as exc:
        raise StorageError(f"The desk's mail settings cannot be read ({exc}); run "
                           "`ticketdesk mail setup` again.") from exc


def require_settings() -> MailSettings:
    settings = load_settings()
    if settings is None:
        raise ValidationError("No mailbox is connected to this desk yet: run "
                              "`ticketdesk mail setup --imap ... --smtp ... --address ...`.")
    return settings


def save_settings(session: Session, settings: MailSettings) -> Changes:
    clean = settings.checked()
    data = asdict(clean)
    data.update(data.pop("extra"))
    value = json.dumps(data, sort_keys=True)
    with session.store.write():
        DeskMeta.insert(key=SETTINGS_KEY, value=value).on_conflict(
            conflict_target=[DeskMeta.key], update={DeskMeta.value: value}).execute()
    return Changes()


# -- passwords ------------------------------------------------------------------------------------


def mail_password(endpoint: Endpoint) -> str | None:
    """TICKETDESK_MAIL_PASSWORD if set, else the keyring's, else None."""
    env = os.environ.get(ENV_PASSWORD)
    if env:
        return env
    from ticketdesk.db.credentials import _keyring

    backend = _keyring()
    if backend is None:
        return None
    try:
        value = backend.get_password(KEYRING_SERVICE, endpoint.account)
    except Exception:
        return None
    return str(value) if value else None


def save_mail_password(endpoint: Endpoint, password: str) -> None:
    from ticketdesk.db.credentials import NO_KEYRING, _keyring

    backend = _keyring()
    if backend is None:
        raise StorageError(NO_KEYRING.replace("~/.pgpass", f"${ENV_PASSWORD}"))
    try:
        backend.set_password(KEYRING_SERVICE, endpoint.account, password)
    except Exception as exc:
        raise StorageError(f"The system keyring refused to store the password: {exc}") from exc


# -- what failed ----------------------------------------------------------------------------------


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def explain(exc: BaseException, endpoint: Endpoint, stage: str = "") -> str:
    """One sentence naming what failed: name lookup, refused, TLS certificate, login, folder."""
    where = f"{endpoint.host}:{endpoint.port}"
    server = "the IMAP server" if endpoint.kind == "imap" else "the SMTP server"
    if isinstance(exc, socket.gaierror):
        return f"Name lookup failed: {endpoint.host!r} cannot be found ({exc.strerror or exc})."
    if isinstance(exc, ConnectionRefusedError):
        return f"Refused: nothing accepts connections at {where}."
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"Timed out: {where} did not answer within {TIMEOUT:.0f} s."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS certificate of {endpoint.host} is not trusted: "
                f"{exc.verify_message or exc.reason or exc}.")
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed with {where}: {exc.reason or exc}."
    if stage == "login":
        return f"Login refused: {server} did not accept user {endpoint.user!r} with this password."
    if stage == "folder":
        return f"Folder {endpoint.folder!r} cannot be opened on {endpoint.host}: {_short(exc)}."
    if stage == "starttls":
        return f"STARTTLS failed with {where}: {_short(exc)}."
    if isinstance(exc, OSError):
        return f"Connection to {where} failed: {exc.strerror or exc}."
    return f"{server.capitalize()} at {where} answered: {_short(exc)}."


def _short(exc: BaseException) -> str:
    message = str(exc)
    if isinstance(exc.args[0] if exc.args else None, bytes):
        message = exc.args[0].decode("utf-8", "replace")
    return " ".join(message.split())[:300].rstrip(".") or type(exc).__name__


@dataclass(frozen=True)
class CheckResult:
    what: str
    ok: bool
    message: str


def test_connection(settings: MailSettings, password: str | None) -> list[CheckResult]:
    """Log in to both servers (and open the IMAP folder) and say what worked and what failed."""
    from ticketdesk.services.mail.fetch import open_imap
    from ticketdesk.services.mail.send import open_smtp

    results = []
    imap = settings.imap_endpoint
    try:
        client = open_imap(imap, password)
        try:
            client.select_folder_checked()
        finally:
            client.close()
        results.append(CheckResult("IMAP", True, f"Connected to {imap} and opened "
                                                 f"{imap.folder}."))
    except MailError as exc:
        results.append(CheckResult("IMAP", False, str(exc)))
    smtp = settings.smtp_endpoint
    try:
        connection = open_smtp(smtp, password)
        connection.quit()
        results.append(CheckResult("SMTP", True, f"Connected to {smtp} and logged in."))
    except MailError as exc:
        results.append(CheckResult("SMTP", False, str(exc)))
    return results


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
