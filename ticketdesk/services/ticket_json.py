"""Tickets as JSON objects, for the HTTP API (`ticketdesk/api/`) and `ticketdesk ticket ...
--json` (cli_ticket.py): one shape, one set of names, one place.

The ticket object uses the product definition's names: `title`, `description`, `category`,
`priority`, `status`, `assignees`, `created_at`, `updated_at`, plus `id`, `number`, `version`,
`customer` (`{"name", "email"}` or null), `tags`, `first_response_at`, `resolved_at`,
`closed_at` and `resolution`. Times are ISO 8601 in UTC (`2026-03-31T14:05:00Z`). A retrieved
ticket also carries its `messages`, `notes` and `attachments`.

Writes go through the same services as the window (tickets, assignees, messages, notes,
attachments): their validation messages, activity rows and version checks. An update that
changes several fields runs them in one transaction: all or nothing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any

from peewee import Tuple, fn

from ticketdesk.db import ticket_query
from ticketdesk.db.models import Agent, Customer, Tag, Ticket, TicketAssignee, TicketTag
from ticketdesk.db.store import Store
from ticketdesk.domain.clock import format_utc
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.numbers import format_number, is_valid, parse_number
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import assignees as assign_service
from ticketdesk.services import tickets
from ticketdesk.services.attachments import attachments_for
from ticketdesk.services.changes import Changes
from ticketdesk.services.messages import messages_for
from ticketdesk.services.notes import notes_for
from ticketdesk.services.records import AttachmentRecord
from ticketdesk.services.session import Session

MAX_PAGE = 200
DEFAULT_PAGE = 50
CREATE_FIELDS = frozenset({"title", "description", "category", "priority", "customer", "tags",
                           "assignees"})
UPDATE_FIELDS = frozenset({"version", "title", "description", "category", "priority", "status",
                           "tags", "assignees", "note"})


def iso(epoch: int | None) -> str | None:
    return format_utc(epoch) if epoch is not None else None


def ticket_id_of(key: str | int) -> int:
    """A ticket id from `42` or `TKT-000042`; anything else is NotFound (as a URL would be)."""
    found = key if isinstance(key, int) else (
        int(key) if key.isascii() and key.isdigit() else parse_number(key))
    if found is None or not is_valid(found):
        raise NotFoundError(f"{str(key)[:40]!r} is not a ticket id or number (TKT-000123).")
    return found


_COLUMNS = (Ticket.id, Ticket.subject, Ticket.description, Ticket.category, Ticket.priority,
            Ticket.status, Ticket.customer.alias("customer_id"), Ticket.created_at,
            Ticket.updated_at, Ticket.first_response_at, Ticket.resolved_at, Ticket.closed_at,
            Ticket.resolution, Ticket.version)


def ticket_objects(ids: list[int]) -> list[dict[str, Any]]:
    """The ticket objects of `ids` (in that order; missing ones left out), in a few queries:
    the caller holds the read or write transaction."""
    if not ids:
        return []
    rows = {t.id: t for t in Ticket.select(*_COLUMNS).where(Ticket.id.in_(ids)).namedtuples()}
    names: dict[int, list[dict[str, Any]]] = {}
    for tid, aid, name in (TicketAssignee.select(TicketAssignee.ticket, Agent.id, Agent.name)
                           .join(Agent).where(TicketAssignee.ticket.in_(ids))
                           .order_by(Agent.name).tuples()):
        names.setdefault(tid, []).append({"id": aid, "name": name})
    tags: dict[int, list[str]] = {}
    for tid, name in (TicketTag.select(TicketTag.ticket, Tag.name).join(Tag)
                      .where(TicketTag.ticket.in_(ids)).order_by(Tag.name).tuples()):
        tags.setdefault(tid, []).append(name)
    customer_ids = {t.customer_id for t in rows.values() if t.customer_id is not None}
    customers = {cid: {"name": name, "email": email} for cid, name, email in
                 Customer.select(Customer.id, Customer.name, Customer.email)
                 .where(Customer.id.in_(list(customer_ids))).tuples()} if customer_ids else {}
    return [_object(rows[i], names.get(i, []), tags.get(i, []), customers)
            for i in ids if i in rows]


def _object(t: Any, assignees: list[dict[str, Any]], tags: list[str],
            customers: Mapping[int, dict[str, str]]) -> dict[str, Any]:
    return {
        "id": t.id,
        "number": format_number(t.id),
        "title": t.subject,
        "description": t.description,
        "category": t.category,
        "priority": Priority(t.priority).label,
        "status": Status(t.status).label,
        "assignees": assignees,
        "customer": customers.get(t.customer_id) if t.customer_id is not None else None,
        "tags": tags,
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
        "first_response_at": iso(t.first_response_at),
        "resolved_at": iso(t.resolved_at),
        "closed_at": iso(t.closed_at),
        "resolution": t.resolution,
        "version": t.version,
    }


def attachment_object(a: AttachmentRecord) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "mime": a.mime, "size": a.size, "sha256": a.sha256,
            "message_id": a.message_id, "author": a.agent, "created_at": iso(a.created_at)}


def full_ticket(store: Store, key: str | int) -> dict[str, Any]:
    """A ticket with its conversation, internal notes and attachments (one consistent read)."""
    ticket_id = ticket_id_of(key)
    with store.read():
        found = ticket_objects([ticket_id])
        if not found:
            raise NotFoundError(f"Ticket {format_number(ticket_id)} does not exist.")
        obj = found[0]
        obj["messages"] = [
            {"id": m.id, "direction": "in" if m.incoming else "out",
             "author": m.agent, "body": m.body, "created_at": iso(m.created_at),
             "attachments": [attachment_object(a) for a in m.attachments]}
            for m in messages_for(ticket_id)]
        obj["notes"] = [{"id": n.id, "author": n.author, "body": n.body,
                         "created_at": iso(n.created_at), "updated_at": iso(n.updated_at),
                         "version": n.version} for n in notes_for(ticket_id)]
        obj["attachments"] = [attachment_object(a) for a in attachments_for(ticket_id)]
    return obj


# -- reading input -------------------------------------------------------------------------


def refuse_unknown(payload: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise ValidationError(f"Unknown field {unknown[0]!r}; the fields are "
                              f"{', '.join(sorted(allowed))}.")


def text_field(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"The {key} must be text.")
    return value


def _names(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ValidationError(f"The {what} must be a list of names.")
    return [str(v) for v in value]


def agent_ids(names: Iterable[str]) -> list[int]:
    """Active agents by name (or id), inside the caller's transaction."""
    found = []
    for name in names:
        query = Agent.select(Agent.id).where(Agent.active == True)  # noqa: E712
        query = (query.where(Agent.id == int(name)) if name.isdigit()
                 else query.where(fn.lower(Agent.name) == name.strip().lower()))
        agent_id = query.scalar()
        if agent_id is None:
            raise ValidationError(f"There is no active agent called {name!r}.")
        found.append(int(agent_id))
    return list(dict.fromkeys(found))


