"""Another help desk's file into custom fields and the category list (issue 19): a column
mapped to "field:Name" fills the field (checked like an edit), the file's categories join the
desk's list in its spelling, a bad value stops the import with its line. The same pipeline as
the wizard and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.import_mapping import Mapping, suggest
from ticketdesk.services import categories, custom_fields, tickets
from ticketdesk.services.importing import check, run
from ticketdesk.services.importing.sources import open_source
from ticketdesk.services.session import Session


def _file(tmp_path: Path, seats: str = "12") -> Path:
    path = tmp_path / "other.csv"
    path.write_text("Case;Summary;Category;Licences\n"
                    f"C-1;Printer broke;billing;{seats}\nC-2;Mail down;Shipping;\n",
                    encoding="utf-8")
    return path


def _mapping(path: Path) -> Mapping:
    mapping = suggest(open_source(path).headers)
    mapping.columns["Licences"] = "field:Seats"
    return mapping


def test_a_column_mapped_to_a_custom_field_fills_it(tmp_path: Path, system: Session) -> None:
    seats, _ = custom_fields.add_field(system, "Seats", "number")
    categories.add_category(system, "Billing")
    path = _file(tmp_path)
    mapping = _mapping(path)
    mapping.check()
    source = open_source(path)
    assert check.dry_run(source, mapping, now=system.now(), timezone="UTC").ok
    result = run.import_(system, source, mapping, source_system="sheet", timezone="UTC")
    assert result.imported == 2
    first = tickets.get_ticket(1)
    assert first.category == "Billing"
    assert custom_fields.ticket_values(system, 1) == {seats: "12"}
    assert categories.category_names(system) == ["Billing", "Shipping"]


def test_a_bad_custom_value_stops_the_import_with_its_line(tmp_path: Path,
                                                          system: Session) -> None:
    custom_fields.add_field(system, "Seats", "number")
    path = _file(tmp_path, seats="many")
    with pytest.raises(ValidationError, match="line 2: Seats: 'many' is not a number"):
        run.import_(system, open_source(path), _mapping(path), source_system="sheet",
                    timezone="UTC")
    assert categories.category_names(system) == []


def test_a_mapping_to_an_empty_field_name_is_refused() -> None:
    with pytest.raises(ValidationError, match="is not a target"):
        Mapping(columns={"Summary": "subject", "X": "field:"}).check()
