"""The ticket filter and sort as SQL. Filtering, sorting and searching happen here, in the
database, never over Python lists (ticketdesk/ARCHITECTURE.md, "One million tickets")."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from peewee import JOIN, SQL, Expression, Node, NodeList, Value, fn

from ticketdesk.db.models import (
    Agent,
    Category,
    Customer,
    CustomerTag,
    CustomerTagLink,
    CustomValue,
    Tag,
    Ticket,
    TicketAssignee,
    TicketTag,
)
from ticketdesk.domain.clock import day_end, day_start, local_date, local_midnight, utc_now
from ticketdesk.domain.custom_fields import FieldKind
from ticketdesk.domain.field_conditions import FieldCondition, FieldOp, contains_pattern
from ticketdesk.domain.filters import DateField, DueWindow, Sort, SortKey, TicketFilter
from ticketdesk.domain.numbers import read_search
from ticketdesk.domain.sla import Phase, SlaState
from ticketdesk.domain.status import Status

DATE_COLUMNS = {
    DateField.CREATED: Ticket.created_at,
    DateField.UPDATED: Ticket.updated_at,
    DateField.RESOLVED: Ticket.resolved_at,
    DateField.CLOSED: Ticket.closed_at,
    DateField.FIRST_RESPONSE: Ticket.first_response_at,
}


def _and(parts: list[Any]) -> Any:
    result = None
    for part in parts:
        result = part if result is None else (result & part)
    return result


def _ids(query: Any) -> list[int]:
    return [row[0] for row in query.tuples()]


def text_condition(text: str, backend: Any) -> Any | None:
    """A full ticket number finds exactly that ticket; any other text is a full-text search
    over number, customer, subject, description, conversation and notes."""
    search = read_search(text)
    if search.number is not None:
        return Ticket.id == search.number
    if search.query is None:
        return None
    sql, params = backend.search_ids_sql(search.query)
    found = Ticket.id.in_(SQL(f"({sql})", params))
    category = named_category(text)
    return found if category is None else (found | (Ticket.category == category))


def named_category(text: str) -> str | None:
    """The category the whole search text names (any case), if any: its tickets match the
    search too (issue 19). One lookup in the small `category` table; when the text names none,
    the search's SQL is exactly the full-text one."""
    words = " ".join(text.split())
    if not words or len(words) > 200 or not words.isprintable():
        return None  # no category name is that long or holds control characters
    found = Category.select(Category.name).where(fn.lower(Category.name) == words.lower())
    name = found.scalar()
    return None if name is None else str(name)


def sla_conditions(f: TicketFilter, now: int | None = None,
                   tz: tzinfo | None = None) -> list[Any]:
    """The SLA criteria over the stored instants (migration 12): a state at `now` is a range
    on one indexed column, so "breached" or "due within the hour" never scan the tickets."""
    if not (f.sla or f.due or f.needs_first_reply):
        return []
    at = utc_now() if now is None else now
    parts: list[Any] = []
    if f.sla:
        parts.append(_or([_sla_state(s, at) for s in sorted(f.sla)]))
    if f.due == DueWindow.HOUR:
        parts.append((Ticket.sla_due >= at) & (Ticket.sla_due < at + 3600))
    elif f.due == DueWindow.TODAY:
        from datetime import timedelta

        day = local_date(at, tz)
        parts.append((Ticket.sla_due >= local_midnight(day, tz))
                     & (Ticket.sla_due < local_midnight(day + timedelta(days=1), tz)))
    if f.needs_first_reply:
        parts.append(Ticket.first_response_at.is_null()
                     & Ticket.status.in_([int(Status.OPEN), int(Status.IN_PROGRESS)]))
    return parts


