"""The routing rule (domain/routing.py): who a rule picks and the reason it gives."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.routing import (
    AgentState,
    AgentStatus,
    Conditions,
    Method,
    Rule,
    TicketFacts,
    choose,
    decide,
    needs_counts,
)
from ticketdesk.domain.status import Priority

agent_states = st.builds(
    AgentState,
    id=st.integers(1, 40),
    name=st.sampled_from(["Ana", "Ben", "Cal", "Dee"]),
    status=st.sampled_from(list(AgentStatus)),
    capacity=st.one_of(st.none(), st.integers(0, 5)),
    open_count=st.integers(0, 8),
    tag_skills=st.frozensets(st.sampled_from(["billing", "vpn", "refund"]), max_size=2),
)
agent_maps = st.lists(agent_states, max_size=8, unique_by=lambda a: a.id).map(
    lambda agents: {a.id: a for a in agents})


def rule(members: tuple[int, ...], method: Method = Method.ROUND_ROBIN, last: int = 0,
         **conditions: object) -> Rule:
    return Rule(1, "Billing", Conditions.of(**conditions), method, "Billing",  # type: ignore[arg-type]
                members, last)


@settings(max_examples=300, deadline=None)
@given(agents=agent_maps, method=st.sampled_from(list(Method)), last=st.integers(0, 41),
       tags=st.frozensets(st.sampled_from(["billing", "vpn", "refund"])))
def test_never_picks_an_away_off_or_full_agent(agents: dict[int, AgentState], method: Method,
                                               last: int, tags: frozenset[str]) -> None:
    decision = choose(rule(tuple(agents), method, last), TicketFacts(tags=tags), agents)
    if decision.agent_id is None:
        assert not any(a.can_take for a in agents.values())
        assert "nobody available, left unassigned" in decision.reason
    else:
        picked = agents[decision.agent_id]
        assert picked.status == AgentStatus.AVAILABLE
        assert not picked.full
        assert picked.name in decision.reason


@settings(max_examples=200, deadline=None)
@given(agents=agent_maps)
def test_least_open_picks_an_agent_with_the_fewest_open_tickets(
        agents: dict[int, AgentState]) -> None:
    decision = choose(rule(tuple(agents), Method.LEAST_OPEN), TicketFacts(), agents)
    takers = [a for a in agents.values() if a.can_take]
    if takers:
        assert decision.agent_id is not None
        assert agents[decision.agent_id].open_count == min(a.open_count or 0 for a in takers)


@settings(max_examples=100, deadline=None)
@given(ids=st.lists(st.integers(1, 500), min_size=1, max_size=12, unique=True),
       rounds=st.integers(1, 5), start=st.integers(0, 501))
def test_round_robin_is_fair_over_many_tickets(ids: list[int], rounds: int, start: int) -> None:
    agents = {i: AgentState(i, f"A{i}") for i in ids}
    last = start
    picks: Counter[int] = Counter()
    for _ in range(rounds * len(ids)):
        decision = choose(rule(tuple(ids), last=last), TicketFacts(), agents)
        assert decision.agent_id is not None
        picks[decision.agent_id] += 1
        last = decision.agent_id  # the cursor the service stores
    assert picks == Counter(dict.fromkeys(ids, rounds))


def test_reason_names_the_method_the_skipped_agents_and_the_load() -> None:
    agents = {1: AgentState(1, "Ana", AgentStatus.AWAY),
              2: AgentState(2, "Ben", capacity=10, open_count=3)}
    decision = choose(rule((1, 2), Method.LEAST_OPEN), TicketFacts(), agents)
    assert decision.agent_id == 2
    assert decision.reason == "least open among Billing; Ana is away; Ben has 3 open, capacity 10"


def test_nobody_available_leaves_the_ticket_unassigned_and_says_why() -> None:
    agents = {1: AgentState(1, "Ana", AgentStatus.OFF),
              2: AgentState(2, "Ben", capacity=2, open_count=2)}
    decision = choose(rule((1, 2)), TicketFacts(), agents)
    assert decision.agent_id is None
    assert decision.reason == ("round robin among Billing; Ana is off; Ben is full (2 open, "
                               "capacity 2); nobody available, left unassigned")


def test_skills_prefers_the_agent_whose_skills_match() -> None:
    agents = {1: AgentState(1, "Ana", open_count=0, tag_skills=frozenset({"vpn"})),
              2: AgentState(2, "Ben", open_count=5, tag_skills=frozenset({"billing"}))}
    decision = choose(rule((1, 2), Method.SKILLS), TicketFacts(tags=frozenset({"Billing"})),
                      agents)
    assert decision.agent_id == 2


@pytest.mark.parametrize(("conditions", "facts", "matches"), [
    ({"tags": ["billing"]}, TicketFacts(tags=frozenset({"Billing"})), True),
    ({"tags": ["billing"]}, TicketFacts(tags=frozenset({"vpn"})), False),
    ({"categories": ["Hardware"]}, TicketFacts(category="hardware"), True),
    ({"priorities": [Priority.URGENT]}, TicketFacts(priority=Priority.LOW), False),
    ({"words_text": ["refund invoice"]}, TicketFacts(subject="Need a REFUND"), True),
    ({"words_text": ["refund"]}, TicketFacts(body="refunded?"), False),
    ({"channels": ["email"]}, TicketFacts(channel="Email"), True),
    ({"customer_tags": ["vip"], "tags": ["vpn"]},
     TicketFacts(tags=frozenset({"vpn"}), customer_tags=frozenset()), False),
])
def test_conditions_must_all_match(conditions: dict[str, object], facts: TicketFacts,
                                   matches: bool) -> None:
    assert Conditions.of(**conditions).matches(facts) is matches  # type: ignore[arg-type]


def test_first_matching_active_rule_decides() -> None:
    agents = {1: AgentState(1, "Ana"), 2: AgentState(2, "Ben")}
    off = Rule(1, "Off", Conditions(), Method.ROUND_ROBIN, "Ana", (1,), active=False)
    vpn = Rule(2, "VPN", Conditions.of(tags=["vpn"]), Method.ROUND_ROBIN, "Ana", (1,))
    rest = Rule(3, "Rest", Conditions(), Method.ROUND_ROBIN, "Ben", (2,))
    assert decide([off, vpn, rest], TicketFacts(), agents).agent_id == 2  # type: ignore[union-attr]
    assert decide([off, vpn], TicketFacts(), agents) is None


def test_round_robin_counts_only_agents_with_a_capacity() -> None:
    agents = {1: AgentState(1, "Ana"), 2: AgentState(2, "Ben", capacity=4)}
    assert needs_counts(rule((1, 2)), agents) == {2}
    assert needs_counts(rule((1, 2), Method.LEAST_OPEN), agents) == {1, 2}


def test_unknown_method_and_status_are_refused_with_the_choices() -> None:
    with pytest.raises(ValidationError, match="round-robin, least-open, skills"):
        Method.parse("random")
    with pytest.raises(ValidationError, match="available, away, off"):
        AgentStatus.parse("busy")
    assert Method.parse("Least Open") == Method.LEAST_OPEN
