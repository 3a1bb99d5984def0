"""Entry point: parse the command line, then run a headless command or open the window."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING

from ticketdesk import cli
from ticketdesk.about import versions

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from ticketdesk.db.store import Store
    from ticketdesk.ui.file_commands import DemoStart
    from ticketdesk.ui.main_window import MainWindow
    from ticketdesk.ui.settings import AppSettings


def main(argv: Sequence[str] | None = None) -> int:
    parser = cli.build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(versions())
        return 0
    if args.command is not None:
        return cli.run(args)
    return run_gui(args)


def build_main_window(db_url: str | None = None, *, agent_name: str | None = None,
                      settings: QSettings | None = None,
                      tz: tzinfo | None = None) -> MainWindow:
    """The main window on `db_url` without starting an event loop (the test seam).

    On a team desk where the login is mapped to an agent, that agent; otherwise `agent_name`
    (created if new), else the one remembered for this desk, else the login name's (created if
    new): no dialog is shown here.
    """
    from ticketdesk.db.store import open_database
    from ticketdesk.db.url import resolve_url
    from ticketdesk.services import team_roles
    from ticketdesk.services.session import Session
    from ticketdesk.ui.agent_picker import ensure_agent
    from ticketdesk.ui.main_window import MainWindow
    from ticketdesk.ui.settings import AppSettings

    store = open_database(resolve_url(db_url))
    try:
        app_settings = AppSettings(settings)
        signed_in = team_roles.whoami(store)  # on a team desk the login says who (issue 20)
        agent_id = signed_in.id if signed_in is not None else ensure_agent(
            Session(store, None), app_settings.agent_for(store.location), agent_name)
        app_settings.set_agent_for(store.location, agent_id)
        return MainWindow(store, agent_id, app_settings, tz=tz)
    except BaseException:
        store.close()
        raise


def _start_agent(store: Store, settings: AppSettings, args: argparse.Namespace) -> int | None:
    """Who is working: the agent --agent (or TICKETDESK_AGENT) names, created if new, else the
    one remembered for this desk; None to ask. Creating one is a write, which a read-only
    database user may not do: then the desk is closed and the TicketdeskError raised."""
    from ticketdesk.services import team_roles
    from ticketdesk.services.session import Session
    from ticketdesk.ui.agent_picker import ensure_agent

    signed_in = team_roles.whoami(store)  # on a team desk the login says who (issue 20)
    if signed_in is not None:
        return signed_in.id
    agent_id = settings.agent_for(store.location)
    wanted = args.agent or os.environ.get(cli.ENV_AGENT)
    if wanted:
        try:
            agent_id = ensure_agent(Session(store, None), None, wanted)
        except BaseException:
            store.close()
            raise
        settings.set_agent_for(store.location, agent_id)
    return agent_id


def start_demo(store: Store, tickets: int) -> DemoStart:
    """Fill the empty desk with `tickets` demo tickets behind a progress dialog, before the
    window and before anyone is asked who they are; a failure is shown and the desk stays
    empty (Cancel is no failure)."""
    from PySide6.QtWidgets import QMessageBox

    from ticketdesk.ui.file_commands import DemoStart
    from ticketdesk.ui.text import plain_box

    demo = DemoStart(store, tickets)
    if not demo.run() and "cancel" not in type(demo.error).__name__.lower():
        plain_box(None, QMessageBox.Icon.Warning, "ticketdesk", str(demo.error)).exec()
    return demo


def _open_for_window(args: argparse.Namespace) -> Store | int:
    """The desk the window opens, or the exit status when it is not opened: a desk that does
    not exist is created only if the user says so (ui/desk_choice.py; --demo says so), a
    damaged one is offered its latest backup, anything else the user can act on is shown."""
    from PySide6.QtWidgets import QMessageBox

    from ticketdesk.db.errors import DamagedDeskError
    from ticketdesk.domain.errors import TicketdeskError
    from ticketdesk.ui.backups import offer_restore
    from ticketdesk.ui.desk_choice import desk_to_open
    from ticketdesk.ui.preferences import open_desk
    from ticketdesk.ui.settings import open_settings
    from ticketdesk.ui.text import plain_box

    url = desk_to_open(args.db, open_settings(), creating=bool(args.demo))
    if url is None:
        return 0  # the desk did not exist, and the user chose not to create it
    try:
        try:
            return open_desk(url, open_settings())
        except DamagedDeskError as exc:  # offer the latest backup; retry if restored
            if not offer_restore(exc):
                return 1
            return open_desk(url, open_settings())
    except TicketdeskError as exc:
        plain_box(None, QMessageBox.Icon.Critical, "ticketdesk", str(exc)).exec()
        return 1


def run_gui(args: argparse.Namespace) -> int:
    """Open the window: ask who is working on first use of a desk, load demo data if asked."""
    from PySide6.QtWidgets import QMessageBox

    from ticketdesk.db.store import Store
    from ticketdesk.domain.errors import TicketdeskError
    from ticketdesk.services.session import Session
    from ticketdesk.services.tickets import ticket_count
    from ticketdesk.ui.agent_picker import AgentPicker
    from ticketdesk.ui.application import CloseOnSignals, create_application
    from ticketdesk.ui.backups import after_open
    from ticketdesk.ui.main_window import MainWindow
    from ticketdesk.ui.settings import AppSettings
    from ticketdesk.ui.text import plain_box

    app = create_application(sys.argv[:1])
    closer = CloseOnSignals(app)  # SIGTERM/SIGINT close the window as File > Quit does
    try:
        store = _open_for_window(args)
        if not isinstance(store, Store):
            return store  # not opened: the exit status
        settings = AppSettings()
        # --demo on an empty desk: the demo first, so "who is working?" offers its agents.
        demo_start = start_demo(store, args.demo) if args.demo and ticket_count() == 0 else None
        try:
            agent_id = _start_agent(store, settings, args)
        except TicketdeskError as exc:
            plain_box(None, QMessageBox.Icon.Critical, "ticketdesk", str(exc)).exec()
            return 1
        if agent_id is None:
            picker = AgentPicker(Session(store, None),
                                 demo_start.suggested if demo_start is not None else None)
            if not picker.exec() or picker.agent_id is None:
                store.close()
                return 0
            agent_id = picker.agent_id
            settings.set_agent_for(store.location, agent_id)
        window = MainWindow(store, agent_id, settings)  # ui/role_gate.py mirrors the role
        window.show()
        if store.notice:  # a restore killed mid-swap was finished at open, say so
            window.statusBar().showMessage(store.notice, 30_000)
        housekeeping = after_open(window)  # today's backup, off the GUI thread
        code = app.exec()
        housekeeping.wait()
        current: MainWindow | None = window
        while current is not None:  # File > Restore Backup… replaces the window
            current.shutdown()
            current = current.successor
        return int(code)
    finally:
        closer.restore()

if __name__ == "__main__":
    sys.exit(main())
