"""Messages for practice and the wrong-answer book (Chinese)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "practice.bad_id": "身份证号 {value} 有误:{reason}",
    "practice.unknown_cadre": "干部名单中没有这个身份证号",
    "practice.no_bank": "没有题库 {bank}",
    "practice.bad_mode": "练习方式只能是 sequential(顺序)、random(随机)或 wrong_book(错题本),不能是 {mode}",
    "practice.book_empty": "错题本中没有题库 {bank} 的题目",
    "practice.no_questions": "题库 {bank} 中没有可练习的题目 {category}",
    "practice.question_gone": "题目 {question} 已不在题库中",
}
