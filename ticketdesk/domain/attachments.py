"""Rules for attached files: size limit, names that are only ever labels, risky types."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Callable

from ticketdesk.domain.errors import ValidationError

MAX_BYTES = 25 * 1024 * 1024
NAME_MAX = 255
RISKY_EXTENSIONS = frozenset((
    # programs, installers, shortcuts and scripts the system runs
    "exe com bat cmd msi msp scr pif cpl ps1 psm1 psd1 ps1xml psc1 vb vbs vbe js jse wsf wsh wsc "
    "hta jar jnlp reg lnk url scf inf msc gadget application appref-ms settingcontent-ms "
    "sh bash zsh csh run bin app command appimage deb rpm pkg dmg desktop py pyw pl rb php "
    "dll so dylib iso img vhd vhdx "
    # help files and web pages: scripts run as soon as they open (Windows runs a .chm's
    # scripts outside the browser's sandbox; a local .html or .svg reads local files)
    "chm hlp html htm xhtml shtml mht mhtml svg svgz "
    # office documents that may carry macros (the old binary formats always can)
    "doc dot xls xlt xla xlsb ppt pot pps ppa docm dotm xlsm xltm xlam pptm potm ppsm ppam sldm"
).split())
"""Extensions whose files can run code when opened: opening one asks first (ui/dock)."""

_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)
_UNSAFE_CHARS = re.compile(r'[\\/:*?"<>|]')


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}"
    return f"{value:.1f} GB"  # pragma: no cover


def display_name(name: str) -> str:
    """The name as stored and shown: what the user's file was called, with control and
    direction-override characters (which can disguise `exe.pdf` as `fdp.exe`) made visible.
    A name longer than 255 characters loses the end of its stem, never its extension."""
    cleaned = "".join(
        "\ufffd" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in name.strip()
    ).strip()  # strip first: a tab or newline at either end is blank, not a visible mark
    if not cleaned:
        raise ValidationError("An attachment needs a file name.")
    return _shorten(cleaned, lambda s: len(s) <= NAME_MAX)


def _shorten(name: str, fits: Callable[[str], bool]) -> str:
    """Cut characters from the end of the stem until `fits`, so the extension (which decides
    how the file opens) survives; an extension too long to keep is cut like the rest."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem:
        while stem and not fits(f"{stem}.{ext}"):
            stem = stem[:-1]
        if stem:
            return f"{stem}.{ext}"
    while name and not fits(name):
        name = name[:-1]
    return name


def check_size(name: str, size: int, limit: int = MAX_BYTES) -> None:
    if size > limit:
        raise ValidationError(
            f"{name} is {human_size(size)}; attachments can be at most {human_size(limit)}."
        )


def guess_mime(name: str) -> str:
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def safe_filename(name: str) -> str:
    """A file name that can be offered in a Save dialog on any OS: no folders, no reserved
    device names, no control characters, at most 255 bytes, never empty or a dot-name."""
    base = re.split(r"[\\/]", display_name(name))[-1]
    base = _UNSAFE_CHARS.sub("_", base.replace("\ufffd", "_")).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if not stem:
        stem = "attachment"
    elif stem.split(".")[0].rstrip(" ").lower() in _RESERVED:
        stem = f"_{stem}"
    suffix = f".{ext}" if ext else ""
    short = _shorten(stem + suffix, lambda s: len(s.encode("utf-8")) <= NAME_MAX).rstrip(" .")
    return short or "attachment"


def is_risky(name: str, head: bytes = b"") -> bool:
    """Would opening this run code? By extension, or by an executable's first bytes.

    The extension judged is the one the file gets when saved (`safe_filename`): Windows drops
    trailing dots and spaces, so `evil.exe.` would run as `evil.exe`.
    """
    saved = safe_filename(name)
    ext = saved.rpartition(".")[2].lower() if "." in saved else ""
    if ext in RISKY_EXTENSIONS:
        return True
    return head.startswith((b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"))
