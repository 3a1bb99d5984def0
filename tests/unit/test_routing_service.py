"""Routing new tickets (services/routing.py) through `tickets.create_ticket`, on both engines."""

from __future__ import annotations

import itertools
import multiprocessing
from collections import Counter
from typing import Any

import pytest

from tests.helpers import new_ticket
from tests.unit.support import activity, snapshot
from ticketdesk.db.models import Ticket, TicketAssignee
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.routing import AgentStatus, Method
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, customers, routing, ticket_list, tickets, workload
from ticketdesk.services.routing import RuleSpec
from ticketdesk.services.session import Session
from ticketdesk.services.workload import WorkloadFigure


def assignees(ticket_id: int) -> list[int]:
    return [a for (a,) in TicketAssignee.select(TicketAssignee.agent)
            .where(TicketAssignee.ticket == ticket_id).tuples()]


def routed(ticket_id: int) -> list[str | None]:
    return [row.new for row in activity(ticket_id) if row.kind == ActivityKind.ROUTED]


@pytest.fixture
def team(system: Session) -> dict[str, int]:
    """Billing: Ana, Ben and Cal; Dee is on no team."""
    ids = {name: agents.create_agent(system, name)[0] for name in ("Ana", "Ben", "Cal", "Dee")}
    routing.add_team(system, "Billing", ["Ana", "Ben", "Cal"])
    return ids


def test_round_robin_skips_an_away_agent_and_writes_the_rule_and_reason(
        system: Session, team: dict[str, int]) -> None:
    routing.set_availability(system, "Ana", "away")
    routing.add_rule(system, RuleSpec("Money", "round-robin", team="Billing", tags=["billing"]))
    made = [new_ticket(system, tags=["billing"]) for _ in range(4)]
    assert [assignees(t) for t in made] == [[team["Ben"]], [team["Cal"]], [team["Ben"]],
                                            [team["Cal"]]]
    assert routed(made[0]) == ["Rule “Money”: Ben — round robin among Billing; Ana is away; "
                               "Ben is next"]
    kinds = [row.kind for row in activity(made[0])]
    assert kinds[-2:] == [ActivityKind.ASSIGNED, ActivityKind.ROUTED]
    other = new_ticket(system, tags=["vpn"])
    assert assignees(other) == []
    assert routed(other) == []


def test_least_open_picks_the_agent_with_fewest_open_tickets_within_capacity(
        system: Session, team: dict[str, int]) -> None:
    routing.set_availability(system, "Ben", "available", capacity=1)
    for name in ("Ana", "Ana", "Cal"):
        new_ticket(system, assignee_ids=[team[name]])
    routing.add_rule(system, RuleSpec("Least", "least-open", team="Billing"))
    ticket_id = new_ticket(system, subject="Invoice")
    assert assignees(ticket_id) == [team["Ben"]]
    assert routed(ticket_id) == ["Rule “Least”: Ben — least open among Billing; Ben has 0 open, "
                                 "capacity 1"]
    second = new_ticket(system, subject="Invoice again")  # Ben is full now
    assert assignees(second) == [team["Cal"]]
    assert "Ben is full (1 open, capacity 1)" in (routed(second)[0] or "")


def test_nobody_available_leaves_the_ticket_unassigned_and_says_so(
        system: Session, team: dict[str, int]) -> None:
    for name in ("Ana", "Ben"):
        routing.set_availability(system, name, "off")
    routing.set_availability(system, "Cal", None, capacity=0)
    routing.add_rule(system, RuleSpec("All", "round-robin", team="Billing"))
    ticket_id = new_ticket(system)
    assert assignees(ticket_id) == []
    assert routed(ticket_id) == [
        "Rule “All”: nobody — round robin among Billing; Ana is off; Ben is off; Cal is full "
        "(0 open, capacity 0); nobody available, left unassigned"]


def test_skills_route_by_category_and_words_and_priority_narrow_the_rule(
        system: Session, team: dict[str, int]) -> None:
    routing.set_skills(system, "Cal", categories=["Hardware"])
    routing.add_rule(system, RuleSpec("Urgent printers", "skills", team="Billing",
                                      priorities=["Urgent"], words="printer toner"))
    hit = new_ticket(system, subject="The PRINTER jams", priority="Urgent", category="hardware")
    assert assignees(hit) == [team["Cal"]]
    assert assignees(new_ticket(system, subject="The printer jams", priority="Low")) == []
    assert assignees(new_ticket(system, subject="Scanner", priority="Urgent")) == []


def test_a_ticket_created_with_an_assignee_is_not_routed(system: Session,
                                                         team: dict[str, int]) -> None:
    routing.add_rule(system, RuleSpec("All", "round-robin", agents=["Ana", "Ben"]))
    ticket_id = new_ticket(system, assignee_ids=[team["Dee"]])
    assert assignees(ticket_id) == [team["Dee"]]
    assert routed(ticket_id) == []


