"""The services a wizard calls from a worker thread (issue 16): preview, suggest, dry run,
import with progress and Cancel — the same pipeline as the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketdesk.db.models import Ticket
from ticketdesk.domain.import_mapping import suggest
from ticketdesk.services.importer import ImportCancelled
from ticketdesk.services.importing import check, run
from ticketdesk.services.importing.sources import open_source, preview
from ticketdesk.services.session import Session


def _csv(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "many.csv"
    lines = ["Case;Summary;State;Opened"]
    lines += [f"C-{i};Thing {i} broke;open;2024-02-0{1 + i % 9} 10:00" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_wizard_pipeline_previews_suggests_checks_and_imports(
        tmp_path: Path, system: Session) -> None:
    path = _csv(tmp_path, 3)
    first = preview(path, limit=2)
    assert (first.source.separator, len(first.rows)) == (";", 2)
    mapping = suggest(first.source.headers)
    assert mapping.columns == {"Case": "source_id", "Summary": "subject", "State": "status",
                               "Opened": "created_at"}
    report = check.dry_run(first.source, mapping, now=system.now(), timezone="UTC")
    assert (report.ok, report.tickets, dict(report.survey.statuses)) == (True, 3, {"open": 3})
    result = run.import_(system, first.source, mapping, source_system="sheet", timezone="UTC")
    assert (result.imported, result.changes.everything) == (3, True)


def test_cancel_during_the_import_leaves_the_desk_as_it_was(tmp_path: Path,
                                                             system: Session) -> None:
    source = open_source(_csv(tmp_path, run.CHUNK + 10))
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int, _phase: str) -> bool:
        seen.append((done, total))
        return False  # the user pressed Cancel

    with pytest.raises(ImportCancelled):
        run.import_(system, source, suggest(source.headers), source_system="sheet",
                    timezone="UTC", progress=progress)
    assert seen == [(run.CHUNK, run.CHUNK + 10)]
    with system.store.read():
        assert Ticket.select().count() == 0


def test_the_same_row_twice_in_a_file_without_ids_is_two_tickets_imported_once(
        tmp_path: Path, system: Session) -> None:
    path = tmp_path / "same.csv"
    path.write_text("Summary,Status\nPassword reset,open\nPassword reset,open\n",
                    encoding="utf-8")
    source = open_source(path)
    mapping = suggest(source.headers)
    assert run.import_(system, source, mapping, source_system="sheet").imported == 2
    again = run.import_(system, source, mapping, source_system="sheet")
    assert (again.imported, again.already_present) == (0, 2)
