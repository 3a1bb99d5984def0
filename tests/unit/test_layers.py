"""The layers point one way: ui -> services -> db -> domain (ticketdesk/ARCHITECTURE.md,
"The shape").

Nothing below `ui/` imports Qt, `db/` knows nothing of services, and `domain/` is plain Python
(no peewee, no database driver). Checked on the source (every import, at any depth, including
imports inside functions) and at run time (loading the whole core never loads PySide6).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "ticketdesk"
FORBIDDEN = {
    "domain": ("PySide6", "shiboken6", "pyqtgraph", "peewee", "playhouse", "apsw", "psycopg",
               "ticketdesk.db", "ticketdesk.services", "ticketdesk.ui"),
    "db": ("PySide6", "shiboken6", "pyqtgraph", "ticketdesk.services", "ticketdesk.ui"),
    "services": ("PySide6", "shiboken6", "pyqtgraph", "ticketdesk.ui"),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", list(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    offences = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer])
    ]
    assert offences == []


def test_the_core_runs_without_qt() -> None:
    modules = sorted(
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for layer in FORBIDDEN for path in (PACKAGE / layer).rglob("*.py")
        if path.name != "__main__.py")
    script = ("import importlib, sys\n"
              f"for name in {modules!r}: importlib.import_module(name.removesuffix('.__init__'))\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in "
              "('PySide6', 'shiboken6', 'pyqtgraph')))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
