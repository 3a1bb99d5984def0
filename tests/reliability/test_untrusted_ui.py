"""Rich text and HTML typed by customers or agents, shown anywhere in the window, loads
nothing: no request reaches a local web server, and no local file is opened (Qt's rich text
reads local image files synchronously, on the GUI thread: `<img src=/dev/stdin>` in a tag name
would freeze the window, and on Windows `\\\\host\\share\\x.png` would leak the user's
credentials to that host). The payloads go into every field a person can type; the window, its
dock tabs, the filter menus, the create dialog and every tooltip are shown and hovered."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QTabWidget, QToolTip, QWidget

from tests.ui.conftest import wait_listed
from ticketdesk.db.store import open_database
from ticketdesk.services import agents, assignees, attachments, customers, messages, notes, tickets
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.session import Session
from ticketdesk.ui.create_ticket import CreateTicketDialog
from ticketdesk.ui.main_window import MainWindow

PROBE = """
import os, sys, time
fifo, log = sys.argv[1], sys.argv[2]
while True:
    fd = os.open(fifo, os.O_WRONLY)  # blocks until someone opens the file to read it
    with open(log, "a") as fh:
        fh.write("opened\\n")
    os.write(fd, b"GIF89a")
    os.close(fd)
    time.sleep(0.01)
"""


class Listener:
    """A local web server that records every request, and a FIFO that records every open."""

    def __init__(self, folder: Path) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(404)
                self.end_headers()

            do_POST = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *_args: object) -> None:
                return

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.fifo = folder / "f"
        os.mkfifo(self.fifo)
        self.log = folder / "opens.log"
        self.probe = subprocess.Popen([sys.executable, "-c", PROBE, str(self.fifo),
                                       str(self.log)])

    def opens(self) -> int:
        try:
            return len(self.log.read_text().splitlines())
        except FileNotFoundError:
            return 0

    def close(self) -> None:
        self.probe.kill()
        self.probe.wait()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    folder = Path(tempfile.mkdtemp(prefix="tdq", dir="/tmp"))  # short: the path goes in a tag
    found = Listener(folder)
    try:
        yield found
    finally:
        found.close()
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'desk.sqlite'}"


def payloads(listener: Listener) -> list[str]:
    web = f"http://127.0.0.1:{listener.port}"
    return [
        f"<img src={web}/a.png>",
        f"<img src={listener.fifo}>",
        f"<img src=file://{listener.fifo}>",
        f'<b style="background:url({web}/c.png)">bold</b>',
        f'<link rel=stylesheet href="{web}/s.css"><table background={web}/t.png><tr><td>x',
        f"<html><body><img src='{listener.fifo}'><a href='{web}/l'>link</a></body></html>",
    ]


def _fill(url: str, listener: Listener) -> int:
    store = open_database(url)
    try:
        system = Session(store, None)
        bad = payloads(listener)
        names = [agents.create_agent(system, f"{p[:150]} {n}")[0] for n, p in enumerate(bad)]
        customer, _ = customers.create_customer(
            system, bad[1], company=bad[0], tags=[bad[0][:40], bad[1][:40]])
        tid = tickets.create_ticket(
            system.as_agent(names[0]), subject=" ".join(bad)[:300], description="\n".join(bad),
            category=bad[1][:80], customer_id=customer, assignee_ids=names,
            tags=[p[:40] for p in bad[:3]]).new_id
        author = system.as_agent(names[1])
        for p in bad:
            notes.add_note(author, tid, p)
            messages.add_message(author, tid, p, incoming=True)
            messages.add_message(author, tid, p, files=[NewFile(p[:200] + ".png", b"GIF89a")])
            attachments.attach(author, tid, NewFile(p[:200], b"\x89PNG"))
        assignees.add_tag(system, tid, tickets.get_ticket(tid).version, bad[4][:40])
        return tid
    finally:
        store.close()


def _hover(widget: QWidget, pos: QPoint | None = None) -> None:
    """What the mouse resting on `widget` does: a ToolTip event, and the tooltip shown."""
    at = pos if pos is not None else widget.rect().center()
    QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, at, widget.mapToGlobal(at)))
    if widget.toolTip():
        QToolTip.showText(widget.mapToGlobal(at), widget.toolTip(), widget)
    QApplication.processEvents()


def _show_everything(window: MainWindow, qtbot) -> None:
    for tabs in window.findChildren(QTabWidget):
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            QApplication.processEvents()
            tabs.grab()
    for widget in window.findChildren(QWidget):
        if widget.isVisible():
            _hover(widget)
    view = window.table
    model = view.model()
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            rect = view.visualRect(model.index(row, column))
            _hover(view.viewport(), rect.center())
            text = model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole)
            if text:
                QToolTip.showText(view.viewport().mapToGlobal(rect.center()), text, view)
    window.grab()
    QToolTip.hideText()


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_html_in_every_field_loads_nothing_anywhere_in_the_window(
        db_url: str, listener: Listener, open_window: Callable[..., MainWindow], qtbot) -> None:
    tid = _fill(db_url, listener)
    window = open_window(agent=f"{payloads(listener)[1]} agent")
    wait_listed(qtbot, window)
    assert window.table.select_ticket(tid)
    qtbot.wait(300)  # the dock loads the ticket, its conversation, notes, files, activity
    _show_everything(window, qtbot)

    bar = window.filter_bar
    for button in (bar.assignees, bar.tags, bar.customer_tags):
        button.menu_.popup(button.mapToGlobal(QPoint(0, button.height())))
        QApplication.processEvents()
        for action in button.menu_.actions():
            if action.isCheckable():
                action.setChecked(True)
        button.menu_.close()
        _hover(button)  # the button's tooltip lists the chosen names
    wait_listed(qtbot, window)
    _show_everything(window, qtbot)

    dialog = CreateTicketDialog(window.session, window)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.assignee_list.count() > 0, timeout=5000)  # read on a worker
    QApplication.processEvents()
    for widget in dialog.findChildren(QWidget):
        _hover(widget)
    dialog.grab()
    dialog.reject()

    time.sleep(0.3)  # a request or an open in flight would land now
    QApplication.processEvents()
    assert listener.hits == []
    assert listener.opens() == 0
