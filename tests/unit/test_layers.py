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


# -- engine-specific SQL lives in db/ (ticketdesk/ARCHITECTURE.md, "Storage rules") -------------

# Words only one engine's SQL uses. A service that needs such SQL asks `db.engine.Engine`.
ENGINE_SQL = ("INDEXED BY", "LATERAL", "sqlite_sequence", "sqlite_master", "PRAGMA", "pg_",
              "COPY ", "VACUUM", "LOCK TABLE", "TEMP TABLE", "ticket_fts", "is_sqlite")
ENGINE_FREE = ("services/analytics.py", "services/desk_migration.py")


def _code_words(path: Path) -> str:
    """The string literals (docstrings left out: they may name what db/ does) and the names a
    module uses, joined: what its code can send to a database."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    words = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
             and isinstance(node.value, str) and id(node) not in docstrings]
    words += [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)]
    words += [node.id for node in ast.walk(tree) if isinstance(node, ast.Name)]
    return "\n".join(words)


@pytest.mark.parametrize("module", ENGINE_FREE)
def test_services_hold_no_engine_specific_sql(module: str) -> None:
    code = _code_words(PACKAGE / module)
    found = [word for word in ENGINE_SQL if word in code]
    assert found == [], f"{module} speaks one engine's SQL: {found}; move it to db/"


def test_every_engine_implements_the_whole_interface() -> None:
    from ticketdesk.db.engine import Engine
    from ticketdesk.db.postgres_engine import POSTGRES
    from ticketdesk.db.sqlite_engine import SQLITE

    wanted = {name for name in vars(Engine) if not name.startswith("_")} | set(
        Engine.__annotations__)
    for engine in (SQLITE, POSTGRES):
        checked: Engine = engine  # mypy checks the signatures
        assert sorted(name for name in wanted if not hasattr(checked, name)) == []
