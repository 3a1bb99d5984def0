"""SLA operations: keep each ticket's stored SLA current, recompute every ticket after the rules
change, and edit the rules (policies, business hours, holidays).

The SLA is a pure function of the ticket's history (domain/sla.py); this module reads that
history from the activity trail and the ticket row and stores the result in the ticket's SLA
columns (migration 12), so the list filters and sorts by it in SQL. `refresh` runs inside the
write transaction of every change that can move a due time (the hook is `audit.record`), and
`recompute` walks every ticket in chunks after a policy or calendar change. Both call the same
`compute_many`, so recompute gives what the live computation stored (a test holds them equal).
Nothing here touches Qt; the window calls these from a worker (ticketdesk/ARCHITECTURE.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from peewee import fn

from ticketdesk.db.models import (
    Activity,
    DeskMeta,
    SlaHoliday,
    SlaHours,
    SlaPolicy,
    SlaTarget,
    Ticket,
)
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.business_time import BusinessCalendar, WeeklySchedule, zone
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.progress import Progress
from ticketdesk.domain.sla import (
    NO_SLA,
    Event,
    EventKind,
    Facts,
    History,
    Policy,
    Targets,
    TicketSla,
    compute,
    state_at,
)
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services.changes import Changes
from ticketdesk.services.csv_cells import neutralise
from ticketdesk.services.session import Session

RULES_KEY = "sla_rules"
"""desk_meta row counting rule edits: a process rebuilds its cached rules when it moves."""
RESUME_KEY = "sla_recompute_after"
"""desk_meta row holding the last ticket id an interrupted recompute finished, and the rules
version it worked with ("1234@7"): after another rule change, a resume starts over."""
CHUNK = 1000

_HISTORY_KINDS = (
    ActivityKind.STATUS, ActivityKind.REOPENED, ActivityKind.PRIORITY, ActivityKind.TAGGED,
    ActivityKind.UNTAGGED, ActivityKind.CATEGORY, ActivityKind.MESSAGE_IN,
    ActivityKind.MESSAGE_OUT, ActivityKind.IMPORTED,
)
HISTORY_KINDS = frozenset(k.value for k in _HISTORY_KINDS)
"""Activity the SLA reads as the ticket's history."""
HOOK_KINDS = HISTORY_KINDS | {ActivityKind.CREATED.value, ActivityKind.CUSTOMER.value}
"""Activity that can move a due time or the policy (`audit.record` refreshes on these; a new
customer brings other customer tags)."""

STORED = (Ticket.sla_policy_id, Ticket.first_response_due, Ticket.next_response_due,
          Ticket.resolution_due, Ticket.sla_due, Ticket.sla_risk_at, Ticket.sla_breach_at,
          Ticket.sla_state)


# -- rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    policies: tuple[Policy, ...]
    calendar: BusinessCalendar
    holiday_names: Mapping[date, str] = field(default_factory=dict)


_cache: dict[tuple[int, str], Rules] = {}


def _rules_version() -> str:
    db = Ticket._meta.database
    row = db.execute_sql(f"SELECT value FROM desk_meta WHERE key = {db.param}",
                         (RULES_KEY,)).fetchone()
    return str(row[0]) if row else "0"


def bump_rules() -> None:
    """The policies changed outside this module (a tag or category renamed in their lists)."""
    _bump_rules()


def _bump_rules() -> None:
    version = int(_rules_version()) + 1
    (DeskMeta.insert(key=RULES_KEY, value=str(version))
     .on_conflict(conflict_target=[DeskMeta.key], update={DeskMeta.value: str(version)})
     .execute())


def rules() -> Rules:
    """The desk's policies and calendar, read once per change of the rules (one small query
    otherwise)."""
    key = (id(Ticket._meta.database.obj), _rules_version())
    found = _cache.get(key)
    if found is None:
        _cache.clear()
        found = _cache[key] = _read_rules()
    return found


