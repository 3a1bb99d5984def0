"""Service-level targets: which policy applies to a ticket, when each target is due, whether it
was met or breached. A pure function of the ticket's history, the policies and the business
calendar (no I/O), so recomputing from the stored trail gives exactly what the live computation
stored (see ticketdesk/ARCHITECTURE.md).

The rules, decided here and documented in the README's SLA section:

- **Targets** are business seconds per priority: first response (the first reply by an agent),
  next response (after a customer message that follows a reply, until the next reply) and
  resolution (until the ticket is Resolved or Closed).
- **The clock runs** only while the ticket is Open or In Progress and a policy gives the target
  a value. It **pauses** while Waiting (and stops while Resolved or Closed); a customer message
  puts a Waiting ticket back to Open, which resumes it. A reopen resumes the resolution clock
  where it stopped.
- **Which policy**: the first in order whose narrowing matches (tags, customer tags, categories;
  each empty list means any) *and* which has targets for the ticket's priority at that moment.
  Policies apply from the moment they were created: a ticket older than its policy starts its
  clocks then, it is not born breached.
- **Changes mid-ticket** (priority, tags, category, a policy that starts applying): from the
  change on, the new target counts against the business time already elapsed (a shorter target
  may be missed at the moment of the change); a breach that already happened is kept.
- **At risk**: the clock is running and what is left of the target is at most 20 % of it or one
  business hour, whichever is smaller (so an 8-hour target is at risk in its last hour, a
  1-hour target in its last 12 minutes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import IntEnum, StrEnum

from ticketdesk.domain.business_time import BusinessCalendar
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.status import Priority, Status

RISK_SHARE = 0.2
RISK_CAP = 3600


class SlaState(StrEnum):
    """A ticket's SLA as people read it, at a given moment."""

    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"
    NONE = "none"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> SlaState:
        clean = text.strip().lower().replace("_", "-").replace(" ", "-")
        for state in cls:
            if clean in (state.value, state.name.lower().replace("_", "-")):
                return state
        choices = ", ".join(s.value for s in cls)
        raise ValidationError(f"Unknown SLA state {text!r}. Choose one of: {choices}.")


_STATE_LABELS = {
    SlaState.ON_TRACK: "On track", SlaState.AT_RISK: "At risk", SlaState.BREACHED: "Breached",
    SlaState.MET: "Met", SlaState.PAUSED: "Paused", SlaState.NONE: "No SLA",
}


class Phase(IntEnum):
    """The part of the state that does not depend on the time of day; stored per ticket
    (`ticket.sla_state`). Breached and at risk follow from the stored instants and `now`."""

    NONE = 0
    RUNNING = 1
    PAUSED = 2
    DONE = 3


