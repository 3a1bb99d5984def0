"""Creating tickets and changing their fields, on both backends: the exact activity rows, the
Changes value, version bumps, lifecycle times, and bad input refused with nothing written."""

from __future__ import annotations

import pytest

from tests.conftest import T0, FakeClock
from tests.helpers import new_ticket
from tests.unit.support import (
    Row,
    activity,
    activity_times,
    assert_refused,
    snapshot,
    version_and_updated,
)
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, audit, customers, notes, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

# -- create -------------------------------------------------------------------------------------


def test_a_new_ticket_is_open_medium_version_one_with_one_created_row(
        alice: Session, clock: FakeClock) -> None:
    changes = tickets.create_ticket(alice, subject="  Printer   on fire ",
                                    description="\r\nIt smokes.\r\n")
    tid = changes.new_id
    assert changes == Changes(created=(tid,))
    t = tickets.get_ticket(tid)
    assert (t.subject, t.description, t.status, t.priority, t.category, t.customer) == (
        "Printer on fire", "It smokes.", Status.OPEN, Priority.MEDIUM, "", None)
    assert (t.version, t.created_at, t.updated_at) == (1, T0, T0)
    assert (t.first_response_at, t.resolved_at, t.closed_at) == (None, None, None)
    assert (t.assignees, t.tags) == ((), ())
    assert t.number == f"TKT-{tid:06d}"
    assert activity(tid) == [Row("created", None, "Printer on fire", alice.agent_id, 1)]
    assert activity_times(tid) == [T0]


def test_creating_with_every_field_records_each_in_order(alice: Session, bob: Session,
                                                         system: Session) -> None:
    cust, _ = customers.create_customer(system, "Ann Customer")
    changes = tickets.create_ticket(
        alice, subject="Refund", description="Twice charged", priority=Priority.URGENT,
        category=" Billing ", customer_id=cust, tags=["Refund", "billing", "REFUND "],
        assignee_ids=[bob.agent_id, alice.agent_id, bob.agent_id])
    tid = changes.new_id
    assert changes == Changes(created=(tid,), tags=True)
    t = tickets.get_ticket(tid)
    assert (t.priority, t.category, t.tags) == (Priority.URGENT, "Billing", ("billing", "refund"))
    assert t.customer is not None
    assert t.customer.name == "Ann Customer"
    assert [a.name for a in t.assignees] == ["Alice Agent", "Bob Builder"]
    me = alice.agent_id
    assert activity(tid) == [
        Row("created", None, "Refund", me, 1),
        Row("priority", None, "Urgent", me, 1),
        Row("customer", None, "Ann Customer", me, 1),
        Row("assigned", None, "Bob Builder", me, 1),
        Row("assigned", None, "Alice Agent", me, 1),
        Row("tagged", None, "refund", me, 1),
        Row("tagged", None, "billing", me, 1),
    ]


def test_creating_with_tags_that_exist_announces_no_new_tags(alice: Session) -> None:
    new_ticket(alice, tags=["billing"])
    changes = tickets.create_ticket(alice, subject="Second", tags=["Billing"])
    assert changes == Changes(created=(changes.new_id,))


def test_a_system_session_records_no_agent(system: Session) -> None:
    tid = new_ticket(system)
    assert activity(tid) == [Row("created", None, "Printer on fire", None, 1)]


def test_a_new_customer_is_created_in_the_same_step(alice: Session) -> None:
    changes = tickets.create_ticket(alice, subject="Hello", new_customer=tickets.NewCustomer(
        "Neil New", email="neil@example.com", company="Acme"))
    tid = changes.new_id
    assert changes == Changes(created=(tid,), customers=True)
    customer = tickets.get_ticket(tid).customer
    assert customer is not None
    assert (customer.name, customer.email, customer.company) == (
        "Neil New", "neil@example.com", "Acme")
    assert activity(tid)[1] == Row("customer", None, "Neil New", alice.agent_id, 1)


def test_ticket_ids_count_up_and_ticket_count_follows(alice: Session) -> None:
    first, second = new_ticket(alice), new_ticket(alice)
    assert second == first + 1
    assert tickets.ticket_count() == 2


