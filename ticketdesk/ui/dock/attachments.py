"""Attachments in the dock: reading files the agent adds, opening and saving stored ones.

A stored name is only ever a label. To open a file it is written to a private temporary folder
(0700, one subfolder per attachment) under `safe_filename(name)`, never the raw name, and handed
to the desktop; a type that could run code (`is_risky`: by extension or by its first bytes) is
opened only after a warning the agent confirms. "Save As" offers the safe name in the user's
home folder. The bytes are read on the dock's query thread; the file opens (or is written)
when they come, and a failure is said in the dock.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ticketdesk.domain.attachments import MAX_BYTES, check_size, human_size, is_risky, safe_filename
from ticketdesk.domain.errors import ValidationError
from ticketdesk.services import attachments
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.records import AttachmentRecord
from ticketdesk.ui.dock.context import DockContext

HEAD = 64


def read_files(paths: Iterable[str]) -> tuple[list[NewFile], list[str]]:
    """The files at `paths`, checked (name, size limit); and a message for each refused one.
    The size is checked before reading, so a 4 GB video is refused without loading it."""
    found: list[NewFile] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        name = path.name or raw
        try:
            if not path.is_file():
                raise ValidationError(QCoreApplication.translate(
                    "Attachments", "{0} is not a file; folders cannot be attached.").format(name))
            check_size(name, path.stat().st_size, MAX_BYTES)
            found.append(NewFile(name, path.read_bytes()).checked())
        except ValidationError as exc:
            errors.append(str(exc))
        except OSError as exc:
            errors.append(QCoreApplication.translate("Attachments", "Cannot read {0}: {1}.")
                          .format(name, exc.strerror or exc))
    return found, errors


def describe_file(f: NewFile) -> str:
    return f"{f.name} ({human_size(len(f.data))})"


def _question(parent: QWidget, icon: QMessageBox.Icon, title: str, text: str,
              yes: str) -> bool:
    """A plain-text question (file names are never read as HTML); True if `yes` was chosen."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("attachmentQuestion")
    box.setTextFormat(Qt.TextFormat.PlainText)
    accept = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is accept


class AttachmentActions(QObject):
    """Open, save and confirm removal of stored attachments, for one dock."""

    def __init__(self, dock: DockContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.dock = dock
        self.widget = parent
        self._folder: Path | None = None
        self.opened: list[Path] = []

    def _temp_folder(self) -> Path:
        if self._folder is None or not self._folder.exists():
            self._folder = Path(tempfile.mkdtemp(prefix="ticketdesk-"))  # 0700 by mkdtemp
        return self._folder

    def _read(self, record: AttachmentRecord, then: Callable[[bytes], str | None]) -> None:
        def show(data: bytes) -> None:
            error = then(data)
            if error:
                self.dock.notify(error)

        self.dock.read("file", lambda session: attachments.read_attachment_data(
            session, record.id), show)

    def open(self, record: AttachmentRecord) -> None:
        """Open with the desktop's application (a failure is said in the dock)."""
        self._read(record, lambda data: self._open_data(record, data))

    def _open_data(self, record: AttachmentRecord, data: bytes) -> str | None:
        if is_risky(record.name, data[:HEAD]) and not _question(
                self.widget, QMessageBox.Icon.Warning, self.tr("Open a program?"),
                self.tr("“{0}” can run code on this computer: it is a program, script, "
                        "installer, web page, help file or document with macros, or looks like "
                        "one. Open it only if you trust who sent it. Saving it and scanning it "
                        "first is safer.").format(record.name),
                self.tr("Open Anyway")):
            return None
        folder = self._temp_folder() / str(record.id)
        folder.mkdir(mode=0o700, exist_ok=True)
        target = folder / safe_filename(record.name)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            return self.tr("Cannot write {0} to open it: {1}.").format(
                target.name, exc.strerror or exc)
        self.opened.append(target)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
            return self.tr("No application is set up to open {0}. Use Save As instead.").format(
                target.name)
        return None

    def open_text(self, name: str, body: str) -> str | None:
        """Open `body` as a private text file (a message too long to lay out in the thread)."""
        target = self._temp_folder() / safe_filename(name)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body)
        except OSError as exc:
            return self.tr("Cannot write {0} to open it: {1}.").format(
                target.name, exc.strerror or exc)
        self.opened.append(target)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
            return self.tr("No application is set up to open {0}.").format(target.name)
        return None

    def save_as(self, record: AttachmentRecord) -> None:
        suggested = str(Path.home() / safe_filename(record.name))
        path, _ = QFileDialog.getSaveFileName(self.widget, self.tr("Save attachment"), suggested)
        if path:
            self._read(record, lambda data: self._write(Path(path), data))

    def _write(self, path: Path, data: bytes) -> str | None:
        try:
            path.write_bytes(data)
        except OSError as exc:
            return self.tr("Cannot save {0}: {1}.").format(path, exc.strerror or exc)
        return None

    def confirm_remove(self, record: AttachmentRecord) -> bool:
        return _question(self.widget, QMessageBox.Icon.Question, self.tr("Remove attachment"),
                         self.tr("Remove “{0}” from this ticket? The activity trail keeps a "
                                 "record that it was removed.").format(record.name),
                         self.tr("Remove"))

    def cleanup(self) -> None:
        """Delete the temporary copies (at close; an application may still show them)."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self.opened.clear()
