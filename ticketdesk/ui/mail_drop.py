"""Mail files dropped on the ticket list are imported like File ▸ Import Mail… (issue 15):
.eml files, mbox files (.mbox, .mbx) and folders of .eml files, from a mail program or a file
manager. A drop of other files is refused with a word in the status bar and changes nothing;
links and text are not taken at all.

Deciding what a drop holds looks only at the names (no file is opened on the GUI thread); the
import itself runs as a Task off the GUI thread (`FileCommands.import_mail_files`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QMimeData, QObject
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QStatusBar, QWidget

MAIL_SUFFIXES = frozenset({".eml", ".mbox", ".mbx"})


def mail_paths(mime: QMimeData) -> list[Path] | None:
    """The local mail files and folders a drag carries, or None if it carries anything else
    (a web link, text, a file that is not mail). A folder is taken as a folder of .eml files."""
    if not mime.hasUrls():
        return None
    paths: list[Path] = []
    for url in mime.urls():
        if not url.isLocalFile():
            return None
        path = Path(url.toLocalFile())
        if path.suffix.lower() not in MAIL_SUFFIXES and path.suffix:
            return None
        paths.append(path)
    return paths or None


class MailDrop(QObject):
    """An event filter for the list's viewport: accepts drags of mail files, hands a drop to
    `import_files`."""

    def __init__(self, target: QWidget, import_files: Callable[[list[Path]], object],
                 status: QStatusBar) -> None:
        super().__init__(target)
        self.import_files = import_files
        self.status = status
        target.setAcceptDrops(True)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, (QDragEnterEvent, QDragMoveEvent))
            mime = event.mimeData()
            if mime.hasUrls() and all(url.isLocalFile() for url in mime.urls()):
                # Files of any kind are let in, so that a drop of the wrong kind can say why
                # it is refused instead of a bare "forbidden" cursor.
                event.acceptProposedAction()
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            paths = mail_paths(event.mimeData())
            if paths is None:
                self.status.showMessage(QCoreApplication.translate(
                    "MainWindow", "Only mail files (.eml, mbox) can be dropped on the list."),
                    8000)
                event.ignore()
                return True
            event.acceptProposedAction()
            self.import_files(paths)
            return True
        return False
