"""The example rows of ``exam-tui bank template``: one real question per type.

Every fact is checked against the official texts: 《中华人民共和国公职人员政务处分法》第七条 (the six
kinds of 政务处分) and 第八条 (their periods), 《中华人民共和国监察法》(2024年修正) 第十一条 (监督、
调查、处置); the 纪律处分条例 question is the shipped bank's dr-0001 (第八条, the five kinds of party
discipline), whose key a second examiner checked against the 2023 revision.
"""

from __future__ import annotations

from typing import Any

DISCIPLINE = "中国共产党纪律处分条例"
SANCTIONS = "中华人民共和国公职人员政务处分法"
SUPERVISION = "中华人民共和国监察法"

EXAMPLE_BANK: dict[str, Any] = {
    "bank": "example",
    "title": "示例题库",
    "categories": [
        {"id": "discipline-regulation", "title": DISCIPLINE},
        {"id": "official-sanctions", "title": SANCTIONS},
        {"id": "supervision-law", "title": SUPERVISION},
    ],
    "questions": [
        {
            "type": "single",
            "category": "discipline-regulation",
            "difficulty": 1,
            "stem": "根据《中国共产党纪律处分条例》，下列哪一项不属于对党员的纪律处分种类？",
            "options": {"A": "严重警告", "B": "记大过", "C": "撤销党内职务", "D": "留党察看"},
            "answer": "B",
            "explanation": "条例第八条规定对党员的纪律处分为警告、严重警告、撤销党内职务、留党察看、开除党籍五种；"
            "记大过是政务处分的种类，不是党纪处分。",
            "source": "《中国共产党纪律处分条例》第八条",
        },
        {
            "type": "multiple",
            "category": "official-sanctions",
            "difficulty": 2,
            "stem": "根据《中华人民共和国公职人员政务处分法》，下列属于政务处分种类的有：",
            "options": {"A": "警告", "B": "记大过", "C": "留党察看", "D": "撤职"},
            "answer": ["A", "B", "D"],
            "explanation": "政务处分法第七条规定政务处分的种类为警告、记过、记大过、降级、撤职、开除；"
            "留党察看是党纪处分。",
            "source": "《中华人民共和国公职人员政务处分法》第七条",
        },
        {
            "type": "true_false",
            "category": "official-sanctions",
            "difficulty": 2,
            "stem": "根据《中华人民共和国公职人员政务处分法》，记大过的处分期间为十八个月。",
            "answer": True,
            "explanation": "第八条规定：警告，六个月；记过，十二个月；记大过，十八个月；降级、撤职，二十四个月。",
            "source": "《中华人民共和国公职人员政务处分法》第八条",
        },
        {
            "type": "fill_blank",
            "category": "official-sanctions",
            "difficulty": 3,
            "stem": "根据《中华人民共和国公职人员政务处分法》，政务处分的期间为：警告，____个月；记过，____个月。",
            "answer": [["六", "6"], ["十二", "12"]],
            "source": "《中华人民共和国公职人员政务处分法》第八条",
        },
        {
            "type": "short_answer",
            "category": "supervision-law",
            "difficulty": 3,
            "points": 10,
            "stem": "根据《中华人民共和国监察法》，监察委员会依法履行哪三项职责？请简述各项职责的主要内容。",
            "rubric": "答出监督、调查、处置三项职责各得二分；说明监督是对公职人员开展廉政教育并对其依法履职、秉公用权、"
            "廉洁从政从业以及道德操守情况进行监督检查，调查是对涉嫌职务违法和职务犯罪进行调查，处置是依法作出"
            "政务处分决定、问责、移送审查起诉、提出监察建议，各得一至二分。",
            "source": "《中华人民共和国监察法》第十一条",
        },
    ],
}
