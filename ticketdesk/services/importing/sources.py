"""Reading a file to import: CSV/TSV, XLSX, ODS, JSON array or NDJSON, into rows of text cells.

- **CSV/TSV**: the encoding is detected — a byte order mark (UTF-8, UTF-16), then strict
  UTF-8, then charset-normalizer choosing among the code pages exports are written in
  (Windows-1252, code page 850, Latin-1 ...); the separator is sniffed among `;`, `,`, tab
  and `|` from the first lines. Both can be given instead.
- **XLSX**: the first sheet, read with openpyxl in read-only mode, row by row; a date cell
  becomes ISO text (its time is local, like a spreadsheet's), a whole number loses its ".0".
  **ODS**: the first sheet, streamed the same way (`ods`).
- **JSON**: an array of objects, or one object per line (NDJSON). Nested objects are
  flattened ("requester.email"); a list of objects under `comments`, `conversations`,
  `messages`, `articles` or `notes` is the ticket's conversation (see `conversations`).
- The first row (or `header_row`) names the columns; `-`, `?`, `N/A`, `NULL`, `Not set` and empty
  cells are missing values; a row with every cell missing (spreadsheets write one at the end)
  is skipped.

`preview` gives the first rows and what was detected: what the wizard's first page shows.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ticketdesk.domain.errors import ValidationError
from ticketdesk.services.importing import ods

MISSING = frozenset({"", "-", "--", "?", "n/a", "na", "null", "none", "not set", "—", "#n/a"})
SEPARATORS = (";", ",", "\t", "|")
SAMPLE = 256 * 1024
FIELD_LIMIT = 16 * 1024 * 1024
CONVERSATION_KEYS = ("comments", "conversations", "messages", "articles", "notes")
_CODE_PAGES = ["cp1252", "cp850", "iso8859_15", "latin_1", "cp1250", "cp437", "mac_roman"]

Row = dict[str, str | None]
EXTRA_CELLS = "\x00extra cells"
"""The key of a row with more cells than the header has columns (reported, not read)."""


@dataclass
class Source:
    """One file, opened for reading as often as needed (a dry run, then the import)."""

    path: Path
    kind: str
    """"csv", "xlsx", "ods" or "json"."""
    encoding: str | None = None
    separator: str | None = None
    header_row: int = 1
    headers: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, Row, list[dict[str, Any]]]]:
        """(line, cells by header, nested conversation) for every row that is not empty."""
        if self.kind == "json":
            yield from _json_rows(self)
            return
        raw = _raw(self)
        next(raw, None)  # the header
        for line, cells in raw:
            row = _cells_to_row(self.headers, cells)
            if row is not None:
                yield line, row, []


@dataclass(frozen=True)
class Preview:
    source: Source
    rows: list[tuple[int, Row]]


def missing(value: Any) -> str | None:
    """The cell as text, or None for a missing value."""
    if value is None:
        return None
    if type(value) is str:  # the common case first: most cells of most files
        text = value.strip()
        return None if len(text) <= 7 and text.casefold() in MISSING else text
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, date | time):
        text = value.isoformat()
    else:
        text = str(value)
    return None if text.strip().casefold() in MISSING else text.strip()


def open_source(path: Path | str, *, encoding: str | None = None, separator: str | None = None,
                header_row: int = 1) -> Source:
    """The file with its format, encoding, separator and header detected (what is given is
    used as given)."""
    path = Path(path).expanduser()
    try:
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE)
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if not head.strip():
        raise ValidationError(f"{path.name} is empty; nothing was imported.")
    suffix = path.suffix.lower()
    if ods.is_ods(head) or suffix == ".ods":
        source = Source(path, "ods", header_row=header_row)
    elif head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        source = Source(path, "xlsx", header_row=header_row)
    elif suffix in (".json", ".ndjson", ".jsonl") or head.lstrip()[:1] in (b"[", b"{"):
        source = Source(path, "json", encoding=encoding or "utf-8-sig")
    else:
        source = Source(path, "csv", encoding=encoding or detect_encoding(head),
                        header_row=header_row)
        try:
            codecs.lookup(source.encoding or "")
        except LookupError:
            raise ValidationError(f"{encoding!r} is not an encoding.") from None
        source.separator = separator or sniff_separator(_decode_sample(head, source.encoding))
    source.headers = _headers(source)
    return source


def preview(path: Path | str, limit: int = 20, **options: Any) -> Preview:
    """The first `limit` rows with what was detected, for the wizard's first page."""
    source = open_source(path, **options)
    rows: list[tuple[int, Row]] = []
    for line, row, _ in source.rows():
        rows.append((line, row))
        if len(rows) >= limit:
            break
    return Preview(source, rows)


# -- detection --------------------------------------------------------------------------------

