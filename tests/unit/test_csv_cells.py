"""Lists in one CSV cell (assignees, tags): `join_list` and `split_list` are exact inverses for
every list of names the desk can hold, so an export imports back without a name split or lost."""

from __future__ import annotations

import csv
import io

from hypothesis import example, given
from hypothesis import strategies as st

from ticketdesk.domain import text
from ticketdesk.domain.errors import ValidationError
from ticketdesk.services.csv_cells import join_list, neutralise, restore, split_list


def _valid_name(value: str) -> str | None:
    try:
        return text.name(value)
    except ValidationError:
        return None


names = st.lists(st.text(max_size=30).map(_valid_name).filter(lambda n: n is not None),
                 max_size=6)


@given(names)
@example(["Smith, Alice", "Bob"])
@example(['say "hi"', "a,b", '"', ","])
@example(["'quoted'", "=1+1", ",x", "x,", "x\u200b", "a  \"b"])
def test_a_list_of_names_round_trips_through_one_cell(values: list[str]) -> None:
    assert split_list(join_list(values)) == values


@given(names)
def test_a_list_cell_round_trips_through_a_whole_csv_file_and_neutralising(
        values: list[str]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(join_list(values))])
    (cell,) = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert split_list(restore(cell)) == values


def test_a_quoted_name_keeps_its_comma() -> None:
    assert join_list(["Smith, Alice", "Bob"]) == '"Smith, Alice", Bob'
    assert split_list('"a,b", c') == ["a,b", "c"]
