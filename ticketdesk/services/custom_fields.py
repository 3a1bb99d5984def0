"""A desk's custom fields (issue 19): definitions, a ticket's values, and the values of many
tickets for the list and the exports.

What each kind accepts and the one stored form of a value are `domain/custom_fields.py`. A
value change is a ticket change: one transaction, the version check, a `custom_field` activity
row ("Field changed: Contract: 12 → 15"). Defining, renaming and deleting fields is the desk
admin's work (on PostgreSQL agents may write values only, postgres_roles.TABLE_POLICY).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from peewee import fn

from ticketdesk.db.models import CustomField, CustomValue
from ticketdesk.db.store import Store
from ticketdesk.domain import field_conditions
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.custom_fields import FieldDef, FieldKind, field_name, options, shown, stored
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.field_conditions import FieldCondition
from ticketdesk.services import audit
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

CHANGED = Changes(tags=True)


def _defs() -> list[FieldDef]:
    return [FieldDef(fid, name, FieldKind(kind), tuple(o for o in opts.split("\n") if o), pos)
            for fid, name, kind, opts, pos in CustomField.select(
                CustomField.id, CustomField.name, CustomField.kind, CustomField.options,
                CustomField.position).order_by(CustomField.position, CustomField.id).tuples()]


def list_fields(session: Session) -> list[FieldDef]:
    with session.store.read():
        return _defs()


def _field(field_id: int) -> FieldDef:
    for f in _defs():
        if f.id == field_id:
            return f
    raise NotFoundError("That field no longer exists; the list has been refreshed.")


def _check_free(name: str, other_than: int | None = None) -> None:
    query = CustomField.select().where(fn.lower(CustomField.name) == name.lower())
    if other_than is not None:
        query = query.where(CustomField.id != other_than)
    if query.exists():
        raise ValidationError(f"A field called {name!r} already exists.")


def add_field(session: Session, name: str, kind: FieldKind | str,
              choices: str = "") -> tuple[int, Changes]:
    """A new field; `choices` (one a line) for a list field. Returns its id."""
    clean, kind = field_name(name), FieldKind.parse(str(kind))
    opts = options(kind, choices)
    with session.store.write():
        _check_free(clean)
        position = (CustomField.select(fn.MAX(CustomField.position)).scalar() or 0) + 1
        field_id = int(CustomField.insert(name=clean, kind=kind.value, options="\n".join(opts),
                                          position=position,
                                          created_at=session.now()).execute())
    return field_id, CHANGED


def edit_field(session: Session, field_id: int, name: str, choices: str | None = None) -> Changes:
    """Rename a field, and for a list field change its choices. A choice still in use on some
    ticket cannot be dropped (it would leave values the field refuses)."""
    clean = field_name(name)
    with session.store.write():
        current = _field(field_id)
        _check_free(clean, field_id)
        updates: dict[object, object] = {CustomField.name: clean}
        if current.kind == FieldKind.LIST and choices is not None:
            opts = options(current.kind, choices)
            kept = {o.casefold() for o in opts}
            dropped = [o for o in current.options if o.casefold() not in kept]
            used = [o for o in dropped if CustomValue.select().where(
                (CustomValue.field == field_id) & (CustomValue.value == o)).exists()]
            if used:
                raise ValidationError(f"{clean}: the choice {used[0]!r} is still used by "
                                      "tickets; change those tickets first.")
            updates[CustomField.options] = "\n".join(opts)
        CustomField.update(updates).where(CustomField.id == field_id).execute()
    return CHANGED


def field_in_use(session: Session, field_id: int) -> int:
    with session.store.read():
        return int(CustomValue.select().where(CustomValue.field == field_id).count())


def delete_field(session: Session, field_id: int) -> Changes:
    """The field and every ticket's value of it (the tickets' activity keeps the history)."""
    with session.store.write():
        current = _field(field_id)
        CustomValue.delete().where(CustomValue.field == current.id).execute()
        CustomField.delete().where(CustomField.id == current.id).execute()
    return CHANGED


def ticket_values(session: Session, ticket_id: int) -> dict[int, str]:
    """The ticket's stored values by field id (the Detail tab; read off the GUI thread)."""
    with session.store.read():
        return dict(CustomValue.select(CustomValue.field, CustomValue.value)
                    .where(CustomValue.ticket == ticket_id).tuples())


def set_values(session: Session, ticket_id: int, expected_version: int,
               values: Mapping[int, str | bool | None]) -> Changes:
    """Set several fields of one ticket (field id -> what was typed; None or '' clears) in one
    step; every value is checked before anything is written."""
    with session.store.write():
        defs = {f.id: f for f in _defs()}
        wanted: dict[int, str | None] = {}
        for field_id, raw in values.items():
            if field_id not in defs:
                raise NotFoundError("That field no longer exists; the list has been refreshed.")
            wanted[field_id] = stored(defs[field_id], raw)
        ticket = audit.fetch_ticket(ticket_id)
        audit.check_version(ticket, expected_version)
        current = dict(CustomValue.select(CustomValue.field, CustomValue.value)
                       .where(CustomValue.ticket == ticket_id).tuples())
        moves = [(fid, current.get(fid), new) for fid, new in wanted.items()
                 if current.get(fid) != new]
        if not moves:
            return Changes()
        version = audit.save_ticket(session, ticket, {})
        for fid, old, new in moves:
            write_value(ticket_id, fid, new)
            f = defs[fid]
            audit.record(session, ticket_id, version, ActivityKind.CUSTOM_FIELD,
                         f"{f.name}: {shown(f, old)}" if old is not None else None,
                         f"{f.name}: {shown(f, new)}" if new is not None else None,
                         ref_id=fid)
    return Changes(tickets=frozenset({ticket_id}))


