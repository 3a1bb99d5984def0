"""The placeholder language of canned responses: `{{customer.first_name}}` and friends.

A placeholder is a known name between double braces; spaces inside the braces are allowed
(`{{ ticket.number }}`). Anything else that looks like one — an unknown name, a misspelt one, a
brace pair left open — is refused when a canned response is saved (`check`), so nothing like
`{{custmer.name}}` can ever reach a customer. `fill` replaces the known names with their values.
No Qt, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ticketdesk.domain.errors import ValidationError

PLACEHOLDERS: dict[str, str] = {
    "customer.first_name": "The customer's first name",
    "customer.name": "The customer's full name",
    "customer.email": "The customer's e-mail address",
    "ticket.number": "The ticket's number (TKT-000123)",
    "ticket.subject": "The ticket's subject",
    "agent.name": "Your name",
    "agent.first_name": "Your first name",
    "agent.signature": "Your mail signature",
}
"""Every name a canned response may use, with what it stands for."""

_BRACED = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_OPEN = re.compile(r"\{\{|\}\}")


def names_in(text: str) -> list[str]:
    """The placeholder names `text` uses, in order of first use."""
    seen: dict[str, None] = {}
    for match in _BRACED.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def unknown_in(text: str) -> list[str]:
    """What `text` uses that is not a placeholder: unknown names, and `{{`/`}}` left over."""
    unknown = [name for name in names_in(text) if name not in PLACEHOLDERS]
    leftover = _OPEN.findall(_BRACED.sub("", text))
    return unknown + (leftover[:1] if leftover else [])


def check(text: str) -> None:
    """Raise ValidationError naming every unknown placeholder in `text`."""
    unknown = unknown_in(text)
    if unknown:
        shown = ", ".join(f"“{u}”" if u in ("{{", "}}") else f"{{{{{u}}}}}" for u in unknown)
        known = ", ".join(f"{{{{{name}}}}}" for name in PLACEHOLDERS)
        raise ValidationError(
            f"Unknown placeholder {shown}: nothing was saved. Placeholders are {known}.")


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with every known placeholder replaced by its value ("" when it has none)."""
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            raise ValidationError(f"Unknown placeholder {{{{{name}}}}}.")
        return values.get(name, "")
    return _BRACED.sub(value, text)


def first_name(full_name: str) -> str:
    """"Ada Lovelace" -> "Ada"; "Lovelace, Ada" -> "Ada"; a single word is itself."""
    name = full_name.strip()
    if "," in name:
        name = name.partition(",")[2].strip() or name.partition(",")[0].strip()
    return name.split()[0] if name.split() else ""
