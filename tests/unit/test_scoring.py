"""Grading: exact rules per type, and properties that must hold for any paper."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from exam_tui.domain.paper import BlueprintSection, Paper, PaperItem, PoolQuestion, assemble_paper
from exam_tui.domain.scoring import grade_level, score_item, score_paper


def _item(qtype: str, key: Any, points: float = 4, **kw: Any) -> PaperItem:
    return PaperItem(number=1, section=0, question="q", type=qtype, stem="s", points=points, key=key, **kw)


def test_single_and_true_false() -> None:
    assert score_item(_item("single", "B"), "B") == 4
    assert score_item(_item("single", "B"), "C") == 0
    assert score_item(_item("true_false", "A"), "A") == 4
    assert score_item(_item("true_false", "A"), None) == 0


def test_multiple_with_and_without_partial_credit() -> None:
    strict, partial = _item("multiple", ["A", "C"]), _item("multiple", ["A", "C"], partial_credit=True)
    assert score_item(strict, ["C", "A"]) == 4
    assert score_item(strict, ["A"]) == 0
    assert score_item(partial, ["A"]) == 2  # 少选得一半分
    assert score_item(partial, ["A", "B"]) == 0  # 错选不得分
    assert score_item(partial, []) == 0


def test_fill_blank_per_blank_with_normalisation() -> None:
    item = _item("fill_blank", [["一年", "1年"], ["ABC"]], points=2, blanks=2)
    assert score_item(item, [" １ 年", "abc"]) == 2
    assert score_item(item, ["一年", "abd"]) == 1
    assert score_item(item, ["一年"]) == 1  # a missing blank is wrong, not an error
    assert score_item(item, ["", ""]) == 0


def test_short_answer_waits_for_a_grader_unless_empty() -> None:
    item = _item("short_answer", None, points=10)
    assert score_item(item, "我的回答") is None
    assert score_item(item, "   ") == 0
    paper = Paper("00", (), (item,))
    pending = score_paper(paper, {1: "我的回答"}, pass_score=6)
    assert pending.pending and pending.passed is None
    graded = score_paper(paper, {1: "我的回答"}, pass_score=6, manual={1: 7})
    assert graded.total == 7 and graded.passed


def test_pass_mark_is_reached_not_exceeded_and_levels() -> None:
    grades = [{"min": 90, "level": "一级"}, {"min": 80, "level": "二级"}, {"min": 70, "level": "三级"}]
    assert grade_level(90, grades) == "一级"
    assert grade_level(89.5, grades) == "二级"
    assert grade_level(69.99, grades) is None
    item = _item("single", "A", points=80)
    assert score_paper(Paper("00", (), (item,)), {1: "A"}, pass_score=80).passed is True


LETTERS = "ABCDEFGH"


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    questions: list[PoolQuestion] = []
    sections: list[BlueprintSection] = []
    for s, qtype in enumerate(
        draw(
            st.lists(
                st.sampled_from(["single", "multiple", "true_false", "fill_blank"]), min_size=1, max_size=4
            )
        )
    ):
        count = draw(st.integers(1, 4))
        for i in range(count):
            slug = f"s{s}-q{i}"
            if qtype in ("single", "multiple"):
                n = draw(st.integers(2 if qtype == "single" else 3, 8))
                options = {LETTERS[k]: f"{slug}-opt{k}" for k in range(n)}
                if qtype == "single":
                    answer: Any = draw(st.sampled_from(sorted(options)))
                else:
                    answer = sorted(draw(st.sets(st.sampled_from(sorted(options)), min_size=2)))
            elif qtype == "true_false":
                options, answer = None, draw(st.booleans())
            else:
                options, answer = None, [[f"答{k}", f"ans{k}"] for k in range(draw(st.integers(1, 3)))]
            stem = "题干" + "____ " * (len(answer) if qtype == "fill_blank" else 0)
            questions.append(PoolQuestion(slug, qtype, f"c{s}", 3, stem, options, answer))
        sections.append(
            BlueprintSection(
                f"sec{s}",
                qtype,
                count,
                draw(st.sampled_from([1.0, 2.0, 2.5, 3.0])),
                categories=(f"c{s}",),
                partial_credit=qtype == "multiple" and draw(st.booleans()),
            )
        )
    seed = draw(st.binary(min_size=32, max_size=32)).hex()
    return assemble_paper(seed, sections, questions)


def _correct(item: PaperItem) -> Any:
    return [accepted[0] for accepted in item.key] if item.type == "fill_blank" else item.key


def _any_answer(item: PaperItem) -> st.SearchStrategy[Any]:
    if item.type == "multiple":
        return st.lists(st.sampled_from([letter for letter, _ in item.options]), unique=True)
    if item.type == "single":
        return st.sampled_from([letter for letter, _ in item.options]) | st.none()
    if item.type == "true_false":
        return st.sampled_from(["A", "B"]) | st.none()
    return st.lists(st.text(max_size=4), max_size=item.blanks)


@settings(max_examples=150, deadline=None)
@given(papers())
def test_full_marks_and_zero(paper: Paper) -> None:
    full = score_paper(paper, {i.number: _correct(i) for i in paper.items}, pass_score=0)
    assert full.total == round(paper.total_points, 2)
    assert score_paper(paper, {}, pass_score=0).total == 0


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_score_never_exceeds_total(data: st.DataObject) -> None:
    paper = data.draw(papers())
    answers = {i.number: data.draw(_any_answer(i)) for i in paper.items}
    result = score_paper(paper, answers, pass_score=0)
    assert result.total is not None and 0 <= result.total <= round(paper.total_points, 2)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_option_order_never_changes_the_score_of_the_same_texts(data: st.DataObject) -> None:
    # Two candidates given different shuffles of the same questions, choosing the same option texts,
    # get the same points.
    paper = data.draw(papers())
    other_seed = data.draw(st.binary(min_size=32, max_size=32)).hex()
    for item in paper.items:
        if item.type not in ("single", "multiple"):
            continue
        bank_options = dict(zip(item.bank_letters, (text for _, text in item.options), strict=True))
        bank_key = sorted(
            item.bank_letters[ord(k) - 65] for k in ([item.key] if item.type == "single" else item.key)
        )
        q = PoolQuestion(
            item.question,
            item.type,
            "c",
            3,
            item.stem,
            bank_options,
            bank_key[0] if item.type == "single" else bank_key,
        )
        section = BlueprintSection("s", item.type, 1, item.points, partial_credit=item.partial_credit)
        twin = assemble_paper(other_seed, [section], [q]).items[0]
        texts = data.draw(
            st.lists(
                st.sampled_from([t for _, t in item.options]),
                unique=True,
                min_size=1,
                max_size=1 if item.type == "single" else 8,
            )
        )
        mine = [letter for letter, t in item.options if t in texts]
        theirs = [letter for letter, t in twin.options if t in texts]
        if item.type == "single":
            assert score_item(item, mine[0]) == score_item(twin, theirs[0])
        else:
            assert score_item(item, mine) == score_item(twin, theirs)
