"""What the line-based converters (GIFT, Aiken) share: reading the file as text, and turning the bits of
text they cut out (stems, options, feedback) into the plain text a bank holds (HTML: html_text).

Question files come from Moodle exports and from people typing in Notepad, so the reader takes UTF-8
with or without a BOM and any line ending, and counts lines the way an editor shows them.
"""

from __future__ import annotations

import re
from pathlib import Path

from exam_tui.formats.convert.common import UnreadableSource

_LINE_END = re.compile(r"\r\n|\r|\n")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_BLANK_RUN = re.compile(r"\n{3,}")


def read_lines(path: Path) -> list[str]:
    """The file's lines (without their endings); a file that cannot be opened, is not UTF-8 or holds
    nothing but white space cannot be converted at all."""
    try:
        raw = path.read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        detail = getattr(exc, "strerror", None) or str(exc)
        raise UnreadableSource("line 1", "text_unreadable", detail=detail) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UnreadableSource(f"line {line}", "text_not_utf8", byte=f"{raw[exc.start]:02X}") from exc
    if not text.strip():
        raise UnreadableSource("line 1", "text_empty")
    return _LINE_END.split(text)


def join_wrapped(text: str) -> str:
    """One line from text an author wrapped over several: lines joined by a space, except between two
    Chinese characters, where a space would be a typo."""
    out = ""
    for line in (part.strip() for part in text.split("\n")):
        if not line:
            continue
        if out and not (_CJK.match(out[-1]) and _CJK.match(line[0])):
            out += " "
        out += line
    return out


def paragraphs(text: str) -> str:
    """Text whose line breaks matter (a stem, an explanation): each line trimmed, runs of blank lines
    cut to one, none at either end."""
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()
