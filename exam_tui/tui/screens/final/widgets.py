"""What the host's big screen and the teams' terminals both show: the question, the countdown, the board.

Every part is composed once and updated in place: a poll that brings nothing new changes nothing on the
screen, and a new question rewrites the same widgets (no remount, no flicker). The countdown between two
reads runs on the injected service clock when there is one (tests), else on this machine's monotonic
clock from the seconds left that the database's clock gave at the last read.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.widgets import Digits, Static

from exam_tui.domain.paper import TRUE_FALSE_LETTERS, PaperItem
from exam_tui.i18n import t
from exam_tui.tui.text import translate_bindings
from exam_tui.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from exam_tui.domain.competition import BoardRow
    from exam_tui.services.final import Shown, Team

KEY_PREFIX = "final_screen.key."
URGENT_SECONDS = 5  # the countdown turns red for the last seconds
LETTERS = "ABCDEFGH"  # as many options as a team can choose with one key each
CHAMPION_STYLE = "bold yellow"
MINE_STYLE = "bold cyan"


def translate_final_bindings(node: DOMNode) -> None:
    """``key.*`` descriptions as :func:`translate_bindings` does, and this screen's ``final_screen.key.*``."""
    translate_bindings(node)
    bindings = node._bindings.key_to_bindings
    for key, entries in bindings.items():
        bindings[key] = [
            dataclasses.replace(b, description=t(b.description))
            if b.description.startswith(KEY_PREFIX)
            else b
            for b in entries
        ]


def put(static: Static, content: str | Text) -> None:
    """Update ``static`` only when its content changes: a poll that brings nothing new redraws nothing."""
    before = static.content
    if isinstance(before, Text) and isinstance(content, Text):
        same = (before.plain, before.spans, before.style) == (content.plain, content.spans, content.style)
    else:
        same = type(before) is type(content) and before == content
    if not same:
        static.update(content)


def options_of(item: PaperItem) -> list[tuple[str, str]]:
    """The letters and texts to show; a true/false item has none of its own: A 正确, B 错误."""
    if item.type == "true_false":
        return [(TRUE_FALSE_LETTERS[0], t("exam.true")), (TRUE_FALSE_LETTERS[1], t("exam.false"))]
    return list(item.options)[: len(LETTERS)]


def letters_in(answer: Any) -> list[str]:
    if answer is None:
        return []
    if isinstance(answer, list | tuple | set):
        return sorted(str(a) for a in answer)
    return [str(answer)]


def answer_text(item: PaperItem, answer: Any) -> str:
    """A choice as a team reads it: letters, a true/false one with its word (A(正确))."""
    letters = letters_in(answer)
    if not letters:
        return t("final_screen.no_answer")
    words = dict(options_of(item)) if item.type == "true_false" else {}
    return t("browser.letters_sep").join(
        t("final_screen.letter_word", letter=letter, word=words[letter]) if letter in words else letter
        for letter in letters
    )


def points_text(points: float) -> str:
    return f"{points:g}"


class Timing:
    """The seconds left on the running question, between two reads of the database."""

    def __init__(self, clock: Callable[[], datetime] | None, monotonic: Callable[[], float] = time.monotonic):
        self.clock, self.monotonic = clock, monotonic
        self.shown: Shown | None = None
        self._read_at = 0.0

    def seen(self, shown: Shown | None) -> None:
        self.shown, self._read_at = shown, self.monotonic()

    def left(self) -> float | None:
        """None: no question; 0 once it is over (or its time is up on this count)."""
        shown = self.shown
        if shown is None:
            return None
        if shown.over:
            return 0.0
        if self.clock is not None:  # an injected clock (tests): the services' own time
            return max(0.0, (shown.closes_at - self.clock()).total_seconds())
        return max(0.0, shown.seconds_left - (self.monotonic() - self._read_at))


class Countdown(Vertical):
    """The seconds left in large digits, for the room to read; 时间到 once the question is over."""

    def compose(self) -> ComposeResult:
        yield Digits("", classes="countdown-digits")
        yield Static("", classes="countdown-label", markup=False)

    def show(self, left: float, *, over: bool) -> None:
        value = "0" if over else str(math.ceil(left))
        digits = self.query_one(Digits)
        if digits.value != value:
            digits.update(value)
        if over:
            label = t("final_screen.question_over")
        else:
            label = t("final_screen.time_up") if left <= 0 else t("final_screen.seconds_left")
        put(self.query_one(".countdown-label", Static), label)
        self.set_class(not over and left <= URGENT_SECONDS, "urgent")
        self.set_class(over or left <= 0, "over")

    @property
    def value(self) -> str:
        return self.query_one(Digits).value


