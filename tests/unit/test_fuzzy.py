"""The palette's fuzzy scorer (domain/fuzzy.py)."""

from ticketdesk.domain.fuzzy import rank, score


def test_letters_must_appear_in_order() -> None:
    assert score("nt", "New Ticket…") is not None
    assert score("tn", "Nope") is None


def test_word_starts_rank_first() -> None:
    labels = ["Print Settings", "New Ticket…", "Mail Settings…", "Fetch Mail"]
    ranked = [label for label, _ in rank("nt", [(label, label) for label in labels])]
    assert ranked[0] == "New Ticket…"
    assert next(label for label, _ in rank("fm", [(x, x) for x in labels])) == "Fetch Mail"
