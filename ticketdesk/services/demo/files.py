"""Tiny attachments for the demo: a screenshot, a log excerpt, a CSV export.

Real enough to open (the PNG is a valid image, the CSV parses) and small enough that a million
tickets add only a few megabytes. Names and MIME types go through the same rules as a user's
upload (`domain.attachments`).
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from ticketdesk.domain.attachments import display_name, guess_mime


@dataclass(frozen=True)
class DemoFile:
    name: str
    mime: str
    data: bytes
    sha256: str


def _png(width: int, height: int, rgb: tuple[int, int, int], stripe: tuple[int, int, int]) -> bytes:
    """A small valid PNG: a coloured window with a title bar, like a cropped screenshot."""
    rows = []
    for y in range(height):
        colour = stripe if y < 3 else rgb
        rows.append(b"\x00" + bytes(colour) * width)
    raw = b"".join(rows)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


_SCREENSHOTS = tuple(
    _png(32, 20, colour, stripe)
    for colour, stripe in (((240, 240, 240), (40, 90, 200)), ((30, 30, 36), (200, 60, 60)),
                           ((250, 250, 245), (60, 160, 90)), ((220, 230, 250), (90, 90, 90)))
)


def _file(name: str, data: bytes) -> DemoFile:
    clean = display_name(name)
    return DemoFile(clean, guess_mime(clean), data, hashlib.sha256(data).hexdigest())


def demo_file(rng: random.Random, at: int, code: str) -> DemoFile:
    """One attachment sent at `at`, mentioning `code` (an order, invoice or error)."""
    stamp = datetime.fromtimestamp(at, UTC)
    kind = rng.random()
    if kind < 0.45:
        data = _SCREENSHOTS[rng.randrange(len(_SCREENSHOTS))]
        return _file(f"screenshot-{stamp:%Y-%m-%d-%H%M}.png", data)
    if kind < 0.75:
        lines = [f"{stamp:%Y-%m-%dT%H:%M:%S}Z INFO app started (build {rng.randint(1000, 9999)})"]
        for step in range(rng.randint(2, 6)):
            level = "ERROR" if step % 3 == 2 else "WARN"
            lines.append(f"{stamp:%Y-%m-%dT%H:%M}:{(step * 7) % 60:02d}Z {level} request "
                         f"{rng.randint(10**6, 10**7 - 1)} failed: {code}")
        return _file("error.log", ("\n".join(lines) + "\n").encode())
    rows = ["date,reference,amount,currency"]
    for _ in range(rng.randint(2, 8)):
        rows.append(f"{stamp:%Y-%m-%d},{code},{rng.randint(5, 2500)}.{rng.randint(0, 99):02d},EUR")
    return _file(f"export-{stamp:%Y%m%d}.csv", ("\n".join(rows) + "\n").encode())
