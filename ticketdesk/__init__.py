"""ticketdesk: a desktop help desk for small support teams."""

__version__ = "0.1.0"

# Before anything imports peewee: keep its PostgreSQL drivers out of a SQLite desk's start-up.
from ticketdesk.db.drivers import import_peewee as _import_peewee

_import_peewee()
