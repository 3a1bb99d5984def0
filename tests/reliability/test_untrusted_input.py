"""Hostile text in every field: it round-trips through CSV export and import exactly, no cell
can run as a spreadsheet formula, and attachment names never become paths while names and
bytes read back exactly as stored."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from tests.conftest import T0, FakeClock
from tests.reliability.support import examples
from ticketdesk.db.store import open_database
from ticketdesk.domain import attachments as rules
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, attachments, customers, tickets
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.csv_cells import neutralise, restore
from ticketdesk.services.export import export_tickets
from ticketdesk.services.importer import import_tickets
from ticketdesk.services.session import Session

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NASTY_STARTS = ["=", "+", "-", "@", "\t", "\r", "'", "''", "\ufeff", '"', "\n", " ", "=HYPERLINK(",
                "@SUM(", "-2+3", "\u202e", "<img src=x>", ",", '", "']
TEXT_COLUMNS = ("subject", "category", "customer", "customer_email", "customer_company",
                "customer_external_id", "assignees", "tags", "description")


def hostile(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any text, often starting like a formula, a quote, a BOM or a line break."""
    return st.one_of(
        st.text(max_size=max_size),
        st.builds(lambda start, rest: start + rest, st.sampled_from(NASTY_STARTS),
                  st.text(max_size=max_size)),
    )


@st.composite
def ticket_specs(draw: st.DrawFn) -> dict[str, object]:
    return {
        "subject": draw(hostile()),
        "description": draw(hostile(200)),
        "category": draw(hostile(20)),
        "priority": draw(st.sampled_from(list(Priority))),
        "status": draw(st.sampled_from(list(Status))),
        "customer": draw(st.none() | st.tuples(hostile(20), st.booleans(), hostile(20),
                                                st.booleans(), hostile(10))),
        "tags": draw(st.lists(hostile(15), max_size=3)),
        "assignees": draw(st.lists(st.integers(0, 3), max_size=3, unique=True)),
    }