def sla_probes(f: TicketFilter, now: int | None = None) -> list[Any]:
    """For a filter with SLA states: one query a state over the index that serves it, whose ids
    include every ticket the state can match (a superset: the breach is not checked for at
    risk, paused or met). Empty without states. `ticketdesk.services.ticket_list.first_page`
    reads a few of each to tell a rare state from a common one."""
    if not f.sla:
        return []
    at = utc_now() if now is None else now
    probes = []
    for state in sorted(f.sla):
        if state == SlaState.BREACHED:
            where = Ticket.sla_breach_at <= at
        elif state == SlaState.AT_RISK:
            where = (Ticket.sla_state == int(Phase.RUNNING)) & (Ticket.sla_risk_at <= at)
        else:
            phase = {SlaState.NONE: Phase.NONE, SlaState.PAUSED: Phase.PAUSED,
                     SlaState.MET: Phase.DONE, SlaState.ON_TRACK: Phase.RUNNING}[state]
            where = Ticket.sla_state == int(phase)
        probes.append(Ticket.select(Ticket.id).where(where))
    return probes


def among(query: Any, ids: list[int]) -> Any:
    """`query` (a select of ticket ids) narrowed to `ids`."""
    return query.where(Ticket.id.in_(ids))


def _sla_state(state: SlaState, at: int) -> Any:
    if state == SlaState.BREACHED:
        return Ticket.sla_breach_at <= at
    not_breached = Ticket.sla_breach_at.is_null() | (Ticket.sla_breach_at > at)
    phase = {SlaState.NONE: Phase.NONE, SlaState.PAUSED: Phase.PAUSED, SlaState.MET: Phase.DONE,
             SlaState.AT_RISK: Phase.RUNNING, SlaState.ON_TRACK: Phase.RUNNING}[state]
    condition = (Ticket.sla_state == int(phase)) & not_breached
    if state == SlaState.AT_RISK:
        condition &= Ticket.sla_risk_at <= at
    elif state == SlaState.ON_TRACK:
        condition &= Ticket.sla_risk_at.is_null() | (Ticket.sla_risk_at > at)
    return condition


def _or(parts: list[Any]) -> Any:
    result = parts[0]
    for part in parts[1:]:
        result = result | part
    return result


def filter_condition(f: TicketFilter, backend: Any, tz: tzinfo | None = None, *,
                     now: int | None = None) -> Any | None:
    """The WHERE condition on `ticket` for `f`, or None for "everything". `now` is the moment
    SLA states are read at (default: the current time)."""
    parts: list[Any] = sla_conditions(f, now, tz)
    text = text_condition(f.text, backend)
    if text is not None:
        parts.append(text)
    if f.statuses:
        parts.append(Ticket.status.in_(sorted(int(s) for s in f.statuses)))
    if f.priorities:
        parts.append(Ticket.priority.in_(sorted(int(p) for p in f.priorities)))
    column = DATE_COLUMNS[f.date_field]
    if f.date_from is not None:
        parts.append(column >= day_start(f.date_from, tz))
    if f.date_to is not None:
        parts.append(column < day_end(f.date_to, tz))
    if f.tags:
        tag_ids = _ids(Tag.select(Tag.id).where(Tag.name.in_(sorted(f.tags))))
        parts.append(Ticket.id.in_(
            TicketTag.select(TicketTag.ticket).where(TicketTag.tag.in_(tag_ids))))
    if f.customer_tags:
        tag_ids = _ids(CustomerTag.select(CustomerTag.id)
                       .where(CustomerTag.name.in_(sorted(f.customer_tags))))
        parts.append(Ticket.customer.in_(
            CustomerTagLink.select(CustomerTagLink.customer)
            .where(CustomerTagLink.tag.in_(tag_ids))))
    if f.assignees or f.unassigned:
        either: list[Any] = []
        if f.assignees:
            either.append(Ticket.id.in_(
                TicketAssignee.select(TicketAssignee.ticket)
                .where(TicketAssignee.agent.in_(sorted(f.assignees)))))
        if f.unassigned:
            either.append(~fn.EXISTS(
                TicketAssignee.select(SQL("1")).where(TicketAssignee.ticket == Ticket.id)))
        parts.append(either[0] if len(either) == 1 else (either[0] | either[1]))
    if f.customer_id is not None:
        parts.append(Ticket.customer == f.customer_id)
    if f.categories:
        parts.append(Ticket.category.in_(sorted(f.categories)))
    parts += custom_conditions(f, backend)
    return _and(parts)


