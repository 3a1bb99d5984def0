"""Bytes of a mail -> a ParsedMail: who, what, the text and the files. Never a traceback.

Mail is untrusted input: headers may be malformed or 8-bit, charsets unknown or lying, MIME
nested absurdly deep, HTML full of scripts and remote images. The standard library's `email`
(policy=default) parses; every step that can fail falls back to something readable and notes
the problem. HTML becomes plain text with Beautiful Soup's html.parser, which never loads
anything. Attachments are kept as bytes under the desk's size limit; an archive is never
unpacked, a forwarded message is kept as an .eml file. If nothing at all can be made of the
message, the result says so and carries the raw message as `original.eml`, so nothing is lost.
"""

from __future__ import annotations

import codecs
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from ticketdesk.domain import attachments as file_rules
from ticketdesk.domain import text as text_rules
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.mail_threading import normal_message_id
from ticketdesk.services.attachments import NewFile

MAX_DEPTH = 20
"""MIME nested deeper than this is not walked (a hostile message can nest thousands)."""
MAX_FILES = 100
MAX_MESSAGE_BYTES = 100 * 1024 * 1024
BODY_LIMIT = text_rules.BODY_MAX - 1000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
           "pre", "table", "ul", "ol", "hr")
LOOP_HEADERS = ("auto-submitted", "precedence", "list-id", "x-autoreply", "x-autorespond",
                "x-auto-response-suppress", "return-path")


@dataclass(frozen=True)
class ParsedMail:
    sender: str
    """The From address, lower-cased; '' when there is none we could read."""
    sender_name: str
    to: tuple[str, ...]
    subject: str
    date: int | None
    message_id: str
    """Its Message-ID, or a stable stand-in made from its bytes when it has none."""
    in_reply_to: str | None
    references: str | None
    text: str
    files: tuple[NewFile, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    """The loop-protection headers (lower-case names), for `domain.mail_loops`."""
    problems: tuple[str, ...] = ()
    size: int = 0


def stand_in_message_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def clean_text(value: str) -> str:
    """Text that every database stores: 8-bit bytes smuggled in as surrogates decoded (UTF-8,
    else Windows-1252), NUL and other control characters (but tab and newline) removed."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        raw = value.encode("utf-8", "surrogateescape")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("cp1252", "replace")
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates of any kind
    return _CONTROL.sub("", value)


def one_line(value: str, limit: int) -> str:
    line = " ".join(clean_text(value).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
        return "" if value is None else clean_text(str(value))
    except Exception:  # a header the default policy cannot parse: its raw text will do
        for key, raw in msg.raw_items():
            if key.lower() == name.lower():
                return clean_text(str(raw))
        return ""


def _sender(msg: Message, problems: list[str]) -> tuple[str, str]:
    try:
        header = msg.get("from")
        addresses: list[Address] = list(getattr(header, "addresses", ()) or ())
        if addresses:
            first = addresses[0]
            address = clean_text(first.addr_spec or "").strip().lower()
            name = clean_text(first.display_name or "")
            if _EMAIL.match(address):
                return address, one_line(name, text_rules.NAME_MAX)
    except Exception:  # noqa: S110 - the plain parser below reads what this could not
        pass
    raw = _header(msg, "from")
    for name, found in getaddresses([raw]):
        address = found.strip().lower()
        if _EMAIL.match(address):
            return address, one_line(name, text_rules.NAME_MAX)
    if raw:
        problems.append(f"The sender ({one_line(raw, 80)}) is not a readable address.")
    else:
        problems.append("The message has no sender.")
    return "", ""


def _recipients(msg: Message) -> tuple[str, ...]:
    found: list[str] = []
    for name in ("to", "cc"):
        for _display, listed in getaddresses([_header(msg, name)]):
            address = listed.strip().lower()
            if _EMAIL.match(address) and address not in found:
                found.append(address)
    return tuple(found[:50])


def _date(msg: Message) -> int | None:
    try:
        value = parsedate_to_datetime(_header(msg, "date"))
        return int(value.timestamp()) if value.tzinfo else None
    except Exception:
        return None


def decode_text(data: bytes, charset: str | None, problems: list[str]) -> str:
    """Bytes of a text part as text: the declared charset if it is real and fits, else UTF-8,
    else Windows-1252 with replacement characters (a lying charset is common)."""
    declared = (charset or "").strip().strip('"').lower() or "utf-8"
    try:
        codecs.lookup(declared)
    except LookupError:
        problems.append(f"Unknown character set {one_line(declared, 40)!r}; read as UTF-8.")
        declared = "utf-8"
    for candidate in dict.fromkeys((declared, "utf-8")):
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", "replace")


def html_to_text(html: str) -> str:
    """The text a person would read in the HTML: scripts, styles and images dropped (an image
    becomes its alt text), links keep their text. Nothing is fetched; nothing is run."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title", "noscript", "template", "object",
                     "iframe", "svg"]):
        tag.decompose()
    for img in soup.find_all("img"):
        alt = str(img.get("alt") or "").strip()
        img.replace_with(f"[{alt}]" if alt else "")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = [" ".join(line.split()) for line in soup.get_text().splitlines()]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