def _customer(session: Session, value: Any) -> tuple[int | None, tickets.NewCustomer | None]:
    """An existing customer found by email, or one to create with the ticket."""
    if value is None:
        return None, None
    if not isinstance(value, dict) or set(value) - {"name", "email"}:
        raise ValidationError('The customer must be an object {"name": ..., "email": ...}.')
    email = text_field(value, "email").strip()
    name = text_field(value, "name").strip()
    if email:
        found = (Customer.select(Customer.id).where(fn.lower(Customer.email) == email.lower())
                 .order_by(Customer.id).scalar())
        if found is not None:
            return int(found), None
    if not name:
        name = email
    return None, tickets.NewCustomer(name=name, email=email)


# -- writing --------------------------------------------------------------------------------


def create(session: Session, payload: Mapping[str, Any], *, channel: str = "api") -> int:
    """Create a ticket from a JSON object; returns its id. The customer is looked up by email
    inside the creating transaction, so two creates for one new address make one customer."""
    refuse_unknown(payload, CREATE_FIELDS)
    if "title" not in payload:
        raise ValidationError("A ticket needs a title.")
    with session.store.write():
        customer_id, new_customer = _customer(session, payload.get("customer"))
        changes = tickets.create_ticket(
            session, subject=text_field(payload, "title"),
            description=text_field(payload, "description"),
            category=text_field(payload, "category"),
            priority=text_field(payload, "priority") or Priority.MEDIUM,
            customer_id=customer_id, new_customer=new_customer,
            tags=_names(payload.get("tags"), "tags"),
            assignee_ids=agent_ids(_names(payload.get("assignees"), "assignees")),
            channel=channel)
    return changes.new_id