def detect_encoding(head: bytes) -> str:
    """The encoding of a text file from its first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[: len(head) - 4] if len(head) == SAMPLE else head  # a cut character
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 or UTF-32 without a mark
        if sample[1:4] == b"\x00\x00\x00":
            return "utf-32-le"
        if sample[:3] == b"\x00\x00\x00":
            return "utf-32-be"
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Several code pages read Western text equally well (cp1250 and cp1252 agree on ä, ö, ü,
    # é); among the plausible ones the most common for exports wins, in _CODE_PAGES' order.
    # cp437 and cp850 agree on the letters; cp850 is what European DOS-era tools wrote.
    results = list(from_bytes(sample, cp_isolation=_CODE_PAGES))
    if not results:
        return "cp1252"
    best = min(m.chaos for m in results)
    plausible = {"cp850" if name == "cp437" else name
                 for m in results if m.chaos <= best + 0.02
                 for name in (m.encoding, *m.could_be_from_charset)}
    return next((c for c in _CODE_PAGES if c in plausible), results[0].encoding)


def _decode_sample(head: bytes, encoding: str | None) -> str:
    return head.decode(encoding or "utf-8", errors="ignore")


def sniff_separator(text: str) -> str:
    """The separator whose count is the same, and highest, on the first lines."""
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        counts = {s: lines[0].count(s) for s in SEPARATORS}
        return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def _headers(source: Source) -> list[str]:
    if source.kind == "json":
        names: dict[str, None] = {}
        for _line, row, _ in _json_rows(source, every_key=True):
            names.update(dict.fromkeys(row))
        return list(names)
    for _line, cells in _raw(source):
        names_list = [(c or "").strip() for c in cells]
        seen: dict[str, int] = {}
        unique = []
        for i, given in enumerate(names_list):
            name = given or f"column {i + 1}"
            seen[name] = seen.get(name, 0) + 1
            unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
        return unique
    raise ValidationError(f"{source.path.name} has no header row; nothing was imported.")


# -- reading ----------------------------------------------------------------------------------

def _raw(source: Source) -> Iterator[tuple[int, list[Any]]]:
    """(line, cells) of every row from the header row on."""
    if source.kind == "xlsx":
        yield from _xlsx_raw(source)
        return
    if source.kind == "ods":
        yield from ods.rows(source.path, source.header_row)
        return
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    with open(source.path, encoding=source.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=source.separator or ",")
        start = 1
        try:
            for cells in reader:
                if start >= source.header_row:
                    yield start, cells
                start = reader.line_num + 1
        except UnicodeDecodeError:
            raise ValidationError(
                f"{source.path.name} is not {source.encoding} text near line {start}; name "
                "its encoding (--encoding cp1252, utf-8 ...).") from None
        except csv.Error as exc:
            raise ValidationError(f"{source.path.name}, line {start}: this is not valid CSV "
                                  f"({exc}).") from None


def _cells_to_row(headers: list[str], cells: list[Any]) -> Row | None:
    values = [missing(c) for c in cells]
    if all(v is None for v in values):
        return None
    if len(values) > len(headers) and any(v is not None for v in values[len(headers):]):
        return {EXTRA_CELLS: "yes"}
    return dict(zip(headers, values + [None] * (len(headers) - len(values)), strict=False))


def _xlsx_raw(source: Source) -> Iterator[tuple[int, list[Any]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(source.path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError(f"{source.path.name} is not an XLSX workbook ({exc}).") from None
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number >= source.header_row:
                yield number, list(cells)
    finally:
        book.close()


def _flatten(value: dict[str, Any], prefix: str = "") -> tuple[Row, list[dict[str, Any]]]:
    row: Row = {}
    messages: list[dict[str, Any]] = []
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            inner, more = _flatten(item, f"{name}.")
            row.update(inner)
            messages += more
        elif isinstance(item, list) and key.lower() in CONVERSATION_KEYS:
            messages += [i for i in item if isinstance(i, dict)]
        elif isinstance(item, list) and item and all(isinstance(i, dict) for i in item):
            continue  # other lists of objects (custom fields, attachments) are not columns
        elif isinstance(item, list):
            row[name] = missing(", ".join(str(i) for i in item if i is not None))
        else:
            row[name] = missing(item)
    return row, messages


def _json_records(source: Source) -> Iterator[tuple[int, Any]]:
    try:
        with open(source.path, encoding=source.encoding or "utf-8-sig") as fh:
            first = fh.read(1)
            while first and first.isspace():
                first = fh.read(1)
            if first == "[":
                fh.seek(0)
                data = json.load(fh)
                for number, item in enumerate(data, start=1):
                    yield number, item
                return
            fh.seek(0)
            for number, text in enumerate(fh, start=1):
                if text.strip():
                    yield number, json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{source.path.name} is not JSON or NDJSON ({exc}).") from None


def _json_rows(source: Source, *, every_key: bool = False
               ) -> Iterator[tuple[int, Row, list[dict[str, Any]]]]:
    """Each record flattened; with `every_key`, with its own keys rather than the headers."""
    for number, item in _json_records(source):
        if not isinstance(item, dict):
            raise ValidationError(f"{source.path.name}, record {number}: a ticket is a JSON "
                                  "object.")
        row, messages = _flatten(item)
        if all(v is None for v in row.values()) and not messages:
            continue
        if not every_key:
            row = {h: row.get(h) for h in source.headers}
        yield number, row, messages


def is_own_export(path: Path) -> bool:
    """Whether `ticketdesk import tickets` and the import wizard read this file with the own
    importer (services/importer.py, numbers kept): it is ticketdesk's own export when every
    header is one of its columns — or most of them are and no column could be the subject, a
    misspelt header of our own format, which the own importer names ("unknown column 'subjet'")
    better than a mapping could."""
    if str(path) == "-" or not path.is_file():
        return True  # only the own importer reads a stream
    from ticketdesk.domain.import_mapping import suggest
    from ticketdesk.services.export import COLUMNS

    try:
        source = open_source(path)
    except ValidationError:
        return True  # the own importer says what is wrong in its words
    if source.kind != "csv" or source.separator != ",":
        return False
    names = [h.strip().lower() for h in source.headers]
    own = sum(1 for n in names if n in COLUMNS)
    if own == len(names) and "subject" in names:
        return True
    targets = set(suggest(source.headers).columns.values())
    return own * 2 >= len(names) and not targets & {"subject", "description"}
