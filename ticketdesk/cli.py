"""Headless commands: `ticketdesk demo | export | check | backup ...`.

Each command opens the desk named by `--db` (or TICKETDESK_DB, or the default file in the user's
data folder), calls services, prints a short result, and exits 0 on success or 1 with a message
on stderr when the user has something to fix. Nothing here builds SQL.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ticketdesk import cli_agents, cli_api, cli_mail, cli_routing, cli_sla, cli_ticket, cli_trash
from ticketdesk.db.errors import DamagedDeskError
from ticketdesk.db.url import ENV_DB, resolve_url
from ticketdesk.domain.clock import parse_date
from ticketdesk.domain.errors import TicketdeskError, ValidationError
from ticketdesk.domain.field_conditions import FieldCondition
from ticketdesk.domain.filters import DateField, TicketFilter
from ticketdesk.domain.sla import SlaState
from ticketdesk.domain.status import Priority, Status

if TYPE_CHECKING:
    from ticketdesk.db.store import Store

ENV_AGENT = "TICKETDESK_AGENT"
DEFAULT_DEMO_TICKETS = 20_000


def _db_option(parser: argparse.ArgumentParser, *, top: bool) -> None:
    parser.add_argument(
        "--db", metavar="URL", default=None if top else argparse.SUPPRESS,
        help=f"the desk: a file path, sqlite:///file.db or postgresql://user@host/dbname "
             f"(default: ${ENV_DB}, else desk.sqlite in your data folder)")


def _filter_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("which tickets (default: all)")
    group.add_argument("--search", default="", help="full-text search, as in the search box")
    group.add_argument("--status", action="append", default=[],
                       help="Open, 'In Progress', Waiting, Resolved, Closed "
                            "(repeat or comma-separate)")
    group.add_argument("--priority", action="append", default=[],
                       help="Low, Medium, High, Urgent (repeat or comma-separate)")
    group.add_argument("--tag", action="append", default=[], help="ticket tag (repeatable)")
    group.add_argument("--customer-tag", action="append", default=[],
                       help="customer tag (repeatable)")
    group.add_argument("--category", action="append", default=[],
                       help="category, one of the desk's list (repeatable)")
    group.add_argument("--field", action="append", default=[], metavar="NAME=VALUE",
                       help="a custom field: NAME=VALUE (that value), NAME~TEXT (a text field "
                            "containing TEXT, any case), NAME<N, NAME<=N, NAME>N, NAME>=N "
                            "(a number, or a date as YYYY-MM-DD); quote it for the shell: "
                            "--field 'Seats>=10'. Repeatable: all must hold")
    group.add_argument("--assignee", action="append", default=[],
                       help="agent name (repeatable)")
    group.add_argument("--unassigned", action="store_true", help="tickets nobody is assigned to")
    group.add_argument("--date-field", choices=[d.value for d in DateField],
                       default=DateField.CREATED.value, help="which date --from/--to apply to")
    group.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD",
                       help="first day, inclusive")
    group.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day, inclusive")
    group.add_argument("--sla", action="append", default=[], metavar="STATE[,STATE]",
                       help="SLA state now: on-track, at-risk, breached, met, paused, none")


def _split(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _categories(store: Store, typed: list[str]) -> frozenset[str]:
    from ticketdesk.services import categories
    from ticketdesk.services.session import Session

    return categories.names_for(Session(store, None), typed)


def _fields(store: Store, typed: list[str]) -> tuple[
        tuple[tuple[int, str], ...], tuple[FieldCondition, ...]]:
    from ticketdesk.services import custom_fields
    from ticketdesk.services.session import Session

    return custom_fields.filter_parts(Session(store, None), typed)


def filter_from_args(store: Store, args: argparse.Namespace) -> TicketFilter:
    """The TicketFilter the filter options describe; unknown names are refused by name."""
    from ticketdesk.services.agents import find_agent

    agent_ids = []
    for name in _split(args.assignee):
        agent = find_agent(store, name)
        if agent is None:
            raise ValidationError(f"There is no agent called {name!r}.")
        agent_ids.append(agent.id)
    values, conditions = _fields(store, getattr(args, "field", []))
    return TicketFilter(
        text=args.search,
        statuses=frozenset(Status.parse(s) for s in _split(args.status)),
        priorities=frozenset(Priority.parse(p) for p in _split(args.priority)),
        tags=frozenset(t.strip().casefold() for t in args.tag),
        customer_tags=frozenset(t.strip().casefold() for t in args.customer_tag),
        assignees=frozenset(agent_ids),
        unassigned=args.unassigned,
        date_field=DateField(args.date_field),
        date_from=parse_date(args.date_from, "--from date") if args.date_from else None,
        date_to=parse_date(args.date_to, "--to date") if args.date_to else None,
        sla=frozenset(SlaState.parse(s) for s in _split(args.sla)),
        categories=_categories(store, getattr(args, "category", [])),
        custom=values, field_conditions=conditions,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ticketdesk",
        description="A desktop help desk. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="store_true",
                        help="print the versions of ticketdesk, Qt and SQLite, and exit")
    _db_option(parser, top=True)
    parser.add_argument("--demo", nargs="?", type=int, const=DEFAULT_DEMO_TICKETS, metavar="N",
                        help=f"with the window: if the desk is empty, first fill it with N demo "
                             f"tickets (default {DEFAULT_DEMO_TICKETS:,})")
    parser.add_argument("--agent", metavar="NAME",
                        help=f"with the window: work as this agent (created if new) instead of "
                             f"the one remembered for the desk (default: ${ENV_AGENT})")
    commands = parser.add_subparsers(dest="command", metavar="command")

    demo = commands.add_parser("demo", help="fill an empty desk with realistic demo data")
    _db_option(demo, top=False)
    demo.add_argument("--tickets", type=int, default=DEFAULT_DEMO_TICKETS, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")

    export = commands.add_parser("export", help="write tickets or analytics to CSV")
    _db_option(export, top=False)
    what = export.add_subparsers(dest="what", metavar="what", required=True)
    tickets = what.add_parser("tickets", help="tickets matching the filter options, to CSV")
    _db_option(tickets, top=False)
    tickets.add_argument("--out", required=True, metavar="FILE.csv",
                         help="the file to write (replaced only once complete), a FIFO or "
                              "device, or - for standard output")
    tickets.add_argument("--bom", action="store_true",
                         help="start the file with a UTF-8 byte order mark (for Excel)")
    _filter_options(tickets)
    analytics = what.add_parser(
        "analytics", help="a period's analytics (cards, daily series, breakdowns, agents) to "
                          "one CSV file",
        description="One tidy CSV: section, period, first_day, last_day, key, metric, value; "
                    "current and previous period. The filter options narrow the tickets "
                    "analysed; --from/--to give a custom period.")
    _db_option(analytics, top=False)
    analytics.add_argument("--period", default="last-30d", metavar="PERIOD",
                           help="today, last-7d, last-30d (default), this-month, last-month, "
                                "all-time, or custom with --from and --to")
    analytics.add_argument("--out", required=True, metavar="FILE.csv",
                           help="the file to write, a folder (the file is named after the "
                                "period), or - for standard output")
    analytics.add_argument("--bom", action="store_true",
                           help="start the file with a UTF-8 byte order mark (for Excel)")
    _filter_options(analytics)

    check = commands.add_parser("check", help="check the desk's integrity")
    _db_option(check, top=False)

    backup = commands.add_parser("backup", help="write a consistent snapshot of the desk")
    _db_option(backup, top=False)
    backup.add_argument("--out", type=Path, metavar="FILE",
                        help="where (default: backups/ beside the database, timestamped)")

    imports = commands.add_parser("import", help="read tickets from CSV")
    _db_option(imports, top=False)
    what_in = imports.add_subparsers(dest="what", metavar="what", required=True)
    tickets_in = what_in.add_parser(
        "tickets", help="tickets from ticketdesk's CSV or another help desk's export",
        description="Import tickets from FILE in one transaction. ticketdesk's own CSV keeps "
                    "its numbers; another help desk's export or a spreadsheet (CSV/TSV, XLSX, "
                    "ODS, JSON, NDJSON) is mapped by suggestions from its headers, or a preset "
                    "(--mapping). Every problem is reported and nothing is imported, unless "
                    "--skip-bad-rows. Importing a file again adds nothing.")
    _db_option(tickets_in, top=False)
    from ticketdesk import cli_import

    cli_import.add_arguments(tickets_in)
    cli_mail.add_import_mail(what_in)

    restore = commands.add_parser(
        "restore", help="put a backup back in place of the desk",
        description="Replace the desk by BACKUP (default: the latest in backups/ beside it). "
                    "The current desk file is set aside, never deleted or overwritten; refused "
                    "while the desk is open in a window.")
    _db_option(restore, top=False)
    restore.add_argument("backup", nargs="?", type=Path, metavar="BACKUP",
                         help="the backup file (default: the latest)")
    restore.add_argument("--list", action="store_true", help="list the backups and exit")

    migrate = commands.add_parser(
        "migrate", help="copy a whole desk into an empty one (SQLite <-> PostgreSQL)",
        description="Copy every ticket, conversation, note, attachment, activity row and draft, "
                    "ids and numbers kept, into an empty desk; verify row counts and checksums "
                    "before saving. A desk that is not empty is refused.")
    migrate.add_argument("--from", dest="source", required=True, metavar="URL",
                         help="the desk to copy: a file path, sqlite:///file.db or "
                              "postgresql://user@host/dbname")
    migrate.add_argument("--to", dest="target", required=True, metavar="URL",
                         help="an empty desk: a new file, or a server database with no tickets")
    cli_sla.add_commands(commands, _db_option)
    cli_mail.register(commands)
    cli_routing.add_commands(commands, _db_option)  # teams, agents status/skills, routing, csat
    cli_agents.add_commands(commands, _db_option)
    cli_api.add_commands(commands, _db_option)  # serve, api token (issue 22)
    cli_trash.add_commands(commands, _db_option)  # trash, erase (issue 19)
    return parser


class Printer:
    """Progress on a terminal: one line rewritten in place, at most a few times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0
        self.tty = stream.isatty()

    def __call__(self, done: int, total: int, phase: str = "") -> None:
        now = time.monotonic()
        if now - self.last < (0.2 if self.tty else 5.0) and done < total:
            return
        self.last = now
        share = f" {100 * done / total:5.1f}%" if total else ""
        line = f"{phase or 'working'}: {done:,}/{total:,}{share}"
        if self.tty:
            self.stream.write("\r" + line.ljust(70))
            if done >= total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


