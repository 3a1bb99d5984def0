"""The benchmarks' demo desk: built once with `ticketdesk demo` (about a minute and a half for a
million tickets), kept in the user's cache folder and reused by every benchmark after."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path.home() / ".cache" / "ticketdesk-bench"


def default_desk(tickets: int = 1_000_000) -> Path:
    return CACHE / f"demo_{tickets}.sqlite"


def ensure_demo_desk(path: Path, tickets: int = 1_000_000) -> Path:
    """`path`, built with `tickets` demo tickets first if it does not exist yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {tickets:,} demo tickets in {path} …", flush=True)
        subprocess.run([sys.executable, "-m", "ticketdesk", "demo", "--tickets", str(tickets),
                        "--db", str(path)], check=True)
    return path


def work_copy(source: Path, work: Path, name: str) -> Path:
    """A benchmark's own copy of the desk `source` (its write-ahead log too) as `work/name`,
    made once and reused by later runs; `source` itself is never opened (opening a desk
    migrates it). Copied under a temporary name first, so a killed copy is never taken for
    a whole one."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / name
    if not copy.exists():
        started = time.perf_counter()
        wal = source.with_name(source.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        shutil.copyfile(source, copy.with_suffix(".partial"))
        copy.with_suffix(".partial").rename(copy)
        print(f"copied {source} to {copy} in {time.perf_counter() - started:.1f} s", flush=True)
    return copy