def _read_rules() -> Rules:
    targets: dict[int, dict[Priority, Targets]] = defaultdict(dict)
    for row in SlaTarget.select().tuples():
        policy_id, priority, first, nxt, resolution = row
        targets[policy_id][Priority(priority)] = Targets(first, nxt, resolution)
    policies = tuple(
        Policy(pid, name, targets.get(pid, {}), _names(tags), _names(ctags), _names(cats), since)
        for pid, name, tags, ctags, cats, since in SlaPolicy.select(
            SlaPolicy.id, SlaPolicy.name, SlaPolicy.tags, SlaPolicy.customer_tags,
            SlaPolicy.categories, SlaPolicy.created_at)
        .order_by(SlaPolicy.position, SlaPolicy.id).tuples())
    hours = SlaHours.get_or_none(SlaHours.id == 1)
    names = {date.fromisoformat(d): n for d, n in SlaHoliday.select(
        SlaHoliday.day, SlaHoliday.name).tuples()}
    if hours is None:
        calendar = BusinessCalendar("UTC", WeeklySchedule.always(), frozenset(names))
    else:
        calendar = BusinessCalendar(hours.zone, WeeklySchedule.parse(hours.week), frozenset(names))
    return Rules(policies, calendar, names)


def _names(joined: str) -> frozenset[str]:
    return frozenset(n for n in joined.split("\n") if n)


def _join(names: Iterable[str]) -> str:
    return "\n".join(sorted(set(names)))


# -- history ----------------------------------------------------------------------------------


@dataclass
class _TicketFacts:
    id: int
    created_at: int
    status: int
    priority: int
    category: str
    first_response_at: int | None
    resolved_at: int | None
    closed_at: int | None
    stored: tuple[Any, ...]
    tags: set[str] = field(default_factory=set)
    customer_tags: set[str] = field(default_factory=set)
    activity: list[tuple[str, int, str | None, str | None, int | None]] = field(
        default_factory=list)


def _renames_split(rows: list[tuple[str, int, str | None, str | None, int | None]],
                   ) -> list[tuple[str, int, str | None, str | None, int | None]]:
    """A tag renamed or merged (services/tag_records.py) reads as the old tag removed and the
    new one added at that moment."""
    if not any(r[0] == ActivityKind.TAG_RENAMED for r in rows):
        return rows
    split: list[tuple[str, int, str | None, str | None, int | None]] = []
    for kind, at, old, new, agent in rows:
        if kind == ActivityKind.TAG_RENAMED:
            split += [(ActivityKind.UNTAGGED.value, at, old, None, agent),
                      (ActivityKind.TAGGED.value, at, None, new, agent)]
        else:
            split.append((kind, at, old, new, agent))
    return split


def history_of(t: _TicketFacts) -> History:
    """The ticket's history as domain/sla.py reads it, from its activity rows (oldest first)
    and its row. Imported tickets have no status or message rows: their own times (first
    response, resolved, closed) and current status stand in for them."""
    rows = _renames_split(t.activity)
    # Facts at creation: walk the changes back from what the ticket has now.
    priority = Priority(t.priority)
    tags = set(t.tags)
    category = t.category
    for kind, _at, old, new, _agent in reversed(rows):
        if kind == ActivityKind.PRIORITY:
            earlier = _priority(old) if old else _priority(new)
            priority = earlier if earlier is not None else priority
        elif kind == ActivityKind.TAGGED and new:
            tags.discard(new)
        elif kind == ActivityKind.UNTAGGED and old:
            tags.add(old)
        elif kind == ActivityKind.CATEGORY:
            category = old or ""
    events: list[Event] = []
    status = Status.OPEN
    imported_at: int | None = None
    replied = False
    current_tags = set(tags)
    for kind, at, old, new, agent in rows:
        if kind in (ActivityKind.STATUS, ActivityKind.REOPENED) and (
                moved := _status(new)) is not None:
            status = moved
            events.append(Event(at, EventKind.STATUS, status=status))
        elif kind == ActivityKind.PRIORITY and old and _priority(new) is not None:
            events.append(Event(at, EventKind.PRIORITY, priority=_priority(new)))
        elif kind == ActivityKind.TAGGED and new:
            current_tags.add(new)
            events.append(Event(at, EventKind.TAGS, tags=frozenset(current_tags)))
        elif kind == ActivityKind.UNTAGGED and old:
            current_tags.discard(old)
            events.append(Event(at, EventKind.TAGS, tags=frozenset(current_tags)))
        elif kind == ActivityKind.CATEGORY:
            events.append(Event(at, EventKind.CATEGORY, category=new or ""))
        elif kind == ActivityKind.MESSAGE_OUT and agent is not None:
            replied = True
            events.append(Event(at, EventKind.REPLY))
        elif kind == ActivityKind.MESSAGE_IN:
            events.append(Event(at, EventKind.CUSTOMER))
        elif kind == ActivityKind.IMPORTED and imported_at is None:
            imported_at = at
    if t.first_response_at is not None and not replied:
        events.append(Event(t.first_response_at, EventKind.REPLY))
    final = Status(t.status)
    if final != status:
        # History without the status rows (an import): the ticket took its status when it
        # was resolved or closed, or when it was imported.
        when = (t.resolved_at or t.closed_at) if not final.is_active else None
        events.append(Event(when or imported_at or t.created_at, EventKind.STATUS,
                            status=final))
    events.sort(key=lambda e: e.at)
    start = Facts(priority=priority, status=Status.OPEN, tags=frozenset(tags),
                  customer_tags=frozenset(t.customer_tags), category=category)
    return History(t.created_at, start, tuple(events))


