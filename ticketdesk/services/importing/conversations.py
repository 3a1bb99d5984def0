"""Conversations: one row per message, from a second file or nested in a JSON export.

Each message has the ticket's source id (in a second file), a time, an author, whether the
author is the customer or an agent, whether it is public or internal, and a body. A public
message becomes a turn of the conversation (in from the customer, out from an agent); an
internal one a note. When the export does not state a first response, it is the first public
agent reply.

Nested JSON messages are read by the names the known exports use: `body`, `body_text`,
`plain_body`, `html_body`; `created_at`, `created`, `date`; `author`, `from`, `from_email`,
`author.name`; `incoming` (Freshdesk), `sender` / `author.role` / `role` = customer, end-user,
requester; `public` (Zendesk), `private` (Freshdesk), `internal` (Zammad).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ticketdesk.domain import text
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.import_mapping import fold
from ticketdesk.services.importing.sources import missing, open_source
from ticketdesk.services.importing.times import TimeReader

_CUSTOMER = frozenset({"customer", "end user", "enduser", "requester", "contact", "client",
                       "kunde", "cliente", "klant", "user", "caller", "incoming", "in"})
_TRUE = frozenset({"1", "true", "yes", "y", "ja", "oui", "si", "sí", "wahr", "public"})
_COLUMNS = {
    "ticket": ("ticket id", "ticket", "ticket number", "id ticket", "ticket source id",
               "number", "ticketnummer", "source id", "parent", "id du ticket",
               "id del ticket"),
    "at": ("created at", "created", "date", "time", "timestamp", "sent at", "datum", "zeit",
           "fecha"),
    "author": ("author", "from", "from email", "sender name", "author name", "user", "autor",
               "auteur", "von", "rédacteur"),
    "role": ("role", "author role", "sender", "sender type", "from type", "type", "incoming"),
    "public": ("public", "visibility", "öffentlich", "publique"),
    "internal": ("internal", "private", "intern", "privé", "is internal"),
    "body": ("body", "body text", "text", "message", "comment", "content", "plain body",
             "nachricht", "inhalt", "texte", "contenu", "mensaje", "contenido", "bericht"),
}


@dataclass(frozen=True)
class MessageIn:
    at: int | None
    author: str
    customer: bool
    public: bool
    body: str


def _pick(record: dict[str, Any], names: tuple[str, ...]) -> Any:
    folded = {fold(k): v for k, v in record.items()}
    for name in names:
        if (value := folded.get(fold(name))) is not None:
            return value
    return None


def read_message(record: dict[str, Any], reader: TimeReader) -> MessageIn:
    """One message from a flat or nested record; ValidationError when it has no body."""
    author_obj = record.get("author") if isinstance(record.get("author"), dict) else {}
    body = missing(_pick(record, _COLUMNS["body"]) or _pick(record, ("html body",)))
    if body is None:
        raise ValidationError("a message has no body")
    at_text = missing(_pick(record, _COLUMNS["at"]))
    author = missing(_pick(record, _COLUMNS["author"]) if not author_obj
                     else author_obj.get("name") or author_obj.get("email")) or ""
    role = _pick(record, _COLUMNS["role"])
    if role is None and author_obj:
        role = author_obj.get("role")
    customer = role is True or (isinstance(role, str) and fold(role) in _CUSTOMER)
    public_value = _pick(record, _COLUMNS["public"])
    internal_value = _pick(record, _COLUMNS["internal"])
    if public_value is not None:
        public = public_value is True or fold(str(public_value)) in _TRUE
    elif internal_value is not None:
        public = not (internal_value is True or fold(str(internal_value)) in _TRUE)
    else:
        public = True
    return MessageIn(at=reader.read(at_text, "message time") if at_text else None,
                     author=text.optional_line(author, "message author"), customer=customer,
                     public=public, body=text.body(body, "message", required=True))


def read_file(path: Path | str, reader: TimeReader
              ) -> tuple[dict[str, list[MessageIn]], list[tuple[int, str]]]:
    """The messages of a conversations file by ticket source id, and its bad rows."""
    source = open_source(path)
    ticket_header = next((h for h in source.headers
                          if fold(h) in {fold(n) for n in _COLUMNS["ticket"]}), None)
    if ticket_header is None:
        raise ValidationError(f"{source.path.name} has no column naming the ticket of each "
                              "message (ticket id, ticket number ...).")
    found: dict[str, list[MessageIn]] = defaultdict(list)
    bad: list[tuple[int, str]] = []
    for line, row, _ in source.rows():
        ticket = row.get(ticket_header)
        if ticket is None:
            bad.append((line, "no ticket id"))
            continue
        try:
            found[ticket].append(read_message({k: v for k, v in row.items()
                                               if k != ticket_header}, reader))
        except ValidationError as exc:
            bad.append((line, str(exc).rstrip(".")))
    return dict(found), bad


def first_public_reply(messages: list[MessageIn]) -> int | None:
    return min((m.at for m in messages if m.public and not m.customer and m.at is not None),
               default=None)
