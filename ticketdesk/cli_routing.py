"""`ticketdesk teams | agents status | routing | csat ...`: routing and satisfaction (issue 21).

Registered from cli.py (`add_commands`, `dispatch`). Scripts depend on these names:
`teams add NAME --agents "A, B"`, `agents status NAME available|away|off [--capacity N]`,
`routing rule add NAME [--tag T] [--category C] [--priority P] [--words "…"] --team NAME
--method round-robin|least-open|skills`, `routing rule move NAME --to N | --before NAME`,
`routing dry-run --last N`,
`csat record TKT-… --rating 1-5 [--comment …]`.

`agents` is shared with other modules' subcommands (`agents add`, `list`…): `command_group`
finds the `agents` parser whoever made it first, and every subcommand names its handler with
`set_defaults(handler=…)`, so `dispatch` runs it whatever the order of registration.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ticketdesk.domain.errors import ValidationError

if TYPE_CHECKING:
    from ticketdesk.services.session import Session

Handler = Callable[[argparse.Namespace, TextIO], int]


def command_group(commands: argparse._SubParsersAction, name: str, help_text: str,
                  db_option: Callable[..., None]) -> argparse._SubParsersAction:
    """The subcommands of the top-level command `name`, which is created unless another module
    registered it already (so the order the modules register in does not matter)."""
    parser = commands.choices.get(name)
    if parser is None:
        parser = commands.add_parser(name, help=help_text)
        db_option(parser, top=False)
        parser.add_subparsers(dest=f"{name}_action", metavar="action", required=True)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError(f"the {name!r} command has no subcommands")  # pragma: no cover


def dispatch(args: argparse.Namespace, out: TextIO) -> int:
    """Run the handler the chosen subcommand named."""
    handler: Handler = args.handler
    return handler(args, out)


def _capacity(text: str) -> int | None:
    if text.strip().lower() in ("none", "no", "unlimited", "-"):
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError(f"--capacity takes a number of open tickets or 'none', "
                              f"not {text!r}.") from None


def _rating(text: str) -> tuple[int | None, bool | None]:
    from ticketdesk.domain.csat import BAD_WORDS, GOOD_WORDS
    from ticketdesk.domain.search import fold

    clean = fold(text.strip())
    if clean in GOOD_WORDS or clean in BAD_WORDS:
        return None, clean in GOOD_WORDS
    try:
        return int(clean), None
    except ValueError:
        raise ValidationError(f"--rating takes a number from 1 to 5, or good or bad, "
                              f"not {text!r}.") from None


def add_commands(commands: argparse._SubParsersAction,
                 db_option: Callable[..., None]) -> None:
    def sub(group: argparse._SubParsersAction, name: str, handler: Handler,
            **kwargs: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = group.add_parser(name, **kwargs)  # type: ignore[arg-type]
        db_option(parser, top=False)
        parser.set_defaults(handler=handler)
        return parser

    teams = command_group(commands, "teams", "teams of agents that routing rules pick among",
                          db_option)
    add = sub(teams, "add", _teams_add, help="create a team")
    add.add_argument("name")
    add.add_argument("--agents", default="", metavar='"A, B"', help="its agents, by name")
    members = sub(teams, "members", _teams_members, help="replace a team's agents")
    members.add_argument("name")
    members.add_argument("--agents", required=True, metavar='"A, B"')
    remove = sub(teams, "remove", _teams_remove, help="delete a team")
    remove.add_argument("name")
    sub(teams, "list", _teams_list, help="every team and its agents")

    agents = command_group(commands, "agents", "the desk's agents", db_option)
    status = sub(agents, "status", _agents_status,
                 help="set an agent's availability and capacity",
                 description="Routing skips agents who are away, off, or have as many open "
                             "tickets as their capacity.")
    status.add_argument("name")
    status.add_argument("status", choices=["available", "away", "off"])
    status.add_argument("--capacity", metavar="N", help="open tickets at most ('none': no limit)")
    skills = sub(agents, "skills", _agents_skills,
                 help="set the tags and categories an agent handles (the 'skills' method)")
    skills.add_argument("name")
    skills.add_argument("--tags", metavar='"T, U"', help="replace the tag skills")
    skills.add_argument("--categories", metavar='"C, D"', help="replace the category skills")
    sub(agents, "workload", _agents_workload,
        help="open, due-soon and breached tickets per agent against capacity")

    routing = command_group(commands, "routing", "routing rules for new tickets", db_option)
    rule = routing.add_parser("rule", help="add, list, enable, disable or remove rules")
    db_option(rule, top=False)
    rules = rule.add_subparsers(dest="rule_action", metavar="action", required=True)
    rule_add = sub(rules, "add", _rule_add, help="add a rule at the end of the list",
                   description="Rules are tried in order; the first whose conditions all "
                               "match a new ticket picks an agent.")
    rule_add.add_argument("name")
    rule_add.add_argument("--tag", action="append", default=[], help="ticket tag (repeatable)")
    rule_add.add_argument("--category", action="append", default=[], help="(repeatable)")
    rule_add.add_argument("--customer-tag", action="append", default=[], help="(repeatable)")
    rule_add.add_argument("--priority", action="append", default=[],
                          help="Low, Medium, High, Urgent (repeatable)")
    rule_add.add_argument("--words", default="", help="any of these words in subject or body")
    rule_add.add_argument("--channel", action="append", default=[],
                          help="window, email, import (repeatable)")
    rule_add.add_argument("--team", help="pick among this team's agents")
    rule_add.add_argument("--agents", metavar='"A, B"', help="or among these agents")
    rule_add.add_argument("--method", required=True,
                          choices=["round-robin", "least-open", "skills"])
    sub(rules, "list", _rule_list, help="the rules in order")
    move = sub(rules, "move", _rule_move, help="put a rule elsewhere in the order",
               description="Rules are tried in order, the first matching one decides; "
                           "`routing rule list` numbers them.")
    move.add_argument("name")
    where = move.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", type=int, metavar="N", help="to place N (1 is tried first)")
    where.add_argument("--before", metavar="NAME", help="just before this rule")
    for name, handler, text in (("remove", _rule_remove, "delete a rule"),
                                ("enable", _rule_enable, "use a rule again"),
                                ("disable", _rule_disable, "keep a rule but skip it")):
        sub(rules, name, handler, help=text).add_argument("name")
    dry = sub(routing, "dry-run", _dry_run,
              help="what the rules would do to the last N tickets; changes nothing")
    dry.add_argument("--last", type=int, default=100, metavar="N")

    _csat_commands(command_group(commands, "csat", "customer satisfaction ratings", db_option),
                   sub)


def _csat_commands(csat: argparse._SubParsersAction,
                   sub: Callable[..., argparse.ArgumentParser]) -> None:
    record = sub(csat, "record", _csat_record,
                 help="record or change a ticket's rating for its current resolution")
    record.add_argument("ticket", metavar="TKT-…")
    record.add_argument("--rating", required=True, metavar="1-5", help="1 to 5, or good / bad")
    record.add_argument("--comment", default="")
    record.add_argument("--source", default="agent", choices=["agent", "phone", "chat", "email"])
    _request_options(sub(csat, "request", _csat_request,
                         help="ask customers for a rating by email when a ticket is resolved",
                         description="Shows the rating request; --on/--off switch it, "
                                     "--template FILE replaces its text (placeholders {name}, "
                                     "{number}, {subject}, {agent}; {number} is required)."))


def _request_options(request: argparse.ArgumentParser) -> None:
    switch = request.add_mutually_exclusive_group()
    switch.add_argument("--on", action="store_true", help="send the request")
    switch.add_argument("--off", action="store_true", help="send no request")
    request.add_argument("--template", type=Path, metavar="FILE", help="the request's text")


def _session(store: object) -> Session:
    from ticketdesk.services.session import Session

    return Session(store, None)  # type: ignore[arg-type]


def _names(text: str | None) -> list[str]:
    from ticketdesk.services.routing import split_names

    return split_names(text or "")


def _teams_add(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    with _open_desk(args) as store:
        routing.add_team(_session(store), args.name, _names(args.agents))
    out.write(f"Team {args.name.strip()} added.\n")
    return 0


def _teams_members(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    with _open_desk(args) as store:
        routing.set_team_members(_session(store), args.name, _names(args.agents))
    out.write(f"Team {args.name.strip()} changed.\n")
    return 0


def _teams_remove(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    with _open_desk(args) as store:
        routing.delete_team(_session(store), args.name)
    out.write(f"Team {args.name.strip()} removed.\n")
    return 0


def _teams_list(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    with _open_desk(args) as store:
        for name, members in routing.list_teams(_session(store)):
            out.write(f"{name}: {', '.join(members) or '(no agents)'}\n")
    return 0


def _agents_status(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    kwargs = {} if args.capacity is None else {"capacity": _capacity(args.capacity)}
    with _open_desk(args) as store:
        routing.set_availability(_session(store), args.name, args.status, **kwargs)
    out.write(f"{args.name.strip()} is {args.status}.\n")
    return 0


def _agents_skills(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    if args.tags is None and args.categories is None:
        raise ValidationError("Give --tags and/or --categories.")
    kwargs: dict[str, list[str]] = {}
    if args.tags is not None:
        kwargs["tags"] = _names(args.tags)
    if args.categories is not None:
        kwargs["categories"] = _names(args.categories)
    with _open_desk(args) as store:
        routing.set_skills(_session(store), args.name, **kwargs)
    out.write(f"Skills of {args.name.strip()} set.\n")
    return 0


def _agents_workload(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import workload

    with _open_desk(args) as store:
        rows = workload.workload(_session(store))
    out.write("agent\tstatus\topen\tcapacity\tdue soon\tbreached\n")
    for w in rows:
        capacity = "-" if w.capacity is None else str(w.capacity)
        out.write(f"{w.name}\t{w.status.value}\t{w.open}\t{capacity}\t{w.due_soon}\t"
                  f"{w.breached}\n")
    return 0


def _rule_add(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    spec = routing.RuleSpec(args.name, args.method, team=args.team, agents=_names(args.agents),
                            tags=args.tag, categories=args.category,
                            customer_tags=args.customer_tag,
                            priorities=[p for v in args.priority for p in _names(v)],
                            words=args.words, channels=args.channel)
    with _open_desk(args) as store:
        routing.add_rule(_session(store), spec)
    out.write(f"Routing rule {args.name.strip()} added.\n")
    return 0


def _rule_list(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    with _open_desk(args) as store:
        found = routing.list_rules(_session(store))
    for position, r in enumerate(found, 1):
        state = "" if r.active else " (disabled)"
        out.write(f"{position}. {r.name}{state}: {r.method.value} among {r.target}\n")
    return 0


def _rule_move(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    with _open_desk(args) as store:
        session = _session(store)
        routing.move_rule(session, args.name, to=args.to, before=args.before)
        names = [r.name for r in routing.list_rules(session)]
    place = next(i for i, n in enumerate(names, 1) if n.lower() == args.name.strip().lower())
    out.write(f"Routing rule {names[place - 1]} is now number {place} of {len(names)}.\n")
    return 0


def _rule_switch(args: argparse.Namespace, out: TextIO, active: bool) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    with _open_desk(args) as store:
        routing.set_rule_active(_session(store), args.name, active)
    out.write(f"Routing rule {args.name.strip()} {'enabled' if active else 'disabled'}.\n")
    return 0


def _rule_enable(args: argparse.Namespace, out: TextIO) -> int:
    return _rule_switch(args, out, True)


def _rule_disable(args: argparse.Namespace, out: TextIO) -> int:
    return _rule_switch(args, out, False)


def _rule_remove(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import routing

    with _open_desk(args) as store:
        routing.delete_rule(_session(store), args.name)
    out.write(f"Routing rule {args.name.strip()} removed.\n")
    return 0


def _dry_run(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.domain.numbers import format_number
    from ticketdesk.services import routing

    with _open_desk(args) as store:
        result = routing.dry_run(_session(store), args.last)
    for row in result.rows:
        out.write(f"{format_number(row.ticket_id)}\t{row.rule}\t{row.agent or '-'}\t"
                  f"{row.reason}\n")
    out.write(f"{len(result.rows)} matched a rule, {result.unmatched} matched none. "
              "Nothing was changed.\n")
    out.write("agent\topen now\twould get\topen after\tcapacity\n")
    for load in result.loads:
        capacity = "-" if load.capacity is None else str(load.capacity)
        out.write(f"{load.name}\t{load.open_before}\t{load.routed}\t{load.open_after}\t"
                  f"{capacity}\n")
    return 0


def _csat_record(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.domain.csat import rating
    from ticketdesk.domain.numbers import format_number, parse_number
    from ticketdesk.services import csat

    ticket_id = parse_number(args.ticket)
    if ticket_id is None:
        raise ValidationError(f"{args.ticket!r} is not a ticket number (TKT-000123).")
    value, good = _rating(args.rating)
    checked = rating(value, good=good, comment=args.comment)
    with _open_desk(args) as store:
        csat.record(_session(store), ticket_id, checked, source=args.source)
    out.write(f"Rating {checked.label} recorded for {format_number(ticket_id)}.\n")
    return 0


def _csat_request(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import csat_request

    with _open_desk(args) as store:
        session = _session(store)
        current = csat_request.read(session)
        if args.on or args.off or args.template is not None:
            template = current.template
            if args.template is not None:
                try:
                    template = args.template.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise ValidationError(f"{args.template}: {exc}") from exc
            enabled = args.on or (current.enabled and not args.off)
            csat_request.save(session, csat_request.RequestSettings(enabled, template))
            current = csat_request.read(session)
    state = "on" if current.enabled else "off"
    out.write(f"Rating request by email when a ticket is resolved: {state}.\n\n"
              f"{current.template}\n")
    return 0