class _Walker:
    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.files: list[NewFile] = []
        self.notes: list[str] = []
        self.problems: list[str] = []
        self.unnamed = 0

    def walk(self, part: Message, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            if "too deep" not in " ".join(self.problems):
                self.problems.append(f"Parts nested deeper than {MAX_DEPTH} levels were left "
                                     "out.")
            return
        ctype = _content_type(part)
        if part.is_multipart() and not ctype.startswith("message/"):
            children = [c for c in (part.get_payload() or []) if isinstance(c, Message)]
            if ctype == "multipart/alternative" and children:
                best = next((c for c in children if _content_type(c) == "text/plain"), None)
                best = best or next((c for c in children if _content_type(c) == "text/html"),
                                    None) or children[-1]
                self.walk(best, depth + 1)
                # Files inside other alternatives (a related image) are still files.
                for child in children:
                    if child is not best and child.is_multipart():
                        self._files_only(child, depth + 1)
                return
            for child in children:
                self.walk(child, depth + 1)
            return
        disposition = _disposition(part)
        filename = _filename(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            data = _payload(part)
            body = decode_text(data, _charset(part), self.problems)
            (self.plain if ctype == "text/plain" else self.html).append(body)
            return
        self._file(part, ctype, filename)

    def _files_only(self, part: Message, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        for child in part.get_payload() or []:
            if not isinstance(child, Message):
                continue
            if child.is_multipart():
                self._files_only(child, depth + 1)
            elif _content_type(child) not in ("text/plain", "text/html") or _filename(child):
                self._file(child, _content_type(child), _filename(child))

    def _file(self, part: Message, ctype: str, filename: str) -> None:
        if len(self.files) >= MAX_FILES:
            if len(self.files) == MAX_FILES:
                self.notes.append(f"[More than {MAX_FILES} attachments: the rest were not "
                                  "kept.]")
                self.files.append(NewFile("", b""))  # marker, removed below
            return
        if ctype == "message/rfc822":
            data = _inner_message_bytes(part)
            default = "forwarded message.eml"
        else:
            data = _payload(part)
            default = ""
        name = _safe_name(filename or default, ctype, self)
        try:
            file_rules.check_size(name, len(data), file_rules.MAX_BYTES)
        except ValidationError as exc:
            self.notes.append(f"[Attachment not kept: {exc}]")
            return
        self.files.append(NewFile(name, data, ctype if "/" in ctype else None))


def _content_type(part: Message) -> str:
    try:
        return str(part.get_content_type()).lower()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Message) -> str | None:
    try:
        value = part.get_content_disposition()
        return str(value).lower() if value else None
    except Exception:
        return None


def _filename(part: Message) -> str:
    try:
        return clean_text(part.get_filename() or "")
    except Exception:
        return ""


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _inner_message_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else payload
        if isinstance(inner, Message):
            return bytes(inner.as_bytes(policy=policy.compat32))
        if isinstance(inner, str):
            return inner.encode("utf-8", "surrogateescape")
    except Exception:  # noqa: S110 - the part's own bytes are kept instead
        pass
    return _payload(part)


def _safe_name(name: str, ctype: str, walker: _Walker) -> str:
    try:
        return file_rules.safe_filename(name) if name.strip() else _unnamed(ctype, walker)
    except ValidationError:
        return _unnamed(ctype, walker)


def _unnamed(ctype: str, walker: _Walker) -> str:
    walker.unnamed += 1
    ext = mimetypes.guess_extension(ctype, strict=False) or ".bin"
    stem = "image" if ctype.startswith("image/") else "attachment"
    return f"{stem}-{walker.unnamed}{ext}"


def parse_mail(raw: bytes) -> ParsedMail:
    """Never raises: whatever `raw` holds, the result says what could be read."""
    try:
        return _parse(raw)
    except Exception as exc:  # the last line of defence: keep the message as a file
        return ParsedMail(
            sender="", sender_name="", to=(), subject="(unreadable message)", date=None,
            message_id=stand_in_message_id(raw), in_reply_to=None, references=None,
            text=("This message could not be read "
                  f"({type(exc).__name__}); it is attached as original.eml."),
            files=(NewFile("original.eml", raw[: file_rules.MAX_BYTES], "message/rfc822"),),
            problems=(f"Unreadable message: {type(exc).__name__}",), size=len(raw))


def _parse(raw: bytes) -> ParsedMail:
    problems: list[str] = []
    too_large = len(raw) > MAX_MESSAGE_BYTES
    if too_large:
        head, _sep, _rest = raw.partition(b"\r\n\r\n" if b"\r\n\r\n" in raw[:65536] else b"\n\n")
        msg: Any = message_from_bytes(head[:65536] + b"\r\n\r\n", policy=policy.default)
    else:
        msg = message_from_bytes(raw, policy=policy.default)
    sender, sender_name = _sender(msg, problems)
    subject = one_line(_header(msg, "subject"), text_rules.SUBJECT_MAX)
    message_id = normal_message_id(_header(msg, "message-id")) or stand_in_message_id(raw)
    walker = _Walker()
    if too_large:
        walker.notes.append(f"[This message is {file_rules.human_size(len(raw))}, over the "
                            f"{file_rules.human_size(MAX_MESSAGE_BYTES)} limit: only its "
                            "headers were kept.]")
    else:
        walker.walk(msg)
    files = [f for f in walker.files if f.name]
    if walker.plain:
        body = "\n\n".join(clean_text(p).strip() for p in walker.plain)
    elif walker.html:
        body = "\n\n".join(html_to_text(clean_text(h)) for h in walker.html)
    else:
        body = ""
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(body) > BODY_LIMIT:
        body = body[:BODY_LIMIT] + "\n[The rest of this message was cut: it is too long.]"
    if walker.notes:
        body = (body + "\n\n" + "\n".join(walker.notes)).strip()
    try:
        defects = len(getattr(msg, "defects", ()))
    except Exception:
        defects = 0
    if defects:
        problems.append(f"The message's structure has {defects} defect(s).")
    headers = {name: _header(msg, name) for name in LOOP_HEADERS}
    return ParsedMail(
        sender=sender, sender_name=sender_name, to=_recipients(msg), subject=subject,
        date=_date(msg), message_id=message_id,
        in_reply_to=one_line(_header(msg, "in-reply-to"), 4000) or None,
        references=one_line(_header(msg, "references"), 20000) or None,
        text=body, files=tuple(files), headers={k: v for k, v in headers.items() if v},
        problems=tuple(problems + walker.problems), size=len(raw))


def as_email(raw: bytes) -> EmailMessage:
    """Parsed with the default policy (tests and tools)."""
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg
