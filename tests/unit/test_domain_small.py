from __future__ import annotations

import random

import pytest

from exam_tui.domain.idnumber import (
    InvalidIdNumber,
    mask,
    mask_within,
    normalise_id_number,
    with_check_digit,
)
from exam_tui.domain.questions import count_blanks, normalise_fill
from exam_tui.domain.sittings import ACCESS_CODE_ALPHABET, new_access_code


def test_id_number_valid_and_normalised() -> None:
    assert normalise_id_number(" 11010519840715769x ".replace("769x", "7691")) == "110105198407157691"


@pytest.mark.parametrize(
    ("number", "reason"),
    [("12345", "id.length"), ("1101051984071576XX", "id.format"), ("110105198407157692", "id.checksum")],
)
def test_id_number_reasons(number: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumber) as exc:
        normalise_id_number(number)
    assert exc.value.reason == reason


def test_check_digit_and_bad_date() -> None:
    assert with_check_digit("11010519840715769") == "110105198407157691"
    with pytest.raises(InvalidIdNumber) as exc:
        normalise_id_number(with_check_digit("11010519841315769"))
    assert exc.value.reason == "id.date"


def test_without_the_place_check_only_the_region_code_goes_unchecked() -> None:
    # 000000 is no region: the full check names it, the light one (sign-in's first pass) lets it by.
    unplaced = with_check_digit("00000019840715769")
    with pytest.raises(InvalidIdNumber) as exc:
        normalise_id_number(unplaced)
    assert exc.value.reason == "id.place"
    assert normalise_id_number(unplaced, check_place=False) == unplaced
    for number, reason in [
        ("12345", "id.length"),
        ("1101051984071576XX", "id.format"),
        ("110105198407157692", "id.checksum"),
        (with_check_digit("11010519841315769"), "id.date"),
    ]:
        with pytest.raises(InvalidIdNumber) as exc:
            normalise_id_number(number, check_place=False)
        assert exc.value.reason == reason
    assert normalise_id_number(" 11010519840715769x ".replace("769x", "7691"), check_place=False) == (
        "110105198407157691"
    )


def test_mask_keeps_first_three_and_last_four() -> None:
    assert mask("110105198407157691") == "110***********7691"
    assert mask("11010519840715769X") == "110***********769X"
    assert mask("1101051984") == "******1984"  # not a whole number: the last four only


def test_mask_within_free_text_and_documents() -> None:
    number = "110105198407157691"
    assert mask_within(f"考生{number}缺考") == "考生110***********7691缺考"
    assert mask_within({"cadre": number, "n": 3, "who": [f"1:{number.lower()}"]}) == {
        "cadre": "110***********7691",
        "n": 3,
        "who": ["1:110***********7691"],
    }
    digest = "ab" + number + "cd" * 22  # a hash is not an ID number, whatever digits it holds
    assert mask_within(digest) == digest and mask_within("1" + number) == "1" + number


def test_access_codes_avoid_look_alikes() -> None:
    codes = {new_access_code(random.Random(i)) for i in range(200)}
    assert all(len(c) == 6 and set(c) <= set(ACCESS_CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(ACCESS_CODE_ALPHABET)


def test_fill_answers_compare_in_normal_form() -> None:
    assert normalise_fill(" ＡＢ　１ 年 ") == normalise_fill("ab1年")
    assert count_blanks("留党察看____和____。___") == 2
