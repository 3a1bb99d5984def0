"""The rules for text people type: subjects, names, bodies, email addresses, tags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketdesk.domain import text
from ticketdesk.domain.errors import ValidationError


def test_subject_is_trimmed_and_inner_whitespace_collapsed() -> None:
    assert text.subject("  Printer\n\ton   fire \r\n") == "Printer on fire"


@pytest.mark.parametrize("typed", [None, "", "   ", "\n\t\u2003"])
def test_empty_subject_is_refused(typed: str | None) -> None:
    with pytest.raises(ValidationError, match=r"^The subject cannot be empty\.$"):
        text.subject(typed)


def test_subject_of_exactly_the_limit_is_kept_and_one_more_is_refused() -> None:
    assert text.subject("x" * text.SUBJECT_MAX) == "x" * text.SUBJECT_MAX
    with pytest.raises(ValidationError,
                       match="The subject is 301 characters long; the limit is 300"):
        text.subject("x" * (text.SUBJECT_MAX + 1))


def test_limits_count_the_text_after_trimming() -> None:
    assert text.subject("  " + "x" * text.SUBJECT_MAX + "  ") == "x" * text.SUBJECT_MAX


@pytest.mark.parametrize("field", [
    text.subject,
    text.name,
    lambda v: text.optional_line(v, "company"),
    lambda v: text.body(v, "note", required=True),
    text.tag,
    text.email,
], ids=["subject", "name", "optional_line", "body", "tag", "email"])
def test_nul_characters_are_refused_everywhere(field: object) -> None:
    with pytest.raises(ValidationError, match="NUL character"):
        field("a\x00b@example.com")  # type: ignore[operator]


def test_name_names_the_field_in_its_messages() -> None:
    with pytest.raises(ValidationError, match=r"^The customer's name cannot be empty\.$"):
        text.name(" ", "customer's name")
    with pytest.raises(ValidationError, match="agent's name is 201 characters"):
        text.name("n" * 201, "agent's name")


def test_optional_line_may_be_empty_but_not_too_long() -> None:
    assert text.optional_line(None, "company") == ""
    assert text.optional_line("  Acme   Corp ", "company") == "Acme Corp"
    with pytest.raises(ValidationError,
                       match="phone number is 61 characters long; the limit is 60"):
        text.optional_line("1" * 61, "phone number", 60)


def test_body_keeps_the_layout_normalises_line_ends_and_trims_the_ends() -> None:
    assert text.body("\n  line one\r\n\r\n    indented\rlast  \n", "note", required=True) == \
        "line one\n\n    indented\nlast"


def test_body_may_be_optional_or_required() -> None:
    assert text.body(None, "description", required=False) == ""
    with pytest.raises(ValidationError, match=r"^The message cannot be empty\.$"):
        text.body(" \n ", "message", required=True)


def test_body_over_the_limit_is_refused_with_readable_numbers() -> None:
    assert len(text.body("x" * text.BODY_MAX, "note", required=True)) == text.BODY_MAX
    with pytest.raises(ValidationError, match="1,000,001 characters long; the limit is 1,000,000"):
        text.body("x" * (text.BODY_MAX + 1), "note", required=True)


@pytest.mark.parametrize("typed", ["", "  ", None])
def test_email_may_be_left_empty(typed: str | None) -> None:
    assert text.email(typed) == ""


@pytest.mark.parametrize("typed", ["ann@example.com", " ann.lee+desk@mail.example.co.uk ",
                                   "zoë@exämple.de"])
def test_plausible_email_addresses_are_kept_trimmed(typed: str) -> None:
    assert text.email(typed) == typed.strip()


@pytest.mark.parametrize("typed", ["ann", "ann@", "@example.com", "ann@example", "a b@example.com",
                                   "ann@@example.com", "ann@exa mple.com"])
def test_malformed_email_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(ValidationError,
                       match=r"does not look like an email address \(name@example"):
        text.email(typed)


def test_overlong_email_is_refused() -> None:
    with pytest.raises(ValidationError, match="longer than 200 characters"):
        text.email("a" * 190 + "@example.com")


@pytest.mark.parametrize(("typed", "expected"), [
    ("Billing", "billing"),
    ("  VIP   Customer ", "vip customer"),
    ("Straße", "strasse"),
    ("cafe\u0301", "café"),  # decomposed é is stored composed, so it equals a typed é
    ("café", "café"),
])
def test_tags_are_normalised_lowercase_labels(typed: str, expected: str) -> None:
    assert text.tag(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("", "A tag cannot be empty."),
    ("   ", "A tag cannot be empty."),
    ("a,b", "cannot contain a comma"),
    ("t" * 41, "longer than 40 characters"),
])
def test_bad_tags_are_refused(typed: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        text.tag(typed)


def test_a_tag_of_exactly_the_limit_is_kept() -> None:
    assert text.tag("t" * text.TAG_MAX) == "t" * text.TAG_MAX


def test_split_tags_normalises_drops_empties_and_duplicates_keeping_order() -> None:
    assert text.split_tags("Billing, refund,, billing ,VIP  customer, ") == [
        "billing", "refund", "vip customer"]
    assert text.split_tags("") == []


def test_split_tags_refuses_the_whole_list_if_one_tag_is_bad() -> None:
    with pytest.raises(ValidationError, match="longer than 40"):
        text.split_tags("ok, " + "t" * 41)


@pytest.mark.parametrize("typed", ["\u200b", " \u200b\u200d ", "\u2060", "\ufeff"])
def test_text_of_only_invisible_characters_is_empty(typed: str) -> None:
    with pytest.raises(ValidationError, match="cannot be empty"):
        text.subject(typed)
    with pytest.raises(ValidationError, match="cannot be empty"):
        text.tag(typed)
    with pytest.raises(ValidationError, match="cannot be empty"):
        text.body(typed, "note", required=True)


@given(st.text(max_size=400))
def test_a_subject_is_one_trimmed_line_within_the_limit_and_stable(typed: str) -> None:
    try:
        clean = text.subject(typed)
    except ValidationError:
        return
    assert clean == clean.strip()
    assert not any(ch in clean for ch in "\n\r\t")
    assert "  " not in clean
    assert 0 < len(clean) <= text.SUBJECT_MAX
    assert text.subject(clean) == clean


@given(st.text(max_size=60))
def test_a_tag_is_stable_under_normalising_again(typed: str) -> None:
    try:
        clean = text.tag(typed)
    except ValidationError:
        return
    assert text.tag(clean) == clean
    assert text.tag(clean.upper()) == clean or clean.upper().casefold() != clean
