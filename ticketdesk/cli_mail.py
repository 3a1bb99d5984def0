"""Mail on the command line (issue 15): `ticketdesk mail setup | test | fetch | send`,
`ticketdesk import mail PATH` and `ticketdesk ticket reply`. Registered by cli.py; each
command calls the services in services/mail and prints what it did."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ticketdesk.domain.errors import ValidationError

if TYPE_CHECKING:
    from ticketdesk.services.session import Session


def _db_option(parser: argparse.ArgumentParser) -> None:
    from ticketdesk.db.url import ENV_DB

    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help=f"the desk (default: ${ENV_DB}, else desk.sqlite in your data "
                             "folder)")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `mail ...` and `ticket reply` to the command line."""
    mail = commands.add_parser("mail", help="connect the support mailbox, fetch and send mail")
    _db_option(mail)
    what = mail.add_subparsers(dest="what", metavar="what", required=True)
    setup = what.add_parser(
        "setup", help="connect the desk to its mailbox (IMAP in, SMTP out)",
        description="Save where the desk's mail comes from and goes to. URLs: "
                    "imaps://USER@HOST[:PORT]/FOLDER or imap://... (STARTTLS), "
                    "smtps://USER@HOST[:PORT] or smtp://... (STARTTLS). The password is kept in "
                    "the system keyring, never in the desk; TICKETDESK_MAIL_PASSWORD overrides "
                    "it (for scripts).")
    _db_option(setup)
    setup.add_argument("--imap", required=True, metavar="URL")
    setup.add_argument("--smtp", required=True, metavar="URL")
    setup.add_argument("--address", required=True, metavar="EMAIL",
                       help="the address the desk sends as")
    setup.add_argument("--name", default="", help="the display name it sends as")
    setup.add_argument("--after-fetch", default="seen", metavar="seen|move:FOLDER",
                       help="mark fetched mail seen (default) or move it to FOLDER")
    setup.add_argument("--reopen-days", type=int, default=30, metavar="N",
                       help="a reply within N days reopens a finished ticket; later ones start "
                            "a new, linked ticket (default 30)")
    setup.add_argument("--acknowledge", action=argparse.BooleanOptionalAction, default=False,
                       help="send each new ticket's sender one automatic acknowledgement")
    setup.add_argument("--ack-template", type=Path, metavar="FILE",
                       help="the acknowledgement's text, from FILE ({number}, {name} and "
                            "{subject} are filled in)")
    setup.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input and keep it in the keyring")
    test = what.add_parser("test", help="log in to both servers and say what failed")
    _db_option(test)
    fetch = what.add_parser("fetch", help="fetch new mail once (for a timer or cron)")
    _db_option(fetch)
    send = what.add_parser("send", help="send the outbox")
    _db_option(send)

    ticket = commands.add_parser("ticket", help="work on one ticket")
    _db_option(ticket)
    on_ticket = ticket.add_subparsers(dest="what", metavar="what", required=True)
    reply = on_ticket.add_parser(
        "reply", help="queue a mail reply to the ticket's customer, as Send Reply does",
        description="Add a reply to the conversation and queue it in the outbox; "
                    "`ticketdesk mail send` (or the window) sends it.")
    _db_option(reply)
    reply.add_argument("ticket", metavar="TKT-000123")
    body = reply.add_mutually_exclusive_group(required=True)
    body.add_argument("--text", help="the reply's text")
    body.add_argument("--file", type=Path, metavar="FILE", help="read the text from FILE "
                                                                "('-' for standard input)")
    reply.add_argument("--attach", type=Path, action="append", default=[], metavar="FILE",
                       help="attach a file (repeatable)")
    reply.add_argument("--agent", default=argparse.SUPPRESS, metavar="NAME",
                       help="reply as this agent (default: $TICKETDESK_AGENT); their "
                            "signature is added")
    from ticketdesk import cli_ticket  # create, show, list, update, note; reply --json

    cli_ticket.add_reply_json(reply)
    cli_ticket.add_commands(on_ticket, _db_option)


