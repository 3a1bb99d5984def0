"""`ticketdesk agents ...`: who may sign in to a team desk, and with which role (issue 20).

Registered from cli.py (`add_commands`, `run`). Run as the desk's owner or an admin login:
`--db postgresql://owner@host/desk`. A password is read from standard input, never from the
command line (which other users of the machine can see in the process list).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from ticketdesk.domain.errors import ValidationError

if TYPE_CHECKING:
    from ticketdesk.services.team_roles import AgentRole

ROLES = ("admin", "agent", "viewer")


def add_commands(commands: argparse._SubParsersAction,
                 db_option: Callable[..., None]) -> None:
    """`agents add|list|deactivate|reactivate|role`, beside the routing module's `agents
    status|skills|workload` under one `agents` command (cli_routing.command_group): on a
    PostgreSQL team desk each agent signs in as their own database login and the server enforces
    what their role may do — admin: everything, including settings, SLA and agents; agent: work
    tickets, edit or delete only their own notes; viewer: read and analytics."""
    from ticketdesk.cli_routing import command_group

    action = command_group(commands, "agents", "agents: sign-in and roles on a team desk, "
                           "availability and skills", db_option)
    add = action.add_parser("add", help="give an agent (created if new) a login and a role")
    db_option(add, top=False)
    add.add_argument("name", help="the agent's name as the desk shows it")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--login", metavar="ROLE",
                     help="the database login (default: made from the name, e.g. ann_data); "
                          "an existing login role is mapped, not created")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the login's password from the first line of standard input "
                          "(without it the login signs in the ways the server allows: client "
                          "certificate, Kerberos, a password set by the server's admin)")
    add.add_argument("--email", default="", help="for a new agent")
    add.set_defaults(handler=run)

    listing = action.add_parser("list", help="every agent with their login and role")
    db_option(listing, top=False)
    listing.set_defaults(handler=run)

    for name, text in (("deactivate", "the agent can no longer sign in (history is kept)"),
                       ("reactivate", "let a deactivated agent sign in again")):
        sub = action.add_parser(name, help=text)
        db_option(sub, top=False)
        sub.add_argument("name")
        sub.set_defaults(handler=run)

    role = action.add_parser("role", help="change an agent's role")
    db_option(role, top=False)
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(handler=run)


def _password(stdin: TextIO) -> str:
    line = stdin.readline()
    if not line.strip():
        raise ValidationError("--password-stdin: standard input held no password.")
    return line.rstrip("\r\n")


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import team_roles
    from ticketdesk.services.session import Session

    with _open_desk(args) as store:
        session = Session(store, None)
        if args.agents_action == "add":
            password = _password(sys.stdin) if args.password_stdin else None
            agent_id, _ = team_roles.add_agent_role(session, args.name, args.role,
                                                    login=args.login, password=password,
                                                    email=args.email)
            (row,) = [r for r in team_roles.list_agent_roles(store) if r.id == agent_id]
            out.write(f"{row.name} signs in as {row.login} ({row.role}).\n")
        elif args.agents_action == "list":
            _list(team_roles.list_agent_roles(store), out)
        elif args.agents_action in ("deactivate", "reactivate"):
            active = args.agents_action == "reactivate"
            team_roles.set_active(session, args.name, active)
            out.write(f"{args.name} {'may sign in again' if active else 'can no longer sign in'}"
                      ".\n")
        else:
            changed = team_roles.change_role(session, args.name, args.role)
            out.write(f"{args.name} is {'already' if changed.nothing else 'now'} {args.role}.\n")
    return 0


def _list(rows: list[AgentRole], out: TextIO) -> None:
    table = [("Name", "Login", "Role", "Status")]
    for row in rows:
        if not row.active:
            status = "deactivated"
        elif row.login is None:
            status = "no login"
        elif row.can_login is None:
            status = "login role missing"
        else:
            status = "signs in" if row.can_login else "login disabled"
        table.append((row.name, row.login or "-", row.role if row.login else "-", status))
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for line in table:
        cells = (cell.ljust(w) for cell, w in zip(line, widths, strict=True))
        out.write("  ".join(cells).rstrip() + "\n")
