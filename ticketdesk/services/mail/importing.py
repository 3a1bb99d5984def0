"""Mail from files, with no server: one .eml file, an mbox file, or a folder of .eml files.
Each message goes through the same parse and intake as a fetched one (threading, reopening,
never twice by Message-ID), one transaction per message."""

from __future__ import annotations

import mailbox
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ticketdesk.domain.errors import ValidationError
from ticketdesk.services.changes import NOTHING, Changes
from ticketdesk.services.mail.intake import IntakeRules, take_in
from ticketdesk.services.mail.parse import MAX_MESSAGE_BYTES, parse_mail
from ticketdesk.services.mail.settings import load_settings
from ticketdesk.services.session import Session


@dataclass
class ImportReport:
    path: str
    messages: int = 0
    created: int = 0
    appended: int = 0
    reopened: int = 0
    follow_ups: int = 0
    duplicates: int = 0
    rated: int = 0
    problems: list[str] = field(default_factory=list)
    changes: Changes = NOTHING

    def summary(self) -> str:
        parts = [f"{self.created:,} new ticket(s)", f"{self.appended:,} added to tickets"]
        if self.reopened:
            parts.append(f"{self.reopened:,} reopened a ticket")
        if self.rated:
            parts.append(f"{self.rated:,} rating(s) recorded")
        if self.follow_ups:
            parts.append(f"{self.follow_ups:,} follow-up ticket(s)")
        if self.duplicates:
            parts.append(f"{self.duplicates:,} already in the desk")
        return f"{self.path}: {self.messages:,} message(s): {', '.join(parts)}."


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(5) == b"From "


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_MESSAGE_BYTES:
        with path.open("rb") as f:  # the headers are enough: parse.py notes the size
            return f.read(MAX_MESSAGE_BYTES + 1)
    return path.read_bytes()


_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def _unquote_from(data: bytes) -> bytes:
    """mbox writers put '>' before body lines starting with "From " (mboxrd): take one off."""
    return _QUOTED_FROM.sub(rb"\1", data)


def raw_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(where, bytes) of every message at `path`, in order."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".eml" and p.is_file())
        if not files:
            raise ValidationError(f"{path} holds no .eml files.")
        for p in files:
            yield p.name, _read(p)
        return
    if not path.is_file():
        raise ValidationError(f"{path} does not exist.")
    if _is_mbox(path):
        box = mailbox.mbox(path, create=False)
        try:
            for number, key in enumerate(box.iterkeys(), start=1):
                yield f"message {number}", _unquote_from(box.get_bytes(key))
        finally:
            box.close()
        return
    yield path.name, _read(path)


def import_mail(session: Session, path: Path | Sequence[Path],
                progress: Callable[[int], None] | None = None) -> ImportReport:
    """Every message at `path` — or at each of several paths, in order (files dropped on the
    list together) — through the intake, one transaction per message."""
    paths = [path] if isinstance(path, Path) else list(path)
    if not paths:
        raise ValidationError("No mail file was given.")
    settings = load_settings()
    rules = IntakeRules.of(settings)
    report = ImportReport(str(paths[0]) if len(paths) == 1 else f"{len(paths):,} files")
    for current in paths:
        try:
            for where, raw in raw_messages(current):
                result = take_in(session, parse_mail(raw), rules)
                report.messages += 1
                counter = {"follow-up": "follow_ups", "duplicate": "duplicates"}.get(
                    result.outcome, result.outcome)
                setattr(report, counter, getattr(report, counter) + 1)
                report.changes = report.changes | result.changes
                report.problems += [f"{where}: {p}" for p in result.problems]
                if progress is not None:
                    progress(report.messages)
        except OSError as exc:
            raise ValidationError(f"{current} cannot be read: {exc.strerror or exc}.") from exc
    return report
