"""The window's query runner (ui/worker.py): a newer query on a channel cancels the older one,
and a cancel that arrives late — after the older query finished — never costs the newer one
its answer (it is run again), on SQLite and on a PostgreSQL server, where the cancel travels
over a connection of its own from a thread of its own."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ticketdesk.db import postgres_backend
from ticketdesk.db.store import Store
from ticketdesk.ui.worker import QueryRunner

ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


class Answers:
    def __init__(self, runner: QueryRunner) -> None:
        self.finished: list[tuple[str, int, Any]] = []
        self.failed: list[tuple[str, int, str]] = []
        runner.finished.connect(lambda c, g, r: self.finished.append((c, g, r)))
        runner.failed.connect(lambda c, g, e: self.failed.append((c, g, type(e).__name__)))


@ON_POSTGRES
def test_a_late_cancel_meant_for_the_previous_query_never_loses_the_newer_ones_answer(
        store: Store, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    real_cancel = postgres_backend._cancel

    def late(raw: Any) -> None:  # a slow network: the cancel lands after the old query ended
        time.sleep(0.5)
        real_cancel(raw)

    monkeypatch.setattr(postgres_backend, "_cancel", late)
    runner = QueryRunner(store)
    answers = Answers(runner)

    def sleep_then(seconds: float, value: int) -> Any:
        return lambda: (store.db.execute_sql("SELECT pg_sleep(%s)", (seconds,)).fetchone(),
                        value)[1]

    try:
        runner.submit("list", 1, sleep_then(0.2, 1))
        time.sleep(0.05)  # the first is running: the second interrupts it
        runner.submit("list", 2, sleep_then(1.0, 2))
        qtbot.waitUntil(lambda: bool(answers.finished or answers.failed), timeout=10_000)
    finally:
        runner.stop()
    assert answers.failed == []
    assert answers.finished == [("list", 2, 2)]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_interrupted_query_still_wanted_runs_again_and_other_failures_are_reported(
        store: Store, qtbot) -> None:
    import apsw

    runner = QueryRunner(store)
    answers = Answers(runner)
    calls: list[int] = []

    def interrupted_once() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise apsw.InterruptError("interrupted")
        return 7

    def always_broken() -> int:
        raise apsw.SQLError("no such table: nowhere")

    try:
        runner.submit("a", 1, interrupted_once)
        runner.submit("b", 1, always_broken)
        qtbot.waitUntil(lambda: len(answers.finished) + len(answers.failed) == 2, timeout=5000)
    finally:
        runner.stop()
    assert answers.finished == [("a", 1, 7)]
    assert calls == [1, 1]
    assert answers.failed == [("b", 1, "SQLError")]  # any other failure is reported at once


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_runner_whose_owner_is_deleted_without_stop_ends_its_thread(
        store: Store, qtbot) -> None:
    """A dialog left open when its window closes is deleted without its runner being stopped;
    a running QThread destroyed makes Qt abort the program at exit."""
    from PySide6.QtCore import QObject
    from shiboken6 import delete

    owner = QObject()
    runner = QueryRunner(store, owner)
    runner.submit("slow", 1, lambda: time.sleep(0.3))
    thread = runner._thread
    qtbot.waitUntil(lambda: runner._running is not None, timeout=5000)
    delete(owner)  # as Qt deletes a closed window's children
    assert thread.isFinished()
