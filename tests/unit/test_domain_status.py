"""Status and priority: order, transitions, reopening, lifecycle times, parsing what people type."""

from __future__ import annotations

import itertools

import pytest

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.status import (
    Priority,
    Status,
    StatusTimes,
    check_transition,
    is_reopen,
    times_after,
)

NOW = 1_780_000_000
EARLIER = NOW - 3600
EVEN_EARLIER = NOW - 7200
ACTIVE = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING)
DONE = (Status.RESOLVED, Status.CLOSED)


def test_statuses_sort_in_the_order_a_person_reads_them() -> None:
    assert sorted(Status, reverse=True)[::-1] == [
        Status.OPEN, Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED]
    assert [s.label for s in Status] == ["Open", "In Progress", "Waiting", "Resolved", "Closed"]


def test_priorities_sort_low_to_urgent_with_medium_the_default() -> None:
    assert list(Priority) == sorted(Priority)
    assert [p.label for p in Priority] == ["Low", "Medium", "High", "Urgent"]
    assert Priority.default() == Priority.MEDIUM


@pytest.mark.parametrize("status", list(Status))
def test_only_open_in_progress_and_waiting_are_active(status: Status) -> None:
    assert status.is_active == (status in ACTIVE)


@pytest.mark.parametrize(("old", "new"), list(itertools.product(Status, Status)))
def test_a_closed_ticket_may_only_be_reopened_everything_else_moves_freely(
        old: Status, new: Status) -> None:
    if old == Status.CLOSED and new in (Status.WAITING, Status.RESOLVED):
        with pytest.raises(ValidationError, match=r"closed ticket can only be reopened.*"
                                                  + new.label):
            check_transition(old, new)
    else:
        check_transition(old, new)


@pytest.mark.parametrize(("old", "new"), list(itertools.product(Status, Status)))
def test_reopen_is_a_move_from_done_back_to_active(old: Status, new: Status) -> None:
    assert is_reopen(old, new) == (old in DONE and new in ACTIVE)


def test_resolving_stamps_resolved_at_and_leaves_closed_empty() -> None:
    assert times_after(Status.IN_PROGRESS, Status.RESOLVED, NOW, StatusTimes(None, None)) == \
        StatusTimes(resolved_at=NOW, closed_at=None)


def test_closing_a_resolved_ticket_keeps_its_resolution_time() -> None:
    before = StatusTimes(resolved_at=EARLIER, closed_at=None)
    assert times_after(Status.RESOLVED, Status.CLOSED, NOW, before) == \
        StatusTimes(resolved_at=EARLIER, closed_at=NOW)


def test_closing_an_unresolved_ticket_stamps_both_times() -> None:
    assert times_after(Status.OPEN, Status.CLOSED, NOW, StatusTimes(None, None)) == \
        StatusTimes(resolved_at=NOW, closed_at=NOW)


@pytest.mark.parametrize("old", DONE)
@pytest.mark.parametrize("new", ACTIVE)
def test_reopening_clears_resolved_and_closed(old: Status, new: Status) -> None:
    before = StatusTimes(resolved_at=EVEN_EARLIER, closed_at=EARLIER if old == Status.CLOSED
                         else None)
    assert times_after(old, new, NOW, before) == StatusTimes(None, None)


def test_resolving_again_after_a_reopen_stamps_the_new_resolution() -> None:
    reopened = times_after(Status.RESOLVED, Status.OPEN, EARLIER,
                           StatusTimes(EVEN_EARLIER, None))
    assert times_after(Status.OPEN, Status.RESOLVED, NOW, reopened) == StatusTimes(NOW, None)


def test_moves_between_active_statuses_carry_no_times() -> None:
    assert times_after(Status.OPEN, Status.WAITING, NOW, StatusTimes(None, None)) == \
        StatusTimes(None, None)


def test_staying_in_a_done_status_keeps_its_times() -> None:
    assert times_after(Status.RESOLVED, Status.RESOLVED, NOW, StatusTimes(EARLIER, None)) == \
        StatusTimes(EARLIER, None)
    assert times_after(Status.CLOSED, Status.CLOSED, NOW, StatusTimes(EVEN_EARLIER, EARLIER)) == \
        StatusTimes(EVEN_EARLIER, EARLIER)


@pytest.mark.parametrize(("typed", "expected"), [
    ("Open", Status.OPEN),
    ("open", Status.OPEN),
    ("  OPEN ", Status.OPEN),
    ("In Progress", Status.IN_PROGRESS),
    ("in progress", Status.IN_PROGRESS),
    ("IN_PROGRESS", Status.IN_PROGRESS),
    ("in-progress", Status.IN_PROGRESS),
    ("InProgress", Status.IN_PROGRESS),
    ("waiting", Status.WAITING),
    ("RESOLVED", Status.RESOLVED),
    ("Closed", Status.CLOSED),
    ("ＣＬＯＳＥＤ", Status.CLOSED),  # full-width, as some input methods type it
])
def test_status_parses_its_label_in_any_spelling(typed: str, expected: Status) -> None:
    assert Status.parse(typed) is expected


@pytest.mark.parametrize("typed", ["", "   ", "Pending", "Opened", "in progres", "5", "-"])
def test_unknown_status_is_refused_listing_the_choices(typed: str) -> None:
    with pytest.raises(ValidationError) as info:
        Status.parse(typed)
    message = str(info.value)
    assert message.startswith(f"Unknown status {typed!r}.")
    assert "Open, In Progress, Waiting, Resolved, Closed" in message


def test_status_parse_accepts_the_stored_numbers_and_refuses_others() -> None:
    assert Status.parse(Status.WAITING) is Status.WAITING
    assert Status.parse(3) is Status.RESOLVED
    with pytest.raises(ValidationError, match="Unknown status 9"):
        Status.parse(9)


@pytest.mark.parametrize(("typed", "expected"), [
    ("low", Priority.LOW), ("Medium", Priority.MEDIUM), ("HIGH", Priority.HIGH),
    (" urgent ", Priority.URGENT), (Priority.HIGH, Priority.HIGH), (0, Priority.LOW),
])
def test_priority_parses_labels_and_numbers(typed: str | int, expected: Priority) -> None:
    assert Priority.parse(typed) is expected


@pytest.mark.parametrize("typed", ["critical", "", 4, -1])
def test_unknown_priority_is_refused_listing_the_choices(typed: str | int) -> None:
    with pytest.raises(ValidationError, match=r"Unknown priority .*Low, Medium, High, Urgent"):
        Priority.parse(typed)


def test_escalation_climbs_one_step_and_stops_at_urgent() -> None:
    assert [p.escalated() for p in Priority] == [
        Priority.MEDIUM, Priority.HIGH, Priority.URGENT, Priority.URGENT]