@pytest.fixture(scope="module")
def empty_desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new, migrated, closed desk file; examples start from copies (opening a new desk runs
    every migration, which would make each example ten times slower)."""
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    open_database(str(path)).close()
    return path


def _copy(template: Path, target: Path) -> Path:
    shutil.copyfile(template, target)
    return target


def _cells_are_inert(path: Path, bom: bool) -> list[list[str]]:
    with open(path, encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for column in TEXT_COLUMNS:
            assert not row[column].startswith(TRIGGERS), (column, row[column])
    return [list(r.values()) for r in rows]


@settings(max_examples=examples(25), deadline=None)
@given(specs=st.lists(ticket_specs(), min_size=1, max_size=4),
       agent_names=st.lists(hostile(20), min_size=4, max_size=4), bom=st.booleans())
@example(specs=[{"subject": "=1+1", "description": "'quoted\r\nand \"double\"\n\ufeffbom",
                 "category": "@cat", "priority": Priority.URGENT, "status": Status.CLOSED,
                 "customer": ("+Evil, Inc", True, "-co", True, "'ext"),
                 "tags": ["=tag", "'x", '"q"'], "assignees": [0, 1]}],
         agent_names=["Smith, Jo", '"Quoted" Name', "=agent", "'apostrophe"], bom=True)
def test_any_text_in_any_field_round_trips_through_csv(empty_desk: Path,
                                                       specs: list[dict[str, object]],
                                                       agent_names: list[str],
                                                       bom: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        first = open_database(str(_copy(empty_desk, root / "a.sqlite")))
        session = Session(first, None, FakeClock(T0))
        made = 0
        try:
            agent_ids = []
            for name in agent_names:
                try:
                    agent_ids.append(agents.create_agent(session, name)[0])
                except ValidationError:
                    agent_ids.append(None)
            for n, spec in enumerate(specs):
                try:
                    made += _create(session, n, spec, agent_ids)
                except ValidationError:
                    continue  # refused input: a clear message, nothing written
            assume(made > 0)
            exported = root / "a.csv"
            export_tickets(first, exported, bom=bom)
        finally:
            first.close()
        rows = _cells_are_inert(exported, bom)
        assert len(rows) == made
        second = open_database(str(_copy(empty_desk, root / "b.sqlite")))
        try:
            result = import_tickets(Session(second, None, FakeClock(T0 + 999)), exported)
            assert result.imported == made
            again = root / "b.csv"
            export_tickets(second, again, bom=bom)
        finally:
            second.close()
        assert again.read_bytes() == exported.read_bytes()


def _create(session: Session, n: int, spec: dict[str, object],
            agent_ids: list[int | None]) -> int:
    customer_id = None
    if spec["customer"] is not None:
        name, has_email, company, has_ext, ext = spec["customer"]  # type: ignore[misc]
        # Unique identity per customer, so matching on import cannot merge two of them: the
        # importer matches by external id, then email, then a unique name.
        customer_id, _ = customers.create_customer(
            session, f"{name} {n}", email=f"c{n}@example.org" if has_email else "",
            company=company, external_id=f"{ext}{n}" if has_ext else None)
    assignees = [agent_ids[i] for i in spec["assignees"] if agent_ids[i] is not None]  # type: ignore[attr-defined]
    tid = tickets.create_ticket(
        session, subject=spec["subject"], description=spec["description"],  # type: ignore[arg-type]
        category=spec["category"], priority=spec["priority"],  # type: ignore[arg-type]
        customer_id=customer_id, tags=spec["tags"], assignee_ids=assignees).new_id  # type: ignore[arg-type]
    if spec["status"] != Status.OPEN:
        tickets.set_status(session, tid, 1, spec["status"])  # type: ignore[arg-type]
    return 1


@settings(max_examples=examples(300))
@given(value=hostile())
def test_a_cell_is_never_a_formula_and_always_reads_back(value: str) -> None:
    cell = neutralise(value)
    assert not cell.startswith(TRIGGERS)
    assert restore(cell) == value


# -- attachment names -------------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../../etc/passwd", "..\\..\\windows\\system32\\drivers\\etc\\hosts", "/etc/shadow",
    "C:\\Windows\\evil.exe", "\\\\server\\share\\x.pdf", "CON", "con.txt", "NUL.tar.gz",
    "LPT1", "aux", "COM9.log", "a\x00b.pdf", "invoice\u202efdp.exe", "x" * 300,
    "y" * 290 + ".docx", "..", ".", "...", " .bashrc ", "file:///etc/passwd", "~/.ssh/id_rsa",
    "$(rm -rf ~).txt", "a/b/c", "\ud7ff\ue000", "\t\n", "<img src=http://127.0.0.1/x.png>",
]


def _no_control(name: str) -> bool:
    return all(unicodedata.category(ch) not in ("Cc", "Cf") for ch in name)


@pytest.fixture(scope="module")
def attach_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Session]]:
    root = tmp_path_factory.mktemp("attach")
    (root / "work").mkdir()
    store = open_database(str(root / "desk" / "desk.sqlite"))
    try:
        yield root / "work", Session(store, None)
    finally:
        store.close()


@settings(max_examples=examples(150), deadline=None)
@given(name=st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(max_size=320),
                      st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE_NAMES),
                                st.text(max_size=20))),
       data=st.binary(max_size=4096))
@example(name="../evil.sh", data=b"#!/bin/sh\nrm -rf ~\n")
def test_attachment_names_never_become_paths_and_read_back_exactly(
        attach_desk: tuple[Path, Session], name: str, data: bytes) -> None:
    work, session = attach_desk
    cwd = os.getcwd()
    os.chdir(work)  # a name that became a relative path would land here
    try:
        tid = tickets.create_ticket(session, subject="attachments").new_id
        try:
            attachments.attach(session, tid, NewFile(name, data))
        except ValidationError:
            assert not "".join(ch for ch in name if not ch.isspace())  # only a blank name
            return
        [record] = attachments.attachments_for(tid)
    finally:
        os.chdir(cwd)
    assert list(work.iterdir()) == []
    assert attachments.attachment_data(record.id) == data
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.size == len(data)
    assert record.name == rules.display_name(name)
    stripped = name.strip()
    if _no_control(stripped) and len(stripped) <= rules.NAME_MAX:
        assert record.name == stripped  # shown exactly as the user's file was called
    assert _no_control(record.name)
    assert len(record.name) <= rules.NAME_MAX
    saved = rules.safe_filename(record.name)
    assert saved not in ("", ".", "..")
    assert "/" not in saved
    assert "\\" not in saved
    assert "\x00" not in saved
    assert len(saved.encode("utf-8")) <= rules.NAME_MAX
    assert saved.split(".")[0].rstrip(" ").lower() not in (
        "con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
        *(f"lpt{i}" for i in range(1, 10)))
    assert (work / saved).resolve().parent == work.resolve()
