"""Validation of the free-text fields people type, with messages that say what to fix."""

from __future__ import annotations

import re
import unicodedata

from ticketdesk.domain.errors import ValidationError

SUBJECT_MAX = 300
NAME_MAX = 200
TAG_MAX = 40
CATEGORY_MAX = 80
BODY_MAX = 1_000_000  # a pasted log is fine; a pasted database dump is not
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPACES = re.compile(r"\s+")


def _blank(value: str) -> bool:
    """Nothing a person could see: spaces, or only invisible characters such as a zero-width
    space or a byte-order mark pasted from another program (a subject like that would show as
    an empty row)."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


def _no_nul(text: str, what: str) -> None:
    if "\x00" in text:
        raise ValidationError(f"The {what} contains a NUL character, which cannot be stored.")


def one_line(text: str | None, what: str, *, required: bool, max_len: int) -> str:
    """Trim, collapse inner whitespace (a pasted newline in a subject is never wanted), check."""
    value = _SPACES.sub(" ", (text or "")).strip()
    _no_nul(value, what)
    if required and _blank(value):
        raise ValidationError(f"The {what} cannot be empty.")
    if len(value) > max_len:
        raise ValidationError(
            f"The {what} is {len(value)} characters long; the limit is {max_len}."
        )
    return value


def subject(text: str | None) -> str:
    return one_line(text, "subject", required=True, max_len=SUBJECT_MAX)


def name(text: str | None, what: str = "name") -> str:
    return one_line(text, what, required=True, max_len=NAME_MAX)


def optional_line(text: str | None, what: str, max_len: int = NAME_MAX) -> str:
    return one_line(text, what, required=False, max_len=max_len)


def body(text: str | None, what: str, *, required: bool) -> str:
    """Multi-line text (description, note, message): keep the user's layout, trim the ends."""
    value = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    _no_nul(value, what)
    if required and _blank(value):
        raise ValidationError(f"The {what} cannot be empty.")
    if len(value) > BODY_MAX:
        raise ValidationError(
            f"The {what} is {len(value):,} characters long; the limit is {BODY_MAX:,}."
        )
    return value


def email(text: str | None) -> str:
    value = (text or "").strip()
    _no_nul(value, "email address")  # PostgreSQL cannot store it; SQLite would cut it short
    if value and not _EMAIL.match(value):
        raise ValidationError(f"{value!r} does not look like an email address (name@example.com).")
    if len(value) > NAME_MAX:
        raise ValidationError(f"The email address is longer than {NAME_MAX} characters.")
    return value


def tag(text: str | None) -> str:
    """Tags are short lowercase labels: "billing", "vip customer". Commas separate tags in lists
    and CSV files, so a tag cannot contain one."""
    value = unicodedata.normalize("NFC", _SPACES.sub(" ", (text or "")).strip()).casefold()
    _no_nul(value, "tag")
    if _blank(value):
        raise ValidationError("A tag cannot be empty.")
    if "," in value:
        raise ValidationError(f"A tag cannot contain a comma: {value!r}. Add two tags instead.")
    if len(value) > TAG_MAX:
        raise ValidationError(f"The tag {value!r} is longer than {TAG_MAX} characters.")
    return value


def split_tags(text: str) -> list[str]:
    """Tags typed or stored as "a, b, c", normalised, without duplicates, in the given order."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        if part.strip():
            seen.setdefault(tag(part), None)
    return list(seen)
