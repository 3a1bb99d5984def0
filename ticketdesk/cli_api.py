"""`ticketdesk serve` and `ticketdesk api token add | list | revoke` (issue 22).

Registered from cli.py (`add_commands`, `COMMANDS`). The HTTP server needs the optional extra
`api` (`pip install 'ticketdesk[api]'`); it is imported only when `serve` runs, so the desktop
install works without it and `serve` says what to install."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TextIO

from ticketdesk.domain.errors import ValidationError

MISSING = ("The API server needs Starlette and uvicorn: pip install 'ticketdesk[api]'.")


def add_commands(commands: argparse._SubParsersAction,
                 db_option: Callable[..., None]) -> None:
    serve = commands.add_parser(
        "serve", help="run the HTTP API for integrations over the desk",
        description="Answer /v2/support-tickets over HTTP (HTTPS with --certfile and --keyfile, "
                    "or put a reverse proxy in front). Callers need a token: "
                    "`ticketdesk api token add NAME`.")
    db_option(serve, top=False)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8080, help="default 8080")
    serve.add_argument("--certfile", metavar="PEM", help="TLS certificate (with --keyfile)")
    serve.add_argument("--keyfile", metavar="PEM", help="TLS private key")
    serve.add_argument("--rate", type=float, default=20.0, metavar="N",
                       help="calls a second each token may make on average (default 20)")
    serve.add_argument("--burst", type=int, default=None, metavar="N",
                       help="calls in a row each token may make (default twice --rate)")

    api = commands.add_parser("api", help="tokens for the HTTP API")
    db_option(api, top=False)
    what = api.add_subparsers(dest="what", metavar="what", required=True)
    token = what.add_parser("token", help="add, list or revoke integration tokens")
    db_option(token, top=False)
    action = token.add_subparsers(dest="action", metavar="action", required=True)
    add = action.add_parser(
        "add", help="a new token for an integration; printed once, on the last line",
        description="The token is shown once and only its hash is kept. Changes made with it "
                    "appear in the activity as api:NAME.")
    db_option(add, top=False)
    add.add_argument("name")
    add.add_argument("--read-only", action="store_true", help="the token may only read")
    listing = action.add_parser("list", help="the tokens, live and revoked")
    db_option(listing, top=False)
    revoke = action.add_parser("revoke", help="revoke NAME's token (its calls get 401)")
    db_option(revoke, top=False)
    revoke.add_argument("name")


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk

    if bool(args.certfile) != bool(args.keyfile):
        raise ValidationError("TLS needs both --certfile and --keyfile.")
    try:
        from ticketdesk.api.server import serve
    except ImportError:
        raise ValidationError(MISSING) from None
    with _open_desk(args) as store:
        serve(store, out, host=args.host, port=args.port, certfile=args.certfile,
              keyfile=args.keyfile, rate=args.rate, burst=args.burst)
    return 0


def cmd_api(args: argparse.Namespace, out: TextIO) -> int:
    from ticketdesk.cli import _open_desk
    from ticketdesk.services import api_tokens
    from ticketdesk.services.session import Session

    with _open_desk(args) as store:
        session = Session(store, None)
        if args.action == "add":
            token, _ = api_tokens.add_token(session, args.name, read_only=args.read_only)
            kind = "read-only " if args.read_only else ""
            out.write(f"A {kind}token for {args.name.strip()} (changes appear as "
                      f"{api_tokens.AGENT_PREFIX}{args.name.strip()}). It is shown only now; "
                      "keep it secret:\n")
            out.write(token + "\n")
        elif args.action == "revoke":
            api_tokens.revoke_token(session, args.name)
            out.write(f"Revoked the token of {args.name.strip()}.\n")
        else:
            rows = api_tokens.list_tokens(store)
            if not rows:
                out.write("No API tokens. Add one with `ticketdesk api token add NAME`.\n")
            for t in rows:
                state = "revoked" if not t.active else ("read-only" if t.read_only else
                                                         "read-write")
                used = _when(t.last_used_at) if t.last_used_at else "never used"
                out.write(f"{t.name:30} {state:10} created {_when(t.created_at)}, "
                          f"last used {used}\n")
    return 0


def _when(epoch: int | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch or 0))
