"""Message catalogs: Chinese is the primary text, English the second language.

Every user-facing string goes through :func:`t`; a key missing from the English catalog falls back to
the Chinese, and a key missing from both is a bug that the catalog test catches.
"""

from __future__ import annotations

from typing import Any

from exam_tui.i18n import en, zh

CATALOGS: dict[str, dict[str, str]] = {"zh": zh.MESSAGES, "en": en.MESSAGES}
_language = "zh"


def set_language(language: str) -> None:
    global _language
    if language not in CATALOGS:
        raise ValueError(f"unknown language {language!r}")
    _language = language


def current_language() -> str:
    return _language


def t(key: str, /, **params: Any) -> str:
    catalog = CATALOGS[_language]
    text = catalog.get(key) or zh.MESSAGES.get(key)
    if text is None:
        raise KeyError(f"no message {key!r}")
    if not params:
        return text
    return text.format(**{k: _word(k, v) for k, v in params.items()})


# Parameters whose values are words of the system (type names), not the user's data.
_WORD_PARAMS = {"expected", "got", "type", "kind", "state"}


def _word(name: str, value: Any) -> Any:
    if isinstance(value, bool):
        return t("word.true") if value else t("word.false")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if name == "reason" and isinstance(value, str) and value in zh.MESSAGES:
        return t(value)  # a reason given as a message key (id.checksum, …)
    if name in _WORD_PARAMS:
        if isinstance(value, str):
            return CATALOGS[_language].get(f"word.{value}", value)
        if isinstance(value, list | tuple):
            return ", ".join(str(CATALOGS[_language].get(f"word.{v}", v)) for v in value)
    return value
