"""Prose in real widgets: a long option hangs under its text, a stem never starts a line with a mark."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.widgets import Static

from exam_tui.domain.line_breaks import NO_LINE_START as NO_START
from exam_tui.tui.widgets.prose import Prose
from exam_tui.tui.widgets.question import OptionRow

LONG_OPTION = (
    "不再给予政务处分，但是可以对其立案调查；依法应当予以降级、撤职、开除的，应当按照规定相应调整其享受的待遇"
)
STEM = "根据《中国共产党纪律处分条例》，对于严重违犯党纪、本身又不能纠正的党组织，由谁在查明核实后，根据情节严重的程度予以改组或者解散？"


class Shown(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(Prose(STEM), id="stem")
        yield OptionRow("A", LONG_OPTION, multiple=False)

    def on_mount(self) -> None:
        self.query_one(OptionRow).show(False)


def lines_of(widget: Static) -> list[str]:
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


async def test_a_long_option_and_a_stem_at_a_narrow_width() -> None:
    app = Shown()
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause()
        option = lines_of(app.query_one(OptionRow))
        stem = lines_of(app.query_one("#stem", Static))
    assert option[0].startswith("( ) A. 不再给予")
    assert len(option) == 3 and all(line.startswith(" " * 7) for line in option[1:])
    assert option[0] + "".join(line.strip() for line in option[1:]) == "( ) A. " + LONG_OPTION
    assert "".join(stem) == STEM
    assert all(cell_len(line) <= 50 for line in stem + option)
    assert not any(line[0] in NO_START for line in stem[1:])


def test_a_tail_ends_the_last_line_or_starts_its_own_never_split() -> None:
    """A count after a title ("(15题)") is kept whole: a closing mark stays with what it closes."""
    title = "中华人民共和国公务员法（纪律规定）"
    for width in range(12, 44):
        prose = Prose(title, tail="(15题)")
        lines = prose.broken(width).plain.split("\n")
        assert "".join(lines) == title + "(15题)" and prose.plain == title + "(15题)"
        assert all(cell_len(line) <= width for line in lines), width
        assert not [line for line in lines if line[0] in NO_START], width
        assert lines[-1].endswith("(15题)"), width
    assert Prose(title, tail="(15题)").broken(34).plain == title + "\n(15题)"  # 34 cells: the title alone
