"""`ticketdesk migrate --from URL --to URL`: move a whole desk between SQLite and PostgreSQL.

When a team outgrows one desk file it moves it to the server (SQLite -> PostgreSQL); a team desk
is copied to a file for a backup or to work offline (PostgreSQL -> SQLite). Everything is
copied with its ids, so ticket numbers, links between rows and the audit trail stay exactly as
they were: agents, customers and their tags, tickets with tags and assignees, the conversation,
notes, attachments and their bytes, activity, drafts.

How it stays safe:

- the target must be empty (a fresh file, or a server database with nothing in it); a desk with
  data is refused and left untouched. The target's schema is created by the same migrations as
  any desk, and the source is brought to the same version;
- the source is read in one consistent snapshot (a read transaction), table by table in primary
  key order, so it may stay in use meanwhile;
- all-or-nothing: on PostgreSQL everything is written in one transaction (tables locked against
  other writers, secondary indexes rebuilt at the end, inside it); a new SQLite file is written
  under a temporary name and renamed into place only when complete;
- before the commit, every table is read back from the target and compared with what was read
  from the source: the number of rows and a SHA-256 over the ordered rows (values normalised so
  that SQLite's 0/1 and PostgreSQL's booleans agree). Any difference rolls everything back;
- id sequences continue after the highest id ever used in the source (a deleted last ticket's
  number is not handed out again), and the search index is rebuilt with the one tokeniser.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peewee import AutoField, BlobField, BooleanField

from ticketdesk.db import migrations
from ticketdesk.db.engine import Engine, engine_for
from ticketdesk.db.models import ALL_MODELS
from ticketdesk.db.store import Store, backend_for, open_database
from ticketdesk.db.url import is_postgres, sqlite_path
from ticketdesk.domain.errors import StorageError, ValidationError
from ticketdesk.domain.progress import Cancelled, Progress
from ticketdesk.services import customer_counts, routing_counts

BATCH = 20_000  # rows per INSERT batch (SQLite) or COPY statement (PostgreSQL)


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    checksum: str
    """SHA-256 of the table's rows in primary-key order, the same on both sides."""


