"""Entry point: parse the command line, then run a headless command or open the window."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ticketdesk import cli


def main(argv: Sequence[str] | None = None) -> int:
    parser = cli.build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(cli.versions())
        return 0
    if args.command is not None:
        return cli.run(args)
    return run_gui(args)


def run_gui(args: object) -> int:
    """The main window arrives with its own issue; until then say so plainly."""
    sys.stderr.write(
        "ticketdesk: the main window is coming soon. Meanwhile try: ticketdesk --help\n"
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
