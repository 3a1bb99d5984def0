"""OpenDocument spreadsheets (.ods, LibreOffice's own format): the first sheet's rows, streamed.

No kept library streams ODS (odfpy and pandas load the whole document), so the sheet is read
from the file's `content.xml` with an incremental XML parser (defusedxml's, which refuses
entity expansion and external entities in an untrusted file): one row in memory at a time,
whatever the size of the sheet.

Repeated rows and cells (`number-rows-repeated`, `number-columns-repeated`) are expanded, except
empty ones (a sheet ends with a million repeated empty rows); a date cell gives its ISO value,
a number its value, anything else its text.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ticketdesk.domain.errors import ValidationError

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")
MAX_REPEAT = 16_384
"""A filled cell or row repeated more often than this is a sheet's formatting, not data."""


def is_ods(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") and b"opendocument.spreadsheet" in head[:200]


def _value(cell: Element) -> str | None:
    kind = cell.get(f"{_OFFICE}value-type")
    if kind in ("float", "percentage", "currency"):
        return cell.get(f"{_OFFICE}value")
    if kind == "date":
        return cell.get(f"{_OFFICE}date-value")
    if kind == "time":
        return cell.get(f"{_OFFICE}time-value")
    if kind == "boolean":
        return cell.get(f"{_OFFICE}boolean-value")
    paragraphs = ["".join(p.itertext()) for p in cell.iter(f"{_TEXT}p")]
    return "\n".join(paragraphs) if paragraphs else None


def rows(path: Path, first_line: int = 1) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of every non-empty row of the first sheet from `first_line` on."""
    try:
        with zipfile.ZipFile(path) as book, book.open("content.xml") as content:
            line = 0
            for event, element in iterparse(content, events=("start", "end")):
                if element.tag == f"{_TABLE}table":
                    if event == "end":
                        return  # the first sheet only
                    continue
                if event != "end" or element.tag != f"{_TABLE}table-row":
                    continue
                repeat = min(int(element.get(f"{_TABLE}number-rows-repeated", "1")), MAX_REPEAT)
                cells: list[Any] = []
                for cell in element:
                    if cell.tag in _CELLS:
                        value = _value(cell)
                        times = int(cell.get(f"{_TABLE}number-columns-repeated", "1"))
                        cells.extend([value] * min(times, MAX_REPEAT))
                while cells and cells[-1] is None:
                    cells.pop()
                element.clear()
                if not cells:
                    line += int(element.get(f"{_TABLE}number-rows-repeated", "1") or 1)
                    continue
                for _ in range(repeat):
                    line += 1
                    if line >= first_line:
                        yield line, cells
    except (OSError, KeyError, zipfile.BadZipFile, ParseError, ValueError,
            DefusedXmlException) as exc:
        raise ValidationError(f"{path.name} is not an OpenDocument spreadsheet ({exc}).") from None
