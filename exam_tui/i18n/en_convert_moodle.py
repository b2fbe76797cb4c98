"""English messages: the report of converting a Moodle XML question bank (exam-tui bank convert)."""

MESSAGES: dict[str, str] = {
    # the whole file cannot be read
    "convert.note.moodle_unreadable": "cannot read the file: {detail}",
    "convert.note.moodle_not_xml": "not well-formed XML (line {line}, column {column}: {detail})",
    "convert.note.moodle_entities": "the file declares entities or refers to external files at line {line}; "
    "it is refused to guard against XML bombs and similar attacks. Moodle's own exports never contain "
    "such declarations: use the file exactly as Moodle exported it",
    "convert.note.moodle_encoding": "the file declares the encoding {encoding}, which is unknown; export it "
    "from Moodle again (UTF-8)",
    "convert.note.moodle_bad_bytes": "line {line} holds bytes that are not {encoding}, the encoding the file "
    "declares; check how the file was saved",
    "convert.note.moodle_not_quiz": "not a Moodle XML question bank: the root element is <{tag}>, not <quiz>",
    # questions skipped
    "convert.note.moodle_unsupported_type": "question type {moodle_type} cannot be converted (exam-tui has single, "
    "multiple, true/false, fill-in and short-answer questions)",
    "convert.note.moodle_image": "the question text holds an image or other media, and exam-tui questions are "
    "text only (whether the image is needed to answer cannot be told; if it is decoration, remove "
    "it in Moodle and export again)",
    "convert.note.moodle_image_option": "option (answer) {option} holds an image or other media, and exam-tui shows text "
    "only",
    "convert.note.moodle_empty_stem": "the question text is empty",
    "convert.note.moodle_no_answers": "no options or answers",
    "convert.note.moodle_no_right_answer": "no answer is worth 100%",
    "convert.note.moodle_bad_fraction": "the answer's fraction {fraction} is not a number",
    "convert.note.moodle_single_many_right": "a single-choice question with {count} answers worth 100%; "
    "exam-tui's single choice has one right answer",
    "convert.note.moodle_option_count": "{count} options; exam-tui needs 2 to 8",
    "convert.note.moodle_duplicate_option_conflict": 'the option "{text}" appears twice, once right and once '
    "wrong, so the answer is unclear",
    "convert.note.moodle_many_blanks": "the short-answer text has {count} blanks but Moodle takes one answer, "
    "so they cannot be matched",
    "convert.note.moodle_wildcard_only": "every right answer uses the * wildcard ({answers}) and exam-tui "
    "compares answers as written",
    "convert.note.moodle_essay_no_rubric": "an essay with neither grader information nor general feedback; "
    "exam-tui's short answers need a rubric (write a rubric and add it by hand)",
    "convert.note.moodle_essay_upload_only": "an essay answered by uploading files only, which a terminal "
    "cannot take",
    # questions altered
    "convert.note.moodle_image_feedback": "images or media in the feedback were left out; the text is kept",
    "convert.note.moodle_image_rubric": "images or media in the grader information were left out; the text is "
    "kept",
    "convert.note.moodle_duplicate_option": 'the option "{text}" appeared more than once: kept once',
    "convert.note.moodle_partial_dropped": "answers worth part of the mark ({fractions}) count as wrong",
    "convert.note.moodle_weights_dropped": "the right options carry different fractions ({fractions}); exam-tui "
    "scores a multiple choice as a whole, so the weights are gone",
    "convert.note.moodle_multiple_one_right": "a multiple-choice question with one right option: now a single "
    "choice",
    "convert.note.moodle_blank_added": "the question text had no blank: ____ added at its end",
    "convert.note.moodle_wildcard_dropped": "answers with the * wildcard ({answers}) cannot be compared as "
    "written: dropped",
    "convert.note.moodle_case_ignored": "the question was case-sensitive; exam-tui compares fill-in answers "
    "without regard to the case of Latin letters",
    "convert.note.moodle_rubric_from_feedback": "the essay had no grader information: its general feedback is "
    "the rubric now, please check it",
    "convert.note.moodle_points_dropped": "the default grade {points} is not above 0 and at most 1000: no "
    "points set",
    "convert.note.moodle_essay_upload_dropped": "the essay allowed attachments; exam-tui takes typed answers "
    "only, so the attachments are gone",
}
