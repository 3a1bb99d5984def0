"""Passwords of team desks: in the system keyring (macOS Keychain, Windows Credential Locker,
GNOME Keyring, KWallet...) or nowhere. Never in the settings file, never in a URL we store.

A password is filed under the service "ticketdesk" and the account `user@host:port/dbname`, so
one desktop can keep the passwords of several servers. Without a usable keyring (a headless
server, a minimal desktop) nothing is saved: the user types the password each time, or uses
libpq's own `~/.pgpass` / PGPASSWORD, which psycopg reads by itself.
"""

from __future__ import annotations

import contextlib
from typing import Any

from ticketdesk.db.postgres_backend import parse_postgres_url
from ticketdesk.db.url import is_postgres
from ticketdesk.domain.errors import StorageError, ValidationError

SERVICE = "ticketdesk"
NO_KEYRING = ("No system keyring is available on this computer, so the password cannot be "
              "remembered; type it when you connect, or keep it in ~/.pgpass.")


def _keyring() -> Any:
    """The `keyring` module if it has a backend that really stores secrets, else None.
    (Tests replace this function with a fake.)"""
    try:
        import keyring
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        if getattr(backend, "priority", 0) <= 0:  # keyring's "fail" backend: nowhere to store
            return None
    except Exception:
        return None
    return keyring


def keyring_status() -> tuple[bool, str]:
    """(usable, why not): for the Preferences checkbox and its tooltip."""
    if _keyring() is None:
        return False, NO_KEYRING
    return True, ""


def account(url: str) -> str:
    """`user@host:port/dbname` for a postgresql:// URL (its password, if any, left out)."""
    params = parse_postgres_url(url)
    user = params.get("user", "")
    host = params.get("host", "localhost")
    port = params.get("port", 5432)
    return f"{user}@{host}:{port}/{params['database']}"


def saved_password(url: str) -> str | None:
    """The remembered password of the team desk at `url`, or None (SQLite, a URL that carries
    its own password, nothing saved, no keyring, or a keyring that refused: never an error)."""
    if not is_postgres(url):
        return None
    try:
        if "password" in parse_postgres_url(url):
            return None
    except ValidationError:
        return None
    backend = _keyring()
    if backend is None:
        return None
    try:
        value = backend.get_password(SERVICE, account(url))
    except Exception:
        return None
    return str(value) if value else None


def save_password(url: str, password: str) -> None:
    backend = _keyring()
    if backend is None:
        raise StorageError(NO_KEYRING)
    try:
        backend.set_password(SERVICE, account(url), password)
    except Exception as exc:
        raise StorageError(f"The system keyring refused to store the password: {exc}") from exc


def forget_password(url: str) -> None:
    """Remove a remembered password; nothing saved (or no keyring) is fine."""
    backend = _keyring()
    if backend is None:
        return
    with contextlib.suppress(Exception):  # "no such password" is what we wanted anyway
        backend.delete_password(SERVICE, account(url))
