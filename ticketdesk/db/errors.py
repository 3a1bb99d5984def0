"""Sort database failures into ones the user can act on (disk full, read-only, busy, damaged,
server gone) and bugs. The first become `StorageError` with a plain message; the rest propagate."""

from __future__ import annotations

from pathlib import Path

from ticketdesk.domain.errors import StorageError

NOT_SAVED = "Nothing was saved."

# Keyed by the driver's exception class name (APSW) or SQLSTATE class (PostgreSQL).
_MESSAGES = {
    "FullError": "The disk holding the database is full. Free some space and try again.",
    "ReadOnlyError": "The database file is read-only. Check its permissions, or open another desk.",
    "PermissionsError": "ticketdesk may not write to the database file. Check its permissions.",
    "CantOpenError": "The database file cannot be opened. Check that its folder exists and is "
                     "writable.",
    "BusyError": "Another program kept the database busy for too long. Try again in a moment.",
    "LockedError": "The database is locked by another program. Try again in a moment.",
    "IOError": "The disk reported an error while reading or writing the database.",
    "CorruptError": "The database file is damaged. Restore the latest backup "
                    "(File > Restore Backup…, or `ticketdesk restore`).",
    "NotADBError": "This file is not a ticketdesk database (or it is damaged beyond reading).",
    "OperationalError:server": "The connection to the database server was lost. Check the "
                               "network; ticketdesk reconnects on its own.",
}


class DamagedDeskError(StorageError):
    """The desk file is damaged (found at open). Nothing was written to it; the app offers to
    set it aside and restore the latest backup."""

    def __init__(self, path: Path, detail: str, *, unreadable: bool = False) -> None:
        self.path = path
        self.detail = detail
        what = ("is not a ticketdesk database, or it is damaged beyond reading" if unreadable
                else "is damaged")
        super().__init__(f"{path} {what}: {detail}. Nothing was changed in it.")


_DAMAGE = frozenset({"CorruptError", "NotADBError"})


def damage_detail(exc: BaseException) -> str | None:
    """SQLite's own words if `exc` says the file is damaged ("database disk image is
    malformed", "file is not a database"), else None."""
    for cause in causes(exc):
        if type(cause).__name__ in _DAMAGE:
            return " ".join(str(cause).split()) or type(cause).__name__
    return None


def causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (peewee re-raises driver errors as args[0])."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo.extend([item.__cause__, item.__context__])
        todo.extend(a for a in item.args if isinstance(a, BaseException))
    return seen


ASK_ADMIN = "Ask whoever administers the database server to grant it the rights it needs."


def permission_denied(exc: BaseException) -> str | None:
    """The server's words ("permission denied for table ticket") if `exc` is PostgreSQL's
    insufficient_privilege (42501): the connected role lacks a GRANT. With PostgreSQL 15 and
    later a role may no longer create tables in the public schema, and team desks often give
    agents read-only or data-only roles, so this is a user's situation, not a bug."""
    for cause in causes(exc):
        if (getattr(cause, "sqlstate", None) or "") == "42501":
            diag = getattr(cause, "diag", None)
            primary = getattr(diag, "message_primary", None) if diag is not None else None
            return str(primary or str(cause).splitlines()[0] or "permission denied")
    return None


def storage_error(exc: BaseException, *, writing: bool = True) -> StorageError | None:
    """A user-facing StorageError for `exc`, or None if it is a bug and should propagate.
    `writing`: whether `exc` ended a write (the wording of a refused permission)."""
    denied = permission_denied(exc)
    if denied is not None:
        if writing:
            return StorageError(f"This database user may not write to this desk ({denied}). "
                                f"{NOT_SAVED} {ASK_ADMIN}")
        return StorageError(f"This database user may not read this desk ({denied}). {ASK_ADMIN}")
    for cause in causes(exc):
        if isinstance(cause, StorageError):
            return cause
        name = type(cause).__name__
        if name in _MESSAGES:
            return StorageError(f"{_MESSAGES[name]} {NOT_SAVED}")
        sqlstate = getattr(cause, "sqlstate", None) or ""
        if name in ("OperationalError", "InterfaceError") and (
            sqlstate.startswith("08") or "connection" in str(cause).lower()
        ) and type(cause).__module__.startswith("psycopg"):
            return StorageError(f"{_MESSAGES['OperationalError:server']} {NOT_SAVED}")
        if sqlstate == "53100":  # disk_full
            return StorageError(f"{_MESSAGES['FullError']} {NOT_SAVED}")
        if sqlstate == "25006":  # read_only_sql_transaction
            return StorageError(f"The database server is read-only. {NOT_SAVED}")
        if sqlstate == "55P03":  # lock_not_available: lock_timeout, as SQLite's busy timeout
            return StorageError(
                "Another desktop kept the desk busy for too long (a large import or migration "
                f"may be running). Try again in a moment. {NOT_SAVED}")
        if sqlstate in ("40001", "40P01"):  # serialization failure, deadlock
            return StorageError(
                f"Another desktop was saving the same thing at the same moment. {NOT_SAVED} "
                "Try again.")
    return None
