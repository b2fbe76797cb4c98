"""The console's roster table as data: which candidates show, in which order, what each cell says.

Pure (no widgets): the console turns cells into Rich Text, and the tests check the rules directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from exam_tui.i18n import t

if TYPE_CHECKING:
    from exam_tui.services.proctoring import ConsoleView
    from exam_tui.services.session_control import CandidateRecord

# Most urgent first: who is writing, who may still begin, who has not come, who is done.
STATE_ORDER = (
    "in_progress",
    "waiting",
    "not_signed_in",
    "handed_in",
    "time_up",
    "closed",
    "terminated",
    "absent",
)
HANDED_IN = frozenset({"handed_in", "time_up", "closed", "terminated"})
NOT_BEGUN = frozenset({"not_signed_in", "waiting"})
SORTS = ("unit", "state", "name", "answered", "time_left", "machine")
FILTERS = ("all", "answering", "handed_in", "not_begun", "silent")
# Rich styles: a proctor scans colours before words.
STATE_STYLES = {
    "in_progress": "green",
    "waiting": "cyan",
    "not_signed_in": "dim",
    "time_up": "yellow",
    "terminated": "bold red",
    "absent": "dim",
}
ALERT = "bold red"
WARN = "bold yellow"
LOW_TIME = timedelta(minutes=5)

# (key, right-aligned); the mark column flags a silent terminal.
COLUMNS: tuple[tuple[str, bool], ...] = (
    ("mark", False),
    ("machine", False),
    ("name", False),
    ("unit", False),
    ("state", False),
    ("answered", True),
    ("time_left", True),
    ("focus", True),
    ("resumes", True),
    ("heartbeat", True),
)
FLEX = ("name", "unit")
MACHINE_WIDTH = (6, 12)  # a longer machine name is cut to its end (machine_label)
SCROLLBAR = 1
PADDING = 2  # one cell each side of every column

Cell = tuple[str, str]  # text, Rich style


@dataclass(frozen=True)
class Row:
    record: CandidateRecord
    silent: bool
    time_left: timedelta | None
    heard_ago: timedelta | None  # since the terminal's last sign of life, while answering

    @property
    def key(self) -> str:
        return self.record.id_number


def rows_of(view: ConsoleView) -> list[Row]:
    rows = []
    for c in view.detail.candidates:
        heard = c.state == "in_progress" and c.last_heartbeat_at is not None
        rows.append(
            Row(
                record=c,
                silent=view.silent(c.id_number),
                time_left=view.time_left(c.id_number),
                heard_ago=max(view.now - c.last_heartbeat_at, timedelta(0)) if heard else None,  # type: ignore[operator]
            )
        )
    return rows


def visible(rows: Sequence[Row], *, state_filter: str, unit: str | None) -> list[Row]:
    keep: Callable[[Row], bool] = {
        "all": lambda r: True,
        "answering": lambda r: r.record.state == "in_progress",
        "handed_in": lambda r: r.record.state in HANDED_IN,
        "not_begun": lambda r: r.record.state in NOT_BEGUN,
        "silent": lambda r: r.silent,
    }[state_filter]
    return [r for r in rows if keep(r) and (unit is None or r.record.unit == unit)]


def ordered(rows: Sequence[Row], sort: str) -> list[Row]:
    """Stable orders: ties fall back to unit, name and ID number, so rows do not swap on a refresh."""

    def roster(r: Row) -> tuple[str, str, str]:
        return (r.record.unit, r.record.name, r.record.id_number)

    keys: dict[str, Callable[[Row], tuple[Any, ...]]] = {
        "unit": roster,
        "state": lambda r: (not r.silent, STATE_ORDER.index(r.record.state), *roster(r)),
        "name": lambda r: (r.record.name, *roster(r)),
        # Those furthest behind first; candidates without a paper after everyone with one.
        "answered": lambda r: (r.record.attempt_id is None, r.record.answered, *roster(r)),
        "time_left": lambda r: (r.time_left is None, r.time_left or timedelta(0), *roster(r)),
        "machine": lambda r: (r.record.hostname is None, r.record.hostname or "", *roster(r)),
    }
    return sorted(rows, key=keys[sort])


def counts(rows: Sequence[Row]) -> Counter[str]:
    tally = Counter(r.record.state for r in rows)
    tally["silent"] = sum(1 for r in rows if r.silent)
    return tally


def clock(span: timedelta) -> str:
    seconds = max(int(span.total_seconds()), 0)
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def ago(span: timedelta) -> str:
    seconds = max(int(span.total_seconds()), 0)
    if seconds < 60:
        return t("console.ago.seconds", n=seconds)
    if seconds < 3600:
        return t("console.ago.minutes", n=seconds // 60)
    return t("console.ago.hours", n=seconds // 3600)


def state_label(state: str) -> str:
    return t(f"console.state.{state}")


def cells(row: Row) -> tuple[Cell, ...]:
    """The row's cells in COLUMNS order."""
    c = row.record
    began = c.attempt_id is not None
    left = row.time_left
    return (
        ("!", ALERT) if row.silent else ("", ""),
        (machine_label(c.hostname), ""),
        (c.name, ALERT if row.silent else ""),
        (c.unit, ""),
        (state_label(c.state), ALERT if row.silent else STATE_STYLES.get(c.state, "")),
        (f"{c.answered}/{c.questions}" if began else "", ""),
        (clock(left) if left is not None else "", WARN if left is not None and left <= LOW_TIME else ""),
        (str(c.focus_losses) if began else "", WARN if c.focus_losses else ""),
        (str(c.resumes) if began else "", ""),
        (ago(row.heard_ago) if row.heard_ago is not None else "", ALERT if row.silent else ""),
    )