_STATUSES = {s.label: s for s in Status}
_PRIORITIES = {p.label: p for p in Priority}


def _status(label: str | None) -> Status | None:
    """The status an activity row names (as written, "In Progress"; else parsed leniently)."""
    if not label:
        return None
    found = _STATUSES.get(label)
    if found is not None:
        return found
    try:
        return Status.parse(label)
    except ValidationError:
        return None


def _priority(label: str | None) -> Priority | None:
    if not label:
        return None
    found = _PRIORITIES.get(label)
    if found is not None:
        return found
    try:
        return Priority.parse(label)
    except ValidationError:
        return None


_TICKET_COLUMNS = ("id, created_at, status, priority, category, first_response_at, "
                   "resolved_at, closed_at, customer_id, "
                   + ", ".join(c.column_name for c in STORED))


def _load(ids: Sequence[int] | None, low: int = 0, high: int = 0) -> list[_TicketFacts]:
    """Everything the SLA reads for tickets `ids`, or for the id range (low, high].

    Plain SQL with bound values: this runs inside every ticket change, where building the
    queries through the ORM cost more than running them."""
    db = Ticket._meta.database
    mark = db.param

    def within(column: str, wanted: Sequence[int] | None) -> tuple[str, list[int]]:
        if wanted is None:
            return f"{column} > {mark} AND {column} <= {mark}", [low, high]
        return f"{column} IN ({', '.join([mark] * len(wanted))})", list(wanted)

    where, params = within("id", ids)
    found: dict[int, _TicketFacts] = {}
    customers: dict[int, list[_TicketFacts]] = defaultdict(list)
    for row in db.execute_sql(
            f"SELECT {_TICKET_COLUMNS} FROM ticket WHERE {where} ORDER BY id", params):
        tid, created, status, priority, category, first, resolved, closed = row[:8]
        t = _TicketFacts(tid, created, status, priority, category, first, resolved, closed,
                         stored=tuple(row[9:]))
        found[t.id] = t
        if row[8] is not None:
            customers[row[8]].append(t)
    if not found:
        return []
    wanted = None if ids is None else list(found)
    where, params = within("l.ticket_id", wanted)
    for tid, name in db.execute_sql(
            f"SELECT l.ticket_id, t.name FROM ticket_tag AS l JOIN tag AS t ON t.id = l.tag_id "
            f"WHERE {where}", params):
        if tid in found:
            found[tid].tags.add(name)
    if customers:
        people = list(customers)
        for cid, name in db.execute_sql(
                "SELECT l.customer_id, t.name FROM customer_tag_link AS l "
                "JOIN customer_tag AS t ON t.id = l.tag_id "
                f"WHERE l.customer_id IN ({', '.join([mark] * len(people))})", people):
            for t in customers[cid]:
                t.customer_tags.add(name)
    kinds = sorted(HISTORY_KINDS)
    where, params = within("ticket_id", wanted)
    rows = db.execute_sql(
        f"SELECT ticket_id, kind, at, old, new, agent_id FROM activity WHERE {where} "
        f"AND kind IN ({', '.join([mark] * len(kinds))}) ORDER BY ticket_id, id",
        [*params, *kinds])
    for tid, kind, at, old, new, agent in rows:
        owner = found.get(tid)
        if owner is not None:
            owner.activity.append((kind, at, old, new, agent))
    return list(found.values())


def _stored_values(sla: TicketSla) -> tuple[Any, ...]:
    def due(cycle: Any) -> int | None:
        return cycle.due if cycle is not None else None

    return (sla.policy_id, due(sla.first_response), due(sla.next_response),
            due(sla.resolution), sla.due, sla.risk_at, sla.breach_at, int(sla.phase))


