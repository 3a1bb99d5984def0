"""Routing (issue 21): teams, agents' availability, capacity and skills, routing rules, and the
one decision per new ticket.

Routing decides once, in the transaction that creates the ticket, with its reason written to the
activity (`route`). That transaction holds the desk's write lock — BEGIN IMMEDIATE on SQLite, the
desk's advisory lock on PostgreSQL (`PostgresBackend.write_lock`) — so two desktops of a team desk
never pick at once, and round robin's cursor (`routing_rule.last_agent_id`) is read and moved
under that lock: the rotation is fair across desktops. The rule itself is pure
(domain/routing.py); this module reads the facts and writes the outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import JOIN, fn

from ticketdesk.db.models import (
    Agent,
    AgentCategorySkill,
    AgentTagSkill,
    RoutingRule,
    RoutingRuleAgent,
    Team,
    TeamMember,
    Ticket,
    TicketAssignee,
)
from ticketdesk.domain import routing as rules
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.routing import AgentState, AgentStatus, Decision, Method
from ticketdesk.domain.search import words as search_words
from ticketdesk.domain.status import Priority
from ticketdesk.services import audit, routing_counts
from ticketdesk.services import routing_reads as reads
from ticketdesk.services.changes import Changes
from ticketdesk.services.routing_reads import agent_states, load_rules, ticket_facts
from ticketdesk.services.session import Session

_UNSET: Any = object()


# -- the decision -------------------------------------------------------------------------------

def route(session: Session, ticket_id: int, *, channel: str = "") -> Decision | None:
    """Route a new ticket: the first matching rule assigns it, or says why nobody could. Runs in
    the caller's write transaction (or opens one). A ticket that already has an assignee (the
    person creating it chose) and a desk without rules are left alone; None when no rule
    decided."""
    with session.store.write():
        if reads.has_assignee(ticket_id):
            return None
        rule_list = load_rules(active_only=True)
        if not rule_list:
            return None
        facts = ticket_facts([ticket_id], {ticket_id: channel})[ticket_id]
        rule = rules.first_match(rule_list, facts)
        if rule is None:
            return None
        # One read of the members with their kept open counts (skills only when the rule
        # picks by them); the counts are kept where the rule needs them.
        agents = agent_states(rule.members, skills=rule.method == Method.SKILLS, counts=True)
        counted = rules.needs_counts(rule, agents)
        agents = with_counts(agents, {a: agents[a].open_count or 0 for a in counted},
                             drop_others=True)
        decision = rules.choose(rule, facts, agents)
        _apply(session, ticket_id, decision)
    return decision


def route_many(session: Session, ticket_ids: Sequence[int], *, channel: str = "") -> int:
    """Route several new tickets in order (an import, a mail fetch), in one transaction; the
    number assigned."""
    assigned = 0
    with session.store.write():
        for ticket_id in ticket_ids:
            decision = route(session, ticket_id, channel=channel)
            assigned += decision is not None and decision.agent_id is not None
    return assigned


def _apply(session: Session, ticket_id: int, decision: Decision) -> None:
    rule = decision.rule
    assert rule is not None
    version = reads.ticket_version(ticket_id)
    rows: list[tuple[ActivityKind, str | None, str | None]] = []
    if decision.agent_id is not None:
        TicketAssignee.insert(ticket=ticket_id, agent=decision.agent_id).execute()
        if rule.method == Method.ROUND_ROBIN:
            RoutingRule.update(last_agent_id=decision.agent_id).where(
                RoutingRule.id == rule.id).execute()
        rows.append((ActivityKind.ASSIGNED, None, decision.agent_name))
    audit.record_many(session, ticket_id, version, rows)
    audit.record(session, ticket_id, version, ActivityKind.ROUTED, None,
                 rules.describe(decision), ref_id=rule.id)


# -- reading the facts --------------------------------------------------------------------------

def open_counts(agent_ids: Iterable[int]) -> dict[int, int]:
    """Open (not resolved or closed) tickets assigned to each agent: the counts the database
    keeps current in every assignment's and status change's transaction (migration 24,
    services/routing_counts.py), one indexed read of the members' rows. Counting the open
    tickets here instead cost 7.6-8.7 ms per pick at 1,000,000 tickets."""
    return routing_counts.stored(agent_ids)


def with_counts(agents: dict[int, AgentState], counts: dict[int, int], *,
                drop_others: bool = False) -> dict[int, AgentState]:
    """The agents with these open counts; `drop_others` clears the count of the rest (a rule
    that does not need them must not show them in its reason)."""
    def count(aid: int, a: AgentState) -> int | None:
        return counts.get(aid, None if drop_others else a.open_count)

    return {aid: AgentState(a.id, a.name, a.status, a.capacity, count(aid, a), a.tag_skills,
                            a.category_skills, a.active)
            for aid, a in agents.items()}


# -- dry run ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DryRunRow:
    ticket_id: int
    rule: str
    agent: str
    """"" when the rule found nobody."""
    reason: str


@dataclass(frozen=True)
class AgentLoad:
    agent_id: int
    name: str
    open_before: int
    routed: int
    capacity: int | None

    @property
    def open_after(self) -> int:
        return self.open_before + self.routed


@dataclass(frozen=True)
class DryRun:
    rows: list[DryRunRow]
    """One per ticket a rule matched, oldest first."""
    loads: list[AgentLoad]
    """Every agent a rule can pick, by name."""
    unmatched: int


def dry_run(session: Session, last_n: int) -> DryRun:
    """What the rules would do to the last `last_n` tickets, as if each were new and in the
    order they came, without changing anything. Tickets are routed whether assigned or not, and
    without a channel (it is known only when a ticket arrives)."""
    if last_n < 1:
        raise ValidationError("Give a number of tickets of at least 1.")
    with session.store.read():
        rule_list = load_rules(active_only=True)
        ids = [t for (t,) in Ticket.select(Ticket.id).order_by(Ticket.id.desc())
               .limit(last_n).tuples()][::-1]
        members = {a for r in rule_list for a in r.members}
        agents = with_counts(agent_states(members), open_counts(members))
        facts = ticket_facts(ids) if rule_list else {}
    before = {aid: a.open_count or 0 for aid, a in agents.items()}
    routed: Counter[int] = Counter()
    cursors = {r.id: r.last_agent_id for r in rule_list}
    rows: list[DryRunRow] = []
    unmatched = 0
    for tid in ids:
        rule = rules.first_match(rule_list, facts[tid]) if tid in facts else None
        if rule is None:
            unmatched += 1
            continue
        rule = rules.Rule(rule.id, rule.name, rule.conditions, rule.method, rule.target,
                          rule.members, cursors[rule.id], rule.active)
        decision = rules.choose(rule, facts[tid], agents)
        rows.append(DryRunRow(tid, rule.name, decision.agent_name, decision.reason))
        if decision.agent_id is not None:
            aid = decision.agent_id
            routed[aid] += 1
            a = agents[aid]
            agents[aid] = AgentState(a.id, a.name, a.status, a.capacity,
                                     (a.open_count or 0) + 1, a.tag_skills, a.category_skills,
                                     a.active)
            cursors[rule.id] = aid
    loads = sorted((AgentLoad(aid, a.name, before[aid], routed[aid], a.capacity)
                    for aid, a in agents.items()), key=lambda x: (x.name.lower(), x.agent_id))
    return DryRun(rows, loads, unmatched)


# -- teams, availability, skills, rules ---------------------------------------------------------

def _agent_id(name: str) -> tuple[int, str]:
    clean = name.strip()
    row = (Agent.select(Agent.id, Agent.name)
           .where(fn.lower(Agent.name) == fn.lower(clean)).tuples().first()
           if clean and "\x00" not in clean else None)
    if row is None:
        raise NotFoundError(f"There is no agent called {clean!r}.")
    return int(row[0]), str(row[1])


def _team_id(name: str) -> int:
    clean = name.strip()
    team_id = (Team.select(Team.id).where(fn.lower(Team.name) == fn.lower(clean)).scalar()
               if clean and "\x00" not in clean else None)
    if team_id is None:
        raise NotFoundError(f"There is no team called {clean!r}.")
    return int(team_id)


def split_names(value: str) -> list[str]:
    """"Ana, Ben" → ["Ana", "Ben"] (commas or newlines)."""
    return [n.strip() for n in value.replace("\n", ",").split(",") if n.strip()]


def add_team(session: Session, name: str, agent_names: Iterable[str] = ()) -> tuple[int, Changes]:
    """A new team with these agents (by name; every name must be an agent)."""
    clean = text.name(name, "team's name")
    with session.store.write():
        if Team.select().where(fn.lower(Team.name) == fn.lower(clean)).exists():
            raise ValidationError(f"There is already a team called {clean!r}.")
        agent_ids = list(dict.fromkeys(_agent_id(n)[0] for n in agent_names))
        team_id = int(Team.insert(name=clean, created_at=session.now()).execute())
        if agent_ids:
            TeamMember.insert_many([{"team": team_id, "agent": a} for a in agent_ids]).execute()
    return team_id, Changes(agents=True)


def set_team_members(session: Session, team: str, agent_names: Iterable[str]) -> Changes:
    with session.store.write():
        team_id = _team_id(team)
        agent_ids = list(dict.fromkeys(_agent_id(n)[0] for n in agent_names))
        TeamMember.delete().where(TeamMember.team == team_id).execute()
        if agent_ids:
            TeamMember.insert_many([{"team": team_id, "agent": a} for a in agent_ids]).execute()
    return Changes(agents=True)


def delete_team(session: Session, team: str) -> Changes:
    """Rules that targeted the team stay, with no one to pick (they say so when they match)."""
    with session.store.write():
        Team.delete().where(Team.id == _team_id(team)).execute()
    return Changes(agents=True)


def list_teams(session: Session) -> list[tuple[str, list[str]]]:
    with session.store.read():
        members: dict[int, list[str]] = {}
        for team_id, name in (TeamMember.select(TeamMember.team, Agent.name)
                              .join(Agent, on=(TeamMember.agent == Agent.id))
                              .order_by(fn.lower(Agent.name)).tuples()):
            members.setdefault(team_id, []).append(name)
        return [(name, members.get(tid, [])) for tid, name in
                Team.select(Team.id, Team.name).order_by(fn.lower(Team.name)).tuples()]


def set_availability(session: Session, agent: str, status: AgentStatus | str | None = None,
                     *, capacity: int | None = _UNSET) -> Changes:
    """An agent's status and, when given, capacity (None: no limit; 0 takes nothing new)."""
    new_status = AgentStatus.parse(status) if isinstance(status, str) else status
    if capacity is not _UNSET and capacity is not None and not 0 <= capacity <= 100_000:
        raise ValidationError("Give a capacity between 0 and 100,000 open tickets.")
    with session.store.write():
        agent_id, _ = _agent_id(agent)
        updates: dict[Any, Any] = {}
        if new_status is not None:
            updates[Agent.status] = new_status.value
        if capacity is not _UNSET:
            updates[Agent.capacity] = capacity
        if updates:
            Agent.update(updates).where(Agent.id == agent_id).execute()
    return Changes(agents=True)


