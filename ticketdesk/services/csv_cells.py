"""CSV cells that are safe to open in a spreadsheet and still round-trip exactly.

A cell starting with = + - @ tab or CR could run as a formula in Excel or LibreOffice (OWASP
"CSV injection"); we prefix it with an apostrophe, which spreadsheets show as text. To keep the
file lossless for our own import, a cell that already starts with an apostrophe gets one more, and
`restore` removes exactly one leading apostrophe.
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(_TRIGGERS) else value


def restore(value: str) -> str:
    return value[1:] if value.startswith("'") else value
