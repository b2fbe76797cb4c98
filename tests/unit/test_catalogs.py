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


def test_no_key_is_defined_twice_across_the_catalog_parts() -> None:
    # A part loaded later would silently replace an earlier part's text for the same key.
    import ast
    import importlib
    from pathlib import Path

    from exam_tui.i18n import _parts

    for lang in ("zh", "en"):
        source = Path(importlib.import_module(f"exam_tui.i18n.{lang}").__file__ or "").read_text(
            encoding="utf-8"
        )
        base = {
            node.value
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Dict)
            for node in node.keys
            if isinstance(node, ast.Constant)
        }
        seen = {key: lang for key in base}
        for area in _parts.AREAS:
            for key in importlib.import_module(f"exam_tui.i18n.{lang}_{area}").MESSAGES:
                assert key not in seen, f"{key} in {seen[key]} and {lang}_{area}"
                seen[key] = f"{lang}_{area}"