def set_skills(session: Session, agent: str, *, tags: Iterable[str] = _UNSET,
               categories: Iterable[str] = _UNSET) -> Changes:
    """Replace an agent's tag and/or category skills (tags are created if new)."""
    from ticketdesk.services.tickets import tag_ids

    with session.store.write():
        agent_id, _ = _agent_id(agent)
        if tags is not _UNSET:
            ids, _ = tag_ids(list(tags))
            AgentTagSkill.delete().where(AgentTagSkill.agent == agent_id).execute()
            if ids:
                AgentTagSkill.insert_many([{"agent": agent_id, "tag": t}
                                           for t in ids.values()]).execute()
        if categories is not _UNSET:
            clean = list(dict.fromkeys(
                text.optional_line(c, "category", text.CATEGORY_MAX) for c in categories))
            AgentCategorySkill.delete().where(AgentCategorySkill.agent == agent_id).execute()
            rows = [{"agent": agent_id, "category": c} for c in clean if c]
            if rows:
                AgentCategorySkill.insert_many(rows).execute()
    return Changes(agents=True)


@dataclass(frozen=True)
class RuleSpec:
    """A rule as a person writes it (names, not ids)."""

    name: str
    method: Method | str
    team: str | None = None
    agents: Sequence[str] = ()
    tags: Sequence[str] = ()
    categories: Sequence[str] = ()
    customer_tags: Sequence[str] = ()
    priorities: Sequence[Priority | str] = ()
    words: str = ""
    channels: Sequence[str] = ()
    active: bool = True


