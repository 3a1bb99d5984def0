"""No access key (Alt+letter) has two owners on one level (issue 18): the window with its
menu bar and docks, each menu of the menu bar, and every dialog the window opens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialog, QWidget

from tests.ui.conftest import wait_listed
from tests.ui.mnemonics import all_menus, duplicates, menu_keys, window_keys
from ticketdesk.ui.main_window import MainWindow


def test_the_window_and_its_docks_give_each_access_key_one_owner(window: MainWindow,
                                                                 qtbot) -> None:
    wait_listed(qtbot, window)
    window.show_analytics()  # the analytics page's controls count too
    window.show_tickets()
    assert duplicates(window_keys(window)) == {}


def test_each_menu_gives_each_access_key_one_owner(window: MainWindow) -> None:
    menus = all_menus(window)
    assert len(menus) >= 6
    for menu in menus:
        assert duplicates(menu_keys(menu)) == {}, menu.title()


def dialogs(window: MainWindow) -> dict[str, Callable[[], QWidget]]:
    from ticketdesk.ui.agent_picker import AgentPicker
    from ticketdesk.ui.canned_dialog import CannedDialog
    from ticketdesk.ui.create_ticket import CreateTicketDialog
    from ticketdesk.ui.mail_settings import MailSettingsDialog
    from ticketdesk.ui.preferences import PreferencesDialog
    from ticketdesk.ui.sla_dialog import SlaPoliciesDialog
    from ticketdesk.ui.views_panel import SaveViewDialog

    session = window.session
    return {
        "new ticket": lambda: CreateTicketDialog(session, window),
        "switch agent": lambda: AgentPicker(session, session.agent_id, window),
        "preferences": lambda: PreferencesDialog(window.settings.qsettings, window.store.url,
                                                 window),
        "sla": lambda: SlaPoliciesDialog(session, lambda _c: None, window),
        "mail": lambda: MailSettingsDialog(session, window.ticket_dock.writes, window),
        "canned": lambda: CannedDialog(session, window),
        "save view": lambda: SaveViewDialog(True, window),
        "palette": lambda: window.command_palette,
    }


@pytest.mark.parametrize("name", ["new ticket", "switch agent", "preferences", "sla", "mail",
                                  "canned", "save view", "palette"])
def test_every_dialog_gives_each_access_key_one_owner(window: MainWindow, qtbot,
                                                      name: str) -> None:
    dialog = dialogs(window)[name]()
    dialog.show()
    try:
        assert duplicates(window_keys(dialog)) == {}
    finally:
        if isinstance(dialog, QDialog):
            dialog.reject()
        else:
            dialog.close()