def test_a_rule_on_a_channel_routes_only_tickets_from_that_channel(
        system: Session, team: dict[str, int]) -> None:
    routing.add_rule(system, RuleSpec("Mail", "round-robin", agents=["Dee"], channels=["email"]))
    mail = tickets.create_ticket(system, subject="From mail", channel="email").new_id
    window = new_ticket(system, subject="From the window")
    assert assignees(mail) == [team["Dee"]]
    assert assignees(window) == []


def test_a_rule_on_a_customer_tag_routes_that_customers_tickets_to_its_own_agents(
        system: Session, team: dict[str, int]) -> None:
    vip, _ = customers.create_customer(system, "Vera", tags=["VIP"])
    plain, _ = customers.create_customer(system, "Paul")
    routing.add_rule(system, RuleSpec("Key accounts", "least-open", agents=["Dee", "Cal"],
                                      customer_tags=["vip"]))
    for_vip = new_ticket(system, customer_id=vip)
    for_plain = new_ticket(system, customer_id=plain)
    assert assignees(for_vip) == [team["Cal"]]
    assert routed(for_vip) == ["Rule “Key accounts”: Cal — least open among Cal, Dee; "
                               "Cal has 0 open"]
    assert assignees(for_plain) == []


def test_route_many_routes_imported_tickets_in_order_with_their_channel(
        system: Session, team: dict[str, int]) -> None:
    routing.add_rule(system, RuleSpec("Imports", "round-robin", agents=["Ana", "Dee"],
                                      channels=["import"]))
    made = [tickets.create_ticket(system, subject=f"Imported {i}", channel="").new_id
            for i in range(3)]  # as a bulk import leaves them: created, not yet routed
    assert [assignees(t) for t in made] == [[], [], []]
    assert routing.route_many(system, made, channel="import") == 3
    assert [assignees(t) for t in made] == [[team["Ana"]], [team["Dee"]], [team["Ana"]]]
    assert routing.route_many(system, made, channel="import") == 0  # assigned: left alone


def test_dry_run_changes_nothing_and_gives_the_load_per_agent(
        store: Store, system: Session, team: dict[str, int]) -> None:
    made = [new_ticket(system, tags=["billing"] if i % 2 else []) for i in range(7)]
    routing.add_rule(system, RuleSpec("Money", "round-robin", team="Billing", tags=["billing"]))
    before = snapshot(store)
    result = routing.dry_run(system, 5)
    assert snapshot(store) == before
    assert [row.ticket_id for row in result.rows] == [made[3], made[5]]  # made[1] is older
    assert [row.agent for row in result.rows] == ["Ana", "Ben"]
    assert result.unmatched == 3
    loads = {load.name: (load.open_before, load.routed) for load in result.loads}
    assert loads == {"Ana": (0, 1), "Ben": (0, 1), "Cal": (0, 0)}
    with pytest.raises(ValidationError):
        routing.dry_run(system, 0)


def test_workload_counts_open_due_soon_and_breached_against_capacity(
        store: Store, system: Session, team: dict[str, int]) -> None:
    routing.set_availability(system, "Ana", None, capacity=5)
    now = system.now()
    due = [new_ticket(system, assignee_ids=[team["Ana"]]) for _ in range(5)]
    # The SLA columns as services/sla.py keeps them: due in 10 minutes, in a day, breached,
    # breached on one target with another due in 20 minutes (counted in both), resolved.
    Ticket.update(sla_due=now + 600).where(Ticket.id == due[0]).execute()
    Ticket.update(sla_due=now + 86_400).where(Ticket.id == due[1]).execute()
    Ticket.update(sla_due=now - 60, sla_breach_at=now - 60).where(Ticket.id == due[2]).execute()
    Ticket.update(sla_due=now + 1200, sla_breach_at=now - 60).where(
        Ticket.id == due[3]).execute()
    Ticket.update(status=Status.RESOLVED).where(Ticket.id == due[4]).execute()
    rows = {w.name: w for w in workload.workload(system)}
    ana = rows["Ana"]
    assert (ana.open, ana.due_soon, ana.breached, ana.capacity, ana.free) == (4, 2, 2, 5, 1)
    assert (rows["Ben"].open, rows["Ben"].status) == (0, AgentStatus.AVAILABLE)
    # Each figure's filter lists exactly the tickets it counts.
    listed = {figure: ticket_list.count(store, ana.tickets(figure), now=now)
              for figure in WorkloadFigure}
    assert listed == {WorkloadFigure.OPEN: 4, WorkloadFigure.DUE_SOON: 2,
                      WorkloadFigure.BREACHED: 2}


