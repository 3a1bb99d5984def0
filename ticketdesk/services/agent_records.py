"""Agents and teams as records the desk manages (issue 19): rename, deactivate and reactivate an
agent, make and change teams, and the "My team" filter.

An agent's history stays theirs: activity, notes and messages point at the agent's id, so a
rename shows the new name everywhere and a deactivated agent's rows keep their name. A
deactivated agent is not offered in pickers (`agents.list_agents`) nor picked by routing
(services/routing.py). Teams are the tables of migration 16 (`team`, `team_member`), which
routing rules also target. Each change is one transaction with a desk event
(`desk_event`, migration 22); on a team desk only an admin may make them, and deactivating an
agent with a login also turns the login off (services/team_roles.set_active).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peewee import fn

from ticketdesk.db.models import Agent, Team, TeamMember, Ticket, TicketAssignee
from ticketdesk.domain import text
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.status import Status
from ticketdesk.services import agents, recycle_bin, routing, team_roles
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

ADMIN_ONLY = ("On a team desk only an admin may rename or deactivate agents and change teams; "
              "you are signed in as {role}. Nothing was changed.")


@dataclass(frozen=True)
class AgentRow:
    id: int
    name: str
    email: str
    active: bool
    open_tickets: int
    teams: tuple[str, ...]


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    members: tuple[int, ...]


def _check_admin(session: Session) -> None:
    role = team_roles.signed_in_role(session.store)
    if role is not None and role != "admin":
        raise ValidationError(ADMIN_ONLY.format(role=role))


def _agent(agent_id: int) -> Any:
    agent = Agent.get_or_none(Agent.id == agent_id)
    if agent is None:
        raise NotFoundError(f"There is no agent with id {agent_id}.")
    return agent


def read_agents(session: Session) -> list[AgentRow]:
    """Every agent, active first then by name, with their open tickets and teams."""
    active = [int(s) for s in Status if s.is_active]
    with session.store.read():
        open_counts = dict(TicketAssignee.select(TicketAssignee.agent, fn.count(Ticket.id))
                           .join(Ticket, on=(Ticket.id == TicketAssignee.ticket))
                           .where(Ticket.status.in_(active))
                           .group_by(TicketAssignee.agent).tuples())
        teams: dict[int, list[str]] = {}
        for agent_id, name in (TeamMember.select(TeamMember.agent, Team.name)
                               .join(Team, on=(Team.id == TeamMember.team))
                               .order_by(fn.lower(Team.name)).tuples()):
            teams.setdefault(int(agent_id), []).append(name)
        rows = list(Agent.select(Agent.id, Agent.name, Agent.email, Agent.active)
                    .order_by(Agent.active.desc(), fn.lower(Agent.name)).tuples())
    return [AgentRow(int(i), name, email, bool(act), int(open_counts.get(i, 0)),
                     tuple(teams.get(int(i), ()))) for i, name, email, act in rows]


def rename_agent(session: Session, agent_id: int, name: str) -> Changes:
    clean = text.name(name, "agent's name")
    _check_admin(session)
    with session.store.write():
        old = _agent(agent_id).name
        if old == clean:
            return Changes()
        agents.update_agent(session, agent_id, name=clean)
        recycle_bin.event(session, "agent_renamed", clean, f"was {old}")
    return Changes(agents=True, everything=True)


def set_agent_active(session: Session, agent_id: int, active: bool) -> Changes:
    """Deactivate or reactivate. Refused for yourself and for the last active agent."""
    _check_admin(session)
    with session.store.write():
        agent = _agent(agent_id)
        if bool(agent.active) == active:
            return Changes()
        if not active:
            if agent_id == session.agent_id:
                raise ValidationError("You cannot deactivate yourself; switch to another agent "
                                      "or ask another admin. Nothing was changed.")
            others = Agent.select().where((Agent.active == True)  # noqa: E712
                                          & (Agent.id != agent_id)).count()
            if not others:
                raise ValidationError(f"{agent.name} is the last active agent; a desk needs "
                                      "one. Nothing was changed.")
        if agent.db_role and not session.store.is_sqlite:
            team_roles.set_active(session, agent.name, active)
        else:
            Agent.update({Agent.active: active}).where(Agent.id == agent_id).execute()
        recycle_bin.event(session, "agent_reactivated" if active else "agent_deactivated",
                          agent.name)
    return Changes(agents=True)


# -- teams ----------------------------------------------------------------------------------------


def read_teams(session: Session) -> list[TeamRow]:
    with session.store.read():
        members: dict[int, list[int]] = {}
        for team_id, agent_id in TeamMember.select(TeamMember.team, TeamMember.agent).tuples():
            members.setdefault(int(team_id), []).append(int(agent_id))
        teams = list(Team.select(Team.id, Team.name).order_by(fn.lower(Team.name)).tuples())
    return [TeamRow(int(i), name, tuple(sorted(members.get(int(i), ())))) for i, name in teams]


def _names(agent_ids: Iterable[int]) -> list[str]:
    ids = list(agent_ids)
    found = dict(Agent.select(Agent.id, Agent.name).where(Agent.id.in_(ids)).tuples())
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFoundError(f"There is no agent with id {missing[0]}.")
    return [found[i] for i in ids]


def save_team(session: Session, team_id: int | None, name: str,
              agent_ids: Iterable[int]) -> Changes:
    """Create a team (`team_id` None) or rename it and replace its members."""
    clean = text.name(name, "team's name")
    ids = sorted(set(agent_ids))
    _check_admin(session)
    with session.store.write():
        names = _names(ids)
        if team_id is None:
            routing.add_team(session, clean, names)
            recycle_bin.event(session, "team_created", clean, ", ".join(names))
            return Changes(agents=True)
        team = Team.get_or_none(Team.id == team_id)
        if team is None:
            raise NotFoundError("That team was deleted by someone else.")
        if clean != team.name:
            if Team.select().where((fn.lower(Team.name) == fn.lower(clean))
                                   & (Team.id != team_id)).exists():
                raise ValidationError(f"There is already a team called {clean!r}.")
            Team.update(name=clean).where(Team.id == team_id).execute()
        routing.set_team_members(session, clean, names)
        recycle_bin.event(session, "team_changed", clean, ", ".join(names))
    return Changes(agents=True)


def delete_team(session: Session, team_id: int) -> Changes:
    """Delete a team; refused while an active routing rule sends tickets to it."""
    from ticketdesk.db.models import RoutingRule

    _check_admin(session)
    with session.store.write():
        team = Team.get_or_none(Team.id == team_id)
        if team is None:
            raise NotFoundError("That team was already deleted.")
        rule = RoutingRule.get_or_none((RoutingRule.team == team_id)
                                       & (RoutingRule.active == True))  # noqa: E712
        if rule is not None:
            raise ValidationError(f"The routing rule {rule.name!r} sends tickets to {team.name}; "
                                  "change or disable it first. Nothing was changed.")
        routing.delete_team(session, team.name)
        recycle_bin.event(session, "team_deleted", team.name)
    return Changes(agents=True)


def my_team_members(session: Session) -> frozenset[int]:
    """The agents who share a team with the session's agent (themselves included): what the
    filter bar's "My team" means. Empty when they are in no team."""
    if session.agent_id is None:
        return frozenset()
    with session.store.read():
        mine = TeamMember.select(TeamMember.team).where(TeamMember.agent == session.agent_id)
        return frozenset(int(a) for (a,) in TeamMember.select(TeamMember.agent)
                         .where(TeamMember.team.in_(mine)).tuples())
