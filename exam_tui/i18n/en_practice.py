"""Messages for practice and the wrong-answer book (English)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "practice.bad_id": "ID number {value} is wrong: {reason}",
    "practice.unknown_cadre": "No cadre on the roll has this ID number",
    "practice.no_bank": "There is no bank {bank}",
    "practice.bad_mode": "Practise sequential, random or wrong_book, not {mode}",
    "practice.book_empty": "The wrong-answer book has no questions of bank {bank}",
    "practice.no_questions": "Bank {bank} has no questions to practise {category}",
    "practice.question_gone": "Question {question} is no longer in the bank",
}
