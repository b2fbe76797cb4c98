"""English messages: why a question of a text bank (GIFT, Aiken) was skipped or altered in conversion."""

MESSAGES: dict[str, str] = {
    "convert.note.text_unreadable": "cannot read the file: {detail}",
    "convert.note.text_not_utf8": "the file is not UTF-8 (byte {byte}); save it as UTF-8 and convert again",
    "convert.note.text_empty": "the file is empty: nothing to convert",
    "convert.note.gift_no_questions": "the file holds only comments or category lines, no questions",
    "convert.note.gift_description": "text without an answer block in braces is a description, not a question",
    "convert.note.gift_braces": "braces do not pair up, so the answer block cannot be found (put a backslash \\ before "
    "a brace that is text)",
    "convert.note.gift_several_answer_blocks": "{count} answer blocks in braces in one question; a bank question "
    "has one",
    "convert.note.gift_numerical": "numerical questions (answers starting with #) are not supported by the bank",
    "convert.note.gift_matching": "matching questions (->) are not supported by the bank",
    "convert.note.gift_essay_no_rubric": "essay without general feedback (the text after #### in the answer block) to serve as the grading "
    "rubric, which the bank requires; add one in the GIFT file and convert again",
    "convert.note.gift_empty_stem": "the question text is empty",
    "convert.note.gift_answer_unreadable": 'the answer block starts with "{text}" without = or ~',
    "convert.note.gift_too_few_options": "only {count} option(s); a choice question needs at least 2",
    "convert.note.gift_too_many_options": "{count} options; a bank question has at most {most}",
    "convert.note.gift_empty_option": "an option is empty",
    "convert.note.gift_no_right_answer": "no answer is marked right",
    "convert.note.gift_several_right": "{count} answers marked right (=) in a single-choice question; the bank "
    "allows one",
    "convert.note.gift_partial_credit_dropped": "answers worth part of the points were counted as wrong "
    "(the bank has no partial credit per answer)",
    "convert.note.gift_single_from_multiple": "a multiple-answer question with one scoring option ({letter}) "
    "became a single choice",
    "convert.note.gift_weights_dropped": "the right options had different weights; a bank multiple choice "
    "scores only when all are chosen, so the weights were dropped",
    "convert.note.gift_empty_answer": "a right answer is empty",
    "convert.note.gift_blank_count": "the text has {count} blanks (____) but the answers fill one",
    "convert.note.gift_blank_appended": "the answers close the question, so a blank (____) was added at the "
    "end of the text",
    "convert.note.gift_html_image": "{count} image(s) in the HTML cannot be carried into a text bank and were "
    "dropped (their alt text kept)",
    "convert.note.aiken_stray_answer": "an answer line with no question before it: ignored",
    "convert.note.aiken_empty_stem": "options without a question text before them",
    "convert.note.aiken_no_answer": "no answer line (ANSWER: or 答案：)",
    "convert.note.aiken_duplicate_letter": "option letter {letter} appears twice",
    "convert.note.aiken_too_few_options": "only {count} option(s); a choice question needs at least 2",
    "convert.note.aiken_too_many_options": "{count} options; a bank question has at most {most}",
    "convert.note.aiken_letters_gap": "the option letters {letters} do not run from A without a gap",
    "convert.note.aiken_empty_option": "option {letter} is empty",
    "convert.note.aiken_bad_answer": 'the answer "{value}" is not option letters',
    "convert.note.aiken_answer_not_option": "the answer {letter} is not among the options {letters}",
}
