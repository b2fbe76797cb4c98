"""A problem found in an input document, addressed by its path inside the document.

The domain knows paths (``("questions", 3, "answer")``), not files or lines: the format layer that
parsed the document turns a path into a line and column, and the edge turns the code into words in
the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    # Point at the key itself rather than its value (unknown keys, duplicate keys).
    at_key: bool = False
    # Another place the message refers to, e.g. the first occurrence of a duplicate id.
    see_also: Path | None = None