def compute_many(tickets: Iterable[_TicketFacts], current: Rules) -> list[tuple[
        _TicketFacts, TicketSla, tuple[Any, ...]]]:
    out = []
    for t in tickets:
        sla = compute(history_of(t), current.policies, current.calendar) if (
            current.policies) else NO_SLA
        out.append((t, sla, _stored_values(sla)))
    return out


def _store(results: list[tuple[_TicketFacts, TicketSla, tuple[Any, ...]]], now: int,
           current: Rules) -> int:
    """Write the changed rows (and a policy-change activity row); returns how many changed."""
    db = Ticket._meta.database
    mark = db.param
    sets = ", ".join(f"{c.column_name} = {mark}" for c in STORED)
    sql = f"UPDATE ticket SET {sets} WHERE id = {mark}"
    rows = [(*values, t.id) for t, _sla, values in results if values != t.stored]
    if rows:
        cursor = db.cursor()
        cursor.executemany(sql, rows)
    names = {p.id: p.name for p in current.policies}
    moved = [(t, sla) for t, sla, values in results
             if values[0] != t.stored[0] and (values[0] is not None or t.stored[0] is not None)]
    if moved:
        versions = dict(Ticket.select(Ticket.id, Ticket.version).where(
            Ticket.id.in_([t.id for t, _ in moved])).tuples())
        Activity.insert_many([
            {"ticket": t.id, "agent": None, "at": now, "kind": ActivityKind.SLA_POLICY.value,
             "old": names.get(t.stored[0]) if t.stored[0] is not None else None,
             "new": sla.policy_name, "ticket_version": versions.get(t.id, 1)}
            for t, sla in moved]).execute()
    return len(rows)


# -- export ---------------------------------------------------------------------------------


def sla_columns(iso: Callable[[Any], Any]) -> tuple[Any, ...]:
    """The ticket columns the export's SLA cells are made from (see `sla_export_cells`)."""
    return (Ticket.sla_policy_id, iso(Ticket.first_response_due), iso(Ticket.resolution_due),
            Ticket.sla_state, Ticket.sla_breach_at, Ticket.sla_risk_at)


def sla_export_cells(now: int) -> Callable[[Sequence[Any]], list[str]]:
    """sla_policy, first_response_due, resolution_due, sla_state (at `now`) for one row; the
    policy's name is typed by people, so a formula-like name is neutralised."""
    names = dict(SlaPolicy.select(SlaPolicy.id, SlaPolicy.name).tuples())

    def cells(values: Sequence[Any]) -> list[str]:
        policy_id, first_due, resolution_due, phase, breach_at, risk_at = values
        name = names.get(policy_id, "") if policy_id is not None else ""
        return [neutralise(name), first_due or "",
                resolution_due or "", state_at(phase or 0, breach_at, risk_at, now).value]

    return cells


# -- keeping tickets current ------------------------------------------------------------------


def refresh(session: Session, ticket_ids: Iterable[int]) -> None:
    """Recompute and store the SLA of `ticket_ids`, inside the caller's write transaction."""
    wanted = sorted(set(ticket_ids))
    if not wanted:
        return
    current = rules()
    if not current.policies and not Ticket.select(Ticket.id).where(Ticket.id.in_(wanted) & (
            Ticket.sla_policy_id.is_null(False) | (Ticket.sla_state != 0))).exists():
        return  # no policy, and no ticket here still carries an SLA to clear
    _store(compute_many(_load(wanted), current), session.now(), current)


def ticket_sla(ticket_id: int) -> TicketSla:
    """The full SLA of one ticket (every cycle, pauses, policy changes) for the dock."""
    found = _load([ticket_id])
    if not found:
        raise NotFoundError(f"Ticket {ticket_id} does not exist.")
    current = rules()
    return compute_many(found, current)[0][1]


@dataclass(frozen=True)
class RecomputeResult:
    tickets: int
    changed: int
    finished: bool


