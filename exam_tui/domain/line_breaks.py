"""Where Chinese text may break between lines: the rules the screen (tui/wrap.py) and the PDF reports
(formats/pdf_report.py) share, so that a stem breaks by the same rules wherever it is shown.

Any two wide (CJK) characters may be parted; a Latin word or a number, or a run of spaces, is one piece.
A closing mark (，。、）》” …) clings to what stands before it and never starts a line; an opening mark
(（《“ …) clings to what follows and never ends one. Measuring the pieces (cells on a terminal, points in a
PDF) and filling lines is the caller's.
"""

from __future__ import annotations

import unicodedata

# A line does not begin with these (closing marks, and what reads as the end of a phrase)…
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉〗’”…—～·%,.;:?!)]}>")
# …nor end with these (opening marks).
NO_LINE_END = frozenset("（《「『【〔〈〖‘“([{<")


def is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def unbreakable_pieces(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_space) of the pieces of one paragraph that a line may not break inside: a wide
    character with the marks that cling to it, a Latin word or number, a run of spaces."""
    pieces: list[tuple[int, int, bool]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            j = i
            while j < n and text[j].isspace():
                j += 1
            pieces.append((i, j, True))
        elif is_wide(char):
            j = i + 1
            pieces.append((i, j, False))
        else:
            j = i
            while j < n and not text[j].isspace() and not is_wide(text[j]):
                j += 1
            pieces.append((i, j, False))
        i = j
    units: list[tuple[int, int, bool]] = []
    for start, end, space in pieces:
        # A closing mark joins what stands before it; what follows an opening mark joins the mark.
        if units and not space and not units[-1][2]:
            before = units[-1]
            if text[start] in NO_LINE_START or text[before[1] - 1] in NO_LINE_END:
                units[-1] = (before[0], end, False)
                continue
        units.append((start, end, space))
    return units
