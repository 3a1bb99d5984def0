"""A process that writes to a desk as fast as it can and reports every commit, for the crash,
concurrency and backup tests and the stress runs (`python -m tests.reliability.writer DESK`).

Each report line is written (one `write` to a file opened for appending, or to stdout) only
after the service call returned, i.e. after the transaction committed, and names what must now
be in the desk:

    T <ticket> <token>             a ticket whose subject contains <token>
    N <ticket> <note> <token>      a note with body <token>...
    M <ticket> <token>             an outgoing message with body <token>... (and maybe a file)
    S <ticket> <version> <status>  the ticket reached <version> by moving to <status>
    B <path>                       a finished backup

A storage error (a "database is locked" reaching the user would be one) is printed as
`E <message>` and ends the process with status 3. A version conflict is retried with the
version read again, as a user would; the retries are counted in the final `X` line.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path

from ticketdesk.db.models import Ticket
from ticketdesk.db.store import open_database
from ticketdesk.domain.errors import ConflictError, StorageError
from ticketdesk.domain.status import Status
from ticketdesk.services import maintenance, messages, notes, tickets
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.session import Session

CYCLE = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING)


def _stdout(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def report_to(path: Path) -> Callable[[str], None]:
    """Report lines appended to `path`, each with a single write(2), so a line that is there is
    whole (and was written after its commit)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    return lambda line: os.write(fd, (line + "\n").encode()) and None


def _pick(rng: random.Random, mine: list[int], shared: bool) -> int | None:
    if shared:
        highest = Ticket.select(Ticket.id).order_by(Ticket.id.desc()).limit(1).scalar()
        return rng.randint(1, int(highest)) if highest else None
    return rng.choice(mine) if mine else None


def run(desk: str, seed: int, ops: int, *, shared: bool, backups: bool,
        say: Callable[[str], None] = _stdout) -> int:
    rng = random.Random(seed)
    store = open_database(desk)
    session = Session(store, None)
    mine: list[int] = []
    retries = 0
    say("ready")
    done = 0
    try:
        while ops == 0 or done < ops:
            done += 1
            token = f"w{seed}x{done}"
            roll = rng.random()
            target = _pick(rng, mine, shared)
            if target is not None and Ticket.get_or_none(Ticket.id == target) is None:
                target = None  # a gap left by a transaction that never committed
            if target is None or roll < 0.25:
                big = rng.random() < 0.1
                tid = tickets.create_ticket(
                    session, subject=f"crash test {token}",
                    description=("lorem ipsum " * (20_000 if big else 20)),
                    tags=[f"t{rng.randint(1, 40)}" for _ in range(rng.randint(0, 6))]).new_id
                mine.append(tid)
                say(f"T {tid} {token}")
            elif roll < 0.5:
                body = f"{token} " + "note " * rng.randint(1, 300)
                note_id, _ = notes.add_note(session, target, body)
                say(f"N {target} {note_id} {token}")
            elif roll < 0.65:
                files = [NewFile(f"{token}.bin", rng.randbytes(rng.randint(1, 50_000)))] \
                    if rng.random() < 0.3 else []
                messages.add_message(session, target, f"{token} reply", files=files)
                say(f"M {target} {token}")
            elif roll < 0.98 or not backups:
                while True:
                    current = tickets.get_ticket(target)
                    new = rng.choice([s for s in CYCLE if s != current.status])
                    try:
                        tickets.set_status(session, target, current.version, new)
                    except ConflictError:
                        retries += 1
                        continue
                    say(f"S {target} {current.version + 1} {new.label}")
                    break
            else:
                out = Path(desk).parent / "backups" / f"{Path(desk).stem}-w{seed}-{done}.sqlite"
                maintenance.backup(store, out)
                say(f"B {out}")
    except StorageError as exc:
        say(f"E {' '.join(str(exc).split())}")
        return 3
    finally:
        store.close()
    say(f"X {retries}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("desk")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ops", type=int, default=0, help="stop after N operations (0: never)")
    parser.add_argument("--shared", action="store_true",
                        help="work on any ticket of the desk, not only its own")
    parser.add_argument("--backups", action="store_true", help="take a backup now and then")
    args = parser.parse_args(argv)
    return run(args.desk, args.seed, args.ops, shared=args.shared, backups=args.backups)


if __name__ == "__main__":
    sys.exit(main())
