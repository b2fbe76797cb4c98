"""The points ledger in words and files: a cadre's ledger, the unit's public notice (登记公示), the ranking.

The notice is a workbook sheet, or a printable page of text: the heading, the period, the table, and
the lines a notice posted on a board carries (how long it is posted, where to object, the seal).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from exam_tui.domain.points import CATEGORY_IDS
from exam_tui.formats.results_export import (
    Cell,
    Sheet,
    display_width,
    json_text,
    pii_document,
    table_text,
    write_xlsx,
)
from exam_tui.i18n import t
from exam_tui.services.pii import notice as pii_notice
from exam_tui.services.points import CadrePoints, NoticeRow, UnitStanding
from exam_tui.services.results_export import ExportError, write_atomically


def _category_headers() -> list[str]:
    return [t(f"points.category.{c}") for c in CATEGORY_IDS]


def ledger_text(p: CadrePoints) -> str:
    head = t("points.ledger.heading", name=p.name, id_number=p.id_number_masked, unit=p.unit, year=p.year)
    headers = [t(f"points.col.{c}") for c in ("entry", "posted", "category", "points", "kind", "from", "why")]
    rows: list[list[Cell]] = []
    for e in p.entries:
        origin = e.course or (t("points.manual") if e.kind == "manual" else e.source)
        why = e.reason if e.kind == "manual" else (e.detail or "")
        if e.kind == "reversal":
            why = t(
                "points.reverses",
                id=e.reverses_id,
                reason=t(f"points.why.{e.reason}") if e.reason == "records_changed" else e.reason,
            )
        rows.append(
            [
                e.id,
                e.posted_at,
                t(f"points.category.{e.category}"),
                e.points,
                t(f"points.entry.{e.kind}"),
                origin,
                why,
            ]
        )
    summary = [
        t(
            "points.ledger.total",
            category=t(f"points.category.{c}"),
            raw=_n(total.raw),
            counted=_n(total.counted),
        )
        + (t("points.ledger.capped") if total.capped else "")
        for c, total in p.totals.items()
    ]
    body = table_text(headers, rows) if rows else t("points.ledger.none") + "\n"
    return (
        "\n".join([head, "", body.rstrip("\n"), "", *summary, t("points.ledger.grand", total=_n(p.total))])
        + "\n"
    )


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def notice_rows(rows: Sequence[NoticeRow]) -> list[list[Cell]]:
    return [
        [n, r.name, r.rank, r.id_number_masked, *(r.totals[c].counted for c in CATEGORY_IDS), r.total]
        for n, r in enumerate(rows, 1)
    ]


def notice_headers() -> list[str]:
    return [
        t("points.col.no"),
        t("points.col.name"),
        t("points.col.rank"),
        t("points.col.id_number"),
        *_category_headers(),
        t("points.col.total"),
    ]


def notice_page(rows: Sequence[NoticeRow], *, unit: str, year: int, posted_on: date, days: int = 5) -> str:
    """The notice as a page to print and post: centred heading, the table, the notice's closing lines."""
    table = table_text(notice_headers(), notice_rows(rows)).rstrip("\n")
    width = max(display_width(line) for line in table.splitlines())
    title = t("points.notice.title", year=year)
    lines = [
        _centre(title, width),
        _centre(t("points.notice.unit", unit=unit), width),
        "",
        t("points.notice.intro", year=year, count=len(rows)),
        "",
        table,
        "",
        t(
            "points.notice.period",
            start=posted_on.isoformat(),
            end=(posted_on + timedelta(days=days - 1)).isoformat(),
            days=days,
        ),
        t("points.notice.objection"),
        "",
        _right(t("points.notice.signature", unit=unit), width),
        _right(
            t("points.notice.date", date=f"{posted_on.year}年{posted_on.month}月{posted_on.day}日"), width
        ),
    ]
    return "\n".join(lines) + "\n"


def _centre(text: str, width: int) -> str:
    return " " * max((width - display_width(text)) // 2, 0) + text


def _right(text: str, width: int) -> str:
    return " " * max(width - display_width(text), 0) + text


def notice_json(rows: Sequence[NoticeRow], *, unit: str, year: int) -> str:
    return json_text(
        pii_document(
            pii_notice(),
            {
                "unit": unit,
                "year": year,
                "cadres": [
                    {
                        "id_number": r.id_number_masked,
                        "name": r.name,
                        "rank": r.rank,
                        "points": {c: r.totals[c].counted for c in CATEGORY_IDS},
                        "raw": {c: r.totals[c].raw for c in CATEGORY_IDS},
                        "total": r.total,
                    }
                    for r in rows
                ],
            },
        )
    )


def export_notice(
    rows: Sequence[NoticeRow], path: Path, *, unit: str, year: int, posted_on: date, overwrite: bool
) -> None:
    """The notice as ``.xlsx`` (one sheet, ID numbers masked as on the board) or ``.txt`` (the printable page).

    The workbook and the JSON are working files and say at their top that they hold personal information;
    the printable page is the 公示 itself, made to be posted, and does not.
    """
    if path.exists() and not overwrite:
        raise ExportError("cli.results.exists", path=path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        sheet = Sheet(t("points.notice.sheet"), notice_headers(), notice_rows(rows), pii_notice())
        write_atomically(path, lambda partial: write_xlsx(partial, [sheet]))
    elif suffix == ".txt":
        text = notice_page(rows, unit=unit, year=year, posted_on=posted_on)
        write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8"))
    elif suffix == ".json":
        text = notice_json(rows, unit=unit, year=year)
        write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8"))
    else:
        raise ExportError("cli.results.unknown_extension", path=path)


def ranking_text(
    people: Sequence[tuple[int, NoticeRow]], units: Sequence[UnitStanding], *, year: int, top: int
) -> str:
    """Units by their mean points, then the people. The mean, what units are ranked by, comes right after
    the unit's name, always with two decimals, so that no place or count reads as a mean."""
    mean_header = t("points.col.mean")
    means = [f"{u.mean:.2f}" for u in units]
    mean_width = max([display_width(mean_header), *(len(m) for m in means)])
    unit_table = table_text(
        [
            t("points.col.place"),
            t("points.col.unit"),
            mean_header,
            t("points.col.cadres"),
            t("points.col.sum"),
        ],
        # Aligned right by hand: a text column (two decimals kept) would otherwise be aligned left.
        [
            [u.place, u.unit, m.rjust(mean_width), u.cadres, u.total]
            for u, m in zip(units, means, strict=True)
        ],
    )
    people_table = table_text(
        [
            t("points.col.place"),
            t("points.col.name"),
            t("points.col.unit"),
            *_category_headers(),
            t("points.col.total"),
        ],
        [
            [place, r.name, r.unit, *(r.totals[c].counted for c in CATEGORY_IDS), r.total]
            for place, r in people[:top]
        ],
    )
    return "\n".join(
        [
            t("points.rank.units", year=year),
            unit_table,
            t("points.rank.people", year=year, top=min(top, len(people))),
            people_table,
        ]
    )