def recompute(session: Session, progress: Progress | None = None,
              cancelled: Callable[[], bool] | None = None, *, chunk: int = CHUNK,
              resume: bool = True) -> RecomputeResult:
    """Recompute every ticket's SLA, `chunk` tickets at a time (constant memory).

    Each chunk is read and computed in a read transaction, then written in a short write
    transaction, so other writers (the window's saves) never wait for the computing; if a
    ticket of the chunk gained activity, or the rules changed, in between, the chunk is read
    and computed again inside the write. Interrupted (cancelled, or the process ended), it
    resumes after the last finished chunk the next time, unless `resume` is False."""
    store = session.store
    with store.read():
        highest = int(Ticket.select(Ticket.id).order_by(Ticket.id.desc()).limit(1).scalar() or 0)
        total = int(Ticket.select().count())
        after = _resume_point() if resume else 0
        done = int(Ticket.select().where(Ticket.id <= after).count()) if after else 0
    changed = 0
    while after < highest:
        if cancelled is not None and cancelled():
            return RecomputeResult(done, changed, finished=False)
        with store.read():
            seen = _rules_version()
            current = rules()
            upper = Ticket.select(Ticket.id).where(Ticket.id > after).order_by(Ticket.id).offset(
                chunk - 1).limit(1).scalar()
            high = int(upper) if upper is not None else highest
            mark = _activity_mark(after, high)
            results = compute_many(_load(None, after, high), current)
        with store.write():
            if _rules_version() != seen or _activity_mark(after, high) != mark:
                current = rules()
                results = compute_many(_load(None, after, high), current)
            changed += _store(results, session.now(), current)
            _set_meta(RESUME_KEY, f"{high}@{_rules_version()}")
        after = high
        done += len(results)
        if progress is not None:
            progress(done, total, "")
    with store.write():
        DeskMeta.delete().where(DeskMeta.key == RESUME_KEY).execute()
    return RecomputeResult(done, changed, finished=True)


def _resume_point() -> int:
    """Where an interrupted recompute stopped, if the rules are still the ones it used."""
    value = DeskMeta.select(DeskMeta.value).where(DeskMeta.key == RESUME_KEY).scalar()
    if not value:
        return 0
    after, _, version = str(value).partition("@")
    return int(after) if version == _rules_version() and after.isdigit() else 0


def _activity_mark(low: int, high: int) -> int:
    """Moves when any ticket in (low, high] gains an activity row (the trail is append-only)."""
    return int(Activity.select(fn.max(Activity.id)).where(
        (Activity.ticket > low) & (Activity.ticket <= high)).scalar() or 0)


def _set_meta(key: str, value: str) -> None:
    (DeskMeta.insert(key=key, value=value)
     .on_conflict(conflict_target=[DeskMeta.key], update={DeskMeta.value: value}).execute())


# -- editing the rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRecord:
    id: int
    name: str
    position: int
    targets: Mapping[Priority, Targets]
    tags: frozenset[str]
    customer_tags: frozenset[str]
    categories: frozenset[str]
    created_at: int


def list_policies() -> list[PolicyRecord]:
    current = _read_rules()
    positions = dict(SlaPolicy.select(SlaPolicy.id, SlaPolicy.position).tuples())
    return [PolicyRecord(p.id, p.name, positions[p.id], p.targets, p.tags, p.customer_tags,
                         p.categories, p.since) for p in current.policies]


def save_policy(session: Session, name: str, *, priority: Priority | str | None = None,
                targets: Targets | None = None, tags: Iterable[str] | None = None,
                customer_tags: Iterable[str] | None = None,
                categories: Iterable[str] | None = None) -> tuple[int, bool]:
    """Create the policy called `name` (last in order) or change it: set the targets for one
    priority, and replace any narrowing given. Returns (id, created). Existing tickets follow
    after `recompute`."""
    clean = text.optional_line(name, "policy name", 80)
    if not clean:
        raise ValidationError("A policy needs a name.")
    if (priority is None) != (targets is None):
        raise ValidationError("Give a priority together with its targets.")
    if targets is not None and not any((targets.first_response, targets.next_response,
                                        targets.resolution)):
        raise ValidationError("Give at least one target (first response, next response or "
                              "resolution).")
    level = Priority.parse(priority) if priority is not None else None
    with session.store.write():
        row = _policy_named(clean)
        created = row is None
        narrowing = {}
        if tags is not None:
            narrowing[SlaPolicy.tags] = _join(text.tag(t) for t in tags)
        if customer_tags is not None:
            narrowing[SlaPolicy.customer_tags] = _join(text.tag(t) for t in customer_tags)
        if categories is not None:
            narrowing[SlaPolicy.categories] = _join(c.strip() for c in categories if c.strip())
        if row is None:
            position = int(SlaPolicy.select(SlaPolicy.position).order_by(
                SlaPolicy.position.desc()).limit(1).scalar() or 0) + 1
            policy_id = int(SlaPolicy.insert(
                name=clean, position=position, created_at=session.now(),
                **{f.name: v for f, v in narrowing.items()}).execute())
        else:
            policy_id = int(row.id)
            if narrowing:
                SlaPolicy.update(narrowing).where(SlaPolicy.id == policy_id).execute()
        if level is not None and targets is not None:
            (SlaTarget.insert(policy=policy_id, priority=int(level),
                              first_response=targets.first_response,
                              next_response=targets.next_response,
                              resolution=targets.resolution)
             .on_conflict(conflict_target=[SlaTarget.policy, SlaTarget.priority],
                          update={SlaTarget.first_response: targets.first_response,
                                  SlaTarget.next_response: targets.next_response,
                                  SlaTarget.resolution: targets.resolution})
             .execute())
        _bump_rules()
    return policy_id, created


