"""Agents and teams as records (services/agent_records.py): rename and deactivate keep the
agent's history theirs, a deactivated agent is not offered, refusals say why and change nothing,
teams are the routing tables of migration 16, and "My team" means the agents who share a team
with me; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.helpers import new_ticket
from tests.unit.support import snapshot
from ticketdesk.db.models import DeskEvent
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import ValidationError
from ticketdesk.services import agent_records, agents, audit, routing
from ticketdesk.services.routing import RuleSpec
from ticketdesk.services.session import Session


def test_a_renamed_agent_keeps_their_history(alice: Session, store: Store) -> None:
    tid = new_ticket(alice, "Mine", assignee_ids=[alice.agent_id])
    assert alice.agent_id is not None
    agent_records.rename_agent(alice, alice.agent_id, "Alice Renamed")
    assert audit.activity_for(tid)[0].agent == "Alice Renamed"
    rows = agent_records.read_agents(alice)
    assert [(r.name, r.open_tickets) for r in rows] == [("Alice Renamed", 1)]
    assert DeskEvent.get(DeskEvent.kind == "agent_renamed").detail == "was Alice Agent"


def test_deactivated_agents_are_not_offered_and_come_back(alice: Session, bob: Session,
                                                          store: Store) -> None:
    assert bob.agent_id is not None
    tid = new_ticket(alice, "Bob's", assignee_ids=[bob.agent_id])
    agent_records.set_agent_active(alice, bob.agent_id, False)
    assert [a.name for a in agents.list_agents(store)] == ["Alice Agent"]
    assert audit.activity_for(tid)[-1].agent == "Alice Agent"
    assert [r.active for r in agent_records.read_agents(alice)] == [True, False]
    agent_records.set_agent_active(alice, bob.agent_id, True)
    assert [a.name for a in agents.list_agents(store)] == ["Alice Agent", "Bob Builder"]
    kinds = [k for (k,) in DeskEvent.select(DeskEvent.kind).order_by(DeskEvent.id).tuples()]
    assert kinds == ["agent_deactivated", "agent_reactivated"]


def test_refusals_change_nothing(alice: Session, bob: Session, store: Store) -> None:
    assert alice.agent_id is not None
    assert bob.agent_id is not None
    agent_records.set_agent_active(alice, bob.agent_id, False)
    before = snapshot(store)
    with pytest.raises(ValidationError, match="cannot deactivate yourself"):
        agent_records.set_agent_active(alice, alice.agent_id, False)
    with pytest.raises(ValidationError, match="last active agent"):
        agent_records.set_agent_active(bob, alice.agent_id, False)
    with pytest.raises(ValidationError, match="already an agent called"):
        agent_records.rename_agent(alice, alice.agent_id, "bob builder")
    assert snapshot(store) == before


def test_teams_and_my_team(alice: Session, bob: Session, system: Session) -> None:
    assert alice.agent_id is not None
    assert bob.agent_id is not None
    carl, _ = agents.create_agent(system, "Carl")
    agent_records.save_team(alice, None, "Front line", [alice.agent_id, bob.agent_id])
    (team,) = agent_records.read_teams(alice)
    assert team.members == tuple(sorted([alice.agent_id, bob.agent_id]))
    assert agent_records.my_team_members(alice) == {alice.agent_id, bob.agent_id}
    assert agent_records.my_team_members(system.as_agent(carl)) == frozenset()
    agent_records.save_team(alice, team.id, "First line", [alice.agent_id, carl])
    assert routing.list_teams(alice) == [("First line", ["Alice Agent", "Carl"])]
    routing.add_rule(alice, RuleSpec("To first", method="round-robin", team="First line"))
    with pytest.raises(ValidationError, match="change or disable it first"):
        agent_records.delete_team(alice, team.id)
    routing.set_rule_active(alice, "To first", False)
    agent_records.delete_team(alice, team.id)
    assert agent_records.read_teams(alice) == []
