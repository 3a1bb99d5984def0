"""What a write changed, so each view can decide whether to refresh (Anki's OpChanges).

The UI re-emits a Changes once through its signal hub, tagged with the view that started it, and
each view skips the change it made itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Changes:
    tickets: frozenset[int] = field(default_factory=frozenset)
    """Tickets whose fields, tags or assignees changed (their list rows need refetching)."""
    created: tuple[int, ...] = ()
    """New tickets, in creation order (list membership and counts change)."""
    conversation: bool = False
    notes: bool = False
    attachments: bool = False
    agents: bool = False
    customers: bool = False
    tags: bool = False
    """The desk's lists changed: a tag created, or a tag, category or custom field added,
    renamed, merged, coloured or deleted (rows showing them are refetched)."""
    everything: bool = False
    """Bulk work (demo data, import, restore): reload every view."""

    def __or__(self, other: Changes) -> Changes:
        merged: dict[str, object] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "tickets":
                merged[f.name] = mine | theirs
            elif f.name == "created":
                merged[f.name] = mine + tuple(t for t in theirs if t not in mine)
            else:
                merged[f.name] = mine or theirs
        return Changes(**merged)  # type: ignore[arg-type]

    @property
    def nothing(self) -> bool:
        return self == Changes()

    @property
    def new_id(self) -> int:
        """The ticket a create made."""
        if len(self.created) != 1:
            raise ValueError(f"expected one created ticket, got {self.created}")
        return self.created[0]

    @property
    def touched(self) -> frozenset[int]:
        """Every ticket whose activity gained a row."""
        return self.tickets | frozenset(self.created)


NOTHING = Changes()
