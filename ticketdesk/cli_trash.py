"""`ticketdesk trash list | delete | restore | purge | days`: the recycle bin from the command
line (services/recycle_bin.py), `ticketdesk erase CUSTOMER_ID` (services/erasure.py) and
`ticketdesk agents rename NAME NEW_NAME` (services/agent_records.py).

Registered from cli.py like cli_routing: every subcommand names its handler and `dispatch` runs
it. Entries are named by the bin's entry ids that `trash list` prints; `trash delete` takes
ticket numbers (`TKT-000013` or `13`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TextIO

from ticketdesk.cli_routing import Handler, _session, command_group
from ticketdesk.domain.errors import ValidationError


def add_commands(commands: argparse._SubParsersAction,
                 db_option: Callable[..., None]) -> None:
    def sub(group: argparse._SubParsersAction, name: str, handler: Handler,
            **kwargs: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = group.add_parser(name, **kwargs)  # type: ignore[arg-type]
        db_option(parser, top=False)
        parser.set_defaults(handler=handler)
        return parser

    trash = command_group(commands, "trash", "the recycle bin: deleted tickets and customers",
                          db_option)
    sub(trash, "list", _list, help="what is in the recycle bin, newest first")
    delete = sub(trash, "delete", _delete, help="move tickets to the recycle bin")
    delete.add_argument("tickets", nargs="+", metavar="TKT-…")
    restore = sub(trash, "restore", _restore, help="put entries back, numbers kept")
    restore.add_argument("entries", nargs="+", type=int, metavar="ENTRY")
    purge = sub(trash, "purge", _purge, help="delete entries for good")
    purge.add_argument("entries", nargs="*", type=int, metavar="ENTRY")
    purge.add_argument("--all", action="store_true", help="empty the whole bin")
    purge.add_argument("--expired", action="store_true",
                       help="only what is older than the desk's retention")
    days = sub(trash, "days", _days, help="show or set how long deleted items are kept")
    days.add_argument("days", nargs="?", type=int)

    people = command_group(commands, "agents", "the desk's agents", db_option)
    rename = sub(people, "rename", _rename, help="rename an agent (their history follows)")
    rename.add_argument("name")
    rename.add_argument("new_name")

    erase = commands.add_parser(
        "erase", help="erase a customer's personal data everywhere (admin only)",
        description="Removes the customer's record, their name and address from tickets, "
                    "mail records, drafts, activity texts, the search index and the recycle "
                    "bin. Backups made before keep it until they are deleted.")
    db_option(erase, top=False)
    erase.add_argument("customer", type=int, metavar="CUSTOMER_ID")
    erase.add_argument("--messages", action="store_true",
                       help="also erase the texts of their tickets' messages and attachments")
    erase.add_argument("--yes", action="store_true", help="do not ask (required)")
    erase.set_defaults(handler=_erase)


def dispatch(args: argparse.Namespace, out: TextIO) -> int:
    handler: Handler = args.handler
    return handler(args, out)


def _list(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import recycle_bin

    with _open_desk(args) as store:
        for e in recycle_bin.list_bin(_session(store)):
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.deleted_at))
            out.write(f"{e.id}\t{e.kind}\t{when}\t{e.label}\n")
    return 0


def _delete(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.domain.numbers import parse_number
    from ticketdesk.services import recycle_bin

    ids = []
    for text in args.tickets:
        number = int(text) if text.strip().isdigit() else parse_number(text)
        if not number:
            raise ValidationError(f"{text!r} is not a ticket number (TKT-000013 or 13).")
        ids.append(number)
    with _open_desk(args) as store:
        changes = recycle_bin.delete_tickets(_session(store), ids)
    out.write(f"Moved {len(changes.tickets):,} tickets to the recycle bin.\n")
    return 0


def _restore(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import recycle_bin

    with _open_desk(args) as store:
        recycle_bin.restore(_session(store), args.entries)
    out.write(f"Restored {len(args.entries):,} entries.\n")
    return 0


def _purge(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import recycle_bin

    if not (args.entries or args.all or args.expired):
        raise ValidationError("Name the entries to purge, or give --all or --expired.")
    with _open_desk(args) as store:
        session = _session(store)
        if args.expired:
            purged = recycle_bin.purge_expired(session)
        else:
            purged = recycle_bin.purge(session, None if args.all else args.entries)
    out.write(f"Purged {purged:,} entries.\n")
    return 0


def _days(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import recycle_bin

    with _open_desk(args) as store:
        session = _session(store)
        if args.days is not None:
            recycle_bin.set_retention_days(session, args.days)
        out.write(f"Deleted items are kept {recycle_bin.retention_days(session)} days.\n")
    return 0


def _rename(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import agent_records, agents

    with _open_desk(args) as store:
        agent = agents.find_agent(store, args.name)
        if agent is None:
            raise ValidationError(f"There is no agent called {args.name!r}.")
        agent_records.rename_agent(_session(store), agent.id, args.new_name)
    out.write(f"Renamed {agent.name} to {args.new_name.strip()}.\n")
    return 0


def _erase(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import erasure

    if not args.yes:
        raise ValidationError("Erasing cannot be undone: add --yes to erase.")
    with _open_desk(args) as store:
        report = erasure.erase_customer(_session(store), args.customer,
                                        messages=args.messages)
    out.write(report.summary + "\n")
    return 0
