"""The window fixtures of tests/ui, for the reliability tests that drive the window."""

from tests.ui.conftest import open_window, settings  # noqa: F401 - fixtures, used by name
