"""Messages that workers of several screens post."""

from __future__ import annotations

from textual.message import Message


class LoadFailed(Message):
    """A worker could not read what its screen shows; ``detail`` says why, for the screen to show."""

    def __init__(self, detail: str) -> None:
        super().__init__()
        self.detail = detail
