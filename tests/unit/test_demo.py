"""Demo data (`services.demo.generate`) on both engines: what it writes is what the services would
have written, it is the same for a seed, it refuses a desk in use, and a cancel leaves nothing.

Most checks read one demo desk per engine, built once for the module (read-only tests); the tests
that write (cancel, refuse, next number) get a fresh desk each.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import T0
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.errors import StorageError, ValidationError
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.domain.search import document, words
from ticketdesk.domain.status import Priority, Status, StatusTimes, is_reopen, times_after
from ticketdesk.services import customers, messages, ticket_list, tickets
from ticketdesk.services.demo import Cancelled, DemoSummary, generate, pipeline, sqlite_bulk
from ticketdesk.services.demo.phrases import TAGS, TOPICS
from ticketdesk.services.demo.rhythm import (
    DAY,
    SPAN,
    WORK_WINDOWS,
    after_work,
    creation_times,
    local_offset,
    weekday,
)
from ticketdesk.services.demo.texts import TextMaker, WordStream, reference
from ticketdesk.services.demo.vocabulary import WORDS
from ticketdesk.services.session import Session

N = 800
SEED = 7
# Kinds that save the ticket (a version bump) when they follow its creation.
BUMPS = {"subject", "description", "category", "status", "reopened", "priority", "customer",
         "assigned", "unassigned", "tagged", "untagged"}
CREATION = {"created", "priority", "customer", "assigned", "tagged"}
TABLES = {  # every table the demo writes, with its order for comparisons
    "agent": "id", "customer": "id", "customer_tag": "id",
    "customer_tag_link": "customer_id, tag_id",
    "tag": "id", "ticket": "id", "ticket_tag": "ticket_id, tag_id",
    "ticket_assignee": "ticket_id, agent_id", "message": "id", "note": "id", "attachment": "id",
    "attachment_content": "attachment_id", "activity": "id",
}


def rows(store: Store, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows with engine differences smoothed out (PostgreSQL booleans and bytea)."""
    def plain(value: Any) -> Any:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, memoryview):
            return bytes(value)
        return value

    return [tuple(plain(v) for v in row) for row in store.db.execute_sql(sql, params).fetchall()]


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {table: rows(store, f"SELECT * FROM {table} ORDER BY {order}")
            for table, order in TABLES.items()}


