"""What an activity (audit) row can record. Stored as the enum's value; never renamed."""

from __future__ import annotations

from enum import StrEnum


class ActivityKind(StrEnum):
    CREATED = "created"
    SUBJECT = "subject"
    DESCRIPTION = "description"
    CATEGORY = "category"
    STATUS = "status"
    REOPENED = "reopened"
    PRIORITY = "priority"
    CUSTOMER = "customer"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    TAGGED = "tagged"
    UNTAGGED = "untagged"
    NOTE_ADDED = "note_added"
    NOTE_EDITED = "note_edited"
    NOTE_DELETED = "note_deleted"
    MESSAGE_IN = "message_in"
    MESSAGE_OUT = "message_out"
    ATTACHED = "attached"
    DETACHED = "detached"
    IMPORTED = "imported"
    RESOLUTION = "resolution"
    SLA_POLICY = "sla_policy"
    """The SLA policy that applies changed (services/sla.py; written by the system)."""
    LINKED = "linked"
    """A mail answered a ticket closed too long ago: a new ticket, linked both ways."""
    ROUTED = "routed"
    """A routing rule decided who gets a new ticket, or that nobody could (services/routing.py);
    `new` is the rule and the reason, `ref_id` the rule."""
    CSAT = "csat"
    """A satisfaction rating recorded or changed (services/csat.py); `ref_id` the rating."""
    RESTORED = "restored"
    """Brought back from the recycle bin (services/recycle_bin.py)."""
    ERASED = "erased"
    """A person's personal data was erased from the ticket (services/erasure.py)."""

    TAG_RENAMED = "tag_renamed"
    """A tag the ticket carries was renamed or merged into another (services/tag_records.py)."""
    CUSTOM_FIELD = "custom_field"
    """A custom field's value changed (services/custom_fields.py); `ref_id` the field."""
    # Merge and link (issue 18, services/merge.py); `new`/`old` hold the other ticket's number.
    MERGED_INTO = "merged_into"
    MERGED_FROM = "merged_from"
    UNMERGED = "unmerged"
    RELATED = "related"
    UNRELATED = "unrelated"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ActivityKind.CREATED: "Created",
    ActivityKind.SUBJECT: "Subject changed",
    ActivityKind.DESCRIPTION: "Description edited",
    ActivityKind.CATEGORY: "Category changed",
    ActivityKind.STATUS: "Status changed",
    ActivityKind.REOPENED: "Reopened",
    ActivityKind.PRIORITY: "Priority changed",
    ActivityKind.CUSTOMER: "Customer changed",
    ActivityKind.ASSIGNED: "Assigned",
    ActivityKind.UNASSIGNED: "Unassigned",
    ActivityKind.TAGGED: "Tag added",
    ActivityKind.UNTAGGED: "Tag removed",
    ActivityKind.NOTE_ADDED: "Note added",
    ActivityKind.NOTE_EDITED: "Note edited",
    ActivityKind.NOTE_DELETED: "Note deleted",
    ActivityKind.MESSAGE_IN: "Customer message",
    ActivityKind.MESSAGE_OUT: "Reply sent",
    ActivityKind.ATTACHED: "File attached",
    ActivityKind.DETACHED: "File removed",
    ActivityKind.IMPORTED: "Imported",
    ActivityKind.RESOLUTION: "Resolution",
    ActivityKind.SLA_POLICY: "SLA policy",
    ActivityKind.LINKED: "Linked ticket",
    ActivityKind.ROUTED: "Routed",
    ActivityKind.CSAT: "Satisfaction",
    ActivityKind.TAG_RENAMED: "Tag renamed",
    ActivityKind.CUSTOM_FIELD: "Field changed",
    ActivityKind.RESTORED: "Restored from the recycle bin",
    ActivityKind.ERASED: "Personal data erased",
    ActivityKind.MERGED_INTO: "Merged into",
    ActivityKind.MERGED_FROM: "Merged from",
    ActivityKind.UNMERGED: "Merge undone",
    ActivityKind.RELATED: "Related ticket",
    ActivityKind.UNRELATED: "Related link removed",
}


_CLEARABLE = frozenset({ActivityKind.CATEGORY, ActivityKind.CUSTOMER, ActivityKind.RESOLUTION,
                        ActivityKind.SLA_POLICY, ActivityKind.CSAT, ActivityKind.CUSTOM_FIELD})


def describe(kind: str, old: str | None, new: str | None) -> str:
    """One line for the Activity tab and conflict messages: "Status: Open → Waiting"."""
    try:
        label = ActivityKind(kind).label
    except ValueError:
        label = kind
    short_old, short_new = _short(old), _short(new)
    if kind in (ActivityKind.NOTE_EDITED, ActivityKind.DESCRIPTION):
        return label
    if kind == ActivityKind.NOTE_DELETED:
        return f"{label}: “{short_old}”" if short_old else label
    if short_old and short_new:
        return f"{label}: {short_old} → {short_new}"
    if short_old and kind in _CLEARABLE:
        # A cleared field must not read as if it had been set to its old value.
        return f"{label}: {short_old} → (none)"
    if short_new:
        return f"{label}: {short_new}"
    if short_old:
        return f"{label}: {short_old}"
    return label


def _short(text: str | None, limit: int = 80) -> str:
    if not text:
        return ""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
