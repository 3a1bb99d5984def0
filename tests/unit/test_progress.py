"""One `Progress` callback type and one `Cancelled` exception for every long job (issue 14):
the window's progress dialog, the command line and the services speak the same words."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from ticketdesk.domain.progress import Cancelled
from ticketdesk.services import demo, export, importer, tickets
from ticketdesk.services.session import Session

PACKAGE = Path(__file__).resolve().parents[2] / "ticketdesk"


def test_no_module_defines_its_own_cancellation_or_progress_type() -> None:
    """ExportCancelled and ImportCancelled are still importable names, but they are the one
    `Cancelled`; nobody else declares a callback type of their own."""
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "domain" / "progress.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Cancelled") and not any(
                    isinstance(base, ast.Name) and base.id == "Cancelled" for base in node.bases):
                offences.append(f"{path.relative_to(PACKAGE)}: class {node.name}")
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id.startswith("Progress") for t in node.targets):
                offences.append(f"{path.relative_to(PACKAGE)}: {ast.unparse(node)[:60]}")
    assert offences == []


def test_export_and_import_cancellations_are_the_one_cancelled() -> None:
    assert issubclass(export.ExportCancelled, Cancelled)
    assert issubclass(importer.ImportCancelled, Cancelled)
    assert demo.Cancelled is Cancelled


def test_a_cancelled_demo_raises_the_one_cancelled_and_writes_nothing(system: Session,
                                                                      clock: FakeClock) -> None:
    with pytest.raises(Cancelled, match="Demo data generation was cancelled"):
        demo.generate(system.store, tickets=200, seed=1, now=clock.now,
                      progress=lambda _done, _total, _phase: False)
    assert tickets.ticket_count() == 0
