"""Line breaking for Chinese text in a terminal: between any two characters, never before a closing mark.

Textual (like Rich) breaks lines only at spaces and folds a "word" that does not fit. A Chinese sentence
has no spaces, so a stem after ``A. `` or ``1. `` is one word: it leaves the letter alone on its line and
starts on the next one at the margin, and a line may begin with ``，`` or ``。``. Here every wide
character is a place to break; a closing mark (``，。、；：？！）》”`` …) stays on the line before it, an
opening mark (``（《“`` …) goes with what follows, a Latin word or a number is not split unless it is
longer than a line, and continuation lines may hang under the text after an enumerator (``A. ``,
``1. ``, ``（一）``).

The breaking rules are domain.line_breaks' (the PDF reports use them too); here they fill lines of a
width in cells. Pure functions; :class:`exam_tui.tui.widgets.prose.Prose` draws them.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

from exam_tui.domain.line_breaks import unbreakable_pieces

# 1. / 1、 / (1) / （一） / A. / 一、 at the start of a paragraph: continuation lines hang after it.
ENUMERATOR = re.compile(
    r"\s*(?:\d{1,3}[.、．)）]|[（(][\d一二三四五六七八九十]{1,3}[)）]|[A-H][.、．]|[一二三四五六七八九十]{1,3}、)\s*"
)


def usable_hang(width: int, hang: int) -> int:
    """The hang, unless it would leave fewer than 8 cells for the text (then none)."""
    return hang if width - hang >= 8 else 0


def hang_of(text: str) -> int:
    """The width of a paragraph's leading enumerator (``1. ``, ``（二）``), or 0."""
    match = ENUMERATOR.match(text)
    return cell_len(match.group(0)) if match else 0


def line_spans(text: str, width: int, hang: int = 0) -> list[tuple[int, int]]:
    """Where one paragraph (no newline) breaks at ``width`` cells: (start, end) of each line's text.

    Lines after the first are ``hang`` cells narrower (the caller indents them). Spaces at a break are
    dropped; leading spaces of the paragraph are kept.
    """
    width = max(width, 2)
    hang = usable_hang(width, hang)
    spans: list[tuple[int, int]] = []
    start: int | None = None
    end = used = 0
    available = width
    pending = 0  # cells of the spaces since the last word on this line
    for u_start, u_end, space in unbreakable_pieces(text):
        if space:
            if start is None and not spans:
                start, end, used = u_start, u_end, cell_len(text[u_start:u_end])  # the paragraph's indent
            elif start is not None:
                pending += cell_len(text[u_start:u_end])
            continue
        size = cell_len(text[u_start:u_end])
        if start is not None and used + pending + size <= available:
            end, used, pending = u_end, used + pending + size, 0
            continue
        if start is not None:
            spans.append((start, end))
            available = width - hang
        start, pending = u_start, 0
        if size <= available:
            end, used = u_end, size
            continue
        # Longer than a line (a long number, a URL): cut it between characters.
        used = 0
        for k in range(u_start, u_end):
            cells = cell_len(text[k])
            if used + cells > available and used:
                spans.append((start, k))
                available = width - hang
                start, used = k, 0
            used += cells
        end = u_end
    if start is not None:
        spans.append((start, end))
    return spans or [(0, 0)]


def wrap_lines(text: str, width: int, *, hang: int | None = None) -> list[str]:
    """``text`` broken into lines of at most ``width`` cells, continuation lines indented by the hang.

    ``hang`` None: each paragraph hangs after its own enumerator, if it has one.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        indent = usable_hang(max(width, 2), hang_of(paragraph) if hang is None else hang)
        spans = line_spans(paragraph, width, indent)
        for k, (start, end) in enumerate(spans):
            lines.append((" " * indent if k else "") + paragraph[start:end])
    return lines