def _checked(spec: RuleSpec) -> tuple[str, Method, dict[str, Any]]:
    """The rule's name, method and condition columns, checked (no database read)."""
    clean = text.name(spec.name, "rule's name")
    method = Method.parse(spec.method) if isinstance(spec.method, str) else spec.method
    if (spec.team is None) == (not spec.agents):
        raise ValidationError("Give the rule either a team or agents to pick among.")
    priorities = sorted({int(Priority.parse(p)) for p in spec.priorities})
    tags = [text.tag(t) for t in spec.tags]
    categories = [text.optional_line(c, "category", text.CATEGORY_MAX) for c in spec.categories]
    if spec.words.strip() and not search_words(spec.words):
        raise ValidationError("The rule's words hold no word to look for.")
    return clean, method, {
        "tags": "\n".join(tags), "categories": "\n".join(c for c in categories if c),
        "customer_tags": "\n".join(t.strip() for t in spec.customer_tags if t.strip()),
        "priorities": "\n".join(str(p) for p in priorities), "words": " ".join(spec.words.split()),
        "channels": "\n".join(c.strip().lower() for c in spec.channels if c.strip()),
        "method": method.value}


def _name_free(name: str, except_id: int | None = None) -> None:
    query = RoutingRule.select().where(fn.lower(RoutingRule.name) == fn.lower(name))
    if except_id is not None:
        query = query.where(RoutingRule.id != except_id)
    if query.exists():
        raise ValidationError(f"There is already a routing rule called {name!r}.")