def machine_label(hostname: str | None) -> str:
    """The machine as the column shows it: a name too long keeps its end, where a lab's machine names
    and a browser's address (web:10.20.1.17) differ from one seat to the next."""
    if not hostname or cell_len(hostname) <= MACHINE_WIDTH[1]:
        return hostname or ""
    tail = hostname
    while cell_len(tail) > MACHINE_WIDTH[1] - 1:
        tail = tail[1:]
    return "…" + tail


def column_widths(width: int, rows: Sequence[Row]) -> tuple[tuple[str, int], ...]:
    """Each column as wide as its header and its widest value; name and unit share what is left.

    CJK is two cells wide, so widths are measured in cells. The name gets up to half the rest (enough
    for the longest name when it can), the unit everything else: a long unit name is cut, the row never
    scrolls sideways.
    """
    widest = {key: cell_len(t(f"col.{key}")) if key != "mark" else 1 for key, _ in COLUMNS}

    def fit(key: str, *values: str) -> None:
        widest[key] = max([widest[key], *(cell_len(v) for v in values)])

    fit("state", *(state_label(s) for s in STATE_ORDER))
    fit("answered", *(f"{r.record.questions}/{r.record.questions}" for r in rows))
    fit("time_left", "00:00", *(clock(r.time_left) for r in rows if r.time_left is not None))
    fit("focus", "00")
    fit("resumes", "00")
    fit("heartbeat", ago(timedelta(seconds=59)), ago(timedelta(minutes=59)), ago(timedelta(hours=9)))
    hostnames = [r.record.hostname for r in rows if r.record.hostname]
    widest["machine"] = min(
        max([MACHINE_WIDTH[0], widest["machine"], *map(cell_len, hostnames)]), MACHINE_WIDTH[1]
    )
    fixed = sum(w for key, w in widest.items() if key not in FLEX)
    rest = width - fixed - PADDING * len(COLUMNS) - SCROLLBAR
    longest_name = max([widest["name"], *(cell_len(r.record.name) for r in rows)])
    widest["name"] = max(4, min(longest_name, rest // 2))
    widest["unit"] = max(4, rest - widest["name"])
    return tuple((key, widest[key]) for key, _ in COLUMNS)
