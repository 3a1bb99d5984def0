"""The benchmarks' demo desk: built once with `ticketdesk demo` (about a minute and a half for a
million tickets), kept in the user's cache folder and reused by every benchmark after."""

from __future__ import annotations

import subprocess
import sys
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
