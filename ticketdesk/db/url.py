"""Which database a desk lives in, from what the user typed.

Accepted: `sqlite:///relative/file.db`, `sqlite:////absolute/file.db` (the SQLAlchemy form),
a plain file path, or `postgresql://user[:password]@host[:port]/dbname`. With nothing given, the
desk is `desk.sqlite` in the user's data folder (platformdirs), created private to the user.

Every message that shows a URL shows `redact(url)`: a typed password never appears on screen, in
a log or in a terminal's scroll-back, whatever else is wrong with the URL.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from ticketdesk.domain.errors import ValidationError

APP_NAME = "ticketdesk"
ENV_DB = "TICKETDESK_DB"
"""The environment variable naming the desk when `--db` is not given."""


def resolve_url(explicit: str | None) -> str:
    """The desk to open: the one named, else $TICKETDESK_DB, else the default desk file (the
    command line and the window resolve it alike)."""
    return explicit or os.environ.get(ENV_DB) or default_url()


def default_sqlite_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "desk.sqlite"


def default_url() -> str:
    return sqlite_url(default_sqlite_path())


def sqlite_url(path: Path) -> str:
    return "sqlite:///" + str(path)


_QUERY_PASSWORD = re.compile(r"(^|&)(ssl)?password=[^&#]*")
"""`password=` and `sslpassword=` (the passphrase of a client certificate's key)."""
_HOST_PORT = re.compile(r"^([^/@\s]+@)?[\w.-]+:\d+(/|$)")
"""`localhost:5432/desk`, `ann:pw@db:5432/desk`: a server address typed without its
postgresql:// (never a file path anyone means; a Windows drive letter is followed by a slash,
not digits)."""


def redact(url: str) -> str:
    """The URL without its password, for titles, logs and messages: libpq also takes one as
    a query option (`?password=...`), so that is hidden too. A URL too broken to parse
    (`postgresql://ann:pw@[::1/desk`) is redacted all the same, by hand."""
    text = url.strip()
    if "://" not in text:  # urlsplit would take `ann:pw@db/desk`'s "ann" for a scheme
        return _redact_by_hand(text)
    try:
        parts = urlsplit(text)
    except ValueError:
        return _redact_by_hand(text)
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(f":{parts.password}@", ":***@")
    query = _QUERY_PASSWORD.sub(r"\1\2password=***", parts.query)
    return parts._replace(netloc=netloc, query=query).geturl()


def _redact_by_hand(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    netloc, tail = rest[:end], rest[end:]
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    path, qmark, query = tail.partition("?")
    if qmark:
        tail = path + "?" + _QUERY_PASSWORD.sub(r"\1\2password=***", query)
    return f"{scheme}{sep}{netloc}{tail}"


def is_postgres(url: str) -> bool:
    """URL schemes are case-insensitive, and a pasted URL often carries spaces around it."""
    return url.strip().lower().startswith(("postgresql://", "postgres://"))


def sqlite_path(url: str) -> Path:
    """The file a SQLite URL or plain path names."""
    text = url.strip()
    if not text:
        raise ValidationError("No database given.")
    if text.startswith("sqlite://"):
        rest = text[len("sqlite://"):]
        if not rest.startswith("/") or rest == "/":
            raise ValidationError(
                f"{url!r}: write sqlite:///file.db for a file in this folder or "
                "sqlite:////home/me/file.db for an absolute path."
            )
        text = rest[1:]
    if text == ":memory:":
        raise ValidationError("An in-memory database would lose everything on exit; give a file.")
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise ValidationError(
            f"Unknown database type {scheme!r}. Use a file path, sqlite:///file.db or "
            "postgresql://user@host/dbname."
        )
    path = Path(text).expanduser()
    if _HOST_PORT.match(text) and not path.exists():
        raise ValidationError(
            f"{redact(text)!r} looks like a server address: write postgresql://{redact(text)} "
            "for a PostgreSQL desk (a file name cannot start with host:port)."
        )
    return path
