"""Threading keys, reply subjects and loop protection (domain rules, property-tested)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ticketdesk.domain.mail_loops import robot_reason, within_rate
from ticketdesk.domain.mail_threading import (
    match_ticket,
    message_ids,
    number_in_subject,
    reference_candidates,
    references_for_reply,
    reply_subject,
    strip_reply_prefixes,
)

ids = st.from_regex(r"<[a-z0-9.]{1,12}@[a-z]{1,8}\.example>", fullmatch=True)
subjects = st.text(max_size=80)
numbers = st.integers(min_value=1, max_value=999_999_999)


@given(st.lists(ids, max_size=8), st.dictionaries(ids, numbers, max_size=5), subjects)
def test_a_known_referenced_message_decides_before_anything_in_the_subject(
        refs: list[str], known: dict[str, int], subject: str) -> None:
    candidates = reference_candidates(None, " ".join(refs))
    match = match_ticket(candidates, known, subject + " [TKT-000007]", {7: True})
    hits = [known[i] for i in reversed(refs) if i in known]
    if hits:
        assert (match.ticket_id, match.how) == (hits[0], "in-reply-to/references")
    else:
        assert (match.ticket_id, match.how) == (7, "subject number")


def test_in_reply_to_wins_over_references() -> None:
    known = {"<a@x.example>": 1, "<b@x.example>": 2}
    candidates = reference_candidates("<b@x.example>", "<a@x.example> <b@x.example>")
    assert match_ticket(candidates, known, "", {}).ticket_id == 2
    assert reference_candidates("<b@x.example>", "<a@x.example> <c@x.example>") == [
        "<b@x.example>", "<c@x.example>", "<a@x.example>"]


@given(subjects)
def test_subject_text_alone_never_threads(subject: str) -> None:
    """Without a known id and without a bracketed number of an existing ticket: a new ticket,
    whatever words the subject shares with others."""
    match = match_ticket([], {}, subject.replace("[", "("), {1: True, 2: True})
    assert match == match_ticket([], {}, "", {})
    assert match.ticket_id is None


def test_a_number_of_a_ticket_that_does_not_exist_starts_a_new_ticket() -> None:
    assert match_ticket([], {}, "Re: [TKT-000404] lost", {404: False}).ticket_id is None
    assert match_ticket([], {}, "Re: [tkt-404] found", {404: True}).ticket_id == 404
    assert number_in_subject("TKT-000123 without brackets") is None


@given(numbers, subjects)
def test_a_reply_subject_carries_the_number_once_and_one_re(ticket_id: int, subject: str) -> None:
    once = reply_subject(ticket_id, subject)
    assert once.startswith("Re: [TKT-")
    assert once.lower().count("re:") == 1 + strip_reply_prefixes(subject).lower().count("re:")
    assert number_in_subject(once) == ticket_id
    assert once.count(f"TKT-{ticket_id:06d}") == 1
    assert reply_subject(ticket_id, once) == once  # answering our own reply changes nothing
    assert "Re: Re:" not in reply_subject(ticket_id, "Re: " + once)


def test_reply_prefixes_of_several_languages_are_folded() -> None:
    assert reply_subject(12, "RE: Fwd: AW: SV: [TKT-000012] Printer") == (
        "Re: [TKT-000012] Printer")
    assert reply_subject(12, "") == "Re: [TKT-000012]"


@given(st.lists(ids, max_size=80), ids)
def test_references_of_a_reply_end_with_the_parent_and_stay_bounded(
        refs: list[str], parent: str) -> None:
    out = references_for_reply(" ".join(refs), parent)
    assert out is not None
    listed = message_ids(out)
    assert listed[-1] == parent
    assert len(listed) <= 50


def test_message_ids_ignore_text_outside_angle_brackets() -> None:
    assert message_ids("junk <a@b> (comment) <a@b> <c@d>") == ["<a@b>", "<c@d>"]
    assert message_ids(None) == []


# -- loop protection ------------------------------------------------------------------------------


def test_auto_replies_bounces_lists_and_system_senders_are_never_answered() -> None:
    person = "ann@example.com"
    assert robot_reason({}, person) is None
    assert robot_reason({"auto-submitted": "no"}, person) is None
    assert robot_reason({"auto-submitted": "auto-replied"}, person) == (
        "Auto-Submitted: auto-replied")
    assert robot_reason({"precedence": "Bulk"}, person) == "Precedence: bulk"
    assert robot_reason({"precedence": "list"}, person) == "Precedence: list"
    assert robot_reason({"list-id": "<news.example.com>"}, person) == (
        "a mailing list (List-Id)")
    assert robot_reason({}, "MAILER-DAEMON@mx.example.com") is not None
    assert robot_reason({}, "postmaster@example.com") is not None
    assert robot_reason({"return-path": "<>"}, person) is not None
    assert robot_reason({}, "") == "no sender address"
    assert robot_reason({}, "Support@Desk.example", "support@desk.example") == "our own address"


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=20),
       st.integers(min_value=0, max_value=10_000))
def test_the_rate_limit_allows_at_most_the_limit_within_any_window(
        previous: list[int], now: int) -> None:
    sent = sorted(t for t in previous if t <= now)
    if within_rate(sent, now, limit=3, window=600):
        assert len([t for t in sent if now - 600 < t]) < 3
    else:
        assert len([t for t in sent if now - 600 < t]) >= 3
