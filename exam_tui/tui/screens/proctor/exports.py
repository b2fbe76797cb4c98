"""Key p on the console: the session's results workbook, as `exam-tui results -o FILE.xlsx` writes it."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from exam_tui.i18n import t
from exam_tui.services.results_export import export_results
from exam_tui.tui.text import in_zone

if TYPE_CHECKING:
    from exam_tui.services.runtime import Database

# Relative to the working directory, beside the default database (sessions/exam.db): a centre keeps one
# folder per exam day, and the exports belong with it.
EXPORT_DIR = Path("sessions", "exports")


def export_path(session_id: int, now: datetime, tz: tzinfo) -> Path:
    """A new name per export, to the second in the room's time zone: an earlier export is never replaced."""
    return EXPORT_DIR / f"{session_id}-{in_zone(now, tz):%Y%m%d-%H%M%S}.xlsx"


def export_workbook(db: Database, session_id: int, now: datetime, tz: tzinfo) -> str:
    """Write the workbook (ID numbers masked) and say where, for the status line.

    Reads the whole session and writes a file: run it in a worker. Raises SessionError (an unknown
    session, a file that exists or cannot be written) with the message to show.
    """
    written = export_results(db, session_id, "xlsx", export_path(session_id, now, tz))
    return t("console.export.done", count=written.candidates, path=written.path)
