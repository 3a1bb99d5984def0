"""Which desk the window opens when the one it was given does not exist.

Creating a desk is a deliberate act: a mistyped `--db` (or a desk file that was moved away) must
not silently become a new, empty desk that the user then works in. So when the SQLite file to
open is missing, the window asks: create a new desk at that path, or choose another file. It does
not ask when the user said so already (`--demo` makes a new desk on purpose), nor on the very
first start with the default desk (no --db, nothing chosen in Preferences, no backups of it):
a newcomer would not know what the question means, and the default desk is the app's own file.
If backups of the default desk exist, the desk was there and is gone, and the window asks.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ticketdesk.db.url import is_postgres, sqlite_path, sqlite_url
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import maintenance
from ticketdesk.ui.text import plain_box


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeskChoice", text)


def desk_to_open(explicit: str | None, settings: QSettings, *, creating: bool,
                 parent: QWidget | None = None) -> str | None:
    """The URL of the desk the window opens: `explicit` (--db), else $TICKETDESK_DB, else the
    one chosen in Preferences, else the default file (as `preferences.open_desk` picks it),
    after asking about a SQLite file that does not exist unless `creating` (--demo). None when
    the user cancelled."""
    from ticketdesk.db.url import ENV_DB, resolve_url
    from ticketdesk.ui.preferences import saved_desk_url

    chosen = explicit or os.environ.get(ENV_DB) or saved_desk_url(settings)
    url = resolve_url(chosen)
    while not creating:
        missing = missing_desk(url, default=not chosen)
        if missing is None:
            break
        answer = confirm_new_desk(missing, parent)
        if answer is None or answer == sqlite_url(missing):
            return answer  # cancelled, or create it
        url = chosen = answer  # another file: look again
    return url


def missing_desk(url: str, *, default: bool) -> Path | None:
    """The file `url` names if it is a SQLite desk that does not exist and the user should be
    asked about it (see the module docstring); None when there is nothing to ask."""
    if is_postgres(url):
        return None
    try:
        path = sqlite_path(url).expanduser().absolute()
    except TicketdeskError:
        return None  # opening it says why
    if path.exists():
        return None
    if default and not maintenance.list_backups(path):
        return None
    return path


def confirm_new_desk(path: Path, parent: QWidget | None = None) -> str | None:
    """Ask whether to create a new desk at `path`; returns the URL to open (`path`'s, or the
    file chosen instead), or None when the user cancelled."""
    box = plain_box(parent, QMessageBox.Icon.Question, "ticketdesk", _tr(
        "There is no desk at {0}.\n\nCreate a new, empty desk there, or choose another desk "
        "file?").format(path))
    box.setObjectName("newDeskQuestion")
    create = box.addButton(_tr("Create New Desk"), QMessageBox.ButtonRole.AcceptRole)
    create.setObjectName("createDesk")
    other = box.addButton(_tr("Choose Another…"), QMessageBox.ButtonRole.ActionRole)
    other.setObjectName("chooseDesk")
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(other)
    box.exec()
    clicked = box.clickedButton()
    if clicked is create:
        return sqlite_url(path)
    if clicked is not other:
        return None
    start = path.parent if path.parent.is_dir() else Path.home()
    chosen, _ = QFileDialog.getOpenFileName(
        parent, _tr("Open Desk"), str(start),
        _tr("Desks (*.sqlite *.db *.sqlite3);;All files (*)"))
    return sqlite_url(Path(chosen)) if chosen else None
