"""Both UI languages say everything; Chinese is complete by construction."""

from __future__ import annotations

import re
import string

from exam_tui.i18n import en, zh


def test_catalogs_have_the_same_keys() -> None:
    assert set(zh.MESSAGES) == set(en.MESSAGES)


def test_placeholders_match() -> None:
    fields = string.Formatter()
    for key, text in zh.MESSAGES.items():
        zh_fields = {f for _, f, _, _ in fields.parse(text) if f}
        en_fields = {f for _, f, _, _ in fields.parse(en.MESSAGES[key]) if f}
        assert zh_fields == en_fields, key


def test_chinese_catalog_is_chinese() -> None:
    # A Chinese message with words in it has Chinese words; layout strings ("{title}({n})") have none.
    def untranslated(key: str, text: str) -> bool:
        words = re.sub(r"\{[^}]*\}", "", text)
        return (
            key != "key.language"
            and bool(re.search(r"[A-Za-z]{2,}", words))
            and not re.search(r"[\u4e00-\u9fff]", words)
        )

    assert [k for k, v in zh.MESSAGES.items() if untranslated(k, v)] == []
