"""Kill writers with SIGKILL at random moments and check the desk after every round.

`crash_rounds` is shared by tests/reliability/test_crash.py (dozens of kills in the normal
suite) and `python -m tests.reliability.stress crash` (hundreds, see the README).

Writers are forked from a multiprocessing fork server that has already imported ticketdesk, so a
writer is writing within milliseconds of its start rather than after a second of imports: the
kills land among the writes, not in the interpreter's start-up. Each writer is a process of its
own with its own connection, as a real second window or command would be.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reliability import writer
from tests.reliability.checks import finished_backups_sound, parse_reports, verify

_context: Any = None


def context() -> Any:
    """The fork server context, its server preloaded with the writer and ticketdesk."""
    global _context  # noqa: PLW0603 - one fork server per test process
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["tests.reliability.writer"])
    return _context


def _child(desk: str, seed: int, ops: int, shared: bool, backups: bool, report: str) -> None:
    raise SystemExit(writer.run(desk, seed, ops, shared=shared, backups=backups,
                                say=writer.report_to(Path(report))))


@dataclass
class CrashStats:
    kills: int = 0
    rounds: int = 0
    commits_checked: int = 0
    reported: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class Writer:
    """One writer process; what it reported is read from its report file."""

    def __init__(self, desk: Path, seed: int, *, ops: int = 0, shared: bool = False,
                 backups: bool = False) -> None:
        self.report = desk.parent / f"report-{seed}.txt"
        self.report.unlink(missing_ok=True)
        self.proc = context().Process(
            target=_child, args=(str(desk), seed, ops, shared, backups, str(self.report)))
        self.proc.start()

    def lines(self) -> list[str]:
        try:
            with open(self.report, encoding="utf-8") as fh:
                return fh.readlines()
        except FileNotFoundError:
            return []

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while "ready\n" not in self.lines():
            if not self.proc.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"writer did not start (exit code {self.proc.exitcode})")
            time.sleep(0.002)

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL

    def finish(self, timeout: float = 300) -> int | None:
        self.proc.join(timeout)
        return self.proc.exitcode


def crash_rounds(folder: Path, rounds: int, *, writers: int = 2, seed: int = 1,
                 max_delay: float = 0.3, log: Callable[[str], None] | None = None) -> CrashStats:
    """`rounds` times: start `writers` writer processes on one desk, SIGKILL each at its own
    random moment, then open the desk as the app would and check every commit ever reported."""
    rng = random.Random(seed)
    desk = folder / "desk.sqlite"
    stats = CrashStats()
    reports: list[list[str]] = []
    for n in range(rounds):
        procs = [Writer(desk, seed * 100_000 + n * 10 + w, shared=True, backups=True)
                 for w in range(writers)]
        for w in procs:
            w.wait_ready()
        started = time.monotonic()
        for at, w in sorted(((rng.uniform(0.0, max_delay), w) for w in procs),
                            key=lambda pair: pair[0]):
            time.sleep(max(0.0, started + at - time.monotonic()))
            w.kill()
        for w in procs:
            code = w.finish()
            mine = parse_reports(w.lines())
            if code != -signal.SIGKILL:
                stats.problems.append(f"round {n}: writer ended with {code}: {mine[-1:]}")
            stats.kills += code == -signal.SIGKILL
            stats.problems += [f"round {n}: {' '.join(r)}" for r in mine if r[0] == "E"]
            reports += mine
        verdict = verify(desk, reports)
        verdict.problems += finished_backups_sound(folder / "backups")
        stats.rounds += 1
        stats.commits_checked += verdict.commits_checked
        stats.reported = len([r for r in reports if r[0] in "TNMSB"])
        stats.lost = len([p for p in verdict.problems if p.startswith("reported but missing")])
        stats.problems += [f"round {n}: {p}" for p in verdict.problems]
        stats.counts = verdict.counts
        if log is not None:
            log(f"round {n + 1}/{rounds}: {stats.kills} kills, {stats.reported:,} commits "
                f"reported and all present, {len(stats.problems)} problems")
        if stats.problems:
            break
    return stats


# -- a kill at an exact point ------------------------------------------------------------------
#
# Each function below runs in a process of its own (`killed_at`) and SIGKILLs itself at the
# point the test names: what a kill at that instant leaves on disk, with no cleanup of any kind.

def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def commit_then_die(desk: str, subjects: list[str]) -> None:
    """Commit tickets, then die with the desk open: they are in its -wal only."""
    from ticketdesk.db.store import open_database
    from ticketdesk.services import tickets
    from ticketdesk.services.session import Session

    store = open_database(desk)
    for subject in subjects:
        tickets.create_ticket(Session(store, None), subject=subject)
    _die()


def restore_then_die(desk: str, backup: str, renames: int) -> None:
    """`ticketdesk restore`, killed after its `renames`-th rename of a desk file."""
    from ticketdesk.app import main

    done = 0
    real_rename = os.rename

    def rename(old: Any, new: Any) -> None:
        nonlocal done
        real_rename(old, new)
        done += 1
        if done >= renames:
            _die()

    os.rename = rename  # type: ignore[assignment]
    main(["restore", "--db", desk, backup])
    _die()  # (not reached when the kill lands inside)


def _die_at_write(number: int, into: Callable[[str, bool], bool]) -> Any:
    """From now on, SQLite connections die at their `number`-th write into a file `into(name,
    is_main_db)` accepts (an APSW VFS made the default; keep the returned object alive)."""
    import apsw

    writes = 0

    class File(apsw.VFSFile):  # type: ignore[misc]
        def __init__(self, vfs: str, name: Any, flags: list[int]) -> None:
            super().__init__(vfs, name, flags)
            filename = name.filename() if hasattr(name, "filename") else str(name)
            self.counted = into(filename, bool(flags[0] & apsw.SQLITE_OPEN_MAIN_DB))

        def xWrite(self, data: bytes, offset: int) -> None:
            nonlocal writes
            super().xWrite(data, offset)
            writes += self.counted
            if writes >= number:
                _die()

    class KillingVFS(apsw.VFS):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__("killing", "unix", makedefault=True)

        def xOpen(self, name: Any, flags: list[int]) -> File:
            return File("unix", name, flags)

    return KillingVFS()


def demo_then_die(desk: str, tickets: int, kill_after: int) -> None:
    """`ticketdesk demo` in rollback-journal mode, killed during its commit, after `kill_after`
    page writes into the desk file: the journal is hot, and the file's header (page 1, written
    first) already counts pages that are not written yet, as when a large demo is killed while
    it writes its pages out at the end."""
    from ticketdesk.app import main
    from ticketdesk.services.demo import pipeline, sqlite_bulk

    sqlite_bulk.ROLLBACK_JOURNAL_FROM = 1
    pipeline.MIN_TICKETS_FOR_WORKERS = tickets + 1
    vfs = _die_at_write(kill_after, lambda _name, is_main: is_main)
    main(["demo", "--db", desk, "--tickets", str(tickets)])
    vfs.unregister()


def backup_then_die(desk: str, kill_after: int) -> None:
    """`ticketdesk backup`, killed after `kill_after` writes into its temporary copy."""
    from ticketdesk.app import main

    vfs = _die_at_write(kill_after, lambda name, _main: name.endswith(".partial"))
    out = Path(desk).parent / "backups" / "desk-20260101-000000.sqlite"
    main(["backup", "--db", desk, "--out", str(out)])
    vfs.unregister()


def restore_copy_then_die(desk: str, backup: str) -> None:
    """`ticketdesk restore`, killed while it copies the backup beside the desk."""
    import shutil

    from ticketdesk.app import main

    def copy_half(src: Any, dst: Any, length: int = 0) -> None:
        dst.write(src.read(4096))
        dst.flush()
        _die()

    shutil.copyfileobj = copy_half
    main(["restore", "--db", desk, backup])


def killed_at(target: Callable[..., None], *args: Any, timeout: float = 300) -> None:
    """Run `target(*args)` in a new process that kills itself with SIGKILL; wait for it."""
    proc = context().Process(target=target, args=args)
    proc.start()
    proc.join(timeout)
    if proc.exitcode != -signal.SIGKILL:
        raise RuntimeError(f"{target.__name__} ended with {proc.exitcode}, not killed")
