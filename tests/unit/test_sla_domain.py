"""The SLA as a pure function of a ticket's history: one test per rule and edge case."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketdesk.domain.business_time import calendar_from
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.sla import (
    Event,
    EventKind,
    Facts,
    History,
    Phase,
    Policy,
    SlaState,
    Targets,
    compute,
)
from ticketdesk.domain.status import Priority, Status

BERLIN = "Europe/Berlin"
OFFICE = calendar_from(BERLIN, "mon-fri 09:00-17:00", [date(2026, 12, 25)])
H = 3600
URGENT = Targets(first_response=1 * H, next_response=2 * H, resolution=8 * H)
LOW = Targets(first_response=8 * H, next_response=8 * H, resolution=40 * H)
STANDARD = Policy(1, "Standard", {Priority.URGENT: URGENT, Priority.LOW: LOW,
                                  Priority.MEDIUM: LOW})


def at(text: str, zone: str = BERLIN) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp())


def local(instant: int | None, zone: str = BERLIN) -> str:
    assert instant is not None
    return datetime.fromtimestamp(instant, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def status(when: str, s: Status) -> Event:
    return Event(at(when), EventKind.STATUS, status=s)


def reply(when: str) -> Event:
    return Event(at(when), EventKind.REPLY)


def customer(when: str) -> Event:
    return Event(at(when), EventKind.CUSTOMER)


def history(created: str, *events: Event, priority: Priority = Priority.URGENT,
            tags: frozenset[str] = frozenset()) -> History:
    return History(at(created), Facts(priority=priority, tags=tags), tuple(events))


# Monday 2026-03-02 is an ordinary week.

def test_due_times_count_business_hours_and_the_state_follows_the_clock() -> None:
    sla = compute(history("2026-03-02T10:00"), [STANDARD], OFFICE)
    assert sla.policy_name == "Standard"
    assert local(sla.first_response.due if sla.first_response else None) == "2026-03-02 11:00"
    assert local(sla.resolution.due if sla.resolution else None) == "2026-03-03 10:00"
    assert sla.due == at("2026-03-02T11:00")
    assert sla.phase == Phase.RUNNING
    assert sla.state(at("2026-03-02T10:30")) == SlaState.ON_TRACK
    # At risk in the last 20 % (12 minutes of a 1-hour target).
    assert sla.state(at("2026-03-02T10:48")) == SlaState.AT_RISK
    assert sla.state(at("2026-03-02T10:47")) == SlaState.ON_TRACK
    assert sla.state(at("2026-03-02T11:00")) == SlaState.BREACHED


def test_a_long_target_is_at_risk_in_its_last_business_hour() -> None:
    sla = compute(history("2026-03-02T10:00", reply("2026-03-02T10:10")), [STANDARD], OFFICE)
    assert sla.first_response is not None
    assert sla.first_response.met_at == at("2026-03-02T10:10")
    assert sla.first_response.breached_at is None
    # Resolution due Tue 10:00; its last business hour starts at the close of Monday (the
    # earliest instant with 7 business hours gone), so it is at risk overnight.
    assert local(sla.risk_at) == "2026-03-02 17:00"
    assert sla.state(at("2026-03-02T16:59")) == SlaState.ON_TRACK
    assert sla.state(at("2026-03-03T09:30")) == SlaState.AT_RISK


def test_resolving_meets_the_target_and_a_late_reply_stays_a_breach() -> None:
    sla = compute(history("2026-03-02T10:00", reply("2026-03-02T12:00"),
                          status("2026-03-02T13:00", Status.RESOLVED)), [STANDARD], OFFICE)
    assert sla.phase == Phase.DONE
    assert sla.first_response is not None
    assert sla.resolution is not None
    assert sla.first_response.breached_at == at("2026-03-02T11:00")
    assert sla.resolution.met_at == at("2026-03-02T13:00")
    assert sla.resolution.breached_at is None
    assert sla.state(at("2026-03-09T10:00")) == SlaState.BREACHED
    on_time = compute(history("2026-03-02T10:00", reply("2026-03-02T10:30"),
                              status("2026-03-02T13:00", Status.CLOSED)), [STANDARD], OFFICE)
    assert on_time.state(at("2026-03-09T10:00")) == SlaState.MET


def test_waiting_pauses_the_clock_and_the_customer_answer_resumes_it() -> None:
    sla = compute(history("2026-03-02T10:00", status("2026-03-02T10:30", Status.WAITING)),
                  [STANDARD], OFFICE)
    assert sla.phase == Phase.PAUSED
    assert sla.due is None
    assert sla.state(at("2026-03-09T10:00")) == SlaState.PAUSED
    assert sla.paused == ((at("2026-03-02T10:30"), None),)
    resumed = compute(history("2026-03-02T10:00", status("2026-03-02T10:30", Status.WAITING),
                              customer("2026-03-03T10:00"),
                              status("2026-03-03T10:00", Status.OPEN)), [STANDARD], OFFICE)
    assert resumed.first_response is not None
    assert local(resumed.first_response.due) == "2026-03-03 10:30"
    assert resumed.paused == ((at("2026-03-02T10:30"), at("2026-03-03T10:00")),)


def test_waiting_open_waiting_loops_count_only_the_open_stretches() -> None:
    sla = compute(history(
        "2026-03-02T09:00",
        status("2026-03-02T09:20", Status.WAITING), status("2026-03-02T11:00", Status.OPEN),
        status("2026-03-02T11:20", Status.WAITING), status("2026-03-02T13:00", Status.OPEN),
        status("2026-03-02T13:10", Status.WAITING), status("2026-03-02T15:00", Status.OPEN),
    ), [STANDARD], OFFICE)
    assert len(sla.paused) == 3
    assert sla.first_response is not None
    assert local(sla.first_response.due) == "2026-03-02 15:10"   # 20 + 20 + 10 + 10 minutes
    assert sla.breach_at == at("2026-03-02T15:10")


def test_a_priority_raised_mid_ticket_counts_the_new_target_against_time_already_spent() -> None:
    raised = compute(history("2026-03-02T09:00",
                             Event(at("2026-03-02T12:00"), EventKind.PRIORITY,
                                   priority=Priority.URGENT), priority=Priority.LOW),
                     [STANDARD], OFFICE)
    assert raised.first_response is not None
    # Three hours already spent on a now 1-hour target: missed at the moment of the change.
    assert raised.first_response.breached_at == at("2026-03-02T12:00")
    assert raised.state(at("2026-03-02T12:00")) == SlaState.BREACHED


def test_a_priority_lowered_after_a_breach_keeps_the_breach_and_extends_the_due() -> None:
    lowered = compute(history("2026-03-02T09:00",
                              Event(at("2026-03-02T10:30"), EventKind.PRIORITY,
                                    priority=Priority.LOW)), [STANDARD], OFFICE)
    assert lowered.first_response is not None
    assert lowered.first_response.breached_at == at("2026-03-02T10:00")
    assert local(lowered.first_response.due) == "2026-03-02 17:00"
    assert lowered.breach_at == at("2026-03-02T10:00")


def test_a_policy_change_mid_ticket_is_recorded_with_its_time() -> None:
    vip = Policy(2, "VIP", {Priority.MEDIUM: Targets(first_response=H // 2)},
                 tags=frozenset({"vip"}))
    sla = compute(history("2026-03-02T09:00",
                          Event(at("2026-03-02T09:10"), EventKind.TAGS, tags=frozenset({"vip"})),
                          priority=Priority.MEDIUM), [vip, STANDARD], OFFICE)
    assert [(c.name, local(c.at)) for c in sla.policy_changes] == [
        ("Standard", "2026-03-02 09:00"), ("VIP", "2026-03-02 09:10")]
    assert sla.policy_id == 2
    assert sla.first_response is not None
    assert local(sla.first_response.due) == "2026-03-02 09:30"
    assert sla.resolution is not None
    assert sla.resolution.due is None


def test_reopening_resumes_the_resolution_clock_where_it_stopped() -> None:
    sla = compute(history("2026-03-02T09:00", reply("2026-03-02T09:30"),
                          status("2026-03-02T12:00", Status.RESOLVED),
                          status("2026-03-04T09:00", Status.OPEN)), [STANDARD], OFFICE)
    assert sla.resolution is not None
    assert sla.resolution.met_at is None
    assert local(sla.resolution.due) == "2026-03-04 14:00"   # 3 h spent, 5 h left
    assert sla.phase == Phase.RUNNING


def test_a_target_across_a_daylight_saving_change_counts_real_hours() -> None:
    always = calendar_from(BERLIN, "mon-sun 00:00-24:00")
    sla = compute(history("2026-03-28T22:00"), [STANDARD], always)
    assert sla.resolution is not None
    assert local(sla.resolution.due) == "2026-03-29 07:00"   # 02:00-03:00 does not exist
    autumn = compute(history("2026-10-24T22:00"), [STANDARD], always)
    assert autumn.resolution is not None
    assert local(autumn.resolution.due) == "2026-10-25 05:00"  # 02:00-03:00 happens twice


def test_a_ticket_created_at_the_weekend_or_on_a_holiday_starts_counting_next_business_day(
) -> None:
    weekend = compute(history("2026-03-07T11:00"), [STANDARD], OFFICE)
    assert weekend.first_response is not None
    assert local(weekend.first_response.due) == "2026-03-09 10:00"
    christmas = compute(history("2026-12-25T10:00"), [STANDARD], OFFICE)
    assert christmas.first_response is not None
    assert local(christmas.first_response.due) == "2026-12-28 10:00"


def test_a_customer_message_after_a_reply_starts_a_next_response_target() -> None:
    sla = compute(history("2026-03-02T09:00", reply("2026-03-02T09:30"),
                          customer("2026-03-02T15:00")), [STANDARD], OFFICE)
    nxt = sla.next_response
    assert nxt is not None
    assert local(nxt.due) == "2026-03-02 17:00"   # 2 business hours from Mon 15:00
    assert sla.due == nxt.due
    answered = compute(history("2026-03-02T09:00", reply("2026-03-02T09:30"),
                               customer("2026-03-02T15:00"), customer("2026-03-02T15:05"),
                               reply("2026-03-02T16:00")), [STANDARD], OFFICE)
    assert answered.next_response is None
    assert len(answered.next_responses) == 1
    assert answered.next_responses[0].met_at == at("2026-03-02T16:00")


def test_a_ticket_older_than_its_policy_starts_counting_when_the_policy_begins() -> None:
    later = Policy(1, "Standard", STANDARD.targets, since=at("2026-03-10T12:00"))
    sla = compute(history("2026-03-02T09:00"), [later], OFFICE)
    assert sla.first_response is not None
    assert sla.first_response.breached_at == at("2026-03-10T13:00")
    assert [local(c.at) for c in sla.policy_changes] == ["2026-03-10 12:00"]
    assert sla.state(at("2026-03-10T12:30")) == SlaState.ON_TRACK
    # Already answered before the policy existed: nothing to miss.
    answered = compute(history("2026-03-02T09:00", reply("2026-03-02T09:30")), [later], OFFICE)
    assert answered.first_response is not None
    assert answered.first_response.breached_at is None


def test_no_policy_or_no_target_for_the_priority_means_no_sla() -> None:
    assert compute(history("2026-03-02T09:00"), [], OFFICE).state(0) == SlaState.NONE
    urgent_only = Policy(1, "Urgent", {Priority.URGENT: URGENT})
    sla = compute(history("2026-03-02T09:00", priority=Priority.LOW), [urgent_only], OFFICE)
    assert sla.phase == Phase.NONE
    assert sla.policy_id is None
    assert sla.state(at("2026-04-01T09:00")) == SlaState.NONE


def test_the_first_matching_policy_applies() -> None:
    billing = Policy(5, "Billing", {Priority.URGENT: Targets(first_response=4 * H)},
                     categories=frozenset({"Billing"}))
    ticket = History(at("2026-03-02T09:00"), Facts(priority=Priority.URGENT, category="Billing"))
    assert compute(ticket, [billing, STANDARD], OFFICE).policy_name == "Billing"
    assert compute(ticket, [STANDARD, billing], OFFICE).policy_name == "Standard"


def test_states_are_read_from_what_people_type() -> None:
    assert SlaState.parse("On Track") == SlaState.ON_TRACK
    assert SlaState.parse("at_risk") == SlaState.AT_RISK
    with pytest.raises(ValidationError, match="on-track"):
        SlaState.parse("late")


# -- properties over random histories ----------------------------------------------------------

MONDAY = at("2026-03-02T00:00")


@st.composite
def histories(draw: st.DrawFn) -> History:
    created = MONDAY + draw(st.integers(0, 14 * 86400))
    moments = sorted(draw(st.lists(st.integers(-3600, 30 * 86400), max_size=25)))
    events = []
    for offset in moments:
        kind = draw(st.sampled_from(list(EventKind)))
        events.append(Event(
            created + offset, kind,
            status=draw(st.sampled_from(list(Status))) if kind == EventKind.STATUS else None,
            priority=draw(st.sampled_from(list(Priority))) if kind == EventKind.PRIORITY
            else None,
            tags=frozenset(draw(st.sets(st.sampled_from(["vip", "billing"]))))
            if kind == EventKind.TAGS else None,
            category=draw(st.sampled_from(["", "Billing"])) if kind == EventKind.CATEGORY
            else None))
    return History(created, Facts(priority=draw(st.sampled_from(list(Priority)))), tuple(events))


VIP = Policy(7, "VIP", {p: Targets(H // 2, H, 4 * H) for p in Priority},
             tags=frozenset({"vip"}), since=MONDAY + 5 * 86400)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_any_history_gives_a_consistent_sla(history: History) -> None:
    sla = compute(history, [VIP, STANDARD], OFFICE)
    cycles = [c for c in (sla.first_response, sla.resolution, *sla.next_responses) if c]
    for cycle in cycles:
        if cycle.running:
            assert cycle.pending
            assert cycle.due is not None
            assert cycle.breached_at == cycle.due or (
                cycle.breached_at is not None and cycle.breached_at <= cycle.due)
        if cycle.met_at is not None and cycle.breached_at is not None:
            assert cycle.breached_at <= cycle.met_at
    assert (sla.due is not None) == (sla.phase == Phase.RUNNING)
    if sla.due is not None:
        assert sla.risk_at is not None
        assert sla.risk_at <= sla.due
        assert sla.breach_at is not None
        assert sla.breach_at <= sla.due
    last = max([history.created_at, *(e.at for e in history.events)])
    state = sla.state(last + 365 * 86400)
    assert state in (SlaState.BREACHED, SlaState.NONE, SlaState.PAUSED, SlaState.MET)
