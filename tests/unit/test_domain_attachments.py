"""Attachment names are labels, never paths: safe_filename for Save dialogs on any OS, is_risky for
files that would run code, and the size limit."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ticketdesk.domain.attachments import (
    MAX_BYTES,
    NAME_MAX,
    RISKY_EXTENSIONS,
    check_size,
    display_name,
    guess_mime,
    human_size,
    is_risky,
    safe_filename,
)
from ticketdesk.domain.errors import ValidationError

WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                    *(f"lpt{i}" for i in range(1, 10))}


@pytest.mark.parametrize(("name", "safe"), [
    ("report.pdf", "report.pdf"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\system32\\evil.dll", "evil.dll"),
    ("/etc/shadow", "shadow"),
    ("C:\\Users\\ann\\invoice.pdf", "invoice.pdf"),
    ("C:invoice.pdf", "C_invoice.pdf"),
    ("folder/", "attachment"),
    ("..", "attachment"),
    ("...", "attachment"),
    (".bashrc", "bashrc"),
    ("  spaced name.txt  ", "spaced name.txt"),
    ("trailing dot.", "trailing dot"),
    ("a\x00b.txt", "a_b.txt"),
    ("line\nbreak.txt", "line_break.txt"),
    ('what?*:<>|".txt', "what_______.txt"),
    ("CON.txt", "_CON.txt"),
    ("con", "_con"),
    ("nul.tar.gz", "_nul.tar.gz"),
    ("LPT9.log", "_LPT9.log"),
    ("COM1", "_COM1"),
    ("console.txt", "console.txt"),
    ("invoice\u202egnp.exe", "invoice_gnp.exe"),  # shows as "invoiceexe.png"
    ("résumé.pdf", "résumé.pdf"),
])
def test_safe_filename_keeps_only_a_plain_name(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_a_300_character_name_is_cut_to_255_bytes_keeping_the_extension() -> None:
    safe = safe_filename("x" * 296 + ".pdf")
    assert safe.endswith(".pdf")
    assert len(safe.encode()) <= 255
    assert safe == "x" * (NAME_MAX - 4) + ".pdf"


def test_a_long_multibyte_name_is_cut_on_a_character_boundary() -> None:
    safe = safe_filename("é" * 300 + ".txt")
    assert safe.endswith(".txt")
    assert len(safe.encode()) <= 255
    assert set(safe[:-4]) == {"é"}


@pytest.mark.parametrize("name", ["a." + "b" * 300, "a." + "é" * 200, "." + "x" * 299,
                                  "é." + "x" * 253])
def test_an_overlong_extension_still_gives_a_short_name(name: str) -> None:
    safe = safe_filename(name)
    assert 0 < len(safe.encode()) <= 255
    assert not safe.startswith(".")


@pytest.mark.parametrize("name", ["", "   ", "\t", " \n\r\n "])
def test_a_blank_name_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="needs a file name"):
        display_name(name)
    with pytest.raises(ValidationError, match="needs a file name"):
        safe_filename(name)


_NAMES = st.text(min_size=1, max_size=320).filter(lambda s: s.strip() != "")


@given(name=_NAMES)
@example(name="a." + "é" * 200)
@example(name="é." + "x" * 253)
@example(name="CON.txt")
@example(name="../x")
@example(name="\u202e")
def test_safe_filename_is_always_a_plain_short_name(name: str) -> None:
    try:
        safe = safe_filename(name)
    except ValidationError:
        assert not display_name_or_none(name)
        return
    assert safe
    assert not set(safe) & set('/\\:*?"<>|\x00')
    assert all(ord(ch) >= 32 for ch in safe)
    assert len(safe.encode("utf-8")) <= 255
    assert not safe.startswith(".")
    assert not safe.endswith((".", " "))
    assert safe.split(".")[0].lower() not in WINDOWS_RESERVED


def display_name_or_none(name: str) -> str | None:
    try:
        return display_name(name)
    except ValidationError:
        return None


def test_display_name_shows_hidden_characters_as_replacement_marks() -> None:
    assert display_name("invoice\u202egnp.exe") == "invoice\ufffdgnp.exe"
    assert display_name("  tab\there.txt ") == "tab\ufffdhere.txt"


def test_display_name_keeps_at_most_255_characters() -> None:
    assert len(display_name("n" * 300)) == NAME_MAX


@pytest.mark.parametrize("name", [
    "setup.exe", "SETUP.EXE", "run.sh", "macro.docm", "script.ps1", "app.AppImage",
    "installer.msi", "tool.jar", "link.lnk", "payload.scr", "archive.tar.gz.exe",
    "invoice\u202egnp.exe", "evil.exe.", "evil.exe ", "evil.exe. . .", "dir/evil.bat",
])
def test_names_that_would_run_code_are_risky(name: str) -> None:
    assert is_risky(name)


@pytest.mark.parametrize("name", ["report.pdf", "photo.JPG", "notes.txt", "data.csv", "README",
                                  "exe", "archive.tar.gz", "presentation.pptx"])
def test_documents_are_not_risky(name: str) -> None:
    assert not is_risky(name)


WARNED_KINDS = {
    # programs, installers, shortcuts, scripts
    "exe", "com", "bat", "cmd", "msi", "msp", "scr", "pif", "cpl", "ps1", "psm1", "psd1",
    "ps1xml", "psc1", "vb", "vbs", "vbe", "js", "jse", "wsf", "wsh", "wsc", "hta", "jar", "jnlp",
    "reg", "lnk", "url", "scf", "inf", "msc", "gadget", "application", "appref-ms",
    "settingcontent-ms", "sh", "bash", "zsh", "csh", "run", "bin", "app", "command",
    "appimage", "deb", "rpm", "pkg", "dmg", "desktop", "py", "pyw", "pl", "rb", "php", "dll",
    "so", "dylib", "iso", "img", "vhd", "vhdx",
    # help files and web pages
    "chm", "hlp", "html", "htm", "xhtml", "shtml", "mht", "mhtml", "svg", "svgz",
    # documents that may carry macros
    "doc", "dot", "xls", "xlt", "xla", "xlsb", "ppt", "pot", "pps", "ppa", "docm", "dotm",
    "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm",
}


def test_the_kinds_that_warn_before_opening_are_exactly_these() -> None:
    assert RISKY_EXTENSIONS == WARNED_KINDS
    for ext in sorted(WARNED_KINDS):
        assert is_risky(f"file.{ext}"), ext
        assert is_risky(f"FILE.{ext.upper()}"), ext


@pytest.mark.parametrize("name", ["manual.chm", "page.html", "page.HTM", "logo.svg",
                                  "letter.doc", "sheet.xls", "slides.ppt", "archive.mhtml"])
def test_help_files_web_pages_and_old_office_documents_are_risky(name: str) -> None:
    assert is_risky(name)


@pytest.mark.parametrize("head", [b"MZ\x90\x00", b"\x7fELF\x02\x01", b"#!/bin/sh\n",
                                  b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"])
def test_executable_content_is_risky_whatever_the_name(head: bytes) -> None:
    assert is_risky("holiday.jpg", head)


def test_document_content_with_a_document_name_is_not_risky() -> None:
    assert not is_risky("report.pdf", b"%PDF-1.7\n")


def test_the_size_limit_is_inclusive_and_the_message_names_the_file_and_both_sizes() -> None:
    check_size("big.iso", MAX_BYTES)
    with pytest.raises(ValidationError, match=r"^big.iso is 25.0 MB; attachments can be at most "
                                              r"25.0 MB.$"):
        check_size("big.iso", MAX_BYTES + 1)


@pytest.mark.parametrize(("size", "text"), [
    (0, "0 bytes"), (1023, "1023 bytes"), (1024, "1.0 KB"), (1536, "1.5 KB"),
    (5 * 1024 * 1024, "5.0 MB"), (3 * 1024 ** 3, "3.0 GB"), (5000 * 1024 ** 3, "5000.0 GB"),
])
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_mime_type_is_guessed_from_the_name_with_a_safe_default() -> None:
    assert guess_mime("photo.png") == "image/png"
    assert guess_mime("blob.unknownext") == "application/octet-stream"