@contextmanager
def _open_desk(args: argparse.Namespace, *, create: bool = False) -> Iterator[Store]:
    """The desk `--db` names, closed when the command is done. A desk file that does not exist
    is created only by the commands that fill a desk (`create`; `run` says so on stdout); the
    others refuse it, so a mistyped --db is an error, not a new empty desk. Those others only
    read the desk, so a full disk under it does not stop them (open_database's `for_reading`)."""
    from ticketdesk.db.store import open_database

    store = open_database(resolve_url(args.db), create=create, for_reading=not create)
    if store.notice:
        sys.stderr.write(f"ticketdesk: {store.notice}\n")
    try:
        yield store
    finally:
        store.close()


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite desk URL (None for PostgreSQL, or a URL the open will refuse)."""
    from ticketdesk.db.url import is_postgres, sqlite_path

    if is_postgres(url):
        return None
    try:
        return sqlite_path(url).expanduser().absolute()
    except ValidationError:
        return None


def _desks_created_by(args: argparse.Namespace) -> list[Path]:
    """The SQLite desk files this command may create that do not exist yet (demo and import
    fill the --db desk, migrate writes --to); refuses a missing migrate --from."""
    from ticketdesk.db.sqlite_files import NoDeskError

    if args.command == "migrate":
        source = _sqlite_file(args.source)
        if source is not None and not source.exists():
            raise NoDeskError(source)
        urls = [args.target]
    elif args.command in ("demo", "import"):
        urls = [resolve_url(args.db)]
    else:
        return []
    files = [_sqlite_file(url) for url in urls]
    return [f for f in files if f is not None and not f.exists()]


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.services import demo

    with _open_desk(args, create=True) as store:
        printer = Printer(out)
        summary = demo.generate(store, tickets=args.tickets, seed=args.seed,
                                progress=printer)
    out.write(f"Demo desk ready: {summary.tickets:,} tickets, {summary.customers:,} customers, "
              f"{summary.agents} agents, {summary.messages:,} messages in "
              f"{summary.elapsed_seconds:.1f} s.\n")
    return 0


def _summary_stream(args: argparse.Namespace, out: TextIO) -> TextIO:
    """Where a command says what it did: stderr when its data went to standard output."""
    return sys.stderr if str(args.out) == "-" else out


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.services.export import export_tickets

    if args.what == "analytics":
        return _export_analytics(args, out)
    with _open_desk(args) as store:
        f = filter_from_args(store, args)
        result = export_tickets(store, args.out, f, bom=args.bom)
    out = _summary_stream(args, out)
    where = "standard output" if str(args.out) == "-" else result.path
    out.write(f"Exported {result.rows:,} tickets to {where} in {result.seconds:.1f} s "
              f"({result.rows_per_second:,.0f} rows/s).\n")
    return 0


def _export_analytics(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.domain.period import PeriodKind
    from ticketdesk.services import analytics, csat, sla_analytics
    from ticketdesk.services.analytics_export import write_csv
    from ticketdesk.services.session import Session

    kind = PeriodKind.parse(args.period)
    first = parse_date(args.date_from, "--from date") if args.date_from else None
    last = parse_date(args.date_to, "--to date") if args.date_to else None
    if kind == PeriodKind.CUSTOM and first is None:
        raise ValidationError("--period custom needs --from YYYY-MM-DD (and --to, default today).")
    with _open_desk(args) as store:
        f = filter_from_args(store, args).with_(date_from=None, date_to=None)
        period = analytics.period_for(store, kind, first=first, last=last)
        report = analytics.compute(store, period, filter=f, previous_breakdowns=True)
        ratings = Session(store, None)
        figures = (csat.report(ratings, period, filter=f),
                   csat.report(ratings, period.previous(), filter=f))
        sla = sla_analytics.report_pair(ratings, period, filter=f)
        path = write_csv(report, args.out, bom=args.bom, csat=figures, sla=sla)
    out = _summary_stream(args, out)
    out.write(f"Analytics of {period.label} ({period.first_day} – {period.last_day}) "
              f"written to {'standard output' if str(path) == '-' else path}.\n")
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.services.maintenance import check

    with _open_desk(args) as store:
        report = check(store)
    if report.ok:
        out.write(f"{store.location}: ok ({report.seconds:.1f} s).\n")
        return 0
    out.write(f"{store.location}: {len(report.problems)} problem(s):\n")
    out.writelines(f"  {p}\n" for p in report.problems[:50])
    return 1


def _cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.services.maintenance import backup

    with _open_desk(args) as store:
        started = time.perf_counter()
        path = backup(store, args.out)
    out.write(f"Backup written to {path} ({path.stat().st_size / 1e6:,.1f} MB, "
              f"{time.perf_counter() - started:.1f} s).\n")
    return 0


def _cmd_migrate(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.db.credentials import saved_password
    from ticketdesk.services.desk_migration import migrate_desk

    report = migrate_desk(args.source, args.target, progress=Printer(out),
                          source_password=saved_password(args.source),
                          target_password=saved_password(args.target))
    out.write(f"Copied {report.source} to {report.target} in {report.seconds:.1f} s: "
              f"{report.count('ticket'):,} tickets, {report.rows:,} rows in "
              f"{len(report.tables)} tables, counts and checksums verified; "
              f"{report.search_documents:,} tickets indexed for search.\n")
    return 0


def _cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    if args.what == "mail":
        return cli_mail.cmd_import_mail(args, out)
    from ticketdesk import cli_import

    return cli_import.run(args, resolve_url(args.db), out)


def _cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.db.sqlite_files import NoDeskError
    from ticketdesk.services.maintenance import desk_path, list_backups, restore

    desk = desk_path(resolve_url(args.db))
    if args.list:
        backups = list_backups(desk)
        if not backups:
            if not desk.exists():  # a mistyped --db (a lost desk with backups is listed)
                raise NoDeskError(desk)
            out.write(f"No backups of {desk.name} in {desk.parent / 'backups'}.\n")
            return 0
        out.write(f"Backups of {desk} (newest first):\n")
        for b in backups:
            taken = time.strftime("%Y-%m-%d %H:%M", time.localtime(b.taken_at))
            kind = "daily" if b.daily else "by hand"
            out.write(f"  {taken}  {b.size / 1e6:8,.1f} MB  {kind:8}  {b.path}\n")
        return 0
    result = restore(desk, args.backup)
    out.write(f"Restored {desk} from {result.backup}.\n")
    if result.set_aside:
        out.write(f"The previous desk was set aside as {result.set_aside[0]}"
                  f"{' (with its -wal/-shm)' if len(result.set_aside) > 1 else ''}; "
                  "delete it when you no longer need it.\n")
    return 0


def _damaged_advice(exc: DamagedDeskError) -> str:
    from ticketdesk.services.maintenance import latest_backup

    latest = latest_backup(exc.path)
    if latest is None:
        return (f"There is no backup of it in {exc.path.parent / 'backups'}. Move the file away "
                "to start a new desk, or open another with --db.")
    taken = time.strftime("%Y-%m-%d %H:%M", time.localtime(latest.taken_at))
    return (f"Run `ticketdesk restore --db {exc.path}` to set it aside and restore the latest "
            f"backup ({latest.path.name}, taken {taken}).")


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "migrate": _cmd_migrate,
    "demo": _cmd_demo,
    "export": _cmd_export,
    "check": _cmd_check,
    "backup": _cmd_backup,
    "import": _cmd_import,
    "restore": _cmd_restore,
    "sla": cli_sla.run,
    "mail": cli_mail.cmd_mail,
    "ticket": cli_ticket.dispatch,  # reply (cli_mail) and create/show/list/update/note
    "serve": cli_api.cmd_serve,
    "api": cli_api.cmd_api,
    # Their subcommands name their handler (`agents` is shared; see cli_routing.command_group).
    **dict.fromkeys(("teams", "agents", "routing", "csat"), cli_routing.dispatch),
    **dict.fromkeys(("trash", "erase"), cli_trash.dispatch),
}


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command in `args`; a TicketdeskError becomes a message and exit status 1. A desk
    the command created is said on stdout ("Created a new desk at …")."""
    from ticketdesk.db.sqlite_files import NoDeskError

    out = out or sys.stdout
    err = err or sys.stderr
    new: list[Path] = []
    try:
        new = _desks_created_by(args)
        return COMMANDS[args.command](args, out)
    except DamagedDeskError as exc:
        err.write(f"ticketdesk: {exc}\n{_damaged_advice(exc)}\n")
        return 1
    except NoDeskError as exc:
        err.write(f"ticketdesk: {exc}\nCheck the name given with --db (or ${ENV_DB}). "
                  "`ticketdesk demo` and `ticketdesk import` create a new desk.\n")
        return 1
    except TicketdeskError as exc:
        err.write(f"ticketdesk: {exc}\n")
        return 1
    except KeyboardInterrupt:
        err.write("ticketdesk: interrupted; nothing half-written was kept.\n")
        return 130
    finally:
        for path in new:
            if path.exists():
                out.write(f"Created a new desk at {path}.\n")
