"""Routing's open-ticket counts (migration 24): the triggers keep `agent_open_count` equal to a
count over the tickets through every way tickets change, on both engines."""

from __future__ import annotations

from tests.helpers import new_ticket
from ticketdesk.db.models import Ticket
from ticketdesk.db.store import Store
from ticketdesk.domain.status import Status
from ticketdesk.services import agents, assignees, demo, routing, routing_counts, tickets
from ticketdesk.services.routing import RuleSpec
from ticketdesk.services.session import Session


def kept(store: Store, agent_ids: list[int]) -> dict[int, int]:
    with store.read():
        return routing_counts.stored(agent_ids)


def counted(store: Store, agent_ids: list[int]) -> dict[int, int]:
    with store.read():
        found = routing_counts.recount()
    return {a: found.get(a, 0) for a in agent_ids}


def version(ticket_id: int) -> int:
    return int(Ticket.select(Ticket.version).where(Ticket.id == ticket_id).scalar())


def test_counts_follow_assignments_status_changes_reopens_and_deletes(
        store: Store, system: Session) -> None:
    ana = agents.create_agent(system, "Ana")[0]
    ben = agents.create_agent(system, "Ben")[0]
    ids = [ana, ben]
    one = new_ticket(system, assignee_ids=[ana, ben])
    two = new_ticket(system, assignee_ids=[ana])
    assert kept(store, ids) == {ana: 2, ben: 1} == counted(store, ids)
    tickets.set_status(system, one, version(one), Status.WAITING)  # still open
    assert kept(store, ids) == {ana: 2, ben: 1}
    tickets.set_status(system, one, version(one), Status.RESOLVED)
    assert kept(store, ids) == {ana: 1, ben: 0} == counted(store, ids)
    assignees.assign(system, one, version(one), ben)  # already: no change
    assignees.unassign(system, one, version(one), ben)  # a resolved ticket: nothing moves
    assert kept(store, ids) == {ana: 1, ben: 0}
    tickets.set_status(system, one, version(one), Status.OPEN)  # reopened
    assert kept(store, ids) == {ana: 2, ben: 0} == counted(store, ids)
    assignees.unassign(system, two, version(two), ana)
    assignees.assign(system, two, version(two), ben)
    assert kept(store, ids) == {ana: 1, ben: 1} == counted(store, ids)
    tickets.set_status(system, two, version(two), Status.CLOSED)
    with store.write():
        Ticket.delete().where(Ticket.id == one).execute()
    assert kept(store, ids) == {ana: 0, ben: 0} == counted(store, ids)


def test_least_open_routing_reads_the_kept_counts(store: Store, system: Session) -> None:
    ana = agents.create_agent(system, "Ana")[0]
    ben = agents.create_agent(system, "Ben")[0]
    routing.add_team(system, "Billing", ["Ana", "Ben"])
    new_ticket(system, assignee_ids=[ana])
    routing.add_rule(system, RuleSpec("Fair", "least-open", team="Billing"))
    picked = [routing_assignee(new_ticket(system)) for _ in range(3)]
    assert picked == [ben, ana, ben]  # 1-0, then 1-1 (Ana first by name), then 2-1
    assert kept(store, [ana, ben]) == {ana: 2, ben: 2} == counted(store, [ana, ben])


def routing_assignee(ticket_id: int) -> int:
    from ticketdesk.db.models import TicketAssignee

    return int(TicketAssignee.select(TicketAssignee.agent)
               .where(TicketAssignee.ticket == ticket_id).scalar())


def test_a_demo_desks_bulk_load_leaves_the_counts_right(store: Store) -> None:
    demo.generate(store, tickets=300, seed=3)
    with store.read():
        found = routing_counts.recount()
    assert found
    assert kept(store, list(found)) == found


def test_rebuild_recounts_a_wrong_table(store: Store, system: Session) -> None:
    ana = agents.create_agent(system, "Ana")[0]
    new_ticket(system, assignee_ids=[ana])
    with store.write():
        store.db.execute_sql("UPDATE agent_open_count SET open_count = 99")
        routing_counts.rebuild(store.db)
    assert kept(store, [ana]) == {ana: 1}


def test_a_desk_copied_to_postgresql_and_back_keeps_its_counts(tmp_path, pg_schema) -> None:
    from tests.conftest import pg_url
    from ticketdesk.db.store import open_database
    from ticketdesk.services import desk_migration

    source = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    store = open_database(source)
    try:
        demo.generate(store, tickets=200, seed=5)
        with store.read():
            expected = routing_counts.recount()
    finally:
        store.close()
    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    desk_migration.migrate_desk(source, pg_url(pg_schema))  # the bulk load pauses triggers
    desk_migration.migrate_desk(pg_url(pg_schema), back)
    for url in (pg_url(pg_schema), back):
        copy = open_database(url)
        try:
            assert kept(copy, list(expected)) == expected
        finally:
            copy.close()