def _targets(spec: RuleSpec) -> tuple[int | None, list[int]]:
    """The rule's team id, or its agents' ids (names looked up; unknown ones refused)."""
    team_id = _team_id(spec.team) if spec.team is not None else None
    return team_id, list(dict.fromkeys(_agent_id(n)[0] for n in spec.agents))


def add_rule(session: Session, spec: RuleSpec) -> tuple[int, Changes]:
    """A new rule at the end of the list (rules are tried in order)."""
    clean, _, values = _checked(spec)
    with session.store.write():
        _name_free(clean)
        team_id, agent_ids = _targets(spec)
        position = int(RoutingRule.select(fn.MAX(RoutingRule.position)).scalar() or 0) + 1
        rule_id = int(RoutingRule.insert(
            name=clean, position=position, team=team_id, active=spec.active, last_agent_id=0,
            created_at=session.now(), **values).execute())
        if agent_ids:
            RoutingRuleAgent.insert_many([{"rule": rule_id, "agent": a}
                                          for a in agent_ids]).execute()
    return rule_id, Changes(agents=True)


def update_rule(session: Session, name: str, spec: RuleSpec) -> Changes:
    """Change the rule called `name` to `spec` (its name, conditions, team or agents, method),
    in one transaction. It keeps its place in the order and whether it is active (those are
    `move_rule` and `set_rule_active`); round robin goes on from the agent it picked last."""
    clean, _, values = _checked(spec)
    with session.store.write():
        rule_id = _rule_id(name)
        _name_free(clean, except_id=rule_id)
        team_id, agent_ids = _targets(spec)
        RoutingRule.update(name=clean, team=team_id, **values).where(
            RoutingRule.id == rule_id).execute()
        RoutingRuleAgent.delete().where(RoutingRuleAgent.rule == rule_id).execute()
        if agent_ids:
            RoutingRuleAgent.insert_many([{"rule": rule_id, "agent": a}
                                          for a in agent_ids]).execute()
    return Changes(agents=True)


