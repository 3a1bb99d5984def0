"""Migration 23: on a team desk a customer's history names the agent signed in to the server
(`session_user`), like a ticket's activity — whatever the desktop claims, through the services
and through plain SQL on the agent's own connection."""

from __future__ import annotations

import pytest

from tests.unit.test_postgres_roles_security import NOW, Team, team  # noqa: F401 (fixture)
from ticketdesk.services import customer_records
from ticketdesk.services.customer_records import CustomerEdit
from ticketdesk.services.session import Session

pytestmark = pytest.mark.postgres


def test_a_customer_saved_by_an_agents_store_is_recorded_as_that_agent(team: Team) -> None:  # noqa: F811
    _, ann_login = team.add("Ann", "agent")
    bob, _ = team.add("Bob", "agent")
    store = team.open_as(ann_login)
    customer, _ = customer_records.save_customer(Session(store, bob), None, 0,
                                                 CustomerEdit("Zed Zulu", ["zed@zulu.example"]))
    history = customer_records.customer_history(store, customer)
    assert history
    assert {h.agent for h in history} == {"Ann"}


def test_plain_sql_cannot_write_a_customers_history_in_another_agents_name(
        team: Team) -> None:  # noqa: F811
    ann, ann_login = team.add("Ann", "agent")
    bob, _ = team.add("Bob", "agent")
    customer, _ = customer_records.save_customer(team.owner, None, 0, CustomerEdit("Zed Zulu"))
    conn = team.connect(ann_login)
    conn.execute("INSERT INTO customer_activity (customer_id, agent_id, at, kind) "
                 "VALUES (%s, %s, %s, 'edited')", (customer, bob, NOW))
    (agent,) = conn.execute("SELECT agent_id FROM customer_activity ORDER BY id DESC LIMIT 1"
                            ).fetchone()
    assert agent == ann


def test_an_unmapped_owner_writes_what_it_sends_as_before(team: Team) -> None:  # noqa: F811
    bob, _ = team.add("Bob", "agent")
    customer, _ = customer_records.save_customer(team.owner.as_agent(bob), None, 0,
                                                 CustomerEdit("Zed Zulu"))
    assert {h.agent for h in customer_records.customer_history(team.store, customer)} == {"Bob"}