def write_value(ticket_id: int, field_id: int, value: str | None) -> None:
    """Store one canonical value (None deletes), inside the caller's transaction."""
    CustomValue.delete().where((CustomValue.ticket == ticket_id)
                               & (CustomValue.field == field_id)).execute()
    if value is not None:
        CustomValue.insert(ticket=ticket_id, field=field_id, value=value).execute()


def values_for(ticket_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """Stored values of many tickets (ticket id -> field id -> value), inside the caller's
    read: the list's visible page and the export's batches."""
    ids = list(ticket_ids)
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for start in range(0, len(ids), 500):
        for tid, fid, value in CustomValue.select(
                CustomValue.ticket, CustomValue.field, CustomValue.value).where(
                CustomValue.ticket.in_(ids[start:start + 500])).tuples():
            found[tid][fid] = value
    return found


def filter_value(session: Session, field_id: int, raw: str | bool) -> tuple[int, str]:
    """A (field id, stored value) pair for `TicketFilter.custom`, checked like an edit."""
    with session.store.read():
        f = _field(field_id)
    value = stored(f, raw)
    if value is None:
        raise ValidationError(f"{f.name}: give a value to filter on.")
    return (f.id, value)



def field_counts(session: Session) -> list[tuple[FieldDef, int]]:
    """Every field with how many tickets have a value of it (Desk ▸ Custom Fields…)."""
    with session.store.read():
        counts = dict(CustomValue.select(CustomValue.field, fn.COUNT(CustomValue.ticket))
                      .group_by(CustomValue.field).tuples())
        return [(f, int(counts.get(f.id, 0))) for f in _defs()]


# -- in the tickets export and ticketdesk's own import ---------------------------------------

FIELD_PREFIX = "field:"
"""A custom field's column in `export tickets` and `import tickets`: "field:Seats"."""


def export_fields() -> list[FieldDef]:
    """The fields, in order, inside the export's read."""
    return _defs()


def export_headers(defs: list[FieldDef]) -> list[str]:
    return [FIELD_PREFIX + f.name for f in defs]


def export_cells(defs: list[FieldDef], values: dict[int, str]) -> list[str]:
    return [shown(f, values.get(f.id)) if values.get(f.id) is not None else "" for f in defs]


def import_values(rows: Iterable[tuple[int, int, tuple[tuple[str, str], ...]]]) -> int:
    """Store the `field:` cells of imported tickets (ticket id, file line, (name, cell)
    pairs), inside the import's transaction; a column naming no field of the desk or a value
    its field refuses stops the import with the line and the reason. Returns values stored."""
    by_name = {f.name.casefold(): f for f in _defs()}
    found: list[dict[str, object]] = []
    for ticket_id, line, cells in rows:
        for name, cell in cells:
            f = by_name.get(name.strip().casefold())
            if f is None:
                raise ValidationError(f"line {line}: the desk has no custom field called "
                                      f"{name.strip()!r}; add it under Desk ▸ Custom Fields "
                                      "first. Nothing was imported.")
            try:
                value = stored(f, cell)
            except ValidationError as exc:
                raise ValidationError(f"line {line}: {exc} Nothing was imported.") from None
            if value is not None and not (f.kind == FieldKind.CHECKBOX and value == "0"
                                          and not cell.strip()):
                found.append({"ticket": ticket_id, "field": f.id, "value": value})
    for start in range(0, len(found), 500):
        CustomValue.insert_many(found[start:start + 500]).execute()
    return len(found)


def filter_parts(session: Session, typed: list[str]) -> tuple[
        tuple[tuple[int, str], ...], tuple[FieldCondition, ...]]:
    """`TicketFilter.custom` and `.field_conditions` from the command line's `--field` texts:
    "Plan=Pro" (an exact value, checked like an edit), "Notes~printer" (contains), "Seats>=10",
    "Seats<5", "Renewal<=2026-06-30" (numbers and dates). An unknown field, an operator its
    kind cannot take, or a bad number or date is refused by name."""
    if not typed:
        return (), ()
    fields = list_fields(session)
    pairs: list[tuple[int, str]] = []
    conditions: list[FieldCondition] = []
    for item in typed:
        f, symbol, raw = field_conditions.parse(fields, item)
        if symbol != "=":
            conditions.append(field_conditions.from_symbol(f, symbol, raw))
            continue
        value = stored(f, raw)
        if value is None:
            raise ValidationError(f"{f.name}: give a value to filter on.")
        pairs.append((f.id, value))
    return tuple(pairs), tuple(conditions)


def page_values(store: Store, ids: list[int]) -> dict[int, dict[int, str]]:
    """The custom values of a page of list rows (the list's reader thread)."""
    with store.read():
        return dict(values_for(ids))