def test_bad_input_to_create_is_refused_and_writes_nothing(store: Store, alice: Session,
                                                           system: Session) -> None:
    inactive, _ = agents.create_agent(system, "Gone Agent")
    agents.update_agent(system, inactive, active=False)
    cust, _ = customers.create_customer(system, "Existing")
    v = ValidationError
    assert_refused(store, {
        "empty subject": (lambda: new_ticket(alice, subject="  \n "), v,
                          "The subject cannot be empty."),
        "long subject": (lambda: new_ticket(alice, subject="s" * 301), v,
                         "The subject is 301 characters long; the limit is 300."),
        "NUL in description": (lambda: new_ticket(alice, description="a\x00b"), v,
                               "The description contains a NUL character"),
        "long category": (lambda: new_ticket(alice, category="c" * 81), v,
                          "The category is 81 characters long; the limit is 80."),
        "unknown priority": (lambda: new_ticket(alice, priority=7), v,
                             "Unknown priority 7. Choose one of: Low, Medium, High, Urgent."),
        "priority typo": (lambda: new_ticket(alice, priority="hihg"), v,
                          "Unknown priority 'hihg'."),
        "unknown customer": (lambda: new_ticket(alice, customer_id=cust + 100), v,
                             f"There is no customer with id {cust + 100}."),
        "inactive assignee": (lambda: new_ticket(alice, assignee_ids=[inactive]), v,
                              f"No active agent with id {inactive}."),
        "unknown assignee": (lambda: new_ticket(alice, assignee_ids=[alice.agent_id, 999]), v,
                             "No active agent with id 999."),
        "tag with comma": (lambda: new_ticket(alice, tags=["ok", "a,b"]), v,
                           "A tag cannot contain a comma"),
        "empty tag": (lambda: new_ticket(alice, tags=["ok", " "]), v, "A tag cannot be empty."),
        "bad new customer email": (lambda: new_ticket(alice, new_customer=tickets.NewCustomer(
            "Neil", email="not-an-address")), v,
            "'not-an-address' does not look like an email address"),
        "empty new customer name": (
            lambda: new_ticket(alice, new_customer=tickets.NewCustomer(" ")), v,
            "The customer's name cannot be empty."),
        "both customers": (lambda: new_ticket(alice, customer_id=cust,
                                        new_customer=tickets.NewCustomer("Neil")), v,
                           "Give either an existing customer or a new one, not both."),
    })


# -- edit ---------------------------------------------------------------------------------------


