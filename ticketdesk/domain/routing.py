"""Routing rules (issue 21): which agent a new ticket goes to, and why, as plain values.

Routing decides once per ticket, in the transaction that creates it (services/routing.py reads
the facts and writes the decision). This module holds only the rule: the first active rule whose
conditions all match the ticket picks, among its team or agents, one agent who is available and
not full, by round robin, least open tickets or skills. Every decision carries a sentence a
person can read in the activity ("round robin among Billing; Ana is away; Ben has 3 open,
capacity 10"); nobody available leaves the ticket unassigned and says so. No I/O here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.search import fold, words
from ticketdesk.domain.status import Priority


class AgentStatus(StrEnum):
    """An agent's availability; routing picks only available agents."""

    AVAILABLE = "available"
    AWAY = "away"
    OFF = "off"

    @classmethod
    def parse(cls, text: str) -> AgentStatus:
        clean = text.strip().lower()
        for status in cls:
            if clean == status.value:
                return status
        raise ValidationError(f"Unknown availability {text!r}. Choose one of: available, away, "
                              "off.")


class Method(StrEnum):
    """How a rule picks among its agents."""

    ROUND_ROBIN = "round-robin"
    LEAST_OPEN = "least-open"
    SKILLS = "skills"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")

    @classmethod
    def parse(cls, text: str) -> Method:
        clean = text.strip().lower().replace("_", "-").replace(" ", "-")
        for method in cls:
            if clean == method.value:
                return method
        raise ValidationError(f"Unknown routing method {text!r}. Choose one of: round-robin, "
                              "least-open, skills.")


@dataclass(frozen=True)
class TicketFacts:
    """What the rules look at. Tags, categories and customer tags are compared folded."""

    tags: frozenset[str] = frozenset()
    category: str = ""
    customer_tags: frozenset[str] = frozenset()
    priority: Priority = Priority.MEDIUM
    subject: str = ""
    body: str = ""
    channel: str = ""


def _folded(values: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(v).strip() for v in values if v and v.strip())


@dataclass(frozen=True)
class Conditions:
    """Each non-empty set narrows; the ticket must match every one (any value within a set)."""

    tags: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    customer_tags: frozenset[str] = frozenset()
    priorities: frozenset[Priority] = frozenset()
    words: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *, tags: Iterable[str] = (), categories: Iterable[str] = (),
           customer_tags: Iterable[str] = (), priorities: Iterable[Priority] = (),
           words_text: Iterable[str] = (), channels: Iterable[str] = ()) -> Conditions:
        """Folded and cleaned; `words_text` is split into search words (domain/search.py)."""
        return cls(_folded(tags), _folded(categories), _folded(customer_tags),
                   frozenset(priorities),
                   frozenset(w for text in words_text for w in words(text)),
                   _folded(channels))

    def matches(self, facts: TicketFacts) -> bool:
        if self.tags and not self.tags & _folded(facts.tags):
            return False
        if self.categories and fold(facts.category).strip() not in self.categories:
            return False
        if self.customer_tags and not self.customer_tags & _folded(facts.customer_tags):
            return False
        if self.priorities and facts.priority not in self.priorities:
            return False
        if self.channels and fold(facts.channel).strip() not in self.channels:
            return False
        if self.words:
            found = set(words(facts.subject)) | set(words(facts.body))
            if not self.words & found:
                return False
        return True


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    conditions: Conditions
    method: Method
    target: str
    """The team's name, or the agents' names: "among <target>" in the reason."""
    members: tuple[int, ...]
    """The agent ids it picks among."""
    last_agent_id: int = 0
    """Round robin's cursor: the agent it picked last (0: none yet)."""
    active: bool = True


