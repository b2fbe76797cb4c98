"""The catalog parts, by area; each area has a Chinese and an English module with the same keys."""

from __future__ import annotations

import importlib

AREAS = (
    "decisions",
    "grading_screens",
    "admin_screens",
    "bank_session_screens",
    "training",
    "points",
    "competition",
    "practice",
    "reports",
    "analysis_screen",
    "audit",
    "roles",
    "accounts",
    "trust",
    "convert",
    "convert_text",
    "convert_moodle",
    "serve",
    "access",
)


def _load(lang: str) -> list[dict[str, str]]:
    return [importlib.import_module(f"exam_tui.i18n.{lang}_{area}").MESSAGES for area in AREAS]


def zh() -> list[dict[str, str]]:
    return _load("zh")


def en() -> list[dict[str, str]]:
    return _load("en")