@dataclass(frozen=True)
class MigrationReport:
    source: str
    target: str
    tables: tuple[TableCopy, ...]
    search_documents: int
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def count(self, table: str) -> int:
        return next(t.rows for t in self.tables if t.table == table)


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    booleans: tuple[int, ...]
    blobs: tuple[int, ...]
    serial: bool

    @property
    def select(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        order = ", ".join(f'"{c}"' for c in self.key)
        return f'SELECT {cols} FROM "{self.name}" ORDER BY {order}'


def _tables() -> list[_Table]:
    """Every table of the desk, parents before children (ALL_MODELS is in that order)."""
    tables = []
    for model in ALL_MODELS:
        meta: Any = model._meta
        fields = list(meta.sorted_fields)
        keys = [f.column_name for f in meta.get_primary_keys()]
        tables.append(_Table(
            name=meta.table_name,
            columns=tuple(f.column_name for f in fields),
            key=tuple(keys),
            booleans=tuple(i for i, f in enumerate(fields) if isinstance(f, BooleanField)),
            blobs=tuple(i for i, f in enumerate(fields) if isinstance(f, BlobField)),
            serial=isinstance(meta.primary_key, AutoField),
        ))
    return tables


def _normaliser(table: _Table) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """What the checksum hashes for a row: booleans as 0/1 and blobs as bytes, so that both
    engines' rows of the same data hash alike; other values are the same types on both."""
    if not table.booleans and not table.blobs:
        return lambda row: row
    booleans, blobs = set(table.booleans), set(table.blobs)

    def normal(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            (None if v is None else int(bool(v))) if i in booleans
            else (None if v is None else bytes(v)) if i in blobs else v
            for i, v in enumerate(row))

    return normal


class _Checksum:
    def __init__(self, table: _Table) -> None:
        self.normal = _normaliser(table)
        self.digest = hashlib.sha256()
        self.rows = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.digest.update(f"{self.normal(row)!r}\n".encode("utf-8", "surrogatepass"))
        self.rows += 1

    def result(self) -> tuple[int, str]:
        return self.rows, self.digest.hexdigest()


def _digest(table: _Table, rows: Iterable[tuple[Any, ...]]) -> tuple[int, str]:
    checksum = _Checksum(table)
    for row in rows:
        checksum.add(row)
    return checksum.result()


def migrate_desk(source_url: str, target_url: str, *, progress: Progress | None = None,
                 source_password: str | None = None,
                 target_password: str | None = None) -> MigrationReport:
    """Copy the desk at `source_url` into the empty desk at `target_url`; see the module doc.

    `progress(done, total, phase)` may return False to cancel (`Cancelled`, nothing kept).
    """
    started = time.perf_counter()
    _check_urls(source_url, target_url)
    source = open_database(source_url, password=source_password)
    try:
        if is_postgres(target_url):
            target = open_database(target_url, password=target_password)
            try:
                report = _copy(source, target, progress)
                _analyze(target)
            finally:
                target.close()
        else:
            report = _copy_to_new_file(source, sqlite_path(target_url), progress)
    finally:
        source.close()
    return MigrationReport(source.location, _location(target_url), report[0], report[1],
                           time.perf_counter() - started)


def _location(url: str) -> str:
    return backend_for(url)[1].location


def _check_urls(source_url: str, target_url: str) -> None:
    if _location(source_url) == _location(target_url):
        raise ValidationError("The source and the target are the same desk.")
    if not is_postgres(source_url):
        path = sqlite_path(source_url).expanduser()
        if not path.is_file():
            raise ValidationError(f"There is no desk at {path}.")
    if not is_postgres(target_url):
        path = sqlite_path(target_url).expanduser()
        if path.exists():
            raise ValidationError(
                f"{path} already exists. ticketdesk migrate writes a new file and never "
                "overwrites one; give a new name, or remove the file first.")


def _copy_to_new_file(source: Store, path: Path,
                      progress: Progress | None) -> tuple[tuple[TableCopy, ...], int]:
    """Write a new SQLite desk under a temporary name beside `path`, rename it when verified."""
    from ticketdesk.db.sqlite_backend import SqliteBackend

    path = path.expanduser().absolute()
    partial = path.with_name(f".{path.name}.migrating")
    _remove_sqlite(partial)
    backend = SqliteBackend(partial)
    backend.prepare()
    db = backend.make_database()
    try:
        db.connect()
        backend.after_connect(db)
        migrations.migrate(db, backend.dialect, lambda: backend.write_lock(db))
        target = Store(f"sqlite:///{partial}", backend, db)
        result = _copy(source, target, progress)
        engine_for(target).checkpoint(db)
        db.close()
        with open(partial, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(partial, path)  # never replaces a file that appeared meanwhile
        except FileExistsError:
            raise ValidationError(f"{path} appeared while migrating; nothing was written "
                                  "there.") from None
        return result
    finally:
        if not db.is_closed():
            db.close()
        _remove_sqlite(partial)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _analyze(target: Store) -> None:
    """A million rows just arrived (the copy is already saved): fresh planner statistics."""
    engine_for(target).after_bulk_load(target.db, [t.name for t in _tables()])


def _copy(source: Store, target: Store,
          progress: Progress | None) -> tuple[tuple[TableCopy, ...], int]:
    tables = _tables()
    report = _Progress(progress)
    source_version = migrations.current_version(source.db)
    target_version = migrations.current_version(target.db)
    if source_version != target_version:
        raise StorageError(f"The source desk has schema {source_version} and the target "
                           f"{target_version}; both must be opened by the same ticketdesk.")
    engine = engine_for(target)
    with engine_for(source).snapshot(source.db), engine.bulk_writing(target):
        engine.lock_tables(target.db, [t.name for t in tables])
        _refuse_non_empty(target, tables)
        for table in tables:
            _check_columns(source, table)
            _check_columns(target, table)
        counts = {t.name: _count(source, t.name) for t in tables}
        tickets = counts["ticket"]
        report.total = 2 * sum(counts.values()) + tickets
        deferred = engine.set_aside(target.db, [t.name for t in tables])
        copied = {t.name: _copy_table(source, target, t, report) for t in tables}
        if deferred is not None:
            report.phase("Rebuilding indexes and checking references")
            deferred.put_back(target.db, search=False)
        _continue_sequences(source, target, tables)
        routing_counts.rebuild(target.db)  # derived, not copied (migration 24)
        customer_counts.rebuild(target.db)  # derived, not copied (migration 27)
        report.phase("Building the search index")
        target.backend.rebuild_search(target.db)
        if deferred is not None:
            deferred.put_back(target.db, search=True)
        report.advance(tickets)
        documents = engine.search_documents(target.db)
        if documents != tickets:
            raise StorageError(f"The search index of the copy holds {documents} documents for "
                               f"{tickets} tickets; nothing was kept.")
        results = []
        for table in tables:
            report.phase(f"Verifying {table.name}")
            rows, checksum = _digest(table, report.counting(_rows(target, table)))
            expected_rows, expected = copied[table.name]
            if (rows, checksum) != (expected_rows, expected):
                raise StorageError(
                    f"Verification failed for {table.name}: the source has {expected_rows} rows "
                    f"(sha256 {expected[:12]}…), the copy {rows} (sha256 {checksum[:12]}…). "
                    "Nothing was kept.")
            results.append(TableCopy(table.name, rows, checksum))
        report.phase("Saving")
    return tuple(results), documents


def _refuse_non_empty(target: Store, tables: list[_Table]) -> None:
    filled = [t.name for t in tables
              if target.db.execute_sql(f'SELECT EXISTS (SELECT 1 FROM "{t.name}")').fetchone()[0]]
    if filled:
        tickets = target.db.execute_sql("SELECT count(*) FROM ticket").fetchone()[0]
        raise ValidationError(
            f"The target desk {target.location} is not empty ({tickets:,} tickets; tables with "
            f"rows: {', '.join(filled)}). ticketdesk migrate only copies into an empty desk, so "
            "nothing was changed.")


def _check_columns(store: Store, table: _Table) -> None:
    found = {column.name for column in store.db.get_columns(table.name)}
    if found != set(table.columns):
        raise StorageError(f"The table {table.name} of {store.location} has columns "
                           f"{sorted(found)}, expected {sorted(table.columns)}.")


def _count(store: Store, table: str) -> int:
    return int(store.db.execute_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _rows(store: Store, table: _Table) -> Iterator[tuple[Any, ...]]:
    return store.backend.stream(store.db, table.select, ())


def _copy_table(source: Store, target: Store, table: _Table,
                report: _Progress) -> tuple[int, str]:
    """Copy one table in key order; returns the source's (rows, checksum)."""
    report.phase(f"Copying {table.name}")
    checksum = _Checksum(table)
    engine = engine_for(target)
    convert = _converter(table, engine)
    batch: list[tuple[Any, ...]] = []
    write = engine.row_writer(target.db, table.name, table.columns)
    for row in _rows(source, table):
        checksum.add(row)
        batch.append(convert(row))
        if len(batch) >= BATCH:
            write(batch)
            report.advance(len(batch))
            batch = []
    if batch:
        write(batch)
        report.advance(len(batch))
    return checksum.result()


def _converter(table: _Table, engine: Engine) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A source row as the target engine takes it (booleans as 0/1 or True/False, blobs as
    bytes)."""
    if not table.booleans and not table.blobs:
        return lambda row: row
    booleans, blobs = set(table.booleans), set(table.blobs)

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            (None if v is None else engine.boolean(v)) if i in booleans
            else (bytes(v) if v is not None else None) if i in blobs else v
            for i, v in enumerate(row))

    return convert


def _last_ids(store: Store, tables: list[_Table]) -> dict[str, int]:
    """The highest id each serial table ever handed out (not just the highest still there)."""
    engine = engine_for(store)
    result = {}
    for table in tables:
        if not table.serial:
            continue
        (top,) = store.db.execute_sql(
            f'SELECT coalesce(max("{table.key[0]}"), 0) FROM "{table.name}"').fetchone()
        used = engine.last_used_id(store.db, table.name, table.key[0])
        result[table.name] = max(int(top), used)
    return result


def _continue_sequences(source: Store, target: Store, tables: list[_Table]) -> None:
    engine = engine_for(target)
    for table, last in _last_ids(source, tables).items():
        column = next(t.key[0] for t in tables if t.name == table)
        if last > 0:
            engine.continue_sequence(target.db, table, column, last)


class _Progress:
    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.total = 0
        self.done = 0
        self.name = ""
        self.last = 0.0

    def phase(self, name: str) -> None:
        self.name = name
        self._report(force=True)

    def advance(self, rows: int) -> None:
        self.done += rows
        self._report()

    def counting(self, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        pending = 0
        for row in rows:
            pending += 1
            if pending >= BATCH:
                self.advance(pending)
                pending = 0
            yield row
        self.advance(pending)

    def _report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.callback is None or (not force and now - self.last < 0.1):
            return
        self.last = now
        if self.callback(min(self.done, self.total), self.total, self.name) is False:
            raise Cancelled("Migration cancelled; the target desk was left as it was.")
