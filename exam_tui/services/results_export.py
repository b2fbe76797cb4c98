"""A session's results as documents: the aligned table, CSV, the Excel workbook and JSON.

What `exam-tui results` prints or writes and what the proctor's console saves: headers in the UI language,
ID numbers masked unless asked otherwise, states and pass/fail in words, and in the workbook the points
per question beside the questions they are about. The writers in ``formats.results_export`` only lay
out the cells given to them.

Every sheet but JSON carries the audit chain's head as it stood when the export was made (read after
the results, and after the ``pii.unmask`` event of an unmasked export): in the CSV and each worksheet as a
note above the headers, under the text table as its last line. ``exam-tui audit verify`` prints the head
to compare it with.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from exam_tui.domain.idnumber import mask
from exam_tui.domain.session_summary import Outcome, summarize
from exam_tui.formats.results_export import (
    Cell,
    Sheet,
    cell_text,
    csv_text,
    json_text,
    table_text,
    write_xlsx,
)
from exam_tui.i18n import t
from exam_tui.services.audit import ChainHead, head
from exam_tui.services.pii import Unmasking, notice, record_unmask
from exam_tui.services.results import CandidateResult, SessionResults, results_to_json, session_results
from exam_tui.services.runtime import Database
from exam_tui.services.sessions import SessionError

FORMATS = ("table", "csv", "xlsx", "json")
TEXT_FORMATS = ("table", "csv", "json")

COLUMNS = (
    "id_number",
    "name",
    "unit",
    "rank",
    "state",
    "score",
    "passed",
    "level",
    "started_at",
    "submitted_at",
    "incidents",
)


class ExportError(SessionError):
    """The file was not written: it exists and overwriting was not asked for, or the system refused.

    A SessionError, so that every caller that already words a refused session action words this too.
    """


@dataclass(frozen=True)
class ExportWritten:
    path: Path
    candidates: int


def render_results(db: Database, session_id: int, fmt: str, *, unmasked: Unmasking | None = None) -> str:
    """The export as text (``table``, ``csv`` or ``json``): what goes to stdout or into a text file.

    ID numbers are masked unless ``unmasked`` says who asks for them whole; that is audited first.
    """
    if fmt not in TEXT_FORMATS:
        raise ValueError(f"not a text format: {fmt}")
    data = session_results(db, session_id)
    _audit(unmasked, session_id, fmt, data, None)
    return _text(data, fmt, unmasked is not None, head(db))


def export_results(
    db: Database,
    session_id: int,
    fmt: str,
    path: Path,
    *,
    unmasked: Unmasking | None = None,
    overwrite: bool = False,
) -> ExportWritten:
    """Write the export to ``path`` (missing folders created), through a temporary file beside it."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format: {fmt}")
    if path.exists() and not overwrite:  # before reading: a refusal should not cost a whole session's read
        raise ExportError("export.exists", path=path)
    data = session_results(db, session_id)
    _audit(unmasked, session_id, fmt, data, path)
    whole = unmasked is not None
    chain = head(db)
    if fmt == "xlsx":
        notes = [chain.note()]
        sheets = [
            Sheet(t("cli.results.sheet.results"), _headers(), _rows(data, whole), notice(), notes),
            *_item_sheets(data, whole, notes),
            _summary_sheet(data, notes),
        ]
        write_atomically(path, lambda partial: write_xlsx(partial, sheets))
    else:
        text = _text(data, fmt, whole, chain)
        write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8", newline=""))
    return ExportWritten(path, len(data.candidates))


def _audit(
    unmasked: Unmasking | None, session_id: int, fmt: str, data: SessionResults, path: Path | None
) -> None:
    if unmasked is not None:
        record_unmask(
            unmasked,
            entity="exam_session",
            entity_id=str(session_id),
            export=f"results.{fmt}",
            rows=len(data.candidates),
            file=path,
        )


