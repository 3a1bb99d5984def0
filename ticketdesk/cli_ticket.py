"""`ticketdesk ticket create | show | list | update | note` and `reply --json | --no-mail |
--from-customer` (issue 22): the
API's operations for scripts, with the same fields (services/ticket_json.py). With `--json`
each prints the ticket object (a list prints `{"items", "next_cursor"}`, as the API does).

Registered from cli_mail.py, which owns `ticket reply` (a mail reply queued in the outbox); this
module's `dispatch` handles the whole `ticket` group. `--agent` (or TICKETDESK_AGENT) names who
acts; without it the change is the system's, as with the other commands."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

from ticketdesk.domain.errors import ValidationError


def add_commands(on_ticket: argparse._SubParsersAction,
                 db_option: Callable[[argparse.ArgumentParser], None]) -> None:
    def command(name: str, helptext: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = on_ticket.add_parser(name, help=helptext)
        db_option(parser)
        parser.add_argument("--json", action="store_true",
                            help="print the ticket object as the API gives it")
        parser.add_argument("--agent", default=argparse.SUPPRESS, metavar="NAME",
                            help="act as this agent (default: $TICKETDESK_AGENT, else the "
                                 "system)")
        return parser

    create = command("create", "create a ticket")
    create.add_argument("--title", required=True)
    create.add_argument("--description", default="")
    create.add_argument("--category", default="")
    create.add_argument("--priority", default="Medium", help="Low, Medium, High, Urgent")
    create.add_argument("--customer-email", default="", metavar="EMAIL",
                        help="the customer (found by email, else created)")
    create.add_argument("--customer-name", default="", metavar="NAME")
    create.add_argument("--tag", action="append", default=[], help="repeatable")
    create.add_argument("--assignee", action="append", default=[], metavar="AGENT",
                        help="repeatable")

    show = command("show", "a ticket with its conversation, notes and files")
    show.add_argument("ticket", metavar="TKT-000123")

    listing = command("list", "tickets matching the filter options, newest first, a page")
    from ticketdesk.cli import _filter_options

    _filter_options(listing)
    listing.add_argument("--customer", metavar="EMAIL", help="the customer's email")
    listing.add_argument("--limit", type=int, default=50, help="tickets a page (1-200)")
    listing.add_argument("--cursor", help="next_cursor of the previous page")

    update = command("update", "change fields, stating the version you read")
    update.add_argument("ticket", metavar="TKT-000123")
    update.add_argument("--version", type=int, required=True,
                        help="the version you read (show --json gives it)")
    for name in ("title", "description", "category", "priority", "status"):
        update.add_argument(f"--{name}", default=None)
    update.add_argument("--note", default=None,
                        help="with --status: the resolution, or a note")
    update.add_argument("--tag", action="append", default=None,
                        help="the ticket's tags, replacing them (repeatable)")
    update.add_argument("--assignee", action="append", default=None, metavar="AGENT",
                        help="the ticket's assignees, replacing them (repeatable)")

    note = command("note", "add an internal note")
    note.add_argument("ticket", metavar="TKT-000123")
    note.add_argument("--text", required=True)


def add_reply_json(reply: argparse.ArgumentParser) -> None:
    reply.add_argument("--json", action="store_true",
                       help="print the ticket object afterwards, as the API gives it")
    reply.add_argument("--no-mail", action="store_true",
                       help="only add the reply to the conversation, as the API does; no mail "
                            "is queued (no mailbox needed)")
    reply.add_argument("--from-customer", action="store_true",
                       help="add a message from the customer instead (implies --no-mail)")


def _reply_text(args: argparse.Namespace) -> str:
    if args.file is None:
        return str(args.text)
    try:
        return sys.stdin.read() if str(args.file) == "-" else str(args.file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{args.file} cannot be read: {exc}") from exc


def _agent(store: Any, args: argparse.Namespace) -> int | None:
    from ticketdesk.cli import ENV_AGENT
    from ticketdesk.services.agents import find_agent

    name = getattr(args, "agent", None) or os.environ.get(ENV_AGENT)
    if not name:
        return None
    agent = find_agent(store, name)
    if agent is None:
        raise ValidationError(f"There is no agent called {name!r}.")
    return agent.id


def _print(out: TextIO, value: Any) -> None:
    out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _summary(out: TextIO, obj: dict[str, Any]) -> None:
    out.write(f"{obj['number']}  v{obj['version']}  {obj['status']:11}  {obj['priority']:6}  "
              f"{obj['title']}\n")


def dispatch(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.cli_mail import cmd_ticket
    from ticketdesk.services import ticket_json, ticket_json_thread
    from ticketdesk.services.session import Session

    if args.what == "reply" and not (args.no_mail or args.from_customer):
        if not args.json:
            return cmd_ticket(args, out)
        cmd_ticket(args, io.StringIO())
        with _open_desk(args) as store:
            _print(out, ticket_json.full_ticket(store, args.ticket))
        return 0
    with _open_desk(args) as store:
        session = Session(store, _agent(store, args))
        key: str | int
        if args.what == "list":
            return _list(store, args, out)
        if args.what == "create":
            payload: dict[str, Any] = {
                "title": args.title, "description": args.description,
                "category": args.category, "priority": args.priority, "tags": args.tag,
                "assignees": args.assignee}
            if args.customer_email or args.customer_name:
                payload["customer"] = {"name": args.customer_name,
                                       "email": args.customer_email}
            key = ticket_json.create(session, payload, channel="cli")
        elif args.what == "update":
            payload = {"version": args.version}
            payload.update({k: v for k, v in vars(args).items() if v is not None and k in (
                "title", "description", "category", "priority", "status", "note")})
            if args.tag is not None:
                payload["tags"] = args.tag
            if args.assignee is not None:
                payload["assignees"] = args.assignee
            key = args.ticket
            ticket_json.update(session, key, payload)
        elif args.what == "reply":
            if args.attach:
                raise ValidationError("--attach goes with a mail reply (without --no-mail).")
            key = args.ticket
            ticket_json_thread.add_message(session, key, {
                "body": _reply_text(args), "direction": "in" if args.from_customer else "out"})
        elif args.what == "note":
            key = args.ticket
            ticket_json_thread.add_note(session, key, {"body": args.text})
        else:
            key = args.ticket
        obj = ticket_json.full_ticket(store, key)
    if args.json:
        _print(out, obj)
    else:
        _summary(out, obj)
    return 0


def _list(store: Any, args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import filter_from_args
    from ticketdesk.services import ticket_json

    f = filter_from_args(store, args)
    if args.customer:
        f = f.with_(customer_id=ticket_json.customer_id_by_email(store, args.customer))
    items, cursor = ticket_json.list_page(store, f, cursor=args.cursor, limit=args.limit)
    if args.json:
        _print(out, {"items": items, "next_cursor": cursor})
        return 0
    for obj in items:
        _summary(out, obj)
    if cursor:
        out.write(f"More: --cursor {cursor}\n")
    return 0
