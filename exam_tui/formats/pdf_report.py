"""PDF reports with Chinese text: headings, paragraphs, tables, bar charts and key–value facts on A4.

The writer takes plain data like the other result writers (:mod:`exam_tui.formats.results_export`):
texts already in the UI language, rows of cells (text, numbers, aware datetimes, None for empty).

Fonts: formats/pdf_fonts.py finds a system font with Chinese glyphs; the report embeds a subset of it.

Line breaking. Chinese has no spaces between words, and fpdf2's word wrap would push a whole run of
Chinese to the next line (or overflow); :func:`break_lines` breaks between any two CJK characters and
at spaces between Latin words, keeps closing punctuation (，。、）…) off the start of a line and opening
punctuation (（《“) off its end, and breaks a word wider than the line between its characters. Every
text is broken here and drawn line by line, so nothing overflows its column.

fpdf2 is imported when a report is written: it takes most of a second to import.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exam_tui.domain.line_breaks import unbreakable_pieces
from exam_tui.formats.pdf_fonts import cjk_face_index, find_cjk_font
from exam_tui.formats.results_export import Cell, cell_text

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_FAMILY = "cjk"

PT = 25.4 / 72  # millimetres in a point
BODY_PT = 10.5
TABLE_PT = 9.0
SMALL_PT = 8.0
MARGIN = 18.0
BOTTOM_MARGIN = 20.0
TEXT_COLOR = (20, 20, 20)
MUTED_COLOR = (100, 100, 100)
RULE_COLOR = (150, 150, 150)
HEADER_FILL = (225, 230, 238)
STRIPE_FILL = (246, 247, 249)
BAR_COLOR = (64, 110, 170)


# ---- sections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 or 2


@dataclass(frozen=True)
class Paragraph:
    """Text wrapped to the page width; a newline in it starts a new line."""

    text: str


@dataclass(frozen=True)
class Table:
    """A bordered table: header row bold and shaded, repeated on every page the table runs onto;
    number cells right-aligned; long cells wrap inside their column. ``column_widths`` are relative
    (``(1, 1, 3)`` gives the last column three fifths of the width); by default from the contents."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    column_widths: Sequence[float] | None = None

    def __post_init__(self) -> None:
        if self.column_widths is not None and len(self.column_widths) != len(self.headers):
            raise ValueError("column_widths must give one width per header")
        if self.column_widths is not None and any(w <= 0 for w in self.column_widths):
            raise ValueError("column_widths must be positive")


@dataclass(frozen=True)
class BarChart:
    """Bars for values ≥ 0 (a score histogram, units' indices), each labelled with its value.

    Upright columns by default; ``horizontal`` for many or long labels (unit names), one bar a line,
    running on over pages when there are many."""

    title: str
    labels: Sequence[str]
    values: Sequence[int | float]
    horizontal: bool = False

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError("a bar chart needs one value per label")


@dataclass(frozen=True)
class Facts:
    """Key–value lines: ``(("考试名称", "廉政法规考试"), ("参考人数", 42))``."""

    items: Sequence[tuple[str, Cell]]


PdfSection = Heading | Paragraph | Table | BarChart | Facts


@dataclass(frozen=True)
class PdfLabels:
    """The words the writer adds itself; ``{page}``, ``{pages}`` and ``{time}`` are filled in."""

    page: str = "第 {page} 页 / 共 {pages} 页"
    generated: str = "生成时间：{time}"