class QuestionPanel(VerticalScroll):
    """Stem and options; ``reveal`` marks the key (only ever given once the question is over)."""

    can_focus = False

    def __init__(self, *, choices: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices  # a team's terminal shows its choice beside each option
        self._shown: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="final-heading", markup=False)
        yield Static("", classes="final-stem", markup=False)
        for letter in LETTERS:
            yield Static("", classes="final-option", markup=False, name=letter)

    def show(self, shown: Shown, *, chosen: Any = None, reveal: bool = False) -> None:
        item = shown.item
        key = set(letters_in(item.key)) if reveal else set()
        picked = set(letters_in(chosen))
        signature = (shown.number, item.question, item.stem, tuple(sorted(key)), tuple(sorted(picked)))
        if signature == self._shown:
            return
        new_question = self._shown is None or self._shown[:2] != signature[:2]
        self._shown = signature
        heading = t("final_screen.heading", n=shown.number, total=shown.total, type=item.type)
        self.query_one(".final-heading", Static).update(heading)
        self.query_one(".final-stem", Static).update(Prose(item.stem))
        options = options_of(item)
        rows = list(self.query(".final-option").results(Static))
        for n, row in enumerate(rows):
            row.display = n < len(options)
            if n >= len(options):
                continue
            letter, text = options[n]
            is_key, is_chosen = letter in key, letter in picked
            mark = "✔" if is_key else " "
            if self.choices:
                box_mark = (
                    ("[✓]" if is_chosen else "[ ]")
                    if item.type == "multiple"
                    else ("(●)" if is_chosen else "( )")
                )
                label = f"{mark} {box_mark} {letter}. "
            else:
                label = f"{mark} {letter}. "
            row.update(Prose(label + text, hang=cell_len(label)))
            row.set_class(is_key, "key")
            row.set_class(is_chosen, "chosen")
            row.set_class(bool(key) and is_chosen and not is_key, "wrong")
        if new_question:
            self.scroll_home(animate=False)

    @property
    def key_shown(self) -> bool:
        """Whether any option is marked as the key (a test checks it never is while a question runs)."""
        return bool(self.query(".final-option.key"))


class ScoreBoard(Static):
    """Place, team, points, right / wrong / unanswered and the time of the right answers (ties)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.cells: tuple[tuple[str, ...], ...] = ()
        self._signature: Any = None

    def show(self, rows: Sequence[BoardRow], *, mine: str | None = None, champion: bool = False) -> None:
        cells = tuple(
            (
                t("final_screen.champion") if champion and r.place == 1 else str(r.place),
                r.team,
                points_text(r.points),
                str(r.right),
                str(r.wrong),
                str(r.unanswered),
                "—" if r.seconds is None else f"{r.seconds:.1f}",
            )
            for r in rows
        )
        signature = (cells, mine, champion)
        if signature == self._signature:
            return
        self._signature, self.cells = signature, cells
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=False)
        for key, justify in (
            ("place", "right"),
            ("team", "left"),
            ("points", "right"),
            ("right", "right"),
            ("wrong", "right"),
            ("unanswered", "right"),
            ("seconds", "right"),
        ):
            table.add_column(t(f"final_screen.col.{key}"), justify=justify, no_wrap=key != "team")  # type: ignore[arg-type]
        for row, line in zip(rows, cells, strict=True):
            style = ""
            if champion and row.place == 1:
                style = CHAMPION_STYLE
            if row.team == mine:
                style = f"{style} reverse".strip() if style else MINE_STYLE
            table.add_row(*line, style=style)
        self.update(table)


class TeamList(Static):
    """Before the first question: each team with its code, large, for the host to read out, and whether
    its terminal has joined yet (read with the board, so it changes as the teams sign in)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.cells: tuple[tuple[str, str, str, bool], ...] = ()

    def show(self, teams: Sequence[Team], joined: Collection[int] = ()) -> None:
        cells = tuple(
            (team.code, team.name, t("final_screen.members_sep").join(team.members), team.id in joined)
            for team in teams
        )
        if cells == self.cells:
            return
        self.cells = cells
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=True)
        table.add_column(t("final_screen.col.code"), no_wrap=True)
        table.add_column(t("final_screen.col.team"), no_wrap=True)
        # As wide for either state: a team joining does not move the members' column.
        states = [t("final_screen.col.joined"), "✔ " + t("final_screen.joined"), t("final_screen.not_joined")]
        table.add_column(states[0], no_wrap=True, min_width=max(cell_len(s) for s in states))
        table.add_column(t("final_screen.col.members"), ratio=1)
        for code, name, members, is_in in cells:
            state = (
                Text("✔ " + t("final_screen.joined"), style="bold green")
                if is_in
                else Text(t("final_screen.not_joined"), style="yellow")
            )
            table.add_row(
                Text(" ".join(code), style="bold reverse"), Text(name, style="bold"), state, members
            )
        self.update(table)


def names(teams: Collection[str]) -> str:
    return t("final_screen.members_sep").join(teams) if teams else t("final_screen.nobody")
