"""How an activity row reads in the Activity tab and in conflict messages, and the Changes value
every write returns."""

from __future__ import annotations

import pytest

from ticketdesk.domain.activity import ActivityKind, describe
from ticketdesk.services.changes import NOTHING, Changes


@pytest.mark.parametrize(("kind", "old", "new", "text"), [
    ("created", None, "Printer on fire", "Created: Printer on fire"),
    ("status", "Open", "Waiting", "Status changed: Open → Waiting"),
    ("reopened", "Closed", "Open", "Reopened: Closed → Open"),
    ("category", None, "Hardware", "Category changed: Hardware"),
    ("category", "Hardware", None, "Category changed: Hardware → (none)"),
    ("customer", "Ben", None, "Customer changed: Ben → (none)"),
    ("assigned", None, "Bob Builder", "Assigned: Bob Builder"),
    ("unassigned", "Bob Builder", None, "Unassigned: Bob Builder"),
    ("description", "old text", "new text", "Description edited"),
    ("note_edited", "secret before", "secret after", "Note edited"),
    ("note_deleted", "the old text", None, "Note deleted: “the old text”"),
    ("note_deleted", None, None, "Note deleted"),
    ("message_in", None, "Any news?", "Customer message: Any news?"),
    ("attached", None, "log.txt", "File attached: log.txt"),
    ("imported", None, None, "Imported"),
    ("something_new", "a", "b", "something_new: a → b"),  # a kind from a newer version
])
def test_each_kind_reads_as_one_line(kind: str, old: str | None, new: str | None,
                                     text: str) -> None:
    assert describe(kind, old, new) == text


def test_long_or_multi_line_values_are_shortened_to_one_line() -> None:
    line = describe("subject", "a\n\n  b", "x" * 200)
    assert line.startswith("Subject changed: a b → ")
    assert line.endswith("x…")
    assert len(line) == len("Subject changed: a b → ") + 80


def test_every_kind_has_a_label() -> None:
    assert all(kind.label for kind in ActivityKind)


def test_changes_merge_by_union_keeping_creation_order() -> None:
    first = Changes(tickets=frozenset({1}), created=(5, 6), notes=True)
    second = Changes(tickets=frozenset({2}), created=(6, 7), tags=True)
    assert first | second == Changes(tickets=frozenset({1, 2}), created=(5, 6, 7), notes=True,
                                     tags=True)
    assert (first | second).touched == frozenset({1, 2, 5, 6, 7})


def test_nothing_is_the_empty_change() -> None:
    assert NOTHING.nothing
    assert Changes().nothing
    assert not Changes(agents=True).nothing
    assert NOTHING | NOTHING == NOTHING


def test_new_id_is_the_one_created_ticket() -> None:
    assert Changes(created=(9,)).new_id == 9
    with pytest.raises(ValueError, match="expected one created ticket"):
        _ = Changes(created=(1, 2)).new_id
    with pytest.raises(ValueError, match="expected one created ticket"):
        _ = Changes().new_id