# ---- line breaking ----------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    """Pieces between which a line may break (domain.line_breaks, the rules the screen uses)."""
    return [text[start:end] for start, end, _ in unbreakable_pieces(text)]


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` in lines no wider than ``width`` as ``measure`` counts; at least one line."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line, line_width, wrapped = "", 0.0, False
        for token in _tokens(paragraph):
            if token.isspace() and wrapped and not line:
                continue  # no spaces at the start of a continued line
            token_width = measure(token)
            if line_width + token_width <= width + 1e-6:
                line, line_width = line + token, line_width + token_width
                continue
            if line.strip():
                lines.append(line.rstrip())
            line, line_width, wrapped = "", 0.0, True
            if token.isspace():
                continue
            if token_width <= width + 1e-6:
                line, line_width = token, token_width
                continue
            for char in token:  # wider than a line by itself: break between its characters
                char_width = measure(char)
                if line and line_width + char_width > width + 1e-6:
                    lines.append(line)
                    line, line_width = "", 0.0
                line, line_width = line + char, line_width + char_width
        lines.append(line.rstrip() if wrapped else line)
    return lines


def _fit(text: str, width: float, measure: Callable[[str], float], max_lines: int) -> list[str]:
    """At most ``max_lines`` lines, the last cut short with an ellipsis when the text goes on."""
    lines = break_lines(text, width, measure)
    if len(lines) <= max_lines:
        return lines
    kept, last = lines[: max_lines - 1], lines[max_lines - 1]
    while last and measure(last + "…") > width:
        last = last[:-1]
    return [*kept, last + "…"]


# ---- drawing ----------------------------------------------------------------------------------


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Report:
    """Draws sections onto an FPDF document, keeping the cursor ``y`` and breaking pages itself."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.left = pdf.l_margin
        self.width = pdf.epw

    # -- primitives

    @property
    def y(self) -> float:
        return self.pdf.get_y()

    @y.setter
    def y(self, value: float) -> None:
        self.pdf.set_y(value)

    @property
    def bottom(self) -> float:
        return self.pdf.page_break_trigger

    def new_page(self) -> None:
        self.pdf.add_page()

    def room(self, height: float) -> bool:
        """Start a new page unless ``height`` fits below the cursor; True if a page was started."""
        if self.y + height > self.bottom and self.y > self.pdf.t_margin + 1:
            self.new_page()
            return True
        return False

    def font(self, size_pt: float) -> None:
        self.pdf.set_font(FONT_FAMILY, size=size_pt)

    def measure(self, text: str) -> float:
        return self.pdf.get_string_width(text)

    @staticmethod
    def line_height(size_pt: float, leading: float = 1.45) -> float:
        return size_pt * PT * leading

    @contextmanager
    def bold(self, color: tuple[int, int, int] = TEXT_COLOR) -> Iterator[None]:
        """Fake bold (the Chinese fonts have no bold face): glyphs filled and stroked with their colour.

        fpdf2 writes the stroke width into the text object as is, so it is in points here."""
        stroke = max(0.25, self.pdf.font_size_pt * 0.035)
        with self.pdf.local_context(
            text_mode="FILL_STROKE", line_width=stroke, draw_color=color, text_color=color
        ):
            yield

    def text(self, x: float, y: float, width: float, height: float, text: str, align: str = "L") -> None:
        self.pdf.set_xy(x, y)
        self.pdf.cell(width, height, text, align=align)

    # -- sections

    def title(self, title: str, subtitle: str | None, generated: str | None) -> None:
        self.font(18)
        lh = self.line_height(18, 1.3)
        with self.bold():
            for line in break_lines(title, self.width, self.measure):
                self.text(self.left, self.y, self.width, lh, line, "C")
                self.y += lh
        if subtitle:
            self.y += 1
            self.font(12)
            lh = self.line_height(12)
            self.pdf.set_text_color(*MUTED_COLOR)
            for line in break_lines(subtitle, self.width, self.measure):
                self.text(self.left, self.y, self.width, lh, line, "C")
                self.y += lh
            self.pdf.set_text_color(*TEXT_COLOR)
        if generated:
            self.y += 1
            self.font(9)
            self.pdf.set_text_color(*MUTED_COLOR)
            self.text(self.left, self.y, self.width, self.line_height(9), generated, "C")
            self.y += self.line_height(9)
            self.pdf.set_text_color(*TEXT_COLOR)
        self.y += 2
        self.pdf.set_draw_color(*RULE_COLOR)
        self.pdf.set_line_width(0.3)
        self.pdf.line(self.left, self.y, self.left + self.width, self.y)
        self.y += 4

    def heading(self, section: Heading) -> None:
        size = 15.0 if section.level <= 1 else 12.5
        self.font(size)
        lh = self.line_height(size, 1.35)
        lines = break_lines(section.text, self.width, self.measure)
        if (
            not self.room(len(lines) * lh + 3 + 3 * self.line_height(BODY_PT))
            and self.y > self.pdf.t_margin + 1
        ):
            self.y += 3  # space above, except at the top of a page
        with self.bold():
            for line in lines:
                self.text(self.left, self.y, self.width, lh, line)
                self.y += lh
        self.y += 1.5

    def paragraph(self, section: Paragraph) -> None:
        self.font(BODY_PT)
        lh = self.line_height(BODY_PT, 1.6)
        for line in break_lines(section.text, self.width, self.measure):
            self.room(lh)
            self.text(self.left, self.y, self.width, lh, line)
            self.y += lh
        self.y += 2

    def facts(self, section: Facts) -> None:
        self.font(BODY_PT)
        lh = self.line_height(BODY_PT, 1.5)
        key_width = min(max((self.measure(k) for k, _ in section.items), default=0) + 5, self.width * 0.4)
        value_width = self.width - key_width
        for key, value in section.items:
            keys = break_lines(key, key_width - 5, self.measure)
            values = break_lines(cell_text(value, empty="-"), value_width, self.measure)
            self.room(max(len(keys), len(values)) * lh)
            top = self.y
            self.pdf.set_text_color(*MUTED_COLOR)
            for i, line in enumerate(keys):
                self.text(self.left, top + i * lh, key_width, lh, line)
            self.pdf.set_text_color(*TEXT_COLOR)
            for i, line in enumerate(values):
                self.text(self.left + key_width, top + i * lh, value_width, lh, line)
            self.y = top + max(len(keys), len(values)) * lh
        self.y += 3

    # -- tables

    def _column_widths(self, section: Table, pad: float) -> list[float]:
        n = len(section.headers)
        if section.column_widths is not None:
            total = sum(section.column_widths)
            return [self.width * w / total for w in section.column_widths]
        texts = [[str(h) for h in section.headers]]
        texts += [[cell_text(v) for v in row] for row in section.rows[:500]]
        natural = []
        for i in range(n):
            widest = max((self.measure(r[i]) for r in texts if i < len(r)), default=0.0)
            natural.append(max(widest, self.measure("中中")) + 2 * pad)
        # Narrow columns keep their width; the wide ones share what is left in proportion to theirs.
        widths = [0.0] * n
        left, wide = self.width, set(range(n))
        while wide:
            share = left / len(wide)
            narrow = {i for i in wide if natural[i] <= share}
            if not narrow:
                total = sum(natural[i] for i in wide)
                for i in wide:
                    widths[i] = left * natural[i] / total
                break
            for i in narrow:
                widths[i] = natural[i]
                left -= natural[i]
            wide -= narrow
        spare = self.width - sum(widths)  # a table that fits is stretched to the full width
        total = sum(widths)
        return [w + spare * w / total for w in widths]

    def table(self, section: Table) -> None:
        pdf = self.pdf
        self.font(TABLE_PT)
        pad_x, pad_y = 1.5, 1.2
        lh = self.line_height(TABLE_PT, 1.35)
        widths = self._column_widths(section, pad_x)
        n = len(section.headers)
        numeric = [any(i < len(row) and _is_number(row[i]) for row in section.rows) for i in range(n)]
        aligns = ["R" if numeric[i] else "L" for i in range(n)]

        def lines_of(texts: Sequence[str]) -> list[list[str]]:
            return [break_lines(texts[i], widths[i] - 2 * pad_x, self.measure) for i in range(n)]

        header = lines_of([str(h) for h in section.headers])
        header_height = max(len(c) for c in header) * lh + 2 * pad_y

        def draw(cells: list[list[str]], fill: tuple[int, int, int] | None, is_header: bool) -> None:
            height = max(len(c) for c in cells) * lh + 2 * pad_y
            pdf.set_draw_color(*RULE_COLOR)
            pdf.set_line_width(0.2)
            x, top = self.left, self.y
            for i, lines in enumerate(cells):
                if fill is not None:
                    pdf.set_fill_color(*fill)
                pdf.rect(x, top, widths[i], height, style="DF" if fill is not None else "D")
                for j, line in enumerate(lines):
                    if is_header:
                        with self.bold():
                            self.text(
                                x + pad_x, top + pad_y + j * lh, widths[i] - 2 * pad_x, lh, line, aligns[i]
                            )
                    else:
                        self.text(x + pad_x, top + pad_y + j * lh, widths[i] - 2 * pad_x, lh, line, aligns[i])
                x += widths[i]
            self.y = top + height

        def continue_on_new_page() -> None:
            self.new_page()
            draw(header, HEADER_FILL, True)

        first = lines_of([cell_text(v) for v in section.rows[0]]) if section.rows else None
        first_height = max(len(c) for c in first) * lh + 2 * pad_y if first else 0
        self.room(header_height + min(first_height, 3 * lh + 2 * pad_y))
        draw(header, HEADER_FILL, True)
        for r, row in enumerate(section.rows):
            texts = [cell_text(row[i]) if i < len(row) else "" for i in range(n)]
            cells = lines_of(texts)
            fill = STRIPE_FILL if r % 2 else None
            height = max(len(c) for c in cells) * lh + 2 * pad_y
            # A row that fits on a page moves to the next one whole; a taller one starts right here
            # when a few of its lines fit.
            fits_a_page = height <= self.bottom - pdf.t_margin - header_height
            if self.y + height > self.bottom and (fits_a_page or self.y + 2 * pad_y + 3 * lh > self.bottom):
                continue_on_new_page()
            # A row taller than a page goes on over pages, a slice of its lines on each.
            while self.y + max(len(c) for c in cells) * lh + 2 * pad_y > self.bottom:
                fit = max(1, int((self.bottom - self.y - 2 * pad_y) / lh))
                draw([c[:fit] for c in cells], fill, False)
                cells = [c[fit:] or [""] for c in cells]
                continue_on_new_page()
            draw(cells, fill, False)
        self.y += 4

    # -- charts

    def chart(self, section: BarChart) -> None:
        self.font(11)
        title_height = self.line_height(11, 1.4)
        if section.horizontal:
            self.room(title_height + 3 * 6.0)
        else:
            self.room(title_height + 75)
        with self.bold():
            self.text(self.left, self.y, self.width, title_height, section.title)
        self.y += title_height + 1
        values = [max(0.0, float(v)) for v in section.values]
        top = max(values, default=0.0)
        if section.horizontal:
            self._horizontal_bars(section, values, top)
        else:
            self._columns(section, values, top)
        self.y += 5

    @staticmethod
    def _axis(top: float) -> tuple[float, float]:
        """A round step and the axis top: 0, step, 2·step … ≥ ``top``, four to eight steps."""
        if top <= 0:
            return 1.0, 1.0
        raw = top / 5
        magnitude = 10 ** math.floor(math.log10(raw))
        step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude * (1 + 1e-9))
        return step, math.ceil(top / step - 1e-9) * step

    def _columns(self, section: BarChart, values: list[float], top: float) -> None:
        pdf = self.pdf
        step, axis_top = self._axis(top)
        plot_height = 55.0
        self.font(SMALL_PT)
        small = self.line_height(SMALL_PT, 1.25)
        ticks = [step * i for i in range(round(axis_top / step) + 1)]
        tick_texts = [cell_text(round(t, 6)) for t in ticks]
        axis_width = max(self.measure(t) for t in tick_texts) + 2
        plot_left = self.left + axis_width
        plot_width = self.width - axis_width
        plot_top = self.y + small  # room for the value above the tallest bar
        base = plot_top + plot_height
        pdf.set_line_width(0.15)
        for tick, text in zip(ticks, tick_texts, strict=True):
            y = base - plot_height * tick / axis_top
            pdf.set_draw_color(215, 215, 215)
            pdf.line(plot_left, y, plot_left + plot_width, y)
            pdf.set_text_color(*MUTED_COLOR)
            self.text(self.left, y - small / 2, axis_width - 1.5, small, text, "R")
        pdf.set_text_color(*TEXT_COLOR)
        count = len(values)
        label_lines = 1
        if count:
            slot = plot_width / count
            bar_width = slot * 0.62
            labels = [_fit(str(label), slot - 1, self.measure, 2) for label in section.labels]
            label_lines = max(len(lines) for lines in labels)
            pdf.set_fill_color(*BAR_COLOR)
            for i, value in enumerate(values):
                x = plot_left + i * slot
                height = plot_height * value / axis_top
                if height > 0:
                    pdf.rect(x + (slot - bar_width) / 2, base - height, bar_width, height, style="F")
                value_text = cell_text(section.values[i])
                if self.measure(value_text) <= slot:
                    self.text(x, base - height - small, slot, small, value_text, "C")
                for j, line in enumerate(labels[i]):
                    self.text(x, base + 1 + j * small, slot, small, line, "C")
        pdf.set_draw_color(*RULE_COLOR)
        pdf.set_line_width(0.3)
        pdf.line(plot_left, base, plot_left + plot_width, base)
        pdf.line(plot_left, plot_top, plot_left, base)
        self.y = base + 1 + label_lines * small

    def _horizontal_bars(self, section: BarChart, values: list[float], top: float) -> None:
        pdf = self.pdf
        self.font(TABLE_PT)
        lh = self.line_height(TABLE_PT, 1.3)
        label_width = min(
            max((self.measure(str(s)) for s in section.labels), default=0) + 3, self.width * 0.35
        )
        value_width = max((self.measure(cell_text(v)) for v in section.values), default=0) + 3
        bar_space = self.width - label_width - value_width
        scale = bar_space / top if top > 0 else 0.0
        for label, value, shown in zip(section.labels, values, section.values, strict=True):
            lines = _fit(str(label), label_width - 3, self.measure, 2)
            height = max(len(lines) * lh, 5.0) + 1.5
            self.room(height)
            row_top = self.y
            for j, line in enumerate(lines):
                self.text(self.left, row_top + 0.75 + j * lh, label_width - 3, lh, line, "R")
            length = value * scale
            bar_height = min(4.0, height - 1.5)
            bar_y = row_top + (height - bar_height) / 2
            if length > 0:
                pdf.set_fill_color(*BAR_COLOR)
                pdf.rect(self.left + label_width, bar_y, length, bar_height, style="F")
            self.text(
                self.left + label_width + length + 1,
                row_top + (height - lh) / 2,
                value_width,
                lh,
                cell_text(shown),
            )
            self.y = row_top + height
        pdf.set_draw_color(*RULE_COLOR)
        pdf.set_line_width(0.3)


def _pdf_class() -> type[FPDF]:
    from fpdf import FPDF

    class ReportPdf(FPDF):
        page_label = PdfLabels.page
        footnote: str | None = None

        def footer(self) -> None:
            self.set_font(FONT_FAMILY, size=SMALL_PT)
            self.set_text_color(*MUTED_COLOR)
            if self.footnote:  # above the page number, inside the bottom margin
                self.set_y(-17)
                self.cell(0, 5, self.footnote, align="C")
            self.set_y(-12)
            text = self.page_label.format(page=self.page_no(), pages=self.str_alias_nb_pages)
            self.cell(0, 5, text, align="C")
            self.set_text_color(*TEXT_COLOR)

    return ReportPdf


def write_pdf(
    path: Path,
    *,
    title: str,
    subtitle: str | None = None,
    sections: Sequence[PdfSection],
    generated_at: datetime | None = None,
    landscape: bool = False,
    labels: PdfLabels = PdfLabels(),
    font: Path | None = None,
    footnote: str | None = None,
) -> None:
    """An A4 report: the title (and subtitle, and when it was generated) on page 1, then the sections;
    "第 n 页 / 共 m 页" in every footer, with ``footnote`` (one short line: the audit chain's head) above
    it. ``font`` defaults to :func:`find_cjk_font` (which may raise :class:`NoCjkFont`, before anything is
    written)."""
    font_path = font if font is not None else find_cjk_font()
    pdf: Any = _pdf_class()(orientation="L" if landscape else "P", unit="mm", format="A4")
    pdf.page_label = labels.page
    pdf.footnote = footnote
    pdf.add_font(FONT_FAMILY, "", str(font_path), collection_font_number=cjk_face_index(font_path))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False, margin=BOTTOM_MARGIN)  # _Report breaks pages itself
    pdf.c_margin = 0
    pdf.set_title(title)
    pdf.set_creator("exam-tui")
    pdf.set_lang("zh-CN")
    if generated_at is not None:
        pdf.set_creation_date(generated_at)
    pdf.set_text_color(*TEXT_COLOR)
    pdf.add_page()
    report = _Report(pdf)
    generated = labels.generated.format(time=cell_text(generated_at)) if generated_at is not None else None
    report.title(title, subtitle, generated)
    for section in sections:
        if isinstance(section, Heading):
            report.heading(section)
        elif isinstance(section, Paragraph):
            report.paragraph(section)
        elif isinstance(section, Table):
            report.table(section)
        elif isinstance(section, BarChart):
            report.chart(section)
        elif isinstance(section, Facts):
            report.facts(section)
        else:
            raise TypeError(f"not a PDF section: {section!r}")
    # The subsetter says it drops tables it cannot subset (the bitmap strikes of WenQuanYi): not news.
    subset_log = logging.getLogger("fontTools.subset")
    level = subset_log.level
    subset_log.setLevel(logging.ERROR)
    try:
        pdf.output(str(path))
    finally:
        subset_log.setLevel(level)