def custom_conditions(f: TicketFilter, backend: Any) -> list[Any]:
    """The custom-field criteria (issue 19): values of list and checkbox fields (alternatives
    per field), and each condition on a text, number or date field.

    Each is an EXISTS probe of the ticket's own row of the field (the (ticket_id, field_id)
    primary key), so the list walks its sort order's index and stops at a page: `id IN
    (SELECT ...)` made SQLite list every matching id first, then read each ticket and sort
    them (5.5 s CPU for a first page when 99% of a million tickets match; with EXISTS 0.1 ms).
    Measured with tests/bench/bench_custom_filters.py (README, "Tags, categories and custom
    fields")."""
    parts: list[Any] = []
    by_field: dict[int, list[str]] = {}
    for field_id, value in f.custom:
        by_field.setdefault(field_id, []).append(value)
    for field_id, values in sorted(by_field.items()):
        parts.append(_has_value(field_id, CustomValue.value.in_(sorted(values))))
    for c in f.field_conditions:
        parts.append(_field_condition(c, backend))
    return parts


def _has_value(field_id: int, test: Any = None) -> Any:
    """The ticket has a value of `field_id` (that passes `test`)."""
    own = (CustomValue.ticket == Ticket.id) & (CustomValue.field == field_id)
    return fn.EXISTS(CustomValue.select(SQL("1")).where(own if test is None else own & test))


def _field_condition(c: FieldCondition, backend: Any) -> Any:
    if c.op == FieldOp.EMPTY:
        return ~_has_value(c.field_id)
    if c.op == FieldOp.SET:
        return _has_value(c.field_id)
    if c.op == FieldOp.CONTAINS:
        return _has_value(c.field_id, NodeList((
            backend.text_sort_key(CustomValue.value), SQL("LIKE"), contains_pattern(c.value),
            SQL("ESCAPE '\\'"))))
    # Numbers compare as numbers; "=" compares the one stored form (domain/custom_fields.py).
    # Dates are ISO days: as text they sort as days.
    number = c.kind == FieldKind.NUMBER and c.op != FieldOp.EQ

    def key(node: Any) -> Any:
        return backend.number_key(node) if number else node

    value, first = key(CustomValue.value), key(Value(c.value))
    if c.op == FieldOp.BETWEEN:
        return _has_value(c.field_id, (value >= first) & (value <= key(Value(c.upto))))
    compared = {FieldOp.EQ: value == first, FieldOp.LT: value < first,
                FieldOp.LE: value <= first, FieldOp.GT: value > first,
                FieldOp.GE: value >= first}[c.op]
    return _has_value(c.field_id, compared)


def order_by(sort: Sort, backend: Any = None) -> list[Node]:
    """Columns to order by, ending in the ticket id so the order is total (stable paging).

    Sorting by customer puts tickets without one last in both directions, like blank cells in
    a spreadsheet, and the same on both engines (left to themselves, SQLite puts NULL first
    when ascending and PostgreSQL last). Text sorts by the backend's `text_sort_key`, which is
    the same order on both engines (SQLite's lower() folds ASCII only; PostgreSQL's follows the
    server's locale unless told otherwise).
    """
    text = backend.text_sort_key if backend is not None else fn.lower
    keys: dict[SortKey, list[Any]] = {
        SortKey.NUMBER: [Ticket.id],
        SortKey.SUBJECT: [text(Ticket.subject), Ticket.id],
        SortKey.STATUS: [Ticket.status, Ticket.created_at, Ticket.id],
        SortKey.PRIORITY: [Ticket.priority, Ticket.created_at, Ticket.id],
        SortKey.CUSTOMER: [text(Customer.name), Ticket.customer, Ticket.id],
        SortKey.CREATED: [Ticket.created_at, Ticket.id],
        SortKey.UPDATED: [Ticket.updated_at, Ticket.id],
        SortKey.DUE: [Ticket.sla_due, Ticket.id],
    }
    columns = [c.desc() if sort.descending else c.asc() for c in keys[sort.key]]
    if sort.key == SortKey.CUSTOMER:
        columns.insert(0, Ticket.customer.is_null().asc())
    if sort.key == SortKey.DUE:
        columns.insert(0, Ticket.sla_due.is_null().asc())
    return columns


