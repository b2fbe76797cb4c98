"""A competition for the terminal: a round's standings, the final's scoreboard and champion, a line a round."""

from __future__ import annotations

from typing import Any

from exam_tui.domain.competition import BoardRow
from exam_tui.formats.results_export import Cell, cell_text, table_text
from exam_tui.i18n import t
from exam_tui.services.competitions import RoundResult, RoundView, stage_title
from exam_tui.services.final import Board


def round_result_text(result: RoundResult) -> str:
    """The round's state, its standings (place, score, time, tiebreak points, who goes on), the teams."""
    r = result.round
    lines = [
        t(
            "cli.competition.round_state",
            stage=stage_title(r.stage),
            state=t(f"cli.competition.state.{r.state}"),
            advance=r.advance or "-",
            session=r.session.id if r.session else "-",
        )
    ]
    headers = [
        t(f"cli.competition.col.{c}")
        for c in ("place", "name", "unit", "score", "seconds", "tiebreak", "result")
    ]
    rows: list[list[Cell]] = []
    for s in result.standings:
        verdict = (
            t("cli.competition.advanced") if s.advanced else (t("cli.competition.tied") if s.tied else "")
        )
        if s.place is None:
            verdict = t("cli.competition.absent")
        rows.append(
            [
                s.place,
                s.name,
                s.unit,
                s.score,
                None if s.seconds is None else round(s.seconds),
                # Whole points as whole numbers (10, not 10.0), as in every other column.
                "、".join(cell_text(p) for p in s.tiebreak) or None,
                verdict,
            ]
        )
    text = "\n".join(lines) + "\n" + table_text(headers, rows)
    if result.tied:
        text += t("cli.competition.tied_hint", count=len(result.tied), stage=r.stage) + "\n"
    if result.teams:
        text += t("cli.competition.teams") + "\n"
        text += table_text(
            [
                t("cli.competition.col.place"),
                t("cli.competition.col.unit"),
                t("cli.competition.col.team_score"),
            ],
            [[x.place, x.unit, x.score] for x in result.teams],
        )
    return text


def champions(board: Board) -> list[BoardRow]:
    """The team (or the teams sharing first place) once the final is over; none before."""
    return [r for r in board.rows if r.place == 1] if board.state != "open" else []


def _names(rows: list[BoardRow]) -> str:
    return "、".join(r.team for r in rows)


def final_state(board: Board) -> str:
    """The final in a few words: not begun, on question n of N, or over with its champion."""
    if board.state != "open":
        first = champions(board)
        if not first:
            return t("cli.competition.final.over_no_board")
        return t("cli.competition.final.over", champion=_names(first), points=cell_text(first[0].points))
    if not board.asked:
        return t("cli.competition.final.waiting", teams=len(board.teams), total=board.total)
    return t("cli.competition.final.running", asked=board.asked, total=board.total)


def round_line(r: RoundView, board: Board | None) -> str:
    """One line of ``competition show``: an exam round's session and who went on; the final's state."""
    if board is not None:
        return t("cli.competition.final_line", stage=stage_title(r.stage), state=final_state(board))
    return t(
        "cli.competition.round_line",
        stage=stage_title(r.stage),
        state=t(f"cli.competition.state.{r.state}"),
        session=r.session.id if r.session else "-",
        advanced=len(r.advanced or []),
    )


def final_text(board: Board) -> str:
    """The final's result: its state (the champion once it is over) and the scoreboard."""
    head = t("cli.competition.final_line", stage=stage_title("final"), state=final_state(board)).strip()
    if board.state == "open" and not board.asked:  # no score yet: the teams and their codes to read out
        lines = [
            t("cli.competition.team_line", code=x.code, name=x.name, members="、".join(x.members))
            for x in board.teams
        ]
        return "\n".join([head, *lines]) + "\n"
    headers = [
        t(f"cli.competition.col.{c}")
        for c in ("place", "team", "points", "right", "wrong", "unanswered", "answer_seconds")
    ]
    rows: list[list[Cell]] = [
        [
            r.place,
            r.team,
            r.points,
            r.right,
            r.wrong,
            r.unanswered,
            None if r.seconds is None else round(r.seconds, 1),
        ]
        for r in board.rows
    ]
    text = head + "\n" + table_text(headers, rows)
    if board.state == "open":
        text += t("cli.competition.final.provisional") + "\n"
    return text


def final_json(board: Board) -> dict[str, Any]:
    return {
        "state": board.state,
        "asked": board.asked,
        "total": board.total,
        "champions": [r.team for r in champions(board)],
        "board": [
            {
                "place": r.place,
                "team": r.team,
                "points": r.points,
                "right": r.right,
                "wrong": r.wrong,
                "unanswered": r.unanswered,
                "seconds": r.seconds,
            }
            for r in board.rows
        ],
    }