def counts(store: Store) -> dict[str, int]:
    return {table: rows(store, f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


def schema(store: Store) -> set[tuple[Any, ...]]:
    """The desk's tables and indexes as defined (not where their pages are)."""
    if store.is_sqlite:
        return set(rows(store, "SELECT type, name, tbl_name, sql FROM sqlite_master "
                               "WHERE name NOT LIKE 'sqlite_%'"))
    indexes = rows(store, "SELECT tablename, indexname, indexdef FROM pg_indexes "
                          "WHERE schemaname = current_schema()")
    triggers = rows(store, "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t "
                           "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
                           "AND c.relnamespace = current_schema()::regnamespace")
    return set(indexes) | set(triggers)


def found(store: Store, text: str) -> set[int]:
    with store.read():
        ids = ticket_list.id_snapshot(store, TicketFilter(text=text), Sort(SortKey.NUMBER, False))
    return {int(i) for i in ids}


@pytest.fixture(scope="module")
def demo_desk(module_db_url: str) -> Iterator[tuple[Store, DemoSummary]]:
    store = open_database(module_db_url)
    try:
        yield store, generate(store, tickets=N, seed=SEED, now=T0)
    finally:
        store.close()


@pytest.fixture(scope="module")
def desk_rows(demo_desk: tuple[Store, DemoSummary]) -> dict[str, Any]:
    """The demo desk read into plain Python once: tickets by id, and each ticket's activity,
    messages and notes in id order."""
    store, _ = demo_desk
    by_ticket: dict[str, defaultdict[int, list[tuple[Any, ...]]]] = {
        name: defaultdict(list) for name in ("activity", "message", "note", "attachment")}
    for row in rows(store, "SELECT ticket_id, agent_id, at, kind, old, new, ref_id, "
                           "ticket_version FROM activity ORDER BY id"):
        by_ticket["activity"][row[0]].append(row)
    for row in rows(store, "SELECT id, ticket_id, incoming, agent_id, body, created_at "
                           "FROM message ORDER BY id"):
        by_ticket["message"][row[1]].append(row)
    for row in rows(store, "SELECT id, ticket_id, author_id, body, created_at, updated_at, "
                           "version FROM note ORDER BY id"):
        by_ticket["note"][row[1]].append(row)
    for row in rows(store, "SELECT a.id, a.ticket_id, a.message_id, a.name, a.size, a.sha256, "
                           "c.data FROM attachment a JOIN attachment_content c "
                           "ON c.attachment_id = a.id ORDER BY a.id"):
        by_ticket["attachment"][row[1]].append(row)
    ticket_rows = rows(store, "SELECT id, subject, description, status, priority, category, "
                              "customer_id, created_at, updated_at, first_response_at, "
                              "resolved_at, closed_at, version FROM ticket ORDER BY id")
    return {"tickets": {r[0]: r for r in ticket_rows}, **by_ticket}


# -- what was written -------------------------------------------------------------------------


def test_summary_counts_match_the_tables(demo_desk: tuple[Store, DemoSummary]) -> None:
    store, summary = demo_desk
    found_counts = counts(store)
    assert (summary.tickets, summary.customers, summary.agents, summary.messages, summary.notes,
            summary.activity_rows, summary.attachments, summary.tags) == (
        found_counts["ticket"], found_counts["customer"], found_counts["agent"],
        found_counts["message"], found_counts["note"], found_counts["activity"],
        found_counts["attachment"], found_counts["tag"])
    assert summary.tickets == N
    assert summary.customers == max(50, N // 10)
    assert summary.attachments > 0
    assert summary.notes > 0


def test_every_ticket_starts_with_one_created_row(desk_rows: dict[str, Any]) -> None:
    for tid, ticket in desk_rows["tickets"].items():
        history = desk_rows["activity"][tid]
        assert [r[3] for r in history].count("created") == 1
        first = history[0]
        assert (first[3], first[2], first[5], first[7]) == ("created", ticket[7], ticket[1], 1)


def test_versions_count_the_changes_after_creation(desk_rows: dict[str, Any]) -> None:
    for tid, ticket in desk_rows["tickets"].items():
        history = desk_rows["activity"][tid]
        start = 0
        while (start < len(history) and history[start][3] in CREATION
               and history[start][7] == 1 and history[start][2] == ticket[7]):
            start += 1
        version = 1
        for row in history[start:]:
            if row[3] in BUMPS:
                version += 1
            assert row[7] == version, (tid, row)
        assert ticket[12] == version


def test_status_history_replays_to_the_final_status_and_times(
        desk_rows: dict[str, Any]) -> None:
    reopened = 0
    for tid, ticket in desk_rows["tickets"].items():
        status, times = Status.OPEN, StatusTimes(None, None)
        for _, _, at, kind, old, new, _, _ in desk_rows["activity"][tid]:
            if kind not in ("status", "reopened"):
                continue
            assert old == status.label, tid
            target = Status.parse(new)
            assert (kind == "reopened") == is_reopen(status, target)
            times = times_after(status, target, at, times)
            status = target
            reopened += kind == "reopened"
        assert (Status(ticket[3]), ticket[10], ticket[11]) == (
            status, times.resolved_at, times.closed_at), tid
    assert reopened > 0


def test_first_response_is_the_first_reply_by_an_agent(desk_rows: dict[str, Any]) -> None:
    for tid, ticket in desk_rows["tickets"].items():
        replies = [m[5] for m in desk_rows["message"][tid] if not m[2] and m[3] is not None]
        assert ticket[9] == (min(replies) if replies else None), tid


def test_tickets_past_open_have_a_reply(desk_rows: dict[str, Any]) -> None:
    moved = 0
    for tid, ticket in desk_rows["tickets"].items():
        if any(r[3] in ("status", "reopened") for r in desk_rows["activity"][tid]):
            moved += 1
            assert ticket[9] is not None, tid
        if ticket[3] != Status.OPEN:
            assert ticket[9] is not None, tid
    assert moved > N // 2


def test_updated_at_is_the_last_change(desk_rows: dict[str, Any]) -> None:
    for tid, ticket in desk_rows["tickets"].items():
        history = desk_rows["activity"][tid]
        assert ticket[8] == max(r[2] for r in history)
        assert [r[2] for r in history] == sorted(r[2] for r in history), tid


def test_messages_notes_and_files_each_have_their_activity_row(
        desk_rows: dict[str, Any]) -> None:
    for tid in desk_rows["tickets"]:
        history = desk_rows["activity"][tid]
        by_ref = {(r[3], r[6]): r for r in history if r[6] is not None}
        for mid, _, incoming, agent, body, at in desk_rows["message"][tid]:
            row = by_ref[("message_in" if incoming else "message_out", mid)]
            assert (row[1], row[2], row[5]) == (agent, at, messages._excerpt(body))
        for nid, _, author, body, created, updated, version in desk_rows["note"][tid]:
            added = by_ref[("note_added", nid)]
            assert (added[1], added[2]) == (author, created)
            edits = [r for r in history if r[3] == "note_edited" and r[6] == nid]
            assert len(edits) == version - 1
            assert (edits[-1][5] if edits else added[5]) == body
            assert (edits[-1][2] if edits else created) == updated
        for aid, _, message_id, name, size, sha, data in desk_rows["attachment"][tid]:
            assert by_ref[("attached", aid)][5] == name
            assert (size, sha) == (len(data), hashlib.sha256(data).hexdigest())
            if message_id is not None:
                assert message_id in {m[0] for m in desk_rows["message"][tid]}


def test_customer_messages_are_incoming_and_replies_are_by_agents(
        desk_rows: dict[str, Any]) -> None:
    kinds = Counter()
    for tid in desk_rows["tickets"]:
        for _, _, incoming, agent, _, _ in desk_rows["message"][tid]:
            kinds[bool(incoming)] += 1
            if not incoming:
                assert agent is not None
    assert kinds[True] > 0
    assert kinds[False] > kinds[True]


def test_agents_reply_in_office_hours(demo_desk: tuple[Store, DemoSummary]) -> None:
    store, _ = demo_desk
    offset = local_offset(T0)
    slack = 10 * 60  # a note or hand-over just before the reply can push it past closing time
    for (at,) in rows(store, "SELECT created_at FROM message WHERE NOT incoming"):
        local = at + offset
        window = WORK_WINDOWS[weekday(local)]
        assert window is not None, at
        assert window[0] <= local % DAY <= window[1] + slack, at


def test_demo_looks_like_a_real_desk(demo_desk: tuple[Store, DemoSummary],
                                     desk_rows: dict[str, Any]) -> None:
    store, _ = demo_desk
    agents_rows = rows(store, "SELECT name, email, active FROM agent")
    assert len(agents_rows) == 20
    assert 1 <= sum(1 for _, _, active in agents_rows if not active) <= 8
    assert all(" " in name and "@" in email for name, email, _ in agents_rows)
    people = rows(store, "SELECT name, email, phone, company, external_id FROM customer")
    assert all(name and "@" in email for name, email, *_ in people)
    assert sum(1 for p in people if p[2]) > len(people) // 2
    assert sum(1 for p in people if p[4]) > len(people) // 2
    assert rows(store, "SELECT count(DISTINCT customer_id) FROM customer_tag_link")[0][0] > 0
    priorities = Counter(Priority(t[4]) for t in desk_rows["tickets"].values())
    assert priorities.most_common(1)[0][0] == Priority.MEDIUM
    assert {t[5] for t in desk_rows["tickets"].values()} == {t.category for t in TOPICS}
    tags_per_ticket = Counter(tid for (tid,) in rows(store, "SELECT ticket_id FROM ticket_tag"))
    assert set(tags_per_ticket.values()) <= {1, 2, 3}
    assert 0 < len(tags_per_ticket) < N  # some tickets have no tag
    old = [t for t in desk_rows["tickets"].values() if t[7] < T0 - 60 * DAY]
    done = [t for t in old if t[3] in (Status.RESOLVED, Status.CLOSED)]
    assert len(done) > 0.9 * len(old)
    recent = [t for t in desk_rows["tickets"].values() if t[7] > T0 - 14 * DAY]
    assert any(t[3] < Status.RESOLVED for t in recent)
    created = sorted(t[7] for t in desk_rows["tickets"].values())
    assert created[0] >= T0 - SPAN
    assert created[-1] <= T0
    halves = np.histogram(created, bins=2, range=(T0 - SPAN, T0))[0]
    assert halves[1] > halves[0]  # the business grew: the last year is busier


# -- search -----------------------------------------------------------------------------------


def test_search_finds_a_ticket_by_a_word_of_its_subject(
        demo_desk: tuple[Store, DemoSummary], desk_rows: dict[str, Any]) -> None:
    store, _ = demo_desk
    vocabulary = set(WORDS)
    rng = random.Random(3)
    candidates = [t for t in desk_rows["tickets"].values()
                  if any(w in vocabulary for w in words(t[1]))]
    for ticket in rng.sample(candidates, 5):
        word = next(w for w in words(ticket[1]) if w in vocabulary)
        assert ticket[0] in found(store, word)


def test_search_finds_a_ticket_by_a_word_only_in_its_conversation(
        demo_desk: tuple[Store, DemoSummary], desk_rows: dict[str, Any]) -> None:
    store, _ = demo_desk
    checked = 0
    for tid, ticket in desk_rows["tickets"].items():
        elsewhere = set(words(f"{ticket[1]} {ticket[2]}"))
        elsewhere |= {w for n in desk_rows["note"][tid] for w in words(n[3])}
        talk = [w for m in desk_rows["message"][tid] for w in words(m[4])
                if w not in elsewhere and w in WORDS]
        if talk:
            hits = found(store, talk[0])
            assert tid in hits
            assert len(hits) < N  # the word is selective
            checked += 1
        if checked == 5:
            break
    assert checked == 5


def test_search_index_is_what_a_rebuild_writes(store: Store) -> None:
    generate(store, tickets=150, seed=SEED, now=T0)
    before = _index(store)
    with store.write():
        store.backend.rebuild_search(store.db)
    assert _index(store) == before


def _index(store: Store) -> list[tuple[Any, ...]]:
    if store.is_sqlite:
        store.db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.demo_vocab "
                             "USING fts5vocab(main, ticket_fts, instance)")
        return rows(store, "SELECT term, doc, col, offset FROM temp.demo_vocab "
                           "ORDER BY doc, col, offset")
    return rows(store, "SELECT ticket_id, doc::text FROM ticket_search ORDER BY ticket_id")


def test_search_forms_match_the_domain_folding() -> None:
    """The demo writes search documents without tokenising; they must equal `document()`."""
    rng = random.Random(11)
    texts = TextMaker(rng, WordStream(np.random.default_rng(11)))
    customer = ("Zoë", "zoe")
    agent = ("Søren", document("Søren"))
    samples = []
    for topic in TOPICS:
        for _ in range(40):
            ref = reference(topic.slot, rng.random(), rng.getrandbits(31), 2025)
            samples += [texts.subject(topic, ref), texts.description(topic, ref, customer)]
    for _ in range(300):
        samples += [texts.reply(customer, agent, kind) for kind in ("ask", "solve", "work")]
        samples += [texts.customer_message(customer, kind)
                    for kind in ("reply", "thanks", "reopen")]
        note = texts.note()
        samples += [note, texts.resolution(), texts.addendum(note)]
    for raw, folded in samples:
        assert document(raw) == folded, raw


# -- same seed, same desk ---------------------------------------------------------------------


def test_a_seed_gives_the_same_desk_on_every_engine(store: Store, tmp_path: Path) -> None:
    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        generate(other, tickets=300, seed=SEED, now=T0)
        expected = dump(other)
    finally:
        other.close()
    generate(store, tickets=300, seed=SEED, now=T0)
    assert dump(store) == expected


def test_another_seed_gives_another_desk(tmp_path: Path) -> None:
    subjects = []
    for seed in (1, 2):
        desk = open_database(f"sqlite:///{tmp_path / f'desk{seed}.sqlite'}")
        try:
            generate(desk, tickets=50, seed=seed, now=T0)
            subjects.append(rows(desk, "SELECT subject FROM ticket ORDER BY id"))
        finally:
            desk.close()
    assert subjects[0] != subjects[1]


def test_worker_processes_make_the_same_desk(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    dumps = []
    for workers in (False, True):
        monkeypatch.setattr(pipeline, "MIN_TICKETS_FOR_WORKERS", 1 if workers else 10**9)
        desk = open_database(f"sqlite:///{tmp_path / f'desk{workers}.sqlite'}")
        try:
            generate(desk, tickets=2500, seed=SEED, now=T0)  # two chunks
            dumps.append(dump(desk))
        finally:
            desk.close()
    assert dumps[0] == dumps[1]


def test_a_full_disk_is_reported_and_leaves_the_desk_as_it_was(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import apsw

    written = []

    def fill_up(self: sqlite_bulk.SqliteBulk, rows: Any) -> None:
        written.append(rows.index)
        if len(written) == 2:
            raise apsw.FullError("database or disk is full")
        original(self, rows)

    original = sqlite_bulk.SqliteBulk.write_chunk
    monkeypatch.setattr(sqlite_bulk.SqliteBulk, "write_chunk", fill_up)
    desk = open_database(sqlite_url)
    try:
        before = dump(desk)
        with pytest.raises(StorageError, match="full"):
            generate(desk, tickets=5000, seed=SEED, now=T0)
        assert dump(desk) == before
    finally:
        desk.close()


def test_cancel_stops_the_worker_processes(sqlite_url: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "MIN_TICKETS_FOR_WORKERS", 1)
    desk = open_database(sqlite_url)
    try:
        with pytest.raises(Cancelled):
            generate(desk, tickets=8000, seed=SEED, now=T0,
                     progress=lambda _d, _t, phase: not phase.startswith("Writing tickets"))
        assert counts(desk)["ticket"] == 0
    finally:
        desk.close()
    assert multiprocessing.active_children() == []


# -- the desk afterwards ----------------------------------------------------------------------


def test_next_ticket_created_gets_the_next_number(store: Store, clock: Any) -> None:
    generate(store, tickets=300, seed=SEED, now=T0)
    system = Session(store, None, clock)
    assert tickets.create_ticket(system, subject="After the demo").new_id == 301


def test_schema_and_integrity_are_kept(store: Store) -> None:
    before = schema(store)
    generate(store, tickets=300, seed=SEED, now=T0)
    assert schema(store) == before
    assert store.integrity_problems() == []
    if store.is_sqlite:
        assert rows(store, "PRAGMA journal_mode") == [("wal",)]
        assert rows(store, "PRAGMA synchronous") == [(2,)]  # FULL
        assert rows(store, "PRAGMA foreign_keys") == [(1,)]


@pytest.mark.postgres
def test_a_team_desk_hears_that_everything_changed(pg_admin: Any, pg_schema: str) -> None:
    """The notification triggers are quiet for most of a large load; the last chunks still go
    through them, so every desktop on the team desk is told to reload, once, at the commit."""
    import psycopg

    from tests.conftest import pg_url

    desk = open_database(pg_url(pg_schema))
    (channel,), = rows(desk, "SELECT 'ticketdesk_' || relnamespace::text FROM pg_class "
                             "WHERE oid = 'ticket'::regclass")
    listener = psycopg.connect(pg_admin.info.dsn, autocommit=True)
    try:
        listener.execute(f'LISTEN "{channel}"')
        before = schema(desk)
        generate(desk, tickets=5000, seed=SEED, now=T0)  # three chunks
        assert schema(desk) == before  # the triggers are on again
        payloads = [n.payload for n in listener.notifies(timeout=2, stop_after=50)]
    finally:
        listener.close()
        desk.close()
    assert any('"all" : true' in p or '"all": true' in p for p in payloads), payloads


def test_a_fresh_desk_keeps_its_agents_and_tags(store: Store, alice: Session,
                                                system: Session) -> None:
    customers.create_customer(system, "Early Customer", tags=["vip"])
    summary = generate(store, tickets=100, seed=SEED, now=T0)
    assert rows(store, "SELECT count(*) FROM agent")[0][0] == summary.agents + 1
    assert rows(store, "SELECT count(*) FROM customer")[0][0] == summary.customers + 1
    assert rows(store, "SELECT count(*) FROM customer_tag WHERE name = 'vip'")[0][0] == 1
    assert rows(store, f"SELECT name FROM agent WHERE id = {alice.agent_id}") == [
        ("Alice Agent",)]


def test_refuses_a_desk_that_has_tickets(store: Store, system: Session) -> None:
    tickets.create_ticket(system, subject="Already here")
    before = dump(store)
    with pytest.raises(ValidationError, match="already has tickets"):
        generate(store, tickets=100, seed=SEED, now=T0)
    assert dump(store) == before


def test_refuses_a_silly_number_of_tickets(store: Store) -> None:
    with pytest.raises(ValidationError):
        generate(store, tickets=0)
    assert counts(store)["ticket"] == 0


@pytest.mark.parametrize("phase", ["Writing tickets", "Indexing"])
def test_cancel_leaves_the_desk_as_it_was(store: Store, phase: str) -> None:
    before_schema, before = schema(store), dump(store)
    calls = []

    def progress(done: int, total: int, text: str) -> bool:
        calls.append(text)
        return not text.startswith(phase)

    with pytest.raises(Cancelled):
        generate(store, tickets=3000, seed=SEED, now=T0, progress=progress)
    assert any(text.startswith(phase) for text in calls)
    assert dump(store) == before
    assert schema(store) == before_schema
    generate(store, tickets=50, seed=SEED, now=T0)  # and the desk is usable afterwards
    assert counts(store)["ticket"] == 50


def test_a_large_demo_loads_with_a_rollback_journal_and_ends_in_wal(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_bulk, "ROLLBACK_JOURNAL_FROM", 1)
    desk = open_database(sqlite_url)
    phases: list[str] = []
    try:
        generate(desk, tickets=300, seed=SEED, now=T0,
                 progress=lambda _done, _total, phase: phases.append(phase) and None)
        assert "Back to WAL mode" in phases
        assert rows(desk, "PRAGMA journal_mode") == [("wal",)]
        assert desk.integrity_problems() == []
        assert counts(desk)["ticket"] == 300
    finally:
        desk.close()


def test_cancel_with_a_rollback_journal_leaves_the_desk_as_it_was(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_bulk, "ROLLBACK_JOURNAL_FROM", 1)
    desk = open_database(sqlite_url)
    try:
        before_schema, before = schema(desk), dump(desk)
        with pytest.raises(Cancelled):
            generate(desk, tickets=3000, seed=SEED, now=T0,
                     progress=lambda _d, _t, phase: not phase.startswith("Writing tickets"))
        assert (dump(desk), schema(desk)) == (before, before_schema)
        assert rows(desk, "PRAGMA journal_mode") == [("wal",)]
        assert not list(tmp_path.glob("*-journal"))
    finally:
        desk.close()


def test_another_connection_keeps_reading_the_old_desk_during_the_load(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the desk open elsewhere (another window) the load stays in WAL mode, so that
    window keeps reading, and sees the demo only once it is committed."""
    monkeypatch.setattr(sqlite_bulk, "ROLLBACK_JOURNAL_FROM", 1)
    desk, other = open_database(sqlite_url), open_database(sqlite_url)
    seen_during: list[int] = []

    def progress(_done: int, _total: int, phase: str) -> None:
        if phase.startswith("Writing tickets"):
            seen_during.append(rows(other, "SELECT count(*) FROM ticket")[0][0])

    try:
        rows(other, "SELECT count(*) FROM ticket")
        generate(desk, tickets=3000, seed=SEED, now=T0, progress=progress)
        assert seen_during
        assert set(seen_during) == {0}
        assert rows(other, "SELECT count(*) FROM ticket") == [(3000,)]
        assert rows(desk, "PRAGMA journal_mode") == [("wal",)]
    finally:
        other.close()
        desk.close()


def test_progress_is_reported_regularly_and_ends_complete(tmp_path: Path) -> None:
    desk = open_database(f"sqlite:///{tmp_path / 'desk.sqlite'}")
    calls: list[tuple[float, int, int]] = []
    try:
        generate(desk, tickets=5000, seed=SEED, now=T0,
                 progress=lambda done, total, _: calls.append((time.monotonic(), done, total)))
    finally:
        desk.close()
    done = [c[1] for c in calls]
    assert done == sorted(done)
    assert done[-1] == calls[-1][2]
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(calls)]
    assert max(gaps) < 1.0  # promised ~0.5 s; room for a busy CI machine


# -- time and rhythm --------------------------------------------------------------------------


def test_agents_work_inside_office_hours() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        start = T0 + rng.randrange(0, 30 * DAY)
        offset = rng.choice((0, 3600, -5 * 3600, 19800))
        at = after_work(start, rng.randrange(1, 3 * DAY), offset)
        local = at + offset
        window = WORK_WINDOWS[weekday(local)]
        assert at > start
        assert window is not None
        assert window[0] <= local % DAY <= window[1]


def test_tickets_arrive_over_two_years_more_on_weekdays() -> None:
    times = creation_times(np.random.default_rng(1), 20000, T0, 0)
    assert list(times) == sorted(times)
    assert times[0] >= T0 - SPAN
    assert times[-1] <= T0
    days = Counter(weekday(int(t)) for t in times)
    assert min(days[d] for d in range(5)) > 2 * max(days[5], days[6])


def test_tags_come_from_a_small_set() -> None:
    assert 12 <= len(TAGS) <= 18
    assert len(set(TAGS)) == len(TAGS)


def test_a_demo_desk_leaves_its_search_index_merged_for_the_first_save(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bulk build flushes the search index in many segments (a small hash here, so that a
    small desk has several too); left as they are, the first ordinary write after the build
    merges them — 10-25 s for one save at a million tickets. The build merges them itself."""
    import apsw

    monkeypatch.setitem(sqlite_bulk.FTS_BULK, "hashsize", 64 * 1024)
    desk = open_database(sqlite_url)
    try:
        generate(desk, tickets=2500, seed=SEED, now=T0)
    finally:
        desk.close()
    conn = apsw.Connection(sqlite_url.removeprefix("sqlite:///"))
    try:
        before = conn.total_changes()
        conn.execute("INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('merge', 64)")
        assert conn.total_changes() - before <= 1  # the command itself: nothing to merge
    finally:
        conn.close()
