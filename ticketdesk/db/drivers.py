"""peewee without its PostgreSQL drivers until a PostgreSQL desk is opened.

peewee imports psycopg (and psycopg2) when it is imported; psycopg brings asyncio along, and the
two cost about 150 ms of every start, a seventh of the time a user waits for the first rows, for
nothing on a SQLite desk. `import_peewee` imports peewee with the drivers hidden;
`attach_psycopg` gives peewee psycopg 3 when a PostgreSQL desk is opened, by setting the names
peewee's import would have set. The whole PostgreSQL test suite runs through this path, so a
peewee release that renames them fails those tests at once.
"""

from __future__ import annotations

import importlib
import sys

_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi")


def import_peewee() -> None:
    """Import peewee with the PostgreSQL drivers hidden (no-op if already imported)."""
    if "peewee" in sys.modules:
        return
    hidden = [name for name in _DRIVERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import x" raises ImportError
    try:
        importlib.import_module("peewee")
    finally:
        for name in hidden:
            del sys.modules[name]


def attach_psycopg() -> None:
    """Make psycopg 3 available to peewee (raises ImportError if it is not installed)."""
    import peewee
    import psycopg
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    if getattr(peewee, "psycopg", None) is psycopg:
        return
    peewee.psycopg = psycopg
    peewee.TransactionStatus = TransactionStatus
    peewee.Json_pg3 = Json
    peewee.Jsonb_pg3 = Jsonb
    adapter = peewee.Psycopg3Adapter
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN
