"""Conditions on a custom field's value beyond "one of these values" (issue 19): text contains,
is empty, is set; a number or a date compared, or between two ends. No Qt, no I/O.

List and checkbox fields are filtered by their values (`TicketFilter.custom`, alternatives);
these conditions serve text, number and date fields (`TicketFilter.field_conditions`, all must
hold). A condition holds the operand in the field's stored form (domain/custom_fields.py), so
a bad number or date is refused when the condition is made, with the field's name:

- text: contains (case-insensitive for the letters A-Z on both engines; `%` and `_` are plain
  characters), is empty (no value), is set;
- number: =, <, <=, >, >=, between (both ends included), compared as numbers;
- date: on, before, after (the day itself excluded), <=, >=, between (both ends included),
  over `YYYY-MM-DD` as the field stores them.

The command line's `--field` reads "Seats>=10", "Notes~printer", "Plan=Pro" (`parse`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ticketdesk.domain.custom_fields import TEXT_MAX, FieldDef, FieldKind, stored
from ticketdesk.domain.errors import ValidationError


class FieldOp(StrEnum):
    CONTAINS = "contains"
    EMPTY = "empty"
    SET = "set"
    EQ = "eq"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    BETWEEN = "between"


COMPARED = frozenset({FieldOp.EQ, FieldOp.LT, FieldOp.LE, FieldOp.GT, FieldOp.GE,
                      FieldOp.BETWEEN})
OPS: dict[FieldKind, tuple[FieldOp, ...]] = {
    FieldKind.TEXT: (FieldOp.CONTAINS, FieldOp.EMPTY, FieldOp.SET),
    FieldKind.NUMBER: (FieldOp.EQ, FieldOp.GE, FieldOp.LE, FieldOp.BETWEEN, FieldOp.GT,
                       FieldOp.LT, FieldOp.EMPTY, FieldOp.SET),
    FieldKind.DATE: (FieldOp.EQ, FieldOp.LT, FieldOp.GT, FieldOp.BETWEEN, FieldOp.LE,
                     FieldOp.GE, FieldOp.EMPTY, FieldOp.SET),
}
"""What each kind can be asked; list and checkbox fields are chosen by value instead."""

SYMBOLS = {FieldOp.EQ: "=", FieldOp.LT: "<", FieldOp.LE: "<=", FieldOp.GT: ">",
           FieldOp.GE: ">=", FieldOp.CONTAINS: "~"}
"""The command line's operators (`--field "Seats>=10"`)."""


@dataclass(frozen=True, order=True)
class FieldCondition:
    field_id: int
    op: FieldOp
    kind: FieldKind = FieldKind.TEXT
    """The field's kind: numbers compare as numbers, dates and text as text."""
    value: str = ""
    """The operand in the field's stored form (the text to find for `contains`)."""
    upto: str = ""
    """The upper end of `between`."""


def condition(field: FieldDef, op: FieldOp | str, value: str = "",
              upto: str = "") -> FieldCondition:
    """A checked condition on `field`; a ValidationError names the field and says what is
    wrong (an empty operand, a bad number or date, a range whose start is after its end)."""
    op = FieldOp(op)
    if op not in OPS.get(field.kind, ()):
        raise ValidationError(f"{field.name}: a {field.kind.value} field cannot be filtered "
                              f"with {op.value!r}.")
    if op in (FieldOp.EMPTY, FieldOp.SET):
        return FieldCondition(field.id, op, field.kind)
    if op == FieldOp.CONTAINS:
        needle = " ".join((value or "").split())
        if not needle:
            raise ValidationError(f"{field.name}: type the text to look for.")
        if len(needle) > TEXT_MAX:
            raise ValidationError(f"{field.name}: at most {TEXT_MAX} characters.")
        return FieldCondition(field.id, op, field.kind, needle)
    first = _operand(field, value)
    if op != FieldOp.BETWEEN:
        return FieldCondition(field.id, op, field.kind, first)
    last = _operand(field, upto)
    if _after(field, first, last):
        raise ValidationError(f"{field.name}: the range starts at {first}, after its end "
                              f"{last}.")
    return FieldCondition(field.id, op, field.kind, first, last)


def _operand(field: FieldDef, value: str) -> str:
    found = stored(field, value)
    if found is None:
        what = "a number" if field.kind == FieldKind.NUMBER else \
            "a date (YYYY-MM-DD)" if field.kind == FieldKind.DATE else "a value"
        raise ValidationError(f"{field.name}: give {what} to compare with.")
    return found


def _after(field: FieldDef, first: str, last: str) -> bool:
    if field.kind == FieldKind.NUMBER:
        return Decimal(first) > Decimal(last)
    return first > last


def parse(fields: list[FieldDef], typed: str) -> tuple[FieldDef, str, str]:
    """(field, operator symbol, operand) of the command line's "Seats>=10": the longest field
    name the text starts with, then one of = ~ < <= > >=. Names may hold those characters
    ("Cost (<5)") since the field's own name is matched first."""
    text = typed.strip()
    folded = text.casefold()
    for f in sorted(fields, key=lambda d: len(d.name), reverse=True):
        if not folded.startswith(f.name.casefold()):
            continue
        rest = text[len(f.name):].lstrip()
        for symbol in ("<=", ">=", "=", "~", "<", ">"):
            if rest.startswith(symbol):
                return f, symbol, rest[len(symbol):].strip()
    known = ", ".join(d.name for d in fields) or "none yet"
    raise ValidationError(f"--field wants NAME=VALUE, NAME~TEXT, NAME<VALUE, NAME<=VALUE, "
                          f"NAME>VALUE or NAME>=VALUE with one of the desk's fields ({known}); "
                          f"got {typed!r}.")


def from_symbol(field: FieldDef, symbol: str, operand: str) -> FieldCondition:
    """The condition of a command-line operator other than `=` (which stays an exact value,
    `TicketFilter.custom`)."""
    op = next(o for o, s in SYMBOLS.items() if s == symbol)
    if op == FieldOp.CONTAINS and field.kind != FieldKind.TEXT:
        raise ValidationError(f"{field.name}: ~ (contains) is for text fields; use = for a "
                              f"{field.kind.value} field.")
    if op != FieldOp.CONTAINS and field.kind not in (FieldKind.NUMBER, FieldKind.DATE):
        raise ValidationError(f"{field.name}: {symbol} compares numbers and dates; use = for a "
                              f"{field.kind.value} field.")
    return condition(field, op, operand)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def contains_pattern(needle: str) -> str:
    """The LIKE pattern (escape character backslash) finding `needle` anywhere in a value
    folded as the engines' lower() folds it (the letters A-Z): `%`, `_` and `\\` typed are
    plain characters; a NUL is dropped (no stored text holds one)."""
    folded = needle.replace("\x00", "").translate(_ASCII_LOWER)
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def as_text(c: FieldCondition, name: str) -> str:
    """The condition in the command line's words ("Seats>=10", "Notes~printer"), for a
    report's description of its filter."""
    if c.op == FieldOp.EMPTY:
        return f"{name} is empty"
    if c.op == FieldOp.SET:
        return f"{name} is set"
    if c.op == FieldOp.BETWEEN:
        return f"{name}>={c.value} and {name}<={c.upto}"
    return f"{name}{SYMBOLS[c.op]}{c.value}"