def move_rule(session: Session, name: str, *, to: int | None = None,
              before: str | None = None) -> Changes:
    """Move a rule to place `to` (1 is tried first) or just before the rule called `before`;
    the others keep their order. One transaction: the whole order is written at once."""
    if (to is None) == (before is None):
        raise ValidationError("Say where the rule goes: a place in the list, or the rule it "
                              "goes before.")
    with session.store.write():
        rule_id = _rule_id(name)
        order = [r for (r,) in RoutingRule.select(RoutingRule.id)
                 .order_by(RoutingRule.position, RoutingRule.id).tuples()]
        order.remove(rule_id)
        if before is not None:
            other = _rule_id(before)
            if other == rule_id:
                raise ValidationError("A rule cannot go before itself.")
            index = order.index(other)
        else:
            assert to is not None
            if not 1 <= to <= len(order) + 1:
                raise ValidationError(f"Give a place from 1 to {len(order) + 1}.")
            index = to - 1
        order.insert(index, rule_id)
        _write_order(order)
    return Changes(agents=True)


def _write_order(order: Sequence[int]) -> None:
    """Positions 1..n in this order, writing only the rules whose position changes."""
    current = dict(RoutingRule.select(RoutingRule.id, RoutingRule.position).tuples())
    for position, rule_id in enumerate(order, start=1):
        if current.get(rule_id) != position:
            RoutingRule.update(position=position).where(RoutingRule.id == rule_id).execute()


def _rule_id(name: str) -> int:
    clean = name.strip()
    rule_id = (RoutingRule.select(RoutingRule.id)
               .where(fn.lower(RoutingRule.name) == fn.lower(clean)).scalar()
               if clean and "\x00" not in clean else None)
    if rule_id is None:
        raise NotFoundError(f"There is no routing rule called {clean!r}.")
    return int(rule_id)


def set_rule_active(session: Session, name: str, active: bool) -> Changes:
    with session.store.write():
        RoutingRule.update(active=active).where(RoutingRule.id == _rule_id(name)).execute()
    return Changes(agents=True)


def delete_rule(session: Session, name: str) -> Changes:
    with session.store.write():
        RoutingRule.delete().where(RoutingRule.id == _rule_id(name)).execute()
    return Changes(agents=True)


def list_rules(session: Session) -> list[rules.Rule]:
    with session.store.read():
        return load_rules()


def list_rules_as_written(session: Session) -> list[tuple[rules.Rule, RuleSpec]]:
    """Every rule in order with its spec as a person wrote it (names and spelling kept: the
    dialog edits these), in one read."""
    with session.store.read():
        found = load_rules()
        specs = dict(_specs())
    return [(r, specs[r.id]) for r in found if r.id in specs]


def _specs() -> list[tuple[int, RuleSpec]]:
    agents: dict[int, list[str]] = {}
    for rule_id, name in (RoutingRuleAgent.select(RoutingRuleAgent.rule, Agent.name)
                          .join(Agent, on=(RoutingRuleAgent.agent == Agent.id))
                          .order_by(Agent.id).tuples()):
        agents.setdefault(rule_id, []).append(name)
    query = (RoutingRule.select(RoutingRule.id, RoutingRule.name, RoutingRule.method,
                                Team.name, RoutingRule.tags, RoutingRule.categories,
                                RoutingRule.customer_tags, RoutingRule.priorities,
                                RoutingRule.words, RoutingRule.channels, RoutingRule.active)
             .join(Team, JOIN.LEFT_OUTER, on=(RoutingRule.team == Team.id)))
    return [(rule_id, RuleSpec(
        name, Method(method), team=team if rule_id not in agents else None,
        agents=tuple(agents.get(rule_id, ())), tags=tuple(_lines(tags)),
        categories=tuple(_lines(categories)), customer_tags=tuple(_lines(customer_tags)),
        priorities=tuple(Priority(int(p)) for p in _lines(priorities)), words=words,
        channels=tuple(_lines(channels)), active=bool(active)))
        for (rule_id, name, method, team, tags, categories, customer_tags, priorities, words,
             channels, active) in query.tuples()]


def _lines(value: str) -> list[str]:
    return [v for v in value.split("\n") if v.strip()]