def test_rules_move_up_and_down_and_before_another_in_one_order(
        store: Store, system: Session, team: dict[str, int]) -> None:
    for name in ("A", "B", "C", "D"):
        routing.add_rule(system, RuleSpec(name, "round-robin", team="Billing"))

    def order() -> list[str]:
        return [r.name for r in routing.list_rules(system)]

    routing.move_rule(system, "c", to=1)
    assert order() == ["C", "A", "B", "D"]
    routing.move_rule(system, "C", to=4)
    assert order() == ["A", "B", "D", "C"]
    routing.move_rule(system, "A", before="C")
    assert order() == ["B", "D", "A", "C"]
    # The first matching rule in the new order decides.
    ticket_id = new_ticket(system)
    assert (routed(ticket_id)[0] or "").startswith("Rule “B”")
    before = snapshot(store)
    with pytest.raises(ValidationError, match="from 1 to 4"):
        routing.move_rule(system, "A", to=5)
    with pytest.raises(ValidationError, match="before itself"):
        routing.move_rule(system, "A", before="a")
    with pytest.raises(NotFoundError, match="no routing rule called 'Z'"):
        routing.move_rule(system, "A", before="Z")
    with pytest.raises(ValidationError, match="Say where"):
        routing.move_rule(system, "A")
    assert snapshot(store) == before


def test_a_rule_edited_keeps_its_place_and_activity_and_routes_by_its_new_conditions(
        store: Store, system: Session, team: dict[str, int]) -> None:
    routing.add_rule(system, RuleSpec("First", "round-robin", team="Billing", tags=["vpn"]))
    routing.add_rule(system, RuleSpec("Money", "round-robin", team="Billing",
                                      tags=["billing"], categories=["Hardware"]))
    routing.set_rule_active(system, "Money", False)
    routing.update_rule(system, "money", RuleSpec(
        "Refunds", "least-open", agents=["Dee"], categories=["Hardware"], words="refund",
        priorities=["High"], channels=["Email"]))
    (first, _), (rule, spec) = routing.list_rules_as_written(system)
    assert (first.name, rule.name, rule.active, rule.method) == (
        "First", "Refunds", False, Method.LEAST_OPEN)
    assert spec == RuleSpec("Refunds", Method.LEAST_OPEN, agents=("Dee",),
                            categories=("Hardware",), priorities=(Priority.HIGH,),
                            words="refund", channels=("email",), active=False)
    routing.set_rule_active(system, "Refunds", True)
    ticket_id = tickets.create_ticket(system, subject="A refund please", category="Hardware",
                                      priority="High", channel="email").new_id
    assert assignees(ticket_id) == [team["Dee"]]
    before = snapshot(store)
    with pytest.raises(ValidationError, match="already a routing rule called 'first'"):
        routing.update_rule(system, "Refunds", RuleSpec("first", "skills", team="Billing"))
    with pytest.raises(NotFoundError, match="no team called 'Nope'"):
        routing.update_rule(system, "Refunds", RuleSpec("Refunds", "skills", team="Nope"))
    with pytest.raises(NotFoundError, match="no routing rule called 'Gone'"):
        routing.update_rule(system, "Gone", RuleSpec("Gone", "skills", team="Billing"))
    assert snapshot(store) == before


def test_bad_names_and_rules_are_refused_and_change_nothing(
        store: Store, system: Session, team: dict[str, int]) -> None:
    before = snapshot(store)
    with pytest.raises(NotFoundError, match="no team called 'Nope'"):
        routing.add_rule(system, RuleSpec("X", "round-robin", team="Nope"))
    with pytest.raises(ValidationError, match="either a team or agents"):
        routing.add_rule(system, RuleSpec("X", "round-robin"))
    with pytest.raises(ValidationError, match="Unknown routing method"):
        routing.add_rule(system, RuleSpec("X", "lottery", team="Billing"))
    with pytest.raises(NotFoundError, match="no agent called 'Zed'"):
        routing.add_team(system, "Support", ["Ana", "Zed"])
    with pytest.raises(ValidationError, match="already a team"):
        routing.add_team(system, "billing")
    with pytest.raises(ValidationError, match="capacity between"):
        routing.set_availability(system, "Ana", None, capacity=-1)
    assert snapshot(store) == before


# -- two desktops on one team desk ---------------------------------------------------------------


def _create_in_child(url: str, count: int, barrier: Any, results: Any) -> None:
    try:
        store = open_database(url)
        session = Session(store, None)
        barrier.wait(timeout=60)
        made = [tickets.create_ticket(session, subject=f"Concurrent {i}").new_id
                for i in range(count)]
        store.close()
        results.put(("ok", made))
    except BaseException as exc:  # report anything to the parent
        results.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_round_robin_is_fair_across_two_desktops_creating_tickets_at_once(
        db_url: str, system: Session, team: dict[str, int]) -> None:
    routing.add_rule(system, RuleSpec("All", "round-robin", team="Billing"))
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    children = [ctx.Process(target=_create_in_child, args=(db_url, 15, barrier, results))
                for _ in range(2)]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=180) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert [status for status, _ in outcomes] == ["ok", "ok"], outcomes
    made = sorted(t for _, ids in outcomes for t in ids)
    picks = [assignees(t) for t in made]
    assert all(len(p) == 1 for p in picks)
    assert Counter(p[0] for p in picks) == Counter(
        {team["Ana"]: 10, team["Ben"]: 10, team["Cal"]: 10})
    # in creation order the rotation never repeats an agent: each pick saw the previous one
    order = [p[0] for p in picks]
    assert all(a != b for a, b in itertools.pairwise(order))
