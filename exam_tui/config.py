"""Settings from command-line options and the environment.

Precedence: explicit option > environment variable > default. The default database lives in
``sessions/exam.db`` relative to the working directory, so a training centre can keep one folder per
exam room and copy it whole.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///sessions/exam.db"
LANGUAGES = ("zh", "en")
# Set by ``exam-tui serve`` for each browser tab's process: the browser's address, which is what tells
# the proctor one seat from another (every tab runs on the server, under the server's host name).
TERMINAL_NAME_ENV = "EXAM_TUI_TERMINAL_NAME"


@dataclass(frozen=True)
class Settings:
    database_url: str
    language: str


def resolve_settings(*, db: str | None = None, lang: str | None = None) -> Settings:
    url = db or os.environ.get("EXAM_TUI_DATABASE_URL") or DEFAULT_DATABASE_URL
    language = (lang or os.environ.get("EXAM_TUI_LANG") or "zh").lower()
    if language not in LANGUAGES:
        raise ValueError(language)
    return Settings(database_url=url, language=language)


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for other backends and in-memory databases."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    if not rest or rest.startswith(":memory:") or rest.startswith("file::memory:"):
        return None
    return Path(rest.split("?", 1)[0])


def terminal_name() -> str:
    """What the attempt records as the candidate's machine: the browser's address for a served tab,
    else this machine's host name."""
    return os.environ.get(TERMINAL_NAME_ENV) or socket.gethostname()