@dataclass(frozen=True)
class AgentState:
    id: int
    name: str
    status: AgentStatus = AgentStatus.AVAILABLE
    capacity: int | None = None
    open_count: int | None = None
    """Open tickets assigned to the agent; None when not counted (round robin, no capacity)."""
    tag_skills: frozenset[str] = frozenset()
    category_skills: frozenset[str] = frozenset()
    active: bool = True

    @property
    def full(self) -> bool:
        return (self.capacity is not None and self.open_count is not None
                and self.open_count >= self.capacity)

    @property
    def can_take(self) -> bool:
        return self.active and self.status == AgentStatus.AVAILABLE and not self.full

    def load(self) -> str:
        if self.open_count is None:
            return f"{self.name} is next"
        capacity = f", capacity {self.capacity}" if self.capacity is not None else ""
        return f"{self.name} has {self.open_count} open{capacity}"

    def skill_score(self, facts: TicketFacts) -> int:
        score = len(_folded(self.tag_skills) & _folded(facts.tags))
        if facts.category.strip() and fold(facts.category).strip() in _folded(
                self.category_skills):
            score += 1
        return score


@dataclass(frozen=True)
class Decision:
    rule: Rule | None
    agent_id: int | None
    reason: str
    agent_name: str = ""
    skipped: tuple[str, ...] = field(default=())


def first_match(rules: Sequence[Rule], facts: TicketFacts) -> Rule | None:
    """The first active rule (in the given order) whose conditions all match."""
    for rule in rules:
        if rule.active and rule.conditions.matches(facts):
            return rule
    return None


def needs_counts(rule: Rule, agents: Mapping[int, AgentState]) -> set[int]:
    """The members whose open tickets must be counted for this rule: all of them for least
    open and skills, only those with a capacity for round robin (which then costs nothing on
    a desk without capacities)."""
    if rule.method != Method.ROUND_ROBIN:
        return set(rule.members)
    return {a for a in rule.members if a in agents and agents[a].capacity is not None}


def _why_not(agent: AgentState) -> str:
    if not agent.active:
        return f"{agent.name} is deactivated"
    if agent.status != AgentStatus.AVAILABLE:
        return f"{agent.name} is {agent.status.value}"
    return f"{agent.name} is full ({agent.open_count} open, capacity {agent.capacity})"


def choose(rule: Rule, facts: TicketFacts, agents: Mapping[int, AgentState]) -> Decision:
    """The agent `rule` picks for a ticket with `facts`, and the sentence that says why."""
    members = sorted((agents[a] for a in set(rule.members) if a in agents), key=lambda a: a.id)
    takes = [a.can_take for a in members]  # once each: a dry run asks for every ticket
    skipped = tuple(_why_not(a) for a, ok in zip(members, takes, strict=True) if not ok)
    eligible = [a for a, ok in zip(members, takes, strict=True) if ok]
    head = f"{rule.method.label} among {rule.target}"
    if not eligible:
        parts = [head, *skipped] if skipped else [head, "it has no agents"]
        return Decision(rule, None, "; ".join(parts) + "; nobody available, left unassigned",
                        skipped=skipped)
    notes: list[str] = []
    if rule.method == Method.ROUND_ROBIN:
        later = [a for a in eligible if a.id > rule.last_agent_id]
        pick = (later or eligible)[0]
    elif rule.method == Method.LEAST_OPEN:
        pick = min(eligible, key=lambda a: (a.open_count or 0, a.id))
    else:
        best = max(a.skill_score(facts) for a in eligible)
        if best == 0:
            notes.append("nobody available has the skills, so least open")
            pool = eligible
        else:
            pool = [a for a in eligible if a.skill_score(facts) == best]
            notes.append(f"{len(pool)} with the best matching skills")
        pick = min(pool, key=lambda a: (a.open_count or 0, a.id))
    reason = "; ".join([head, *skipped, *notes, pick.load()])
    return Decision(rule, pick.id, reason, pick.name, skipped)


def decide(rules: Sequence[Rule], facts: TicketFacts,
           agents: Mapping[int, AgentState]) -> Decision | None:
    """The decision of the first matching rule; None when no rule matches."""
    rule = first_match(rules, facts)
    return None if rule is None else choose(rule, facts, agents)


def describe(decision: Decision) -> str:
    """The activity row's text: `Rule “Billing”: Ben — round robin among Billing; …`."""
    name = decision.rule.name if decision.rule else "?"
    who = decision.agent_name or "nobody"
    return f"Rule “{name}”: {who} — {decision.reason}"
