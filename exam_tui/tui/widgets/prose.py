"""Chinese prose as Textual draws it, broken the way :mod:`exam_tui.tui.wrap` breaks it.

``Static(Prose(stem))`` instead of ``Static(stem)``: the text is broken for the width the widget has,
between characters and never before a closing mark, with continuation lines hanging under the text
after an enumerator. Styled text (a ``Content`` with spans) keeps its styles. A ``tail`` (a count such as
``(15题)``) follows the text and is never split: it ends the last line, or starts a line of its own.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from exam_tui.tui.wrap import hang_of, line_spans, usable_hang


class Prose(Visual):
    """``content`` drawn with CJK line breaking; ``hang`` None: each paragraph hangs after its enumerator;
    ``tail`` after the text, kept whole."""

    def __init__(self, content: str | Content, *, hang: int | None = None, tail: str = "") -> None:
        self.content = content if isinstance(content, Content) else Content(content)
        self.hang = hang
        self.tail = tail
        self._broken: tuple[int, Content] | None = None

    @property
    def plain(self) -> str:
        """The text without styles, as ``Content.plain`` (what a test or a screen reader reads)."""
        return self.content.plain + self.tail

    def __str__(self) -> str:
        return self.plain

    def broken(self, width: int) -> Content:
        """The content with a line break wherever the width needs one (each line then fits)."""
        if self._broken is not None and self._broken[0] == width:
            return self._broken[1]
        lines: list[Content] = []
        for paragraph in self.content.split("\n", allow_blank=True):
            plain = paragraph.plain
            hang = usable_hang(max(width, 2), hang_of(plain) if self.hang is None else self.hang)
            for k, (start, end) in enumerate(line_spans(plain, width, hang)):
                line = paragraph[start:end]
                lines.append(line.pad_left(hang) if k and hang else line)
        if self.tail:
            if cell_len(lines[-1].plain) + cell_len(self.tail) <= width:
                lines[-1] = lines[-1] + self.tail
            else:
                lines.append(Content(self.tail.lstrip()))
        broken = Content("\n").join(lines)
        self._broken = (width, broken)
        return broken

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.broken(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return (self.content + self.tail).get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return 2  # one wide character

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.broken(width).get_height(rules, width)