def needs_customer_join(sort: Sort) -> bool:
    return sort.key == SortKey.CUSTOMER


def select_ids(f: TicketFilter, sort: Sort, backend: Any, tz: tzinfo | None = None, *,
               now: int | None = None) -> Any:
    """SELECT ticket.id matching `f`, in `sort` order."""
    query = Ticket.select(Ticket.id)
    if needs_customer_join(sort):
        from peewee import JOIN

        query = query.join(Customer, JOIN.LEFT_OUTER, on=(Ticket.customer == Customer.id))
    condition = filter_condition(f, backend, tz, now=now)
    if condition is not None:
        query = query.where(condition)
    return query.order_by(*order_by(sort, backend))


def ordered_parts(f: TicketFilter, sort: Sort, backend: Any,
                  tz: tzinfo | None = None, *, now: int | None = None) -> list[Any]:
    """Queries of ticket ids whose answers, one after the other, are `select_ids` in its order.

    Sorted by customer, `select_ids` needs a left join (tickets without a customer come last),
    and no index gives that order: both engines sort every ticket, 0.3–0.6 s at a million. Asked
    as two parts, each part comes from indexes and can stop at a LIMIT: tickets with a customer,
    walked in the customer-name index's order and each customer's tickets by id, then the
    tickets without one. With no filter, SQLite is told to start from the customers (a CROSS JOIN
    fixes its loop order; 0.5 ms for a first page instead of 330); with a filter it starts from
    the filter's index and sorts the few rows that match. PostgreSQL's planner chooses itself
    (migration 5's customer_name_sort serves the order).
    """
    if sort.key == SortKey.DUE:
        return _due_parts(f, sort, backend, tz, now)
    if sort.key != SortKey.CUSTOMER:
        return [select_ids(f, sort, backend, tz, now=now)]
    condition = filter_condition(f, backend, tz, now=now)
    key = backend.text_sort_key(Customer.name)

    def way(column: Any) -> Any:
        return column.desc() if sort.descending else column.asc()

    if backend.dialect.is_sqlite and condition is None:
        with_customer = (Customer.select(Ticket.id).join(Ticket, JOIN.CROSS)
                         .where(Ticket.customer == Customer.id))
    else:
        with_customer = (Ticket.select(Ticket.id)
                         .join(Customer, on=(Ticket.customer == Customer.id)))
        if condition is not None:
            with_customer = with_customer.where(condition)
    without = Ticket.select(Ticket.id).where(
        _and([Ticket.customer.is_null(), condition]) if condition is not None
        else Ticket.customer.is_null())
    return [with_customer.order_by(way(key), way(Customer.id), way(Ticket.id)),
            without.order_by(way(Ticket.id))]


def _due_parts(f: TicketFilter, sort: Sort, backend: Any, tz: tzinfo | None,
               now: int | None) -> list[Any]:
    """Sorted by due: tickets with a running clock in the (sla_due, id) index's order, then the
    others by id, both read from indexes and able to stop at a LIMIT (one query ordering by
    `sla_due IS NULL` first would sort every ticket)."""
    condition = filter_condition(f, backend, tz, now=now)

    def way(column: Any) -> Any:
        return column.desc() if sort.descending else column.asc()

    with_due = Ticket.sla_due.is_null(False)
    without = Ticket.sla_due.is_null()
    if condition is not None and backend.dialect.is_sqlite:
        # Only tickets whose clock runs have a due (a few thousand of a million): walk them in
        # the due index and test the filter on each. Left to itself, SQLite starts from the
        # filter's index and sorts (a priority matches a quarter of the desk: 200 ms for a
        # first page instead of 2). A unary plus hides the filter's columns from the planner
        # in the first part, and the due's in the second, where the filter's index serves.
        with_due = with_due & _opaque(condition)
        without = _opaque(without) & condition
    elif condition is not None:
        with_due, without = with_due & condition, without & condition
    return [Ticket.select(Ticket.id).where(with_due).order_by(way(Ticket.sla_due),
                                                              way(Ticket.id)),
            Ticket.select(Ticket.id).where(without).order_by(way(Ticket.id))]


