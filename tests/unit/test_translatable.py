"""Every user-visible string in ticketdesk/ui goes through tr(): no English literal is handed
straight to a label, button, action, menu, tab, tooltip, title or message box (read from the
source, no Qt needed). Strings that travel as variables are marked with QT_TRANSLATE_NOOP
(ticketdesk/ui/labels.py) so the template still holds them; see tests/ui/test_translations.py."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ticketdesk" / "ui"

# Qt calls (and our helpers) whose text argument a user reads.
SINKS = {
    "setText", "setWindowTitle", "setPlaceholderText", "setToolTip", "setStatusTip",
    "setWhatsThis", "addMenu", "addTab", "insertTab", "setTabText", "addRow", "setTitle",
    "showMessage", "setLabelText", "setHeaderLabels", "addItem", "setItemText",
    "setAccessibleName", "setAccessibleDescription", "setInformativeText", "setDetailedText",
    "setSpecialValueText", "setSuffix", "setPrefix", "information", "warning", "critical",
    "question", "QLabel", "QPushButton", "QToolButton", "QCheckBox", "QRadioButton", "QGroupBox",
    "QAction", "QMessageBox", "plain_label", "ChoiceButton",
}


def _literal_text(node: ast.AST) -> str | None:
    """The English a literal argument carries: a string, the fixed parts of an f-string, or a
    concatenation of those."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return (_literal_text(node.left) or "") + (_literal_text(node.right) or "")
    return None


def untranslated(source: str) -> list[tuple[int, str, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else \
            func.id if isinstance(func, ast.Name) else None
        if name not in SINKS:
            continue
        for arg in node.args[:3]:
            text = _literal_text(arg)
            if text and any(ch.isalpha() for ch in text):
                found.append((node.lineno, name, text))
    return found


def test_the_checker_sees_a_bare_literal_and_accepts_tr() -> None:
    assert untranslated('label.setText("Hello")') == [(1, "setText", "Hello")]
    assert untranslated('b = QPushButton(f"Save {n}", self)') == [(1, "QPushButton", "Save ")]
    assert untranslated('label.setText(self.tr("Hello"))') == []
    assert untranslated('label.setText(f"{count:,} · {total}")') == []  # no words in it
    assert untranslated('label.setText(name)') == []


def test_no_ui_string_skips_tr() -> None:
    problems = [f"{path.relative_to(UI.parent.parent)}:{line}: {sink}({text!r})"
                for path in sorted(UI.rglob("*.py"))
                for line, sink, text in untranslated(path.read_text(encoding="utf-8"))]
    assert not problems, "wrap these in self.tr(...):\n" + "\n".join(problems)
