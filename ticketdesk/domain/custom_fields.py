"""A desk's custom fields (issue 19): what each kind accepts, and the one stored form of a value.

Values are stored as text in a canonical form, so equal values compare equal in SQL (the
filter is `value = ?` over an index) and sort sensibly inside one field:

- text: the trimmed line (at most `TEXT_MAX` characters);
- number: a decimal without exponent or trailing zeros ("12.5", "-3"); "abc" is refused;
- date: ISO `YYYY-MM-DD` (also read from `YYYY/MM/DD`; day-first and month-first dates
  cannot be told apart, so they are refused);
- list: one of the field's options, in the option's own spelling (case-insensitive match);
- checkbox: "1" or "0" (read from yes/no, true/false, 1/0, x, and the empty cell as no).

An empty input clears the value (no row), except for a checkbox, where it means unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from ticketdesk.domain.errors import ValidationError

NAME_MAX = 60
TEXT_MAX = 500
OPTION_MAX = 80


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    LIST = "list"
    CHECKBOX = "checkbox"

    @classmethod
    def parse(cls, value: str) -> FieldKind:
        try:
            return cls(value.strip().casefold())
        except ValueError:
            kinds = ", ".join(k.value for k in cls)
            raise ValidationError(f"{value!r} is not a kind of field; choose one of {kinds}.") \
                from None


@dataclass(frozen=True)
class FieldDef:
    id: int
    name: str
    kind: FieldKind
    options: tuple[str, ...] = ()
    position: int = 0


_TRUE = frozenset({"1", "yes", "y", "true", "x", "on", "checked"})
_FALSE = frozenset({"0", "no", "n", "false", "", "off", "unchecked"})
_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def field_name(text: str) -> str:
    name = " ".join((text or "").split())
    if not name:
        raise ValidationError("A field needs a name.")
    if len(name) > NAME_MAX:
        raise ValidationError(f"A field's name has at most {NAME_MAX} characters.")
    return name


def options(kind: FieldKind, text: str) -> tuple[str, ...]:
    """A list field's choices from one-a-line text; other kinds have none."""
    if kind != FieldKind.LIST:
        return ()
    found: dict[str, str] = {}
    for line in (text or "").splitlines():
        option = " ".join(line.split())
        if len(option) > OPTION_MAX:
            raise ValidationError(f"The choice {option[:20]!r}… is longer than {OPTION_MAX} "
                                  "characters.")
        if option:
            found.setdefault(option.casefold(), option)
    if not found:
        raise ValidationError("A list field needs at least one choice (one a line).")
    return tuple(found.values())


def stored(field: FieldDef, raw: str | bool | int | float | None) -> str | None:
    """The canonical text stored for `raw`, None to clear; a ValidationError names the field
    and says what it accepts."""
    if isinstance(raw, bool):
        raw = "1" if raw else "0"
    text = "" if raw is None else " ".join(str(raw).split())
    if field.kind == FieldKind.CHECKBOX:
        folded = text.casefold()
        if folded in _TRUE:
            return "1"
        if folded in _FALSE:
            return "0"
        raise ValidationError(f"{field.name}: {text!r} is not yes or no.")
    if not text:
        return None
    if field.kind == FieldKind.TEXT:
        if len(text) > TEXT_MAX:
            raise ValidationError(f"{field.name}: at most {TEXT_MAX} characters.")
        return text
    if field.kind == FieldKind.NUMBER:
        return _number(field.name, text)
    if field.kind == FieldKind.DATE:
        return _date(field.name, text)
    for option in field.options:
        if option.casefold() == text.casefold():
            return option
    raise ValidationError(f"{field.name}: {text!r} is not one of the choices "
                          f"({', '.join(field.options)}).")


def _number(name: str, text: str) -> str:
    try:
        value = Decimal(text.replace(" ", "").replace("_", ""))
    except InvalidOperation:
        raise ValidationError(f"{name}: {text!r} is not a number.") from None
    if not value.is_finite():
        raise ValidationError(f"{name}: {text!r} is not a number.")
    shown = format(value.normalize(), "f")
    return "0" if shown in ("-0", "0") else shown


def _date(name: str, text: str) -> str:
    match = _DATE.fullmatch(text[:10]) if len(text) <= 10 or text[10] in "T " else None
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            pass
    raise ValidationError(f"{name}: {text!r} is not a date; write it as YYYY-MM-DD.")


def shown(field: FieldDef, value: str | None) -> str:
    """A stored value as the list and exports show it ("yes"/"" for a checkbox)."""
    if value is None:
        return ""
    if field.kind == FieldKind.CHECKBOX:
        return "yes" if value == "1" else "no"
    return value
