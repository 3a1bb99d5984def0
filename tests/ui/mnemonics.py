"""Collecting access keys (&-mnemonics) per level: a window with its menu bar and docks, each
menu, each dialog (tests/ui/test_access_keys.py)."""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QMenuBar,
    QTabBar,
    QWidget,
)

_KEY = re.compile(r"&(.)")


def key_of(text: str) -> str | None:
    """The access key of a label ("Chan&ge…" -> "g"), None when it has none ("&&" is "&")."""
    for match in _KEY.finditer(text.replace("&&", "")):
        if not match.group(1).isspace():
            return match.group(1).lower()
    return None


def window_keys(window: QWidget) -> dict[str, list[str]]:
    """Every access key Alt+<key> reaches in `window`: its menu bar's titles, and the buttons,
    labels, group boxes and tabs of the window and its docks (hidden tabs too: one key, one
    owner, whichever tab is showing)."""
    texts: list[str] = []
    for bar in window.findChildren(QMenuBar):
        texts += [a.text() for a in bar.actions()]
    for button in window.findChildren(QAbstractButton):
        if _own(button, window):
            texts.append(button.text())
    for label in window.findChildren(QLabel):
        if _own(label, window):
            texts.append(label.text())
    for box in window.findChildren(QGroupBox):
        if _own(box, window):
            texts.append(box.title())
    for tabs in window.findChildren(QTabBar):
        if _own(tabs, window):
            texts += [tabs.tabText(i) for i in range(tabs.count())]
    return _owners(texts)


def menu_keys(menu: QMenu) -> dict[str, list[str]]:
    return _owners([a.text() for a in menu.actions() if not a.isSeparator()])


def all_menus(window: QMainWindow) -> list[QMenu]:
    """The menu bar's menus and their submenus, depth first."""
    found: list[QMenu] = []

    def walk(menu: QMenu) -> None:
        found.append(menu)
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu())  # type: ignore[arg-type]

    for action in window.menuBar().actions():
        if action.menu() is not None:
            walk(action.menu())  # type: ignore[arg-type]
    return found


def duplicates(owners: dict[str, list[str]]) -> dict[str, list[str]]:
    return {key: texts for key, texts in owners.items() if len(texts) > 1}


def _owners(texts: list[str]) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        key = key_of(text)
        if key is not None:
            owners[key].append(text)
    return dict(owners)


def _own(widget: QWidget, window: QWidget) -> bool:
    """`widget` belongs to `window` itself, not to a dialog or menu parented to it."""
    top = widget.window()
    return top is window or (top.parentWidget() is window and not top.isModal()
                             and not isinstance(top, QMenu) and top.isWindow()
                             and type(top).__name__ == "QDockWidget")
