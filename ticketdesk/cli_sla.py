"""`ticketdesk sla ...`: the desk's business hours and holidays, SLA policies, and recompute.

Registered from cli.py (`add_commands`, `run`). Rule edits apply to new changes at once; existing
tickets follow after `ticketdesk sla recompute`, which prints its progress on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ticketdesk.domain.business_time import (
    format_duration,
    holidays_from_country,
    holidays_from_ics,
    parse_duration,
)
from ticketdesk.domain.clock import parse_date, today
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.sla import Targets
from ticketdesk.domain.status import Priority

if TYPE_CHECKING:
    from ticketdesk.services.session import Session

HINT = "Run `ticketdesk sla recompute` to apply it to the tickets already on the desk.\n"


def add_commands(commands: argparse._SubParsersAction,
                 db_option: Callable[..., None]) -> None:
    sla = commands.add_parser("sla", help="SLA: business hours, policies, recompute")
    db_option(sla, top=False)
    what = sla.add_subparsers(dest="what", metavar="what", required=True)

    hours = what.add_parser(
        "hours", help="set or show the business week, time zone and holidays",
        description="Without options, shows the current business hours and holidays.")
    db_option(hours, top=False)
    hours.add_argument("--timezone", metavar="ZONE", help="IANA zone, e.g. Europe/Berlin")
    hours.add_argument("--week", metavar="SPEC",
                       help='e.g. "mon-fri 09:00-17:00" or "mon-fri 08:00-12:00 13:00-17:00; '
                            'sat 09:00-12:00"')
    hours.add_argument("--holiday", action="append", default=[], metavar="YYYY-MM-DD",
                       help="add a holiday (repeatable)")
    hours.add_argument("--remove-holiday", action="append", default=[], metavar="YYYY-MM-DD",
                       help="remove a holiday (repeatable)")
    hours.add_argument("--country", metavar="CC",
                       help="add a country's public holidays (two-letter code, e.g. DE)")
    hours.add_argument("--subdivision", metavar="CODE",
                       help="with --country: a state or region, e.g. BY")
    hours.add_argument("--years", metavar="Y[,Y...]",
                       help="with --country: which years (default: this year and next)")
    hours.add_argument("--ics", action="append", default=[], type=Path, metavar="FILE",
                       help="add the days of an iCalendar file's events as holidays")

    policy = what.add_parser("policy", help="add, list or remove SLA policies")
    db_option(policy, top=False)
    action = policy.add_subparsers(dest="action", metavar="action", required=True)
    add = action.add_parser(
        "add", help="create a policy or change its targets and narrowing",
        description="Targets are business time: 30m, 4h, 1h30m, 2d (a day is 24 business "
                    "hours). Policies are tried in order; the first that matches the ticket "
                    "and has targets for its priority applies.")
    db_option(add, top=False)
    add.add_argument("name")
    add.add_argument("--priority", action="append", default=[],
                     help="Low, Medium, High, Urgent (repeat or comma-separate)")
    add.add_argument("--first-response", metavar="DURATION")
    add.add_argument("--next-response", metavar="DURATION")
    add.add_argument("--resolution", metavar="DURATION")
    add.add_argument("--tag", action="append", default=None,
                     help="apply only to tickets with this tag (repeatable)")
    add.add_argument("--customer-tag", action="append", default=None,
                     help="apply only to customers with this tag (repeatable)")
    add.add_argument("--category", action="append", default=None,
                     help="apply only to tickets of this category (repeatable)")
    add.add_argument("--position", type=int, metavar="N", help="place in the order (1 = first)")
    listing = action.add_parser("list", help="the policies in the order they are tried")
    db_option(listing, top=False)
    remove = action.add_parser("remove", help="delete a policy")
    db_option(remove, top=False)
    remove.add_argument("name")

    recompute = what.add_parser(
        "recompute", help="recompute every ticket's SLA after a policy or calendar change",
        description="Walks every ticket in chunks, one transaction each; interrupted, the next "
                    "run resumes where it stopped.")
    db_option(recompute, top=False)
    recompute.add_argument("--restart", action="store_true",
                           help="start from the first ticket even if a run was interrupted")


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services.session import Session

    with _open_desk(args) as store:
        session = Session(store, None)
        if args.what == "hours":
            return _hours(session, args, out)
        if args.what == "policy":
            return _policy(session, args, out)
        return _recompute(session, args, out)


def _hours(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.services import sla

    added: dict[date, str] = dict.fromkeys(
        (parse_date(h, "--holiday") for h in args.holiday), "")
    for path in args.ics:
        try:
            data = path.expanduser().read_bytes()
        except OSError as exc:
            raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        added.update(holidays_from_ics(data))
    if args.country:
        if args.years:
            try:
                years = [int(y) for y in args.years.split(",") if y.strip()]
            except ValueError:
                raise ValidationError(f"--years {args.years!r}: write years like 2026,2027.") \
                    from None
        else:
            years = [today().year, today().year + 1]
        added.update(holidays_from_country(args.country, years, args.subdivision))
    removed = [parse_date(h, "--remove-holiday") for h in args.remove_holiday]
    changing = args.timezone or args.week or added or removed
    if changing:
        record = sla.set_hours(session, timezone=args.timezone, week=args.week,
                               add_holidays=added, remove_holidays=removed)
    else:
        record = sla.hours()
    out.write(f"Time zone: {record.zone}\nBusiness week: {record.week}\n")
    out.write(f"Holidays: {len(record.holidays)}\n")
    out.writelines(f"  {d.isoformat()}  {name}\n" for d, name in record.holidays.items())
    if changing:
        out.write(HINT)
    return 0


def _duration(text: str | None) -> int | None:
    return parse_duration(text) if text else None


def _policy(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.services import sla

    if args.action == "list":
        policies = sla.list_policies()
        if not policies:
            out.write("No SLA policies.\n")
        for p in policies:
            narrowing = "; ".join(f"{what}: {', '.join(sorted(names))}" for what, names in (
                ("tags", p.tags), ("customer tags", p.customer_tags),
                ("categories", p.categories)) if names)
            out.write(f"{p.position}. {p.name}{f'  ({narrowing})' if narrowing else ''}\n")
            for level in sorted(p.targets, reverse=True):
                t = p.targets[level]
                parts = [f"{label} {format_duration(v)}" for label, v in (
                    ("first response", t.first_response), ("next response", t.next_response),
                    ("resolution", t.resolution)) if v]
                out.write(f"   {level.label}: {', '.join(parts)}\n")
        return 0
    if args.action == "remove":
        sla.delete_policy(session, args.name)
        out.write(f"Removed the SLA policy {args.name!r}.\n{HINT}")
        return 0
    levels = [Priority.parse(p.strip()) for v in args.priority for p in v.split(",")
              if p.strip()]
    targets = Targets(_duration(args.first_response), _duration(args.next_response),
                      _duration(args.resolution))
    given = any((targets.first_response, targets.next_response, targets.resolution))
    if given and not levels:
        raise ValidationError("Say which priority the targets are for, e.g. --priority urgent.")
    if levels and not given:
        raise ValidationError("Give at least one target: --first-response, --next-response or "
                              "--resolution.")
    created = False
    wanted: list[Priority | None] = list(levels) or [None]
    for index, priority in enumerate(wanted):
        _pid, new = sla.save_policy(
            session, args.name, priority=priority,
            targets=targets if priority is not None else None,
            tags=args.tag if index == 0 else None,
            customer_tags=args.customer_tag if index == 0 else None,
            categories=args.category if index == 0 else None)
        created = created or new
    if args.position is not None:
        sla.move_policy(session, args.name, args.position)
    out.write(f"{'Created' if created else 'Updated'} the SLA policy {args.name!r}.\n{HINT}")
    return 0


def _recompute(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import Printer
    from ticketdesk.services import sla

    started = time.perf_counter()
    result = sla.recompute(session, progress=Printer(sys.stderr),
                           resume=not args.restart)
    seconds = time.perf_counter() - started
    rate = result.tickets / seconds if seconds else 0.0
    out.write(f"Recomputed the SLA of {result.tickets:,} tickets in {seconds:.1f} s "
              f"({rate:,.0f} tickets/s); {result.changed:,} changed.\n")
    return 0