def _policy_named(name: str) -> Any:
    return SlaPolicy.get_or_none(fn.lower(SlaPolicy.name) == name.lower())


def delete_policy(session: Session, name: str) -> Changes:
    """Remove a policy; its tickets fall to the next matching one after `recompute`."""
    with session.store.write():
        row = _policy_named(name.strip())
        if row is None:
            raise NotFoundError(f"There is no SLA policy called {name!r}.")
        SlaPolicy.delete().where(SlaPolicy.id == row.id).execute()
        _bump_rules()
    return Changes()


def move_policy(session: Session, name: str, position: int) -> None:
    """Put the policy at `position` (1 = first) in the order the first match is taken from."""
    with session.store.write():
        ordered = list(SlaPolicy.select(SlaPolicy.id, SlaPolicy.name)
                       .order_by(SlaPolicy.position, SlaPolicy.id).tuples())
        found = [pid for pid, n in ordered if n.casefold() == name.strip().casefold()]
        if not found:
            raise NotFoundError(f"There is no SLA policy called {name!r}.")
        ids = [pid for pid, _ in ordered if pid != found[0]]
        ids.insert(max(0, min(position - 1, len(ids))), found[0])
        for index, pid in enumerate(ids, start=1):
            SlaPolicy.update(position=index).where(SlaPolicy.id == pid).execute()
        _bump_rules()


@dataclass(frozen=True)
class HoursRecord:
    zone: str
    week: str
    holidays: Mapping[date, str]


def hours() -> HoursRecord:
    current = _read_rules()
    return HoursRecord(current.calendar.zone_name, current.calendar.schedule.describe(),
                       dict(sorted(current.holiday_names.items())))


def set_hours(session: Session, *, timezone: str | None = None, week: str | None = None,
              add_holidays: Mapping[date, str] | None = None,
              remove_holidays: Iterable[date] = ()) -> HoursRecord:
    """Set the desk's zone and business week and add or remove holidays, in one step. Existing
    tickets follow after `recompute`."""
    tz_name = zone(timezone).key if timezone else None
    schedule = WeeklySchedule.parse(week) if week else None
    with session.store.write():
        row = SlaHours.get_or_none(SlaHours.id == 1)
        zone_name = tz_name or (row.zone if row is not None else "UTC")
        described = (schedule.describe() if schedule is not None
                     else row.week if row is not None else WeeklySchedule.always().describe())
        (SlaHours.insert(id=1, zone=zone_name, week=described, updated_at=session.now())
         .on_conflict(conflict_target=[SlaHours.id],
                      update={SlaHours.zone: zone_name, SlaHours.week: described,
                              SlaHours.updated_at: session.now()}).execute())
        gone = [d.isoformat() for d in remove_holidays]
        if gone:
            SlaHoliday.delete().where(SlaHoliday.day.in_(gone)).execute()
        for day, name in sorted((add_holidays or {}).items()):
            (SlaHoliday.insert(day=day.isoformat(), name=name[:200])
             .on_conflict(conflict_target=[SlaHoliday.day], update={SlaHoliday.name: name[:200]})
             .execute())
        _bump_rules()
    return hours()


def read_ticket_sla(session: Session, ticket_id: int) -> TicketSla:
    """One ticket's SLA in one read of the session's desk (the window calls this off its GUI
    thread, as the dock's other reads)."""
    with session.store.read():
        return ticket_sla(ticket_id)


def read_rules(session: Session) -> tuple[list[PolicyRecord], HoursRecord]:
    """The policies in order and the business hours, in one read (the SLA Policies dialog)."""
    with session.store.read():
        return list_policies(), hours()