def test_editing_the_subject_bumps_the_version_and_records_old_and_new(
        alice: Session, bob: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    later = clock.advance(60)
    changes = tickets.edit_ticket(bob, tid, 1, subject="Printer  smoking")
    assert changes == Changes(tickets=frozenset({tid}))
    assert version_and_updated(tid) == (2, later)
    assert tickets.get_ticket(tid).subject == "Printer smoking"
    assert activity(tid)[1:] == [
        Row("subject", "Printer on fire", "Printer smoking", bob.agent_id, 2)]
    assert activity_times(tid) == [T0, later]


def test_editing_several_fields_at_once_is_one_version_with_one_row_each(alice: Session) -> None:
    tid = new_ticket(alice, description="old text")
    tickets.edit_ticket(alice, tid, 1, subject="New subject", description="new text",
                        category="Hardware")
    t = tickets.get_ticket(tid)
    assert (t.subject, t.description, t.category, t.version) == (
        "New subject", "new text", "Hardware", 2)
    me = alice.agent_id
    assert activity(tid)[1:] == [
        Row("subject", "Printer on fire", "New subject", me, 2),
        Row("description", "old text", "new text", me, 2),
        Row("category", None, "Hardware", me, 2),
    ]


def test_clearing_the_category_records_it_as_removed(alice: Session) -> None:
    tid = new_ticket(alice, category="Hardware")
    tickets.edit_ticket(alice, tid, 1, category="  ")
    assert tickets.get_ticket(tid).category == ""
    assert activity(tid)[1:] == [Row("category", "Hardware", None, alice.agent_id, 2)]


def test_an_edit_that_changes_nothing_writes_nothing(store: Store, alice: Session,
                                                     clock: FakeClock) -> None:
    tid = new_ticket(alice, description="same", category="Hardware")
    clock.advance(60)
    before = snapshot(store)
    changes = tickets.edit_ticket(alice, tid, 1, subject=" Printer  on fire ",
                                  description="same\n", category="Hardware")
    assert changes == Changes()
    assert changes.nothing
    assert snapshot(store) == before


def test_bad_edits_are_refused_and_write_nothing(store: Store, alice: Session) -> None:
    tid = new_ticket(alice)
    v = ValidationError
    assert_refused(store, {
        "empty subject": (lambda: tickets.edit_ticket(alice, tid, 1, subject=""), v,
                          "The subject cannot be empty."),
        "long subject": (lambda: tickets.edit_ticket(alice, tid, 1, subject="x" * 301), v,
                         "The subject is 301 characters long"),
        "long description": (lambda: tickets.edit_ticket(alice, tid, 1,
                                                         description="x" * 1_000_001),
                             v, "The description is 1,000,001 characters long"),
        "NUL in category": (lambda: tickets.edit_ticket(alice, tid, 1, category="a\x00"), v,
                            "The category contains a NUL character"),
        "one bad field of two": (lambda: tickets.edit_ticket(alice, tid, 1, description="fine",
                                                             subject=" "),
                                 v, "The subject cannot be empty."),
        "missing ticket": (lambda: tickets.edit_ticket(alice, 42, 1, subject="x"),
                           NotFoundError, "Ticket TKT-000042 does not exist."),
    })


def test_reading_a_missing_ticket_names_its_number(store: Store) -> None:
    with pytest.raises(NotFoundError, match=r"^Ticket TKT-000042 does not exist\.$"):
        tickets.get_ticket(42)


# -- status ------------------------------------------------------------------------------------


def test_a_status_change_bumps_the_version_and_records_labels(alice: Session,
                                                              clock: FakeClock) -> None:
    tid = new_ticket(alice)
    later = clock.advance(30)
    changes = tickets.set_status(alice, tid, 1, Status.IN_PROGRESS)
    assert changes == Changes(tickets=frozenset({tid}))
    assert version_and_updated(tid) == (2, later)
    assert activity(tid)[1:] == [Row("status", "Open", "In Progress", alice.agent_id, 2)]


def test_resolving_then_closing_stamps_each_time_once(alice: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    resolved = clock.advance(100)
    tickets.set_status(alice, tid, 1, Status.RESOLVED)
    closed = clock.advance(100)
    tickets.set_status(alice, tid, 2, Status.CLOSED)
    t = tickets.get_ticket(tid)
    assert (t.status, t.resolved_at, t.closed_at, t.version) == (
        Status.CLOSED, resolved, closed, 3)
    assert activity(tid)[1:] == [
        Row("status", "Open", "Resolved", alice.agent_id, 2),
        Row("status", "Resolved", "Closed", alice.agent_id, 3),
    ]


def test_closing_an_open_ticket_stamps_resolved_and_closed(alice: Session,
                                                           clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(5)
    tickets.set_status(alice, tid, 1, Status.CLOSED)
    t = tickets.get_ticket(tid)
    assert (t.resolved_at, t.closed_at) == (now, now)


@pytest.mark.parametrize("done", [Status.RESOLVED, Status.CLOSED])
@pytest.mark.parametrize("active", [Status.OPEN, Status.IN_PROGRESS])
def test_reopening_is_recorded_as_such_and_clears_the_times(
        alice: Session, bob: Session, done: Status, active: Status) -> None:
    tid = new_ticket(alice)
    tickets.set_status(alice, tid, 1, done)
    changes = tickets.set_status(bob, tid, 2, active)
    assert changes == Changes(tickets=frozenset({tid}))
    t = tickets.get_ticket(tid)
    assert (t.status, t.resolved_at, t.closed_at, t.version) == (active, None, None, 3)
    assert activity(tid)[-1] == Row("reopened", done.label, active.label, bob.agent_id, 3)


def test_a_resolved_ticket_moved_to_waiting_is_a_reopen(alice: Session) -> None:
    tid = new_ticket(alice)
    tickets.set_status(alice, tid, 1, Status.RESOLVED)
    tickets.set_status(alice, tid, 2, Status.WAITING)
    assert activity(tid)[-1] == Row("reopened", "Resolved", "Waiting", alice.agent_id, 3)


def test_bad_status_changes_are_refused_and_write_nothing(store: Store, alice: Session) -> None:
    tid = new_ticket(alice)
    closed = new_ticket(alice)
    tickets.set_status(alice, closed, 1, Status.CLOSED)
    v = ValidationError
    assert_refused(store, {
        "closed to waiting": (lambda: tickets.set_status(alice, closed, 2, Status.WAITING), v,
                              "A closed ticket can only be reopened (to Open or In Progress), "
                              "not moved to Waiting."),
        "closed to resolved, with a note": (
            lambda: tickets.set_status(alice, closed, 2, Status.RESOLVED, note="anyway"), v,
            "A closed ticket can only be reopened (to Open or In Progress), not moved to "
            "Resolved."),
        "unknown number": (lambda: tickets.set_status(alice, tid, 1, 9), v,  # type: ignore[arg-type]
                           "Unknown status 9. Choose one of: Open, In Progress, Waiting, "
                           "Resolved, Closed."),
        "unknown label": (lambda: tickets.set_status(alice, tid, 1, "Pending"), v,
                          "Unknown status 'Pending'."),
        "oversize note": (lambda: tickets.set_status(alice, tid, 1, Status.RESOLVED,
                                                     note="n" * 1_000_001),
                          v, "The note is 1,000,001 characters long"),
        "missing ticket": (lambda: tickets.set_status(alice, 77, 1, Status.CLOSED),
                           NotFoundError, "Ticket TKT-000077 does not exist."),
    })


def test_setting_the_same_status_without_a_note_writes_nothing(store: Store,
                                                               alice: Session) -> None:
    tid = new_ticket(alice)
    before = snapshot(store)
    assert tickets.set_status(alice, tid, 1, Status.OPEN) == Changes()
    assert snapshot(store) == before


def test_resolving_with_a_note_stores_it_as_the_resolution_at_the_new_version(
        alice: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(10)
    changes = tickets.set_status(alice, tid, 1, Status.RESOLVED, note=" Replaced the fuser \n")
    assert changes == Changes(tickets=frozenset({tid}))
    assert tickets.get_ticket(tid).resolution == "Replaced the fuser"
    assert notes.notes_for(tid) == []
    assert activity(tid)[1:] == [
        Row("status", "Open", "Resolved", alice.agent_id, 2),
        Row("resolution", None, "Replaced the fuser", alice.agent_id, 2),
    ]
    assert version_and_updated(tid) == (2, now)


def test_a_new_resolution_replaces_the_old_one_and_the_activity_keeps_both(
        alice: Session) -> None:
    tid = new_ticket(alice)
    tickets.set_status(alice, tid, 1, Status.RESOLVED, note="Rebooted")
    assert tickets.set_status(alice, tid, 2, Status.RESOLVED, note="Rebooted") == Changes()
    tickets.set_status(alice, tid, 2, Status.CLOSED, note="Replaced the fuser")
    t = tickets.get_ticket(tid)
    assert (t.status, t.resolution, t.version) == (Status.CLOSED, "Replaced the fuser", 3)
    assert activity(tid)[-1] == Row("resolution", "Rebooted", "Replaced the fuser",
                                    alice.agent_id, 3)


def test_a_reopen_clears_the_resolution_and_the_activity_keeps_the_old_text(
        alice: Session) -> None:
    tid = new_ticket(alice)
    tickets.set_status(alice, tid, 1, Status.RESOLVED, note="Replaced the fuser")
    tickets.set_status(alice, tid, 2, Status.OPEN)
    assert tickets.get_ticket(tid).resolution == ""
    assert activity(tid)[-2:] == [
        Row("reopened", "Resolved", "Open", alice.agent_id, 3),
        Row("resolution", "Replaced the fuser", None, alice.agent_id, 3),
    ]


def test_a_note_with_an_unchanged_status_touches_without_bumping(alice: Session,
                                                                 clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(10)
    changes = tickets.set_status(alice, tid, 1, Status.OPEN, note="Still looking")
    assert changes == Changes(tickets=frozenset({tid}), notes=True)
    [note] = notes.notes_for(tid)
    assert activity(tid)[1:] == [
        Row("note_added", None, "Still looking", alice.agent_id, 1, note.id)]
    assert version_and_updated(tid) == (1, now)


def test_status_may_be_given_as_a_label(alice: Session) -> None:
    tid = new_ticket(alice)
    tickets.set_status(alice, tid, 1, "in progress")  # type: ignore[arg-type]
    assert tickets.get_ticket(tid).status == Status.IN_PROGRESS


# -- priority and customer ---------------------------------------------------------------------


def test_priority_change_bumps_and_records_labels(alice: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(1)
    assert tickets.set_priority(alice, tid, 1, Priority.LOW) == Changes(tickets=frozenset({tid}))
    assert version_and_updated(tid) == (2, now)
    assert activity(tid)[1:] == [Row("priority", "Medium", "Low", alice.agent_id, 2)]


def test_same_priority_writes_nothing(store: Store, alice: Session) -> None:
    tid = new_ticket(alice, priority=Priority.HIGH)
    before = snapshot(store)
    assert tickets.set_priority(alice, tid, 1, Priority.HIGH) == Changes()
    assert snapshot(store) == before


def test_escalate_climbs_one_step(alice: Session) -> None:
    tid = new_ticket(alice)
    assert tickets.escalate(alice, tid, 1) == Changes(tickets=frozenset({tid}))
    tickets.escalate(alice, tid, 2)
    assert tickets.get_ticket(tid).priority == Priority.URGENT
    assert [r.new for r in activity(tid)[1:]] == ["High", "Urgent"]


def test_escalating_an_urgent_ticket_writes_nothing(store: Store, alice: Session) -> None:
    tid = new_ticket(alice, priority=Priority.URGENT)
    before = snapshot(store)
    assert tickets.escalate(alice, tid, 1) == Changes()
    assert snapshot(store) == before


def test_customer_set_changed_and_cleared_with_names_in_the_activity(
        alice: Session, system: Session) -> None:
    ann, _ = customers.create_customer(system, "Ann")
    ben, _ = customers.create_customer(system, "Ben")
    tid = new_ticket(alice)
    assert tickets.set_customer(alice, tid, 1, ann) == Changes(tickets=frozenset({tid}))
    tickets.set_customer(alice, tid, 2, ben)
    tickets.set_customer(alice, tid, 3, None)
    assert tickets.get_ticket(tid).customer is None
    me = alice.agent_id
    assert activity(tid)[1:] == [
        Row("customer", None, "Ann", me, 2),
        Row("customer", "Ann", "Ben", me, 3),
        Row("customer", "Ben", None, me, 4),
    ]


def test_same_customer_writes_nothing(store: Store, alice: Session, system: Session) -> None:
    ann, _ = customers.create_customer(system, "Ann")
    tid = new_ticket(alice, customer_id=ann)
    before = snapshot(store)
    assert tickets.set_customer(alice, tid, 1, ann) == Changes()
    assert snapshot(store) == before


def test_bad_priority_and_customer_changes_are_refused_and_write_nothing(
        store: Store, alice: Session) -> None:
    tid = new_ticket(alice)
    v = ValidationError
    assert_refused(store, {
        "priority number": (lambda: tickets.set_priority(alice, tid, 1, 4), v,  # type: ignore[arg-type]
                            "Unknown priority 4."),
        "priority label": (lambda: tickets.set_priority(alice, tid, 1, "critical"), v,
                           "Unknown priority 'critical'. Choose one of: Low, Medium, High, "
                           "Urgent."),
        "unknown customer": (lambda: tickets.set_customer(alice, tid, 1, 555), v,
                             "There is no customer with id 555."),
        "escalate a missing ticket": (lambda: tickets.escalate(alice, 77, 1), NotFoundError,
                                      "Ticket TKT-000077 does not exist."),
    })


def test_the_activity_tab_lists_rows_newest_first_with_who_and_a_readable_line(
        alice: Session, bob: Session, system: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    clock.advance(60)
    tickets.set_status(bob, tid, 1, Status.WAITING)
    clock.advance(60)
    tickets.set_priority(system, tid, 2, Priority.HIGH)
    rows = audit.activity_for(tid)
    assert [(r.agent, r.at, r.kind, r.text) for r in rows] == [
        ("System", T0 + 120, "priority", "Priority changed: Medium → High"),
        ("Bob Builder", T0 + 60, "status", "Status changed: Open → Waiting"),
        ("Alice Agent", T0, "created", "Created: Printer on fire"),
    ]
    assert [r.kind for r in audit.activity_for(tid, newest_first=False)] == [
        "created", "status", "priority"]
    assert [r.kind for r in audit.activity_for(tid, limit=1)] == ["priority"]
    assert all(r.ticket_id == tid for r in rows)
    assert audit.activity_for(tid + 1) == []
