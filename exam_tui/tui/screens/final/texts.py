"""The final's service values in words, for the host's screen and a team's (pure, no Textual state).

Each part of a result line is styled on its own (``Text.append``): a Text's own style would colour all
of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from exam_tui.i18n import t
from exam_tui.tui.screens.final.widgets import answer_text, names, points_text

if TYPE_CHECKING:
    from exam_tui.services.final import Board, TeamState

# Who was right on a question that is over: (question number, teams answered) → team name → True
# (right), False (wrong) or None (no answer).
Results = tuple[tuple[int, int], dict[str, bool | None]]


def host_result(board: Board, results: Results | None) -> Text:
    """Under the question once it is over: the key and who got it right; at the end, the champion."""
    shown = board.current
    text = Text()
    if board.state != "open":
        champions = [r.team for r in board.rows if r.place == 1]
        text.append(t("final_screen.final_board"), style="bold")
        if champions:
            text.append("  ")
            text.append(t("final_screen.champion_line", teams=names(champions)), style="bold yellow")
        return text
    if shown is None or not shown.over:
        return text
    text.append(t("final_screen.key_line", key=answer_text(shown.item, shown.item.key)), style="bold green")
    if results is None or results[0][0] != shown.number:
        return text
    who = results[1]
    text.append("\n")
    text.append(t("final_screen.right_teams", teams=names([n for n, c in who.items() if c])), style="bold")
    wrong = [n for n, c in who.items() if c is False]
    missing = [n for n, c in who.items() if c is None]
    if wrong:
        text.append(t("final_screen.part_sep") + t("final_screen.wrong_teams", teams=names(wrong)))
    if missing:
        text.append(t("final_screen.part_sep") + t("final_screen.silent_teams", teams=names(missing)))
    return text


def host_hint(board: Board) -> str:
    """What the host's next key is."""
    shown = board.current
    if board.state != "open":
        return t("final_screen.leave_hint")
    if shown is None:
        return t("final_screen.press_first")
    if not shown.over:
        return t("final_screen.press_close")
    if board.asked >= board.total:
        return t("final_screen.press_finish")
    return t("final_screen.press_next")


def team_result(state: TeamState) -> Text:
    """On a team's terminal once a question is over: right or wrong, the key, the team's standing."""
    mine = next((r for r in state.rows if r.team == state.team.name), None)
    standing = t("final_screen.standing", points=points_text(mine.points), place=mine.place) if mine else ""
    text = Text()
    if state.finished:
        text.append(t("final_screen.over"), style="bold")
        if mine is not None:
            text.append("  " + standing)
            if mine.place == 1:
                text.append("  " + t("final_screen.champion"), style="bold yellow")
        return text
    shown = state.current
    if shown is None or not shown.over:
        return text
    if state.my_answer is None:
        text.append(t("final_screen.unanswered"), style="bold yellow")
    elif state.correct:
        text.append("✔ " + t("final_screen.right"), style="bold green")
    else:
        text.append("✘ " + t("final_screen.wrong"), style="bold red")
    text.append(t("final_screen.part_sep"))
    text.append(t("final_screen.key_line", key=answer_text(shown.item, shown.item.key)), style="bold")
    if state.my_answer is not None:
        text.append(t("final_screen.part_sep"))
        text.append(t("final_screen.your_answer", answer=answer_text(shown.item, state.my_answer)))
    if standing:
        text.append("\n" + standing)
    return text


def team_prompt(state: TeamState, *, sent: bool) -> str:
    """A team's status line when no key has just been answered: what to do now."""
    shown = state.current
    if state.finished or shown is None:
        return ""  # before the first question the screen says it once, in the middle: 等待主持人出题
    if shown.over:
        return t("final_screen.waiting_next")
    if sent:
        return t("final_screen.submitted")
    if shown.item.type == "multiple":
        return t("final_screen.choose_multiple")
    return t("final_screen.choose_single")
