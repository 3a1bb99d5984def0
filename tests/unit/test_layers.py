"""The layers point one way: ui -> services -> db -> domain (ticketdesk/ARCHITECTURE.md,
"The shape").

Nothing below `ui/` imports Qt, `db/` knows nothing of services, `domain/` is plain Python
(no peewee, no database driver), and `ui/` reaches neither `db/` nor `cli.py` except through the
short, named list `UI_ALLOWED`. Checked on the source (every import, at any depth, including
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
               "ticketdesk.db", "ticketdesk.services", "ticketdesk.ui", "ticketdesk.api"),
    "db": ("PySide6", "shiboken6", "pyqtgraph", "ticketdesk.services", "ticketdesk.ui",
           "ticketdesk.api"),
    "services": ("PySide6", "shiboken6", "pyqtgraph", "ticketdesk.ui", "ticketdesk.api",
                 "starlette", "uvicorn"),
    # The HTTP API sits beside ui/ (issue 22): api -> services -> db -> domain; never Qt, the
    # window or the command line (cli.py and every cli_*.py).
    "api": ("PySide6", "shiboken6", "pyqtgraph", "ticketdesk.ui", "ticketdesk.cli",
            "ticketdesk.cli_"),
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
        if any(name == banned or name.startswith(banned + ".")
               or (banned.endswith("_") and name.startswith(banned))
               for banned in FORBIDDEN[layer])
    ]
    assert offences == []


# -- ui talks to services, never to db/ or the command line ------------------------------------

UI_FORBIDDEN = ("ticketdesk.db", "ticketdesk.cli", "ticketdesk.api")
# Every import of db/ or cli.py from ui/ that remains, each with its reason. Keep it short: a new
# need goes through a service; a line whose import is gone is removed (the test below says so).
UI_ALLOWED = {
    # The open desk is the handle every service takes, and the worker threads own connections on
    # it (`Store.close_thread`, `Store.interrupt`): the one db/ name the UI may hold.
    ("*", "ticketdesk.db.store"): "Store, the open desk every service call takes",
    ("ui/backups.py", "ticketdesk.db.errors"):
        "DamagedDeskError at start-up, before any service can run (restore work moves it)",
    ("ui/live_refresh.py", "ticketdesk.db.postgres_backend"):
        "the server's listener is built from the backend (live refresh off the GUI thread)",
    ("ui/live_refresh.py", "ticketdesk.db.postgres_notify"):
        "ChangeListener, the LISTEN thread, and its RemoteChange values",
    ("ui/preferences.py", "ticketdesk.db.credentials"):
        "the keyring holding a team desk's password (no service for it yet)",
    ("ui/preferences.py", "ticketdesk.db.postgres_backend"):
        "parse_postgres_url and redact for the connection form",
    ("ui/preferences.py", "ticketdesk.db.url"): "the default desk file and URL forms",
    ("ui/desk_choice.py", "ticketdesk.db.url"):
        "which file a desk URL names, to ask before a new desk is created there",
    ("ui/settings.py", "ticketdesk.db.files"):
        "the settings file is created private (0600 in a 0700 folder) like the desk",
    ("ui/write_queue.py", "ticketdesk.db.sqlite_backend"):
        "a save's wait for another program's SQLite lock, made cancellable on its connection",
}


def _modules(path: Path) -> list[str]:
    """The modules `path` imports; `from ticketdesk.db import credentials` names the module
    `ticketdesk.db.credentials`."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py").exists()
                names.append(sub if is_module else node.module)
    return names


def _ui_offences() -> set[tuple[str, str]]:
    found = set()
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        module = str(path.relative_to(PACKAGE).as_posix())
        for name in _modules(path):
            if any(name == banned or name.startswith((banned + ".", banned + "_"))
                   for banned in UI_FORBIDDEN):
                found.add((module, name))
    return found


def _allowed(module: str, name: str) -> bool:
    return (module, name) in UI_ALLOWED or ("*", name) in UI_ALLOWED


def test_ui_imports_neither_db_nor_cli_beyond_the_named_exceptions() -> None:
    offences = sorted(f"{module} imports {name}" for module, name in _ui_offences()
                      if not _allowed(module, name))
    assert offences == [], "ui/ goes through services/ (see UI_ALLOWED for the exceptions)"


def test_the_ui_allow_list_names_only_imports_that_still_exist() -> None:
    found = _ui_offences()
    stale = sorted(f"{module} -> {name}" for module, name in UI_ALLOWED
                   if not any(n == name and module in ("*", m) for m, n in found))
    assert stale == [], "these exceptions are gone: remove them from UI_ALLOWED"


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


def test_the_desktop_and_the_command_line_load_no_web_server() -> None:
    """Starlette and uvicorn are the optional extra `api`: the window's modules, every service
    and the command line's parser load without them (only `ticketdesk serve` imports them)."""
    modules = sorted(
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for layer in ("domain", "db", "services", "ui") for path in (PACKAGE / layer).rglob("*.py")
        if path.name != "__main__.py")
    script = ("import importlib, sys\n"
              f"for name in {modules!r}: importlib.import_module(name.removesuffix('.__init__'))\n"
              "import ticketdesk.cli, ticketdesk.app\n"
              "ticketdesk.cli.build_parser()\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in "
              "('starlette', 'uvicorn', 'httpx', 'anyio')))\n")
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
