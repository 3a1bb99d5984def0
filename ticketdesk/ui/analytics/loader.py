"""pyqtgraph, imported on a background thread the first time the analytics view is shown.

The import costs 0.4–0.9 s (pyqtgraph copies every PySide6 class into its own namespace), which
on the GUI thread would freeze the window at its first Ctrl+2; the window's start-up never pays
it at all. On a thread the GUI keeps painting while it runs (the longest stall measured is one
shared-library load, ~60 ms on a loaded machine). The import creates no Qt objects; the charts
are built on the GUI thread once it is done.

The view polls `charts_module()` with a short timer rather than receiving a signal, so a view
closed meanwhile leaves nothing behind for the thread to call.
"""

from __future__ import annotations

import threading
from types import ModuleType


class _Import:
    """The one import of the process and its outcome."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.module: ModuleType | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            from ticketdesk.ui.analytics import charts

            self.module = charts
        except BaseException as exc:  # reported to the view, which shows it instead of charts
            self.error = exc


_IMPORT = _Import()


def start() -> None:
    """Begin the import (once per process)."""
    with _IMPORT.lock:
        if _IMPORT.thread is None:
            _IMPORT.thread = threading.Thread(target=_IMPORT.run, name="load-pyqtgraph")
            _IMPORT.thread.start()


def charts_module() -> ModuleType | None:
    """The charts module once imported, else None. Raises what the import raised."""
    if _IMPORT.error is not None:
        raise _IMPORT.error
    return _IMPORT.module


def wait() -> ModuleType:
    """Block until the import is done (tests and scripts only)."""
    start()
    thread = _IMPORT.thread
    if thread is not None:
        thread.join()
    module = charts_module()
    assert module is not None
    return module
