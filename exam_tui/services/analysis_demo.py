"""A generated exam for trying the item analysis: 500 candidates, and one question deliberately miskeyed.

The bank is 40 objective questions of the shipped integrity bank, imported as its own bank
(``analysis-demo``, 统计分析演示题库) with ONE single-choice question's key set to a wrong option — the
slip an analysis exists to catch. The candidates are generated with an ability each; a candidate
answers a question right with a probability that rises with ability over its difficulty (a logistic
curve), and otherwise guesses. On the miskeyed question the able choose the true answer, which the
bank marks wrong, so the analysis flags it: negative discrimination, check the key.

Deterministic for a seed. The sittings are written as the exam room would write them: each candidate
begins the session (a paper drawn, options shuffled), the answers are stored, the session is closed
and every paper graded by the same code as any exam.
"""

from __future__ import annotations

import math
import random
import tempfile
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import yaml
from faker import Faker
from sqlalchemy import select

from exam_tui.domain.paper import Paper
from exam_tui.domain.questions import OPTION_LETTERS
from exam_tui.services import attempts, banks
from exam_tui.services.demo import new_id_number
from exam_tui.services.runtime import Clock, Database, system_clock
from exam_tui.services.session_control import close_session, start_session
from exam_tui.services.sessions import SessionView, schedule_session
from exam_tui.store.models import CadreRow, ResponseRow, UnitRow

SHIPPED_BANK = Path(__file__).resolve().parent.parent.parent / "question_banks" / "integrity-regulations.yaml"
BANK = "analysis-demo"
EXAM = f"{BANK}/analysis"
SINGLES, TRUE_FALSE = 30, 10
UNIT_FALLBACK = "统计分析演示单位"


class AnalysisDemoExists(Exception):
    pass


class NoShippedBank(Exception):
    """The shipped integrity bank is not next to the program (an install without the question banks)."""


@dataclass(frozen=True)
class AnalysisDemo:
    session: SessionView
    candidates: int
    miskeyed: str  # the question whose key the demo bank gets wrong
    true_key: str
    bank_key: str


def demo_bank(source: Path, rng: random.Random) -> tuple[dict[str, Any], str, str, str]:
    """The demo bank's document, the miskeyed question, its true key and the wrong key it is given."""
    shipped = yaml.safe_load(source.read_text(encoding="utf-8"))
    singles = [q for q in shipped["questions"] if q["type"] == "single"][:SINGLES]
    true_false = [q for q in shipped["questions"] if q["type"] == "true_false"][:TRUE_FALSE]
    questions = []
    for q in singles + true_false:
        q = {k: v for k, v in q.items() if k != "reviewed"}  # reviewed: true would be a lie below
        questions.append(q)
    victim = rng.choice([q for q in questions if q["type"] == "single" and q.get("difficulty", 3) <= 3])
    true_key = victim["answer"]
    wrong = rng.choice(sorted(set(victim["options"]) - {true_key}))
    victim["answer"] = wrong
    victim["explanation"] = f"(演示:本题答案被故意标错,正确答案是 {true_key}。)" + (
        victim.get("explanation") or ""
    )
    used = {q["category"] for q in questions}
    document = {
        "bank": BANK,
        "title": "统计分析演示题库(含一道故意标错答案的题)",
        "categories": [c for c in shipped["categories"] if c["id"] in used],
        "exams": [
            {
                "id": "analysis",
                "title": "统计分析演示考试",
                "kind": "training",
                "duration_minutes": 40,
                "pass_score": 60,
                "review": "score",
                "shuffle_questions": False,
                "sections": [
                    {"title": "一、单项选择题", "type": "single", "draw": SINGLES, "points": 2.5},
                    {"title": "二、判断题", "type": "true_false", "draw": TRUE_FALSE, "points": 2.5},
                ],
            }
        ],
        "questions": questions,
    }
    return document, victim["id"], true_key, wrong


