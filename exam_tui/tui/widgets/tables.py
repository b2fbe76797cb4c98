"""Column widths for DataTables that must fit the terminal: one column takes what the others leave."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import DataTable

from exam_tui.i18n import t

MIN_FLEX_WIDTH = 10


def set_columns(table: DataTable[str], columns: Sequence[tuple[str, int | None]], width: int) -> None:
    """Replace the columns (key, width), labelled ``col.<key>``; width None gets the rest of ``width``.

    Each column has one cell of padding on both sides, and one cell is left for the vertical scrollbar,
    so a long title (double-width Chinese) is cut at the column instead of scrolling sideways.
    """
    table.clear(columns=True)
    fixed = sum(w for _, w in columns if w is not None)
    rest = max(MIN_FLEX_WIDTH, width - fixed - 2 * len(columns) - 2)
    for key, column_width in columns:
        table.add_column(t(f"col.{key}"), key=key, width=column_width if column_width is not None else rest)