def _text(data: SessionResults, fmt: str, unmasked: bool, chain: ChainHead) -> str:
    if fmt == "csv":
        return csv_text(_headers(), _rows(data, unmasked), notice=notice(), notes=[chain.note()])
    if fmt == "json":
        return json_text(results_to_json(data, unmasked=unmasked))
    table = table_text(_headers(), _rows(data, unmasked))
    return notice() + "\n" + _heading(data) + "\n" + table + "\n" + chain.note() + "\n"


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file beside the target, so that an overwrite never leaves half a file.

    The temporary file keeps the target's suffix: openpyxl refuses to reopen a workbook (to add charts)
    whose name does not end in .xlsx.
    """
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            write(partial)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as exc:
        raise ExportError("cli.results.write_failed", path=path, detail=exc.strerror or str(exc)) from exc


# ---- rows --------------------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [t(f"cli.results.header.{name}") for name in COLUMNS]


def _id(c: CandidateResult, unmasked: bool) -> str:
    return c.id_number if unmasked else mask(c.id_number)


def _rows(data: SessionResults, unmasked: bool) -> list[list[Cell]]:
    return [_row(c, unmasked=unmasked) for c in data.candidates]


def _row(c: CandidateResult, *, unmasked: bool) -> list[Cell]:
    score: Cell = c.score
    if score is None and c.grading == "pending_grading":
        score = t("cli.session.pending_grading")
    passed = None if c.passed is None else t("cli.session.passed" if c.passed else "cli.session.failed")
    return [
        _id(c, unmasked),
        c.name,
        c.unit,
        c.rank,
        t(f"candidate.{c.state}"),
        score,
        passed,
        c.level,
        c.started_at,
        c.submitted_at,
        c.incidents,
    ]


def _item_sheets(data: SessionResults, unmasked: bool, notes: list[str]) -> list[Sheet]:
    """Points per question, and beside it the question each of those cells is about.

    Papers are shuffled per candidate, so column k holds the k-th question of that candidate's paper.
    The question ids go on a sheet of their own with exactly the same layout rather than in cell
    comments: a reviewer flips between two tabs and sees the same cell address, the ids can be sorted
    and filtered, and a formula such as SUMIFS(逐题得分!C:C, 题目!C:C, "sl-0001") can total one question
    across candidates (comments are invisible in print and to formulas).
    """
    count = data.max_items
    numbers = [t("cli.results.header.item", number=n) for n in range(1, count + 1)]
    people = [t("cli.results.header.id_number"), t("cli.results.header.name")]
    began = [c for c in data.candidates if c.attempt_id is not None]
    padding: list[Cell] = [None] * count
    points = [
        [_id(c, unmasked), c.name, *[i.score for i in c.items], *padding[len(c.items) :], c.score]
        for c in began
    ]
    questions = [
        [_id(c, unmasked), c.name, *[i.question for i in c.items], *padding[len(c.items) :]] for c in began
    ]
    return [
        Sheet(
            t("cli.results.sheet.items"),
            [*people, *numbers, t("cli.results.header.total")],
            points,
            notice(),
            notes,
        ),
        Sheet(t("cli.results.sheet.questions"), [*people, *numbers], questions, notice(), notes),
    ]


def _summary_sheet(data: SessionResults, notes: list[str]) -> Sheet:
    """What the proctor's summary screen shows after 收卷, as label/value rows a report can quote: the
    session, the counts, the score figures and the distribution (as of the export's moment)."""
    v = data.session
    s = summarize(
        [Outcome(c.id_number, c.name, c.unit, c.state, c.score, c.passed) for c in data.candidates],
        total_points=data.total_points,
    )
    rate = None if s.pass_rate is None else f"{s.pass_rate * 100:.1f}%"
    rows: list[list[Cell]] = [
        [t("export.summary.session"), f"{v.id} {v.title}"],
        [t("export.summary.exam"), f"{v.exam_ref} {v.exam_title}"],
        [t("export.summary.room"), v.room],
        [t("export.summary.started_at"), data.started_at],
        [t("export.summary.closed_at"), data.closed_at],
        [t("export.summary.pass_mark"), data.pass_score],
        [t("export.summary.total_points"), data.total_points],
        [t("export.summary.candidates"), s.candidates],
        [t("export.summary.handed_in"), s.handed_in],
        [t("export.summary.absent"), s.absent],
        [t("export.summary.graded"), s.graded],
        [t("export.summary.pending"), s.pending],
        [t("export.summary.mean"), _rounded(s.mean)],
        [t("export.summary.median"), _rounded(s.median)],
        [t("export.summary.stdev"), _rounded(s.stdev)],
        [t("export.summary.maximum"), s.maximum],
        [t("export.summary.minimum"), s.minimum],
        [t("export.summary.passed"), s.passed],
        [t("export.summary.pass_rate"), rate],
        [t("export.summary.below_pass"), len(s.below_pass)],
    ]
    rows += [
        [t("export.summary.band", low=cell_text(b.low), high=cell_text(b.high)), b.count] for b in s.histogram
    ]
    return Sheet(
        t("export.summary.sheet"), [t("export.summary.item"), t("export.summary.value")], rows, notes=notes
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _heading(data: SessionResults) -> str:
    v = data.session
    return t(
        "cli.results.title",
        id=v.id,
        title=v.title,
        exam=v.exam_ref,
        exam_title=v.exam_title,
        total=data.total_points,
        pass_score=data.pass_score,
        count=len(data.candidates),
    )
