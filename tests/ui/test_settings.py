"""One typed table of every key the app keeps in QSettings (issue 14): readers and writers go
through it, and a value that is missing or unreadable reads as the setting's default."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ticketdesk.ui import settings as s
from ticketdesk.ui.theme import Scheme

PACKAGE = Path(__file__).resolve().parents[2] / "ticketdesk"


def _ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_every_key_is_listed_once_with_its_type_and_default() -> None:
    keys = [setting.key for setting in s.SETTINGS]
    assert len(keys) == len(set(keys))
    assert {setting.type for setting in s.SETTINGS} <= {str, int, QByteArray}
    assert s.COLOR_SCHEME.default == Scheme.SYSTEM.value
    assert all(setting.description for setting in s.SETTINGS)


def test_no_module_reads_or_writes_a_settings_key_of_its_own() -> None:
    """Every `value(...)`/`setValue(...)` on settings takes a key from the table: no string key
    outside ui/settings.py."""
    offences = []
    for path in [*sorted((PACKAGE / "ui").rglob("*.py")), PACKAGE / "app.py"]:
        if path.name == "settings.py" and path.parent.name == "ui":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("value", "setValue", "bytes_value", "set_bytes")
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                offences.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offences == []


def test_values_round_trip_and_bad_ones_read_as_the_default(tmp_path: Path) -> None:
    ini = _ini(tmp_path)
    app = s.AppSettings(ini)
    assert s.DESK_URL.read(ini) is None
    assert app.agent_for("/desks/a.sqlite") is None
    s.DESK_URL.write(ini, "sqlite:////desks/a.sqlite")
    app.set_agent_for("/desks/a.sqlite", 7)
    app.set_bytes(s.WINDOW_GEOMETRY, QByteArray(b"\x01\x02"))
    ini.sync()
    again = s.AppSettings(_ini(tmp_path))
    assert s.DESK_URL.read(again.qsettings) == "sqlite:////desks/a.sqlite"
    assert again.agent_for("/desks/a.sqlite") == 7
    assert again.agent_for("/desks/b.sqlite") is None  # per desk
    assert again.bytes_value(s.WINDOW_GEOMETRY) == QByteArray(b"\x01\x02")
    assert again.bytes_value(s.WINDOW_STATE) is None
    # Edited by hand: an agent id that is not a number, an empty scheme.
    again.qsettings.setValue(s.DESK_AGENT.for_desk("/desks/a.sqlite").key, "seven")
    again.qsettings.setValue(s.COLOR_SCHEME.key, "")
    assert again.agent_for("/desks/a.sqlite") is None
    assert s.COLOR_SCHEME.read(again.qsettings) == "system"
