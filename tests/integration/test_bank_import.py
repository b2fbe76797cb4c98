"""Importing banks: on SQLite always, on PostgreSQL when EXAM_TUI_TEST_PG_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from exam_tui.services import banks
from exam_tui.services.runtime import Database
from exam_tui.store.models import BankVersionRow, QuestionRow
from tests.conftest import STARTER_BANK
from tests.unit.test_bank_schema import VALID


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_import_new_then_unchanged(db: Database, tmp_path: Path, clock) -> None:
    path = write(tmp_path, "b.yaml", VALID)
    [first] = banks.import_files(db, [path], clock=clock)
    assert (first.bank, first.version, first.changed, first.questions) == ("demo-bank", 1, True, 5)
    [again] = banks.import_files(db, [path], clock=clock)
    assert (again.version, again.changed) == (1, False)
    # Comments and layout are not content.
    write(tmp_path, "b.yaml", "# reformatted\n" + VALID)
    assert banks.import_files(db, [path], clock=clock)[0].changed is False
    assert count(db, BankVersionRow) == 1


def test_changed_file_becomes_a_new_version_and_old_questions_stay(
    db: Database, tmp_path: Path, clock
) -> None:
    path = write(tmp_path, "b.yaml", VALID)
    banks.import_files(db, [path], clock=clock)
    write(tmp_path, "b.yaml", VALID.replace("answer: C", "answer: B"))
    [outcome] = banks.import_files(db, [path], clock=clock)
    assert (outcome.version, outcome.changed) == (2, True)
    assert count(db, QuestionRow) == 10  # both versions keep their questions
    current = {q.slug: q for q in banks.list_questions(db, "demo-bank")}
    assert current["q1"].answer == "B"
    assert banks.list_banks(db)[0].version == 2


def test_invalid_file_imports_nothing(db: Database, tmp_path: Path, clock) -> None:
    good = write(tmp_path, "good.yaml", VALID)
    bad = write(
        tmp_path,
        "bad.yaml",
        VALID.replace("bank: demo-bank", "bank: other").replace("answer: C", "answer: Z"),
    )
    with pytest.raises(banks.BankImportError) as exc:
        banks.import_files(db, [good, bad], clock=clock)
    assert exc.value.failed_files == 1
    assert exc.value.lines[0].startswith(f"{bad}:12:13: ")  # the "Z" after "answer: " on line 12
    assert banks.list_banks(db) == []
    assert count(db, QuestionRow) == 0


def test_failure_during_import_rolls_back_every_file(
    db: Database, tmp_path: Path, clock, monkeypatch
) -> None:
    first = write(tmp_path, "a.yaml", VALID)
    second = write(tmp_path, "b.yaml", VALID.replace("bank: demo-bank", "bank: second-bank"))
    real = banks._import_one

    def fail_on_second(session, path, bank, now, actor):  # type: ignore[no-untyped-def]
        if bank.slug == "second-bank":
            raise RuntimeError("disk full")
        return real(session, path, bank, now, actor)

    monkeypatch.setattr(banks, "_import_one", fail_on_second)
    with pytest.raises(RuntimeError):
        banks.import_files(db, [first, second], clock=clock)
    assert banks.list_banks(db) == []
    assert count(db, QuestionRow) == 0


def test_same_bank_twice_in_one_import_is_refused(db: Database, tmp_path: Path, clock) -> None:
    a = write(tmp_path, "a.yaml", VALID)
    b = write(tmp_path, "b.yaml", VALID)
    with pytest.raises(banks.BankImportError):
        banks.import_files(db, [a, b], clock=clock)
    assert banks.list_banks(db) == []


def test_show_starter_bank(db: Database, clock) -> None:
    banks.import_files(db, [STARTER_BANK], clock=clock)
    detail = banks.show_bank(db, "integrity-regulations")
    assert detail.summary.questions >= 40
    assert len(detail.categories) >= 4
    types = set().union(*(c.by_type for c in detail.categories))
    assert types == {"single", "multiple", "true_false", "fill_blank", "short_answer"}
    exam = next(e for e in detail.exams if e.slug == "pre-appointment")
    assert (exam.duration_minutes, exam.total_points, exam.pass_score, exam.max_attempts) == (60, 100, 80, 2)
    assert all(q.source and q.explanation for q in banks.list_questions(db, "integrity-regulations"))
    with pytest.raises(banks.BankNotFound):
        banks.show_bank(db, "nope")