def update(session: Session, key: str | int, payload: Mapping[str, Any]) -> Changes:
    """Change the fields given, stating the `version` read; all in one transaction. A stale
    version raises ConflictError listing what changed since."""
    refuse_unknown(payload, UPDATE_FIELDS)
    version = payload.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationError("An update states the ticket's version it read (\"version\").")
    ticket_id = ticket_id_of(key)
    changes = Changes()
    with session.store.write():
        from ticketdesk.services import audit

        audit.check_version(audit.fetch_ticket(ticket_id), version)

        def now() -> int:
            return int(Ticket.select(Ticket.version).where(Ticket.id == ticket_id).scalar())

        edits = {k: text_field(payload, src) for k, src in
                 (("subject", "title"), ("description", "description"),
                  ("category", "category")) if src in payload}
        if edits:
            changes |= tickets.edit_ticket(session, ticket_id, now(), **edits)
        if "priority" in payload:
            changes |= tickets.set_priority(session, ticket_id, now(),
                                            text_field(payload, "priority"))
        if "status" in payload:
            changes |= tickets.set_status(session, ticket_id, now(), text_field(payload, "status"),
                                          note=text_field(payload, "note"))
        elif "note" in payload:
            raise ValidationError("A \"note\" goes with a status change.")
        if "tags" in payload:
            changes |= _set_tags(session, ticket_id, _names(payload["tags"], "tags"), now)
        if "assignees" in payload:
            wanted = agent_ids(_names(payload["assignees"], "assignees"))
            have = [a for (a,) in TicketAssignee.select(TicketAssignee.agent)
                    .where(TicketAssignee.ticket == ticket_id).tuples()]
            for agent_id in [a for a in have if a not in wanted]:
                changes |= assign_service.unassign(session, ticket_id, now(), agent_id)
            for agent_id in [a for a in wanted if a not in have]:
                changes |= assign_service.assign(session, ticket_id, now(), agent_id)
    return changes


def _set_tags(session: Session, ticket_id: int, names: list[str], now: Any) -> Changes:
    from ticketdesk.domain import text

    wanted = list(dict.fromkeys(text.tag(n) for n in names))
    have = [n for (n,) in Tag.select(Tag.name).join(TicketTag)
            .where(TicketTag.ticket == ticket_id).tuples()]
    changes = Changes()
    for name in [n for n in have if n not in wanted]:
        changes |= assign_service.remove_tag(session, ticket_id, now(), name)
    for name in [n for n in wanted if n not in have]:
        changes |= assign_service.add_tag(session, ticket_id, now(), name)
    return changes


# -- listing ----------------------------------------------------------------------------------


def encode_cursor(key: tuple[int, ...]) -> str:
    return base64.urlsafe_b64encode(
        ("<" + ",".join(str(k) for k in key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> tuple[int, ...]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = raw[1:].split(",")
        if raw.startswith("<") and len(parts) == size and all(p.isdigit() for p in parts):
            return tuple(int(p) for p in parts)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationError("The cursor is not one this server gave out for this filter; start "
                          "from the first page.")


def list_page(store: Store, f: TicketFilter, *, cursor: str | None = None,
              limit: int = DEFAULT_PAGE) -> tuple[list[dict[str, Any]], str | None]:
    """One page of tickets matching `f`, newest first, and the cursor of the next (None at the
    end).

    Keyset pagination: the cursor is the last ticket's sort key, and the next page is what
    sorts after it, so a ticket created while someone pages (newer than every page given out)
    never shifts, repeats or skips a page. The key is (created_at, id), the window's default
    order, which the status, priority and created indexes give with a LIMIT; a text search
    pages by id, the order its full-text index answers in."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"The limit must be between 1 and {MAX_PAGE}.")
    columns = [Ticket.id] if f.text.strip() else [Ticket.created_at, Ticket.id]
    with store.read():
        query = Ticket.select(*reversed(columns))
        condition = ticket_query.filter_condition(f, store.backend)
        if condition is not None:
            query = query.where(condition)
        if cursor:
            after = decode_cursor(cursor, len(columns))
            query = query.where(Tuple(*columns) < Tuple(*after) if len(columns) > 1
                                else columns[0] < after[0])
        rows = list(query.order_by(*(c.desc() for c in columns)).limit(limit + 1).tuples())
        items = ticket_objects([row[0] for row in rows[:limit]])
    last = rows[limit - 1] if len(rows) > limit else None
    return items, (encode_cursor(tuple(reversed(last))) if last is not None else None)


def customer_id_by_email(store: Store, email: str) -> int:
    """The customer a list filter names by email (NotFound makes an empty list impossible to
    mistake for a typo)."""
    with store.read():
        found = (Customer.select(Customer.id)
                 .where(fn.lower(Customer.email) == email.strip().lower())
                 .order_by(Customer.id).scalar())
    if found is None:
        raise ValidationError(f"There is no customer with the email {email!r}.")
    return int(found)

