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


def join_list(names: list[str]) -> str:
    """Several names in one cell, ", "-separated ("Alice, Bob"). A name holding a comma or a
    double quote is written in double quotes, its quotes doubled, as in CSV itself
    ("Smith, Jo" -> `"Smith, Jo"`), so `split_list` gives back exactly the names."""
    return ", ".join(f'"{n.replace(chr(34), chr(34) * 2)}"' if ("," in n or '"' in n) else n
                     for n in names)


def split_list(cell: str) -> list[str]:
    """The names `join_list` wrote (blank entries dropped)."""
    import csv

    if not cell.strip():
        return []
    row = next(csv.reader([cell], skipinitialspace=True), [])
    return [name.strip() for name in row if name.strip()]