def add_import_mail(what_in: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`ticketdesk import mail PATH`."""
    mail_in = what_in.add_parser(
        "mail", help="mail from a .eml file, an mbox file or a folder of .eml files",
        description="Thread messages into tickets exactly as fetching does: new tickets, "
                    "replies added, finished tickets reopened; a message already in the desk "
                    "is skipped.")
    _db_option(mail_in)
    mail_in.add_argument("path", type=Path, metavar="PATH")


def _session(store: object, agent_id: int | None = None) -> Session:
    from ticketdesk.services.session import Session

    return Session(store, agent_id)  # type: ignore[arg-type]


def cmd_mail(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk

    with _open_desk(args) as store:
        session = _session(store)
        if args.what == "setup":
            return _setup(session, args, out)
        if args.what == "test":
            return _test(out)
        if args.what == "fetch":
            from ticketdesk.services.mail.fetch import fetch_once

            report = fetch_once(session)
            out.write(report.summary() + "\n")
            for problem in report.problems[:20]:
                out.write(f"  note: {problem}\n")
            return 0
        from ticketdesk.services.mail.send import send_pending

        sent = send_pending(session)
        out.write(sent.summary() + "\n")
        out.writelines(f"  failed: {reason}\n" for reason in sent.reasons[:20])
        return 1 if sent.error or sent.failed else 0


def _setup(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.services.mail.settings import (
        DEFAULT_ACK,
        ENV_PASSWORD,
        MailSettings,
        save_mail_password,
        save_settings,
    )

    template = DEFAULT_ACK
    if args.ack_template is not None:
        try:
            template = args.ack_template.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"{args.ack_template} cannot be read: {exc}") from exc
    settings = MailSettings(args.imap, args.smtp, args.address, args.name,
                            after_fetch=args.after_fetch, reopen_days=args.reopen_days,
                            acknowledge=args.acknowledge, ack_template=template).checked()
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ValidationError("No password on standard input.")
    elif not os.environ.get(ENV_PASSWORD) and sys.stdin.isatty():
        password = getpass.getpass(f"Password of {settings.imap_endpoint.user}: ") or None
    if password is not None:  # stored before the settings: a refused keyring changes nothing
        for endpoint in (settings.imap_endpoint, settings.smtp_endpoint):
            save_mail_password(endpoint, password)
    save_settings(session, settings)
    out.write(f"Mail connected: in from {settings.imap_endpoint}, out through "
              f"{settings.smtp_endpoint} as {settings.address}.\n")
    if password is not None:
        out.write("The password is kept in the system keyring.\n")
    elif os.environ.get(ENV_PASSWORD):
        out.write(f"The password comes from ${ENV_PASSWORD}.\n")
    else:
        out.write(f"No password saved: set ${ENV_PASSWORD} or run again with "
                  "--password-stdin.\n")
    out.write("Check it with `ticketdesk mail test`.\n")
    return 0


def _test(out: TextIO) -> int:
    from ticketdesk.services.mail.settings import mail_password, require_settings, test_connection

    settings = require_settings()
    results = test_connection(settings, mail_password(settings.imap_endpoint))
    for r in results:
        out.write(f"{r.what}: {'ok' if r.ok else 'FAILED'}: {r.message}\n")
    return 0 if all(r.ok for r in results) else 1


def cmd_import_mail(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services.mail.importing import import_mail

    with _open_desk(args) as store:
        report = import_mail(_session(store), args.path)
    out.write(report.summary() + "\n")
    out.writelines(f"  note: {p}\n" for p in report.problems[:20])
    return 0


def cmd_ticket(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import ENV_AGENT, _open_desk
    from ticketdesk.domain.numbers import format_number, parse_number
    from ticketdesk.services.agents import find_agent
    from ticketdesk.services.attachments import NewFile
    from ticketdesk.services.mail.outbox import queue_reply

    ticket_id = parse_number(args.ticket)
    if ticket_id is None:
        raise ValidationError(f"{args.ticket!r} is not a ticket number (TKT-000123).")
    if args.file is not None:
        try:
            body = sys.stdin.read() if str(args.file) == "-" else args.file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"{args.file} cannot be read: {exc}") from exc
    else:
        body = args.text
    files = []
    for path in args.attach:
        try:
            files.append(NewFile(path.name, path.read_bytes()))
        except OSError as exc:
            raise ValidationError(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    with _open_desk(args) as store:
        name = getattr(args, "agent", None) or os.environ.get(ENV_AGENT)
        agent_id = None
        if name:
            agent = find_agent(store, name)
            if agent is None:
                raise ValidationError(f"There is no agent called {name!r}.")
            agent_id = agent.id
        queue_reply(_session(store, agent_id), ticket_id, body, files=files)
    out.write(f"Reply to {format_number(ticket_id)} queued; `ticketdesk mail send` sends it.\n")
    return 0
