"""What ticketdesk runs on, for `ticketdesk --version` and Help > About: one text for both, so
a bug report quotes the same lines whichever the user copied."""

from __future__ import annotations

from ticketdesk import __version__


def versions() -> str:
    import platform

    import apsw
    import peewee

    try:
        import PySide6
        from PySide6 import QtCore

        qt = f"Qt {QtCore.qVersion()} (PySide6 {PySide6.__version__})"
    except ImportError as exc:  # pragma: no cover - PySide6 is a dependency
        qt = f"Qt not available ({exc})"
    return "\n".join([
        f"ticketdesk {__version__}",
        qt,
        f"SQLite {apsw.sqlitelibversion()} (APSW {apsw.apswversion()})",
        f"peewee {peewee.__version__}",
        f"Python {platform.python_version()}",
    ])
