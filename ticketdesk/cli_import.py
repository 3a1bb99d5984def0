"""`ticketdesk import tickets FILE`: the command line of the import (issue 16).

ticketdesk's own CSV (the columns `export tickets` writes, read as they are) goes to
`services/importer`, which keeps ticket numbers. Any other file — another help desk's export,
a spreadsheet — goes through `services/importing`: its columns and values are mapped by the
suggestions (or a preset given with --mapping), its times made sound, and with --dry-run
nothing is written: the mapping and every problem, grouped, are printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from ticketdesk.domain.errors import InvalidRowsError, ValidationError
from ticketdesk.domain.import_mapping import IGNORE, Mapping, suggest
from ticketdesk.domain.progress import Progress
from ticketdesk.services.importing.sources import is_own_export


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE",
                        help="CSV/TSV, XLSX, ODS, JSON or NDJSON (ticketdesk's own CSV also "
                             "from a FIFO, /dev/fd/N, or - for standard input)")
    parser.add_argument("--skip-bad-rows", action="store_true",
                        help="import the good rows and list the bad ones")
    parser.add_argument("--route", action="store_true",
                        help="pass the open tickets that come without assignees through the "
                             "routing rules (channel 'import'); off by default: an import is "
                             "mostly history")
    parser.add_argument("--mapping", type=Path, metavar="PRESET.json",
                        help="the column and value mapping to use (default: the suggestions)")
    parser.add_argument("--save-mapping", type=Path, metavar="PRESET.json",
                        help="write the mapping used to PRESET.json, to edit and reuse")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the mapping and every problem, grouped; write nothing")
    parser.add_argument("--timezone", metavar="ZONE",
                        help="the zone of times without an offset (default: this computer's)")
    parser.add_argument("--source-system", metavar="NAME",
                        help="where the tickets come from (default: the detected help desk); "
                             "a re-import from the same system adds nothing")
    parser.add_argument("--conversations", type=Path, metavar="FILE",
                        help="a file with one row per message: ticket id, time, author, "
                             "role, public/internal, body")
    order = parser.add_mutually_exclusive_group()
    order.add_argument("--day-first", dest="day_first", action="store_true", default=None,
                       help="dates like 03/04/2026 are 3 April")
    order.add_argument("--month-first", dest="day_first", action="store_false",
                       help="dates like 03/04/2026 are March 4")
    parser.add_argument("--encoding", help="the file's encoding (default: detected)")
    parser.add_argument("--separator", help="the CSV separator (default: detected)")


def run(args: argparse.Namespace, url: str, out: TextIO) -> int:
    new_options = (args.mapping, args.save_mapping, args.dry_run, args.timezone,
                   args.source_system, args.conversations, args.day_first, args.encoding,
                   args.separator)
    if all(o in (None, False) for o in new_options) and is_own_export(args.file):
        return _own(args, url, out)
    return _foreign(args, url, out)


def _own(args: argparse.Namespace, url: str, out: TextIO) -> int:
    from ticketdesk.db.store import open_database
    from ticketdesk.services.importer import import_tickets
    from ticketdesk.services.session import Session

    store = open_database(url)
    try:
        result = import_tickets(Session(store, None), args.file,
                                skip_bad_rows=args.skip_bad_rows)
    except InvalidRowsError as exc:
        hint = (f"Fix them, or run again with --skip-bad-rows to import the other "
                f"{exc.good:,} row(s)." if exc.good else "Fix the file and run again.")
        shown = "standard input" if str(args.file) == "-" else args.file.name
        raise ValidationError(
            f"{shown}: {len(exc.errors):,} bad row(s); nothing was imported.\n{exc}\n"
            f"{hint}") from exc
    finally:
        store.close()
    notes = []
    if result.renumbered:
        notes.append(f"{result.renumbered:,} got new numbers (theirs were taken)")
    if result.already_present:
        notes.append(f"{result.already_present:,} were already in this desk")
    if result.customers_created:
        notes.append(f"{result.customers_created:,} new customers")
    if result.agents_created:
        notes.append(f"new agents: {', '.join(result.agents_created)}")
    detail = f" ({'; '.join(notes)})" if notes else ""
    source = "standard input" if str(args.file) == "-" else args.file
    out.write(f"Imported {result.imported:,} tickets from {source} in "
              f"{result.seconds:.1f} s{detail}.\n")
    if result.skipped:
        out.write(f"Skipped {len(result.skipped):,} bad row(s):\n")
        out.writelines(f"  line {line}: {why}\n" for line, why in result.skipped[:50])
    return 0


def _mapping(args: argparse.Namespace, headers: list[str]) -> Mapping:
    if args.mapping is None:
        mapping = suggest(headers)
    else:
        try:
            mapping = Mapping.from_json(args.mapping.expanduser().read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValidationError(f"Cannot read {args.mapping}: {exc.strerror}.") from None
        missing = [h for h in mapping.columns if h not in headers]
        if missing:
            raise ValidationError(f"The mapping names column(s) the file does not have: "
                                  f"{', '.join(map(repr, missing))}.")
        for header in headers:
            mapping.columns.setdefault(header, IGNORE)
    if args.day_first is not None:
        mapping.day_first = args.day_first
    if args.timezone:
        mapping.timezone = args.timezone
    return mapping


def _describe(mapping: Mapping, report: object, out: TextIO) -> None:
    from ticketdesk.services.importing.check import Report

    assert isinstance(report, Report)
    out.write(f"Source system: {mapping.system or 'none recognised (a spreadsheet)'}\n")
    out.write("Columns:\n")
    width = max((len(h) for h in mapping.columns), default=0)
    out.writelines(f"  {h.ljust(width)} → {t}\n" for h, t in mapping.columns.items())
    found = report.survey
    for what, counts, decide in (("Status", found.statuses, mapping.status),
                                 ("Priority", found.priorities,
                                  lambda v: mapping.priority(v, found.highest_priority))):
        if counts:
            out.write(f"{what} values:\n")
            for value, n in counts.most_common():
                chosen = decide(value)
                out.write(f"  {value!r} ({n:,}) → "
                          f"{chosen.label if chosen is not None else '? (map it)'}\n")
    day_first = mapping.day_first if mapping.day_first is not None else found.day_first
    ambiguous = [h for h, o in found.date_order.items() if o.ambiguous or o.conflicting]
    order = ("day first" if day_first else "month first" if day_first is False
             else "ISO or unambiguous")
    out.write(f"Dates: {order}"
              + (f" (ambiguous in {', '.join(ambiguous)}: say --day-first or --month-first)"
                 if ambiguous and day_first is None else "")
              + f"; times without an offset in {mapping.timezone or 'this computer’s zone'}\n")


def _foreign(args: argparse.Namespace, url: str, out: TextIO) -> int:
    from ticketdesk.domain.clock import utc_now
    from ticketdesk.services.importing import check, run
    from ticketdesk.services.importing.sources import open_source

    source = open_source(args.file, encoding=args.encoding, separator=args.separator)
    mapping = _mapping(args, source.headers)
    system = args.source_system or mapping.system or "spreadsheet"
    if args.save_mapping is not None:
        try:
            args.save_mapping.expanduser().write_text(mapping.to_json(), encoding="utf-8")
        except OSError as exc:
            raise ValidationError(f"Cannot write {args.save_mapping}: {exc.strerror}.") from None
        out.write(f"Saved the mapping to {args.save_mapping}.\n")
    if args.dry_run:
        report = check.dry_run(source, mapping, now=utc_now(), timezone=args.timezone,
                               conversations=args.conversations)
        out.write(f"{args.file.name}: {source.kind.upper()}"
                  + (f", {source.encoding}, separator {source.separator!r}"
                     if source.kind == "csv" else "") + "\n")
        _describe(mapping, report, out)
        out.writelines(line + "\n" for line in report.lines())
        out.write("Nothing was written (dry run).\n" if report.ok else
                  "Nothing was written (dry run). Fix the problems, map the values in a "
                  "preset (--save-mapping, edit, --mapping), or use --skip-bad-rows.\n")
        return 0 if report.ok else 1
    from ticketdesk.db.store import open_database
    from ticketdesk.services.session import Session

    mapping.check()
    store = open_database(url)
    try:
        result = run.import_(Session(store, None), source, mapping, source_system=system,
                             timezone=args.timezone, skip_bad_rows=args.skip_bad_rows,
                             conversations=args.conversations,
                             progress=_progress(sys.stderr), route=args.route)
    except InvalidRowsError as exc:
        hint = (f"Run with --dry-run to see them grouped; fix them, or run again with "
                f"--skip-bad-rows to import the other {exc.good:,} ticket(s)." if exc.good
                else "Run with --dry-run to see them grouped.")
        raise ValidationError(f"{args.file.name}: {len(exc.errors):,} ticket(s) with problems; "
                              f"nothing was imported.\n{exc}\n{hint}") from exc
    finally:
        store.close()
    notes = []
    if result.already_present:
        notes.append(f"{result.already_present:,} were already in this desk")
    if result.messages:
        notes.append(f"{result.messages:,} messages and notes")
    if result.customers_created:
        notes.append(f"{result.customers_created:,} new customers")
    if result.agents_created:
        notes.append(f"new agents: {', '.join(result.agents_created[:20])}")
    if result.routed:
        notes.append(f"{result.routed:,} routed to an agent")
    detail = f" ({'; '.join(notes)})" if notes else ""
    out.write(f"Imported {result.imported:,} tickets from {args.file} (source {system}) in "
              f"{result.seconds:.1f} s{detail}.\n")
    if result.skipped:
        out.write(f"Skipped {len(result.skipped):,} ticket(s) with problems:\n")
        out.writelines(f"  line {line}: {why}\n" for line, why in result.skipped[:50])
    return 0


def _progress(err: TextIO) -> Progress:
    def report(done: int, total: int, _phase: str) -> None:
        if err.isatty():
            err.write(f"\r{done:,} / {total:,} tickets")
            if done >= total:
                err.write("\n")
    return report

