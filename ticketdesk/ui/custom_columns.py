"""The ticket list's optional custom field columns (issue 19): one column per custom field of
the desk, after the fixed columns, hidden until the user shows it (right-click the column
titles). The values of the rows in view are read with their page, off the GUI thread
(`ui/ticket_model.TicketTableModel`), and kept with the cached rows."""

from __future__ import annotations

from ticketdesk.domain.custom_fields import FieldDef, FieldKind, shown


class CustomColumns:
    def __init__(self) -> None:
        self.fields: list[FieldDef] = []
        self.values: dict[int, dict[int, str]] = {}
        """Ticket id -> field id -> stored value, for the cached rows."""

    def __len__(self) -> int:
        return len(self.fields)

    def title(self, index: int) -> str:
        return self.fields[index].name

    def text(self, ticket_id: int, index: int) -> str:
        f = self.fields[index]
        return shown(f, self.values.get(ticket_id, {}).get(f.id))

    def forget(self) -> None:
        self.values.clear()

    def arrived(self, wanted: list[int], found: dict[int, dict[int, str]]) -> None:
        for tid in wanted:
            self.values[tid] = found.get(tid, {})



def filter_choices(fields: list[FieldDef]) -> list[tuple[tuple[int, str], str]]:
    """The filter bar's Fields menu: every choice of a list field and yes / no of a checkbox,
    as ((field id, stored value), "Plan: Pro")."""
    found: list[tuple[tuple[int, str], str]] = []
    for f in fields:
        if f.kind == FieldKind.LIST:
            found += [((f.id, o), f"{f.name}: {o}") for o in f.options]
        elif f.kind == FieldKind.CHECKBOX:
            found += [((f.id, v), f"{f.name}: {shown(f, v)}") for v in ("1", "0")]
    return found
