"""Stored SLA kept current by the write services, recompute equal to the live computation,
the rules' editing, imported tickets, and the SQL filters over the stored columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import T0, FakeClock
from ticketdesk.db import ticket_query
from ticketdesk.db.models import Activity, DeskMeta, Ticket
from ticketdesk.db.store import Store
from ticketdesk.domain.business_time import holidays_from_country
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import DueWindow, Sort, SortKey, TicketFilter
from ticketdesk.domain.sla import Phase, SlaState, Targets
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import assignees, importer, messages, sla, ticket_list, tickets
from ticketdesk.services.session import Session

H = 3600


def stored(ticket_id: int) -> tuple[Any, ...]:
    return tuple(Ticket.select(*sla.STORED).where(Ticket.id == ticket_id).tuples()[0])


def all_stored() -> list[tuple[Any, ...]]:
    return [tuple(r) for r in Ticket.select(Ticket.id, *sla.STORED).order_by(Ticket.id).tuples()]


def version(ticket_id: int) -> int:
    return int(Ticket.get_by_id(ticket_id).version)


@pytest.fixture
def policy(system: Session) -> int:
    """Around the clock in UTC (no hours set): targets are plain hours, easy to read."""
    for level, first, resolution in ((Priority.MEDIUM, 4 * H, 24 * H),
                                     (Priority.URGENT, 1 * H, 8 * H)):
        policy_id, _ = sla.save_policy(system, "Standard", priority=level,
                                       targets=Targets(first, 2 * H, resolution))
    return policy_id


def test_a_new_ticket_stores_its_due_times(alice: Session, policy: int) -> None:
    tid = tickets.create_ticket(alice, subject="Printer on fire").new_id
    row = Ticket.get_by_id(tid)
    assert row.sla_policy_id == policy
    assert row.first_response_due == T0 + 4 * H
    assert row.resolution_due == T0 + 24 * H
    assert row.sla_due == T0 + 4 * H
    assert row.sla_breach_at == T0 + 4 * H
    assert row.sla_state == Phase.RUNNING
    assert [a.kind for a in Activity.select().where(Activity.ticket == tid)
            .order_by(Activity.id)][-1] == "sla_policy"


def test_status_priority_and_messages_keep_the_stored_sla_current(
        alice: Session, clock: FakeClock, policy: int) -> None:
    tid = tickets.create_ticket(alice, subject="Printer on fire").new_id
    clock.advance(H)
    tickets.set_status(alice, tid, version(tid), Status.WAITING)
    assert stored(tid)[4] is None            # sla_due: nothing runs while Waiting
    assert stored(tid)[7] == Phase.PAUSED
    clock.advance(10 * H)
    messages.add_message(alice, tid, "Here is the serial number.", incoming=True)
    assert Ticket.get_by_id(tid).status == Status.OPEN
    assert stored(tid)[1] == T0 + 14 * H     # first response: 4 h, of which 1 h spent
    clock.advance(H)
    tickets.set_priority(alice, tid, version(tid), Priority.URGENT)
    # Urgent allows 1 h, 2 h already spent: missed at the moment of the change.
    assert stored(tid)[6] == clock.now
    messages.add_message(alice, tid, "On our way.")
    assert stored(tid)[1] is not None
    assert stored(tid)[6] == T0 + 12 * H     # the breach is kept after the reply
    tickets.set_status(alice, tid, version(tid), Status.RESOLVED)
    assert stored(tid)[7] == Phase.DONE
    assert stored(tid)[4] is None


def _busy_desk(alice: Session, bob: Session, clock: FakeClock) -> list[int]:
    made = []
    for n in range(9):
        prio = (Priority.LOW, Priority.MEDIUM, Priority.URGENT)[n % 3]
        tid = tickets.create_ticket(alice, subject=f"Ticket {n}", priority=prio,
                                    tags=["vip"] if n % 4 == 0 else []).new_id
        made.append(tid)
        clock.advance(600 * (n + 1))
        if n % 2:
            messages.add_message(bob, tid, "Looking.")
        if n % 3 == 1:
            tickets.set_status(alice, tid, version(tid), Status.WAITING)
            clock.advance(7200)
            messages.add_message(alice, tid, "Answer", incoming=True)
        if n % 5 == 2:
            tickets.set_status(alice, tid, version(tid), Status.RESOLVED)
            clock.advance(3600)
            tickets.set_status(alice, tid, version(tid), Status.OPEN)
        if n == 7:
            assignees.add_tag(alice, tid, version(tid), "vip")
            tickets.set_priority(alice, tid, version(tid), Priority.URGENT)
    return made


def test_recompute_gives_exactly_what_the_live_computation_stored(
        alice: Session, bob: Session, clock: FakeClock, policy: int) -> None:
    sla.save_policy(alice, "VIP", priority=Priority.URGENT,
                    targets=Targets(first_response=H // 2), tags=["vip"])
    sla.move_policy(alice, "VIP", 1)
    # The VIP policy is created before the tickets: the live computation knows it throughout.
    _busy_desk(alice, bob, clock)
    live = all_stored()
    assert any(row[1] is not None for row in live)
    with alice.store.write():
        Ticket.update(dict.fromkeys(sla.STORED[:-1]) | {Ticket.sla_state: 0}).execute()
    result = sla.recompute(alice, chunk=4)
    assert result.finished
    assert result.tickets == len(live)
    assert all_stored() == live


def test_recompute_after_a_policy_change_moves_the_tickets_and_records_it(
        alice: Session, bob: Session, clock: FakeClock, policy: int) -> None:
    made = _busy_desk(alice, bob, clock)
    clock.advance(60)
    sla.save_policy(alice, "Standard", priority=Priority.MEDIUM,
                    targets=Targets(first_response=H, resolution=2 * H))
    sla.save_policy(alice, "Low", priority=Priority.LOW, targets=Targets(resolution=99 * H))
    sla.move_policy(alice, "Low", 1)
    seen: list[tuple[int, int]] = []
    result = sla.recompute(alice, progress=lambda done, total, _phase: seen.append((done, total)),
                           chunk=4)
    assert result.changed > 0
    assert seen[-1] == (len(made), len(made))
    low = made[0]
    assert Ticket.get_by_id(low).sla_policy_id != policy
    rows = [(a.kind, a.old, a.new) for a in Activity.select().where(Activity.ticket == low)
            .order_by(Activity.id)]
    assert rows[-1] == ("sla_policy", None, "Low")   # it had no target before
    assert sla.recompute(alice).changed == 0   # nothing left to change: stable


def test_an_interrupted_recompute_resumes_where_it_stopped(
        alice: Session, bob: Session, clock: FakeClock, policy: int) -> None:
    _busy_desk(alice, bob, clock)
    live = all_stored()
    with alice.store.write():
        Ticket.update({Ticket.sla_due: None, Ticket.sla_state: 0}).execute()
    calls = iter([False, True])
    first = sla.recompute(alice, cancelled=lambda: next(calls, True), chunk=4)
    assert not first.finished
    assert first.tickets == 4
    stopped = DeskMeta.get_by_id(sla.RESUME_KEY).value
    assert stopped.split("@")[0] == str(sorted(r[0] for r in live)[3])
    done: list[int] = []
    second = sla.recompute(alice, progress=lambda d, _t, _p: done.append(d), chunk=4)
    assert second.finished
    assert done[0] == 8                       # started after the first chunk
    assert all_stored() == live
    assert DeskMeta.get_or_none(DeskMeta.key == sla.RESUME_KEY) is None


def test_imported_tickets_are_measured_from_their_own_history(
        system: Session, clock: FakeClock, tmp_path: Path) -> None:
    jan5 = 1767603600  # 2026-01-05T09:00:00Z
    clock.now = jan5 - 86400  # the policy is older than the imported tickets
    sla.save_policy(system, "Standard", priority=Priority.MEDIUM,
                    targets=Targets(4 * H, 2 * H, 24 * H))
    clock.now = T0
    csv = tmp_path / "old.csv"
    csv.write_text(
        "subject,status,priority,created_at,first_response_at,resolved_at\n"
        "Answered late,resolved,medium,2026-01-05T09:00:00Z,2026-01-05T15:00:00Z,"
        "2026-01-05T16:00:00Z\n"
        "Answered in time,closed,medium,2026-01-05T09:00:00Z,2026-01-05T10:00:00Z,"
        "2026-01-05T12:00:00Z\n"
        "Still open,open,medium,2026-01-05T09:00:00Z,,\n", encoding="utf-8")
    importer.import_tickets(system, csv)
    sla.recompute(system)
    late, on_time, still = (t.id for t in Ticket.select().order_by(Ticket.id))
    assert stored(late)[6] == jan5 + 4 * H          # first response missed at 13:00
    assert stored(late)[7] == Phase.DONE
    assert stored(on_time)[6] is None
    assert sla.ticket_sla(on_time).state(T0) == SlaState.MET
    assert sla.ticket_sla(still).state(T0) == SlaState.BREACHED
    assert stored(still)[3] == jan5 + 24 * H


def test_rules_are_checked_and_listed(system: Session) -> None:
    with pytest.raises(ValidationError):
        sla.save_policy(system, "Empty", priority=Priority.LOW, targets=Targets())
    with pytest.raises(ValidationError):
        sla.save_policy(system, " ")
    with pytest.raises(ValidationError, match="time zone"):
        sla.set_hours(system, timezone="Nowhere/Land")
    sla.save_policy(system, "B", priority="high", targets=Targets(first_response=H))
    sla.save_policy(system, "A", priority="low", targets=Targets(resolution=H), tags=["x"])
    sla.move_policy(system, "a", 1)
    assert [(p.name, p.position, p.tags) for p in sla.list_policies()] == [
        ("A", 1, frozenset({"x"})), ("B", 2, frozenset())]
    hours = sla.set_hours(system, timezone="Europe/Berlin", week="mon-fri 09:00-17:00",
                          add_holidays=holidays_from_country("DE", [2026]))
    assert hours.zone == "Europe/Berlin"
    assert hours.week == "mon-fri 09:00-17:00"
    assert hours.holidays[date(2026, 12, 25)]
    assert sla.rules().calendar.holidays == frozenset(hours.holidays)
    sla.delete_policy(system, "b")
    assert [p.name for p in sla.list_policies()] == ["A"]


def test_the_filters_and_the_due_sort_read_the_stored_columns(
        alice: Session, clock: FakeClock, policy: int) -> None:
    urgent = tickets.create_ticket(alice, subject="Urgent", priority=Priority.URGENT).new_id
    medium = tickets.create_ticket(alice, subject="Medium").new_id
    waiting = tickets.create_ticket(alice, subject="Waiting").new_id
    tickets.set_status(alice, waiting, version(waiting), Status.WAITING)
    none = tickets.create_ticket(alice, subject="Low", priority=Priority.LOW).new_id
    store: Store = alice.store

    def ids(f: TicketFilter, now: int, sort: Sort | None = None) -> list[int]:
        return [q for part in ticket_query.ordered_parts(f, sort or Sort(), store.backend,
                                                         now=now)
                for q in [r[0] for r in part.tuples()]]

    now = T0 + 30 * 60
    assert ids(TicketFilter(sla=frozenset({SlaState.ON_TRACK})), now) == [medium, urgent]
    assert ids(TicketFilter(sla=frozenset({SlaState.AT_RISK})), T0 + 50 * 60) == [urgent]
    assert ids(TicketFilter(sla=frozenset({SlaState.BREACHED})), T0 + 2 * H) == [urgent]
    assert ids(TicketFilter(sla=frozenset({SlaState.PAUSED})), now) == [waiting]
    assert ids(TicketFilter(sla=frozenset({SlaState.NONE})), now) == [none]
    assert ids(TicketFilter(due=DueWindow.HOUR), now) == [urgent]
    assert ids(TicketFilter(needs_first_reply=True), now) == [none, medium, urgent]
    assert ids(TicketFilter(), now, Sort(SortKey.DUE, descending=False)) == [
        urgent, medium, waiting, none]
    assert ticket_list.count(store, TicketFilter(sla=frozenset({SlaState.PAUSED}))) == 1


def test_moving_a_ticket_to_a_customer_with_other_tags_moves_its_policy(
        alice: Session, clock: FakeClock, policy: int) -> None:
    from ticketdesk.services import customers

    vip_id, _ = sla.save_policy(alice, "Key accounts", priority=Priority.MEDIUM,
                                targets=Targets(first_response=H // 2), customer_tags=["vip"])
    sla.move_policy(alice, "Key accounts", 1)
    big, _ = customers.create_customer(alice, "Big Corp", tags=["VIP"])
    tid = tickets.create_ticket(alice, subject="Invoice").new_id
    assert Ticket.get_by_id(tid).sla_policy_id == policy
    clock.advance(600)
    tickets.set_customer(alice, tid, version(tid), big)
    row = Ticket.get_by_id(tid)
    assert row.sla_policy_id == vip_id
    assert row.first_response_due == T0 + H // 2
    assert [(a.kind, a.old, a.new) for a in Activity.select().where(Activity.ticket == tid)
            .order_by(Activity.id)][-1] == ("sla_policy", "Standard", "Key accounts")


def test_a_change_between_recompute_reading_and_writing_a_chunk_is_not_overwritten(
        alice: Session, bob: Session, clock: FakeClock, policy: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    made = _busy_desk(alice, bob, clock)
    clock.advance(3600)
    sla.save_policy(alice, "Standard", priority=Priority.MEDIUM,
                    targets=Targets(H, H, 10 * H))  # every medium ticket has to change
    target = made[4]  # medium, open, not answered yet
    real = sla.compute_many
    raced: list[int] = []

    def racing(found: Any, current: sla.Rules) -> Any:
        results = real(found, current)
        if not raced:  # another window answers the ticket meanwhile
            raced.append(target)
            messages.add_message(bob, target, "Sorry for the wait.")
        return results

    monkeypatch.setattr(sla, "compute_many", racing)
    sla.recompute(alice, resume=False)
    monkeypatch.undo()
    after = all_stored()
    assert raced == [target]
    assert Ticket.get_by_id(target).first_response_at == clock.now
    assert sla.recompute(alice, resume=False).changed == 0
    assert all_stored() == after


def test_the_export_neutralises_a_formula_like_policy_name(
        alice: Session, tmp_path: Path) -> None:
    import csv

    from ticketdesk.services.export import export_tickets

    sla.save_policy(alice, "=HYPERLINK(1)", priority=Priority.MEDIUM,
                    targets=Targets(first_response=H))
    tickets.create_ticket(alice, subject="Hello")
    out = tmp_path / "t.csv"
    export_tickets(alice.store, out)
    with open(out, encoding="utf-8", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["sla_policy"] == "'=HYPERLINK(1)"
    assert row["sla_state"] in ("on-track", "at-risk", "breached")


def test_a_rule_change_after_an_interrupted_recompute_makes_the_next_one_start_over(
        alice: Session, bob: Session, clock: FakeClock, policy: int) -> None:
    _busy_desk(alice, bob, clock)
    assert not sla.recompute(alice, cancelled=iter([False, True]).__next__, chunk=4).finished
    sla.save_policy(alice, "Standard", priority=Priority.MEDIUM,
                    targets=Targets(first_response=H, resolution=2 * H))
    done: list[int] = []
    assert sla.recompute(alice, progress=lambda d, _t, _p: done.append(d), chunk=4).finished
    assert done[0] == 4   # from the first ticket: the first chunk was computed by old rules


@pytest.mark.parametrize("rare", [1, 10_000], ids=["common", "rare"])
def test_the_first_page_of_an_sla_filter_is_the_lists_order_whether_its_state_is_rare_or_not(
        alice: Session, bob: Session, clock: FakeClock, policy: int, rare: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A rare state's first page is read from its matches (ticket_list.RARE), a common one's by
    walking the list's order: both give the rows, in the order, that the whole list has."""
    monkeypatch.setattr(ticket_list, "RARE", rare)
    _busy_desk(alice, bob, clock)
    store: Store = alice.store
    states = [frozenset({s}) for s in SlaState] + [
        frozenset({SlaState.BREACHED, SlaState.AT_RISK}), frozenset({SlaState.PAUSED,
                                                                     SlaState.NONE})]
    sorts = [Sort(), Sort(SortKey.SUBJECT, descending=False), Sort(SortKey.CUSTOMER),
             Sort(SortKey.DUE, descending=False), Sort(SortKey.PRIORITY)]
    seen_some = seen_none = False
    for now in (T0, T0 + 5 * H, T0 + 30 * H):
        for chosen in states:
            for sort in sorts:
                for f in (TicketFilter(sla=chosen),
                          TicketFilter(sla=chosen, priorities=frozenset({Priority.URGENT}))):
                    whole = [q for part in ticket_list.ticket_query.ordered_parts(
                        f, sort, store.backend, now=now) for (q,) in part.tuples()]
                    page = [r.id for r in ticket_list.first_page(store, f, sort, 4, now=now)]
                    assert page == whole[:4], (f, sort, now)
                    seen_some, seen_none = seen_some or bool(page), seen_none or not page
    assert seen_some
    assert seen_none
