"""HTML question text → the plain text a terminal shows.

Foreign question banks (Moodle, GIFT's ``[html]``) keep their text as HTML. A terminal shows none of
it, so the text is flattened the way a person would retype it: paragraphs and ``<br>`` become line
breaks, list items become ``• item`` or ``1. item`` lines, table cells are separated by `` | ``,
entities are decoded and every tag is dropped. Images and other media cannot be shown at all; the
caller learns that they were there (``media``) and decides what it means for the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Tags after which the text goes on on a new line.
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
        "ol", "p", "pre", "section", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
_MEDIA = frozenset(
    {"img", "image", "audio", "video", "object", "embed", "iframe", "svg", "picture", "source"}
)
_DROPPED = frozenset({"script", "style", "head", "title", "template"})
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")


@dataclass(frozen=True)
class Flattened:
    text: str
    media: tuple[str, ...]  # the media tags met, in order (``img``, ``video`` …)


class _Flattener(HTMLParser):
    def __init__(self, *, alt_text: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.alt_text = alt_text
        self.lines: list[str] = []
        self.line: list[str] = []
        self.prefix = ""  # the bullet or number of the list item whose text comes next
        self.lists: list[list[int]] = []  # one entry per open list: [next number] or [] for bullets
        self.pre = 0
        self.dropped = 0
        self.media: list[str] = []
        self.cell_open = False

    # -- lines ---------------------------------------------------------------------------------------
    def _break(self) -> None:
        text = "".join(self.line)
        self.line = []
        if self.pre:
            body = [line.rstrip() for line in text.replace("\u00a0", " ").splitlines()]
            body = [line for line in body if line.strip()]
        else:
            body = [b] if (b := _SPACE.sub(" ", text).strip()) else []
        if body:
            # A list item's mark waits for its text: <li><p>text</p></li> is still one "• text" line.
            body[0] = self.prefix + body[0]
            self.prefix = ""
            self.lines.extend(body)

    def _emit(self, text: str) -> None:
        if not self.dropped:
            self.line.append(text)

    # -- events --------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropped += 1
            return
        if tag in _MEDIA:
            self._medium(tag, attrs)
            return
        if tag == "br":
            self._break()
            return
        if tag in ("td", "th"):
            if self.cell_open:
                self._emit(" | ")
            self.cell_open = True
            return
        if tag in _BLOCKS:
            self._break()
        if tag == "tr":
            self.cell_open = False
        elif tag == "pre":
            self.pre += 1
        elif tag == "ul":
            self.lists.append([])
        elif tag == "ol":
            start = dict(attrs).get("start") or "1"
            self.lists.append([int(start) if start.strip().isdigit() else 1])
        elif tag == "li":
            indent = "  " * max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1]:
                number = self.lists[-1][0]
                self.lists[-1][0] += 1
                self.prefix = f"{indent}{number}. "
            else:
                self.prefix = f"{indent}• "

    def _medium(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.media.append(tag)
        if self.alt_text and (alt := dict(attrs).get("alt")):
            self._emit(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <img/>, <hr/>: nothing to close.
        if tag in _MEDIA:
            self._medium(tag, attrs)
        elif tag in ("br", "hr"):
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped = max(self.dropped - 1, 0)
            return
        if tag in _BLOCKS:
            self._break()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def unknown_decl(self, data: str) -> None:
        # <![CDATA[…]]> inside HTML is text.
        if data.startswith("CDATA["):
            self._emit(data[len("CDATA[") :])

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # Python 3.11's parser raises AssertionError on a broken "<![" (found by fuzzing); text pasted
        # into Moodle is sometimes broken that way. Skip to the next ">" as a browser would.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return end + 1 if end >= 0 else -1

    def result(self) -> Flattened:
        self._break()
        return Flattened("\n".join(self.lines), tuple(self.media))


def html_to_text(html: str, *, alt_text: bool = False) -> Flattened:
    """The text of an HTML fragment as lines, and which media it held; ``alt_text``: an image's
    alternative text stays, in brackets, where the image was (GIFT authors write it for that)."""
    if "<" not in html and "&" not in html:
        # No markup at all (most answers and empty feedback): HTML's white space rules only.
        return Flattened(_SPACE.sub(" ", html).strip(), ())
    parser = _Flattener(alt_text=alt_text)
    parser.feed(html)
    parser.close()
    return parser.result()


def plain_lines(text: str) -> str:
    """Plain text tidied the same way: trailing spaces and empty lines dropped."""
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