class Metric(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


@dataclass(frozen=True)
class Targets:
    """Business seconds allowed for each metric (None: no target)."""

    first_response: int | None = None
    next_response: int | None = None
    resolution: int | None = None

    def of(self, metric: Metric) -> int | None:
        value: int | None = getattr(self, metric.value)
        return value


@dataclass(frozen=True)
class Policy:
    id: int
    name: str
    targets: Mapping[Priority, Targets]
    tags: frozenset[str] = frozenset()
    customer_tags: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    since: int = 0
    """When the policy was created: it applies from then on."""

    def matches(self, facts: Facts) -> bool:
        return ((not self.tags or bool(self.tags & facts.tags))
                and (not self.customer_tags or bool(self.customer_tags & facts.customer_tags))
                and (not self.categories or facts.category in self.categories))


@dataclass(frozen=True)
class Facts:
    """What a policy's narrowing looks at, at one moment of the ticket's life."""

    priority: Priority = Priority.MEDIUM
    status: Status = Status.OPEN
    tags: frozenset[str] = frozenset()
    customer_tags: frozenset[str] = frozenset()
    category: str = ""


class EventKind(StrEnum):
    STATUS = "status"
    PRIORITY = "priority"
    TAGS = "tags"
    CATEGORY = "category"
    REPLY = "reply"
    """An agent's outgoing message (a system message is no response)."""
    CUSTOMER = "customer"
    """A customer's incoming message."""


@dataclass(frozen=True)
class Event:
    at: int
    kind: EventKind
    status: Status | None = None
    priority: Priority | None = None
    tags: frozenset[str] | None = None
    category: str | None = None


@dataclass(frozen=True)
class History:
    """A ticket's life as the SLA reads it: its facts at creation and what happened since, in
    order (events at one instant keep their order)."""

    created_at: int
    start: Facts
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Cycle:
    """One target's run: from `started_at` until met (`met_at`) or still pending.

    `due` is when the target is (or was) reached if the clock runs on from the last event; None
    while the clock stands still at the end (paused, stopped, no target). `breached_at` is when
    the target was missed — for a pending, running cycle the instant it will be missed unless
    met first — or None."""

    metric: Metric
    started_at: int
    met_at: int | None = None
    due: int | None = None
    risk_at: int | None = None
    breached_at: int | None = None
    running: bool = False

    @property
    def pending(self) -> bool:
        return self.met_at is None


@dataclass(frozen=True)
class PolicyChange:
    at: int
    policy_id: int | None
    name: str | None


@dataclass(frozen=True)
class TicketSla:
    policy_id: int | None
    policy_name: str | None
    policy_changes: tuple[PolicyChange, ...]
    first_response: Cycle | None
    next_responses: tuple[Cycle, ...]
    resolution: Cycle | None
    paused: tuple[tuple[int, int | None], ...]
    """Waiting intervals, [start, end); end None while still Waiting."""
    phase: Phase
    due: int | None
    """The nearest due among the targets whose clock runs (sort and "due within")."""
    risk_at: int | None
    breach_at: int | None
    """The earliest breach: a past miss, or the pending target's due."""

    @property
    def next_response(self) -> Cycle | None:
        pending = [c for c in self.next_responses if c.pending]
        return pending[-1] if pending else None

    def state(self, now: int) -> SlaState:
        return state_at(self.phase, self.breach_at, self.risk_at, now)


NO_SLA = TicketSla(None, None, (), None, (), None, (), Phase.NONE, None, None, None)


def state_at(phase: Phase | int, breach_at: int | None, risk_at: int | None,
             now: int) -> SlaState:
    """The state from what is stored per ticket (the same rule as the SQL filter)."""
    if breach_at is not None and breach_at <= now:
        return SlaState.BREACHED
    phase = Phase(phase)
    if phase == Phase.NONE:
        return SlaState.NONE
    if phase == Phase.PAUSED:
        return SlaState.PAUSED
    if phase == Phase.DONE:
        return SlaState.MET
    if risk_at is not None and risk_at <= now:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


def risk_margin(target: int) -> int:
    return min(int(target * RISK_SHARE), RISK_CAP)


def choose_policy(policies: Iterable[Policy], facts: Facts,
                  at: int) -> tuple[Policy, Targets] | None:
    """The first policy in order that applies at `at` to a ticket with `facts`."""
    for policy in policies:
        targets = policy.targets.get(facts.priority)
        if policy.since <= at and targets is not None and policy.matches(facts):
            return policy, targets
    return None


@dataclass
class _Segment:
    start: int
    end: int | None
    running: bool
    targets: Targets | None


@dataclass
class _Run:
    """A cycle being measured, segment by segment."""

    metric: Metric
    started_at: int
    met_at: int | None = None
    elapsed: int = 0
    breached_at: int | None = None
    risk_at: int | None = None
    running: bool = False
    last: tuple[int, int, int] | None = None
    """The latest running stretch: (start, business seconds spent before it, target); the due
    is computed from it once, at the end."""

    def cover(self, cal: BusinessCalendar, seg: _Segment) -> None:
        """Advance through `seg`, clipped to the cycle's start and end."""
        start = max(seg.start, self.started_at)
        end = seg.end
        if self.met_at is not None:
            end = self.met_at if end is None else min(end, self.met_at)
        if end is not None and end < start:
            return
        target = seg.targets.of(self.metric) if seg.targets is not None else None
        self.running = seg.running and target is not None
        if not seg.running or target is None:
            return
        if end == start:  # met at the very moment a shorter target began: already missed?
            if self.elapsed >= target and self.breached_at is None:
                self.breached_at = start
            return
        self.last = (start, self.elapsed, target)
        spent = cal.business_seconds_between(start, end) if end is not None else None
        if self.breached_at is None and (spent is None or self.elapsed + spent >= target):
            # The target is reached in this stretch (or in the open tail): when exactly?
            reach = _reach(cal, start, self.elapsed, target)
            if end is None or reach < end:
                self.breached_at = reach
        if spent is None:  # the open tail: the clock runs on from the last event
            margin = target - risk_margin(target)
            self.risk_at = _reach(cal, start, self.elapsed, margin)
        else:
            self.elapsed += spent

    def cycle(self, cal: BusinessCalendar) -> Cycle:
        running = self.running and self.met_at is None
        due = None
        if self.last is not None and (running or self.met_at is not None):
            due = _reach(cal, *self.last)
        return Cycle(self.metric, self.started_at, self.met_at, due,
                     self.risk_at if running else None, self.breached_at, running)


def _reach(cal: BusinessCalendar, start: int, elapsed: int, target: int) -> int:
    """When `target` business seconds are spent, `elapsed` of them before `start`."""
    return start if elapsed >= target else cal.add_business_seconds(start, target - elapsed)


@dataclass
class _Timeline:
    """The ticket's life cut into segments of constant status and targets."""

    segments: list[_Segment]
    changes: list[PolicyChange]
    paused: list[tuple[int, int | None]]
    replies: list[int]
    customer: list[int]
    done_at: int | None
    facts: Facts


def _timeline(history: History, ordered: list[Policy]) -> _Timeline:
    created = history.created_at
    # Change points: every event, and each policy's start during the ticket's life.
    points: list[tuple[int, Event | None]] = [(max(e.at, created), e) for e in history.events]
    points += [(p.since, None) for p in ordered if p.since > created]
    points.sort(key=lambda p: p[0])  # stable: events at one instant keep their order
    line = _Timeline([], [], [], [], [], None if history.start.status.is_active else created,
                     history.start)

    def open_segment(at: int) -> None:
        chosen = choose_policy(ordered, line.facts, at)
        policy_id = chosen[0].id if chosen else None
        changes = line.changes
        if changes and changes[-1].at == at:
            changes.pop()  # several events at one instant: the last word counts
        if (changes[-1].policy_id if changes else None) != policy_id:
            changes.append(PolicyChange(at, policy_id, chosen[0].name if chosen else None))
        segment = _Segment(at, None, line.facts.status in (Status.OPEN, Status.IN_PROGRESS),
                           chosen[1] if chosen else None)
        if line.segments and line.segments[-1].start == at:
            line.segments[-1] = segment
        else:
            if line.segments:
                line.segments[-1].end = at
            line.segments.append(segment)

    if line.facts.status == Status.WAITING:
        line.paused.append((created, None))
    open_segment(created)
    for at, event in points:
        if event is not None:
            before = line.facts.status
            line.facts = _apply(line.facts, event)
            if event.kind == EventKind.REPLY:
                line.replies.append(at)
            elif event.kind == EventKind.CUSTOMER:
                line.customer.append(at)
            _status_moved(line, before, at)
        open_segment(at)
    return line


def _status_moved(line: _Timeline, before: Status, at: int) -> None:
    after = line.facts.status
    if after == before:
        return
    if before == Status.WAITING and line.paused and line.paused[-1][1] is None:
        line.paused[-1] = (line.paused[-1][0], at)
    if after == Status.WAITING:
        line.paused.append((at, None))
    if before.is_active and not after.is_active:
        line.done_at = at
    elif after.is_active:
        line.done_at = None


def _next_responses(replies: list[int], customer: list[int]) -> list[_Run]:
    """A customer message after the first reply starts a next-response cycle (unless one is
    already waiting); the next reply meets it."""
    nexts: list[_Run] = []
    waiting_for_us: _Run | None = None
    for at, is_reply in sorted([(r, True) for r in replies] + [(c, False) for c in customer]):
        if is_reply:
            if waiting_for_us is not None:
                waiting_for_us.met_at = at
                waiting_for_us = None
        elif replies and replies[0] <= at and waiting_for_us is None:
            waiting_for_us = _Run(Metric.NEXT_RESPONSE, at)
            nexts.append(waiting_for_us)
    return nexts


def compute(history: History, policies: Iterable[Policy], cal: BusinessCalendar) -> TicketSla:
    """The ticket's SLA from its history (see the module docstring for the rules)."""
    ordered = list(policies)
    if not ordered:
        return NO_SLA
    line = _timeline(history, ordered)
    segments = line.segments
    first = _Run(Metric.FIRST_RESPONSE, history.created_at,
                 met_at=line.replies[0] if line.replies else None)
    resolution = _Run(Metric.RESOLUTION, history.created_at, met_at=line.done_at)
    nexts = _next_responses(line.replies, line.customer)
    for seg in segments:
        for run in (first, resolution, *nexts):
            run.cover(cal, seg)

    def has_target(metric: Metric) -> bool:
        return any(s.targets is not None and s.targets.of(metric) is not None for s in segments)

    fr = first.cycle(cal) if has_target(Metric.FIRST_RESPONSE) else None
    res = resolution.cycle(cal) if has_target(Metric.RESOLUTION) else None
    nx = tuple(r.cycle(cal) for r in nexts) if has_target(Metric.NEXT_RESPONSE) else ()
    live = [c for c in (fr, res, *nx) if c is not None]
    running = [c for c in live if c.running]
    changes = line.changes
    return TicketSla(
        policy_id=changes[-1].policy_id if changes else None,
        policy_name=changes[-1].name if changes else None,
        policy_changes=tuple(changes),
        first_response=fr,
        next_responses=nx,
        resolution=res,
        paused=tuple(line.paused),
        phase=_phase(live, running, line.facts.status, segments[-1].targets),
        due=min((c.due for c in running if c.due is not None), default=None),
        risk_at=min((c.risk_at for c in running if c.risk_at is not None), default=None),
        breach_at=min((c.breached_at for c in live if c.breached_at is not None), default=None),
    )


def _phase(live: list[Cycle], running: list[Cycle], status: Status,
           targets: Targets | None) -> Phase:
    if not live:
        return Phase.NONE
    if running:
        return Phase.RUNNING
    if status == Status.WAITING and targets is not None and any(
            c.pending and targets.of(c.metric) is not None for c in live):
        return Phase.PAUSED
    if status.is_active and targets is None:
        return Phase.NONE
    return Phase.DONE


def _apply(facts: Facts, event: Event) -> Facts:
    if event.kind == EventKind.STATUS and event.status is not None:
        return replace(facts, status=event.status)
    if event.kind == EventKind.PRIORITY and event.priority is not None:
        return replace(facts, priority=event.priority)
    if event.kind == EventKind.TAGS and event.tags is not None:
        return replace(facts, tags=event.tags)
    if event.kind == EventKind.CATEGORY and event.category is not None:
        return replace(facts, category=event.category)
    return facts
