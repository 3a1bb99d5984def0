"""Which database a desk lives in, from what the user typed.

Accepted: `sqlite:///relative/file.db`, `sqlite:////absolute/file.db` (the SQLAlchemy form),
a plain file path, or `postgresql://user[:password]@host[:port]/dbname`. With nothing given, the
desk is `desk.sqlite` in the user's data folder (platformdirs), created private to the user.
"""

from __future__ import annotations

import os
from pathlib import Path

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
    return Path(text).expanduser()
