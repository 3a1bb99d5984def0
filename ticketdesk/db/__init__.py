"""Storage: peewee models, migrations and the SQLite / PostgreSQL backends. No Qt here."""