def _cadres(db: Database, n: int, rng: random.Random, seed: int, now: datetime) -> list[str]:
    fake = Faker("zh_CN")
    fake.seed_instance(seed + 500)
    with db.write() as session:
        units = list(session.execute(select(UnitRow).order_by(UnitRow.id)).scalars())
        if not units:
            unit = UnitRow(name=UNIT_FALLBACK)
            session.add(unit)
            session.flush()
            units = [unit]
        taken = set(session.execute(select(CadreRow.id_number)).scalars())
        numbers = []
        while len(numbers) < n:
            number = new_id_number(rng, taken)
            taken.add(number)
            numbers.append(number)
            session.add(
                CadreRow(
                    id_number=number,
                    name=fake.name(),
                    unit_id=units[len(numbers) % len(units)].id,  # type: ignore[arg-type]
                    rank="一级主任科员",
                    created_at=now,
                    updated_at=now,
                )
            )
    return numbers


def _answer(item: Any, ability: float, difficulty: int, true_key: Any, rng: random.Random) -> str:
    """The shown letter a candidate of ``ability`` picks: the true answer if they know it, else a guess.

    The choice is made among the bank's letters and only then shown as this paper's letter, so the
    options' shuffle (seeded by the session's secret, which is random) changes nothing: the same seed
    gives the same answers and the same analysis.
    """
    knows = rng.random() < 1 / (1 + math.exp(-1.7 * (ability - (difficulty - 3) * 0.6)))
    if item.type == "true_false":
        return true_key if knows else rng.choice("AB")
    chosen = true_key if knows else rng.choice(sorted(item.bank_letters))
    return OPTION_LETTERS[list(item.bank_letters).index(chosen)]


def seed_analysis_demo(
    db: Database, *, candidates: int = 500, seed: int = 2026, tz: tzinfo, clock: Clock = system_clock
) -> AnalysisDemo:
    """Import the demo bank, generate the candidates, and run one closed session of them."""
    if any(b.slug == BANK for b in banks.list_banks(db)):
        raise AnalysisDemoExists
    rng = random.Random(seed)
    if not SHIPPED_BANK.is_file():
        raise NoShippedBank(str(SHIPPED_BANK))
    document, victim, true_key, wrong = demo_bank(SHIPPED_BANK, rng)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{BANK}.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
        banks.import_files(db, [path], clock=clock)
    now = clock()
    numbers = _cadres(db, candidates, rng, seed, now)
    view = schedule_session(
        db,
        exam_ref=EXAM,
        title=f"统计分析演示考试({candidates} 人)",
        room="演示考场",
        starts_at=now.astimezone(tz),
        id_numbers=numbers,
        allow_late_minutes=240,
        open_now=True,
        clock=clock,
        actor="demo",
    )
    start_session(db, view.id, clock=clock, actor="demo")
    truth = {q["id"]: (q["answer"] if q["id"] != victim else true_key) for q in document["questions"]}
    truth = {slug: ("A" if key is True else "B" if key is False else key) for slug, key in truth.items()}
    difficulty = {q["id"]: int(q.get("difficulty", 3)) for q in document["questions"]}
    with db.read() as session:
        cadre_ids = dict(
            session.execute(
                select(CadreRow.id_number, CadreRow.id).where(CadreRow.id_number.in_(numbers))
            ).all()
        )  # type: ignore[attr-defined]
    answers: list[ResponseRow] = []
    for number in numbers:
        state = attempts.begin(
            db, session_id=view.id, cadre_id=cadre_ids[number], hostname="demo", clock=clock
        )
        ability = rng.gauss(0, 1)
        paper: Paper = state.paper
        for item in paper.items:
            given = _answer(item, ability, difficulty[item.question], truth[item.question], rng)
            answers.append(
                ResponseRow(attempt_id=state.attempt_id, item=item.number, answer=given, saved_at=now)
            )
    with db.write() as session:
        session.add_all(answers)
    close_session(db, view.id, clock=clock, actor="demo")
    return AnalysisDemo(view, candidates, victim, true_key, wrong)