def _opaque(condition: Any) -> Node:
    """`condition` as SQLite evaluates it but no index is chosen for (`+(...)`)."""
    return NodeList((SQL("+("), condition, SQL(")")), glue="")


def list_rows(ticket_ids: list[int], backend: Any) -> Any:
    """What the ticket list shows of `ticket_ids`, in one query (one round trip to a server):
    id, subject, status, priority, customer name, the assignees' and the tags' names joined in
    name order, created, updated, and the stored SLA columns the badge is read from at paint
    time (nearest due, phase, risk and breach instants). The ids go in as integer literals: a
    page holds 200, and peewee would build a parameter of each."""
    listed = SQL("(" + ",".join(str(int(i)) for i in ticket_ids) + ")")
    assignees = (TicketAssignee.select(_names(Agent.name, backend)).join(Agent)
                 .where(TicketAssignee.ticket == Ticket.id))
    tags = (TicketTag.select(_names(Tag.name, backend)).join(Tag)
            .where(TicketTag.ticket == Ticket.id))
    return (Ticket.select(Ticket.id, Ticket.subject, Ticket.status, Ticket.priority,
                          Customer.name, assignees, tags, Ticket.created_at, Ticket.updated_at,
                          Ticket.sla_due, Ticket.sla_state, Ticket.sla_risk_at,
                          Ticket.sla_breach_at, Ticket.category)
            .join(Customer, JOIN.LEFT_OUTER, on=(Ticket.customer == Customer.id))
            .where(Ticket.id.in_(listed)))


def _names(column: Any, backend: Any) -> Node:
    """The names in `column` joined with ", " in name order (NULL for none)."""
    aggregate = "group_concat(" if backend.dialect.is_sqlite else "string_agg("
    return NodeList((SQL(aggregate), column, SQL(", ', ' ORDER BY"), column, SQL(")")))


def sla_alerts_query(agent_id: int, since: int, until: int) -> Any:
    """Tickets assigned to `agent_id` that turned at risk or breached in (since, until]: two
    ranges on the indexed instants, so a poll every minute costs next to nothing at a million
    tickets. Columns: id, subject, risk instant, breach instant, phase."""
    mine = Ticket.id.in_(TicketAssignee.select(TicketAssignee.ticket)
                         .where(TicketAssignee.agent == agent_id))
    breached = (Ticket.sla_breach_at > since) & (Ticket.sla_breach_at <= until)
    at_risk = ((Ticket.sla_risk_at > since) & (Ticket.sla_risk_at <= until)
               & (Ticket.sla_state == int(Phase.RUNNING)))
    return (Ticket.select(Ticket.id, Ticket.subject, Ticket.sla_risk_at, Ticket.sla_breach_at,
                          Ticket.sla_state)
            .where((breached | at_risk) & mine).order_by(Ticket.id))


def count_query(f: TicketFilter, backend: Any, tz: tzinfo | None = None, *,
                now: int | None = None) -> Any:
    query = Ticket.select(fn.count(Ticket.id))
    condition = filter_condition(f, backend, tz, now=now)
    return query.where(condition) if condition is not None else query


__all__ = [
    "Expression",
    "count_query",
    "filter_condition",
    "list_rows",
    "order_by",
    "ordered_parts",
    "select_ids",
]
