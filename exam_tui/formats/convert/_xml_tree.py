"""A small element tree with line numbers, read through defusedxml's SAX parser.

The stdlib's ElementTree forgets where an element was; the report of a conversion must name the line
of every question it skipped, so the tree is built from SAX events, which carry the parser's line.
defusedxml refuses entity declarations (the billion-laughs bomb and its quadratic cousin) and external
entities and DTDs fetched from elsewhere, so a hostile file is refused before anything is expanded.
"""

from __future__ import annotations

import codecs
import io
import re
import xml.sax
from dataclasses import dataclass, field
from xml.sax.handler import ContentHandler, feature_external_ges, feature_external_pes
from xml.sax.xmlreader import Locator

import defusedxml
import defusedxml.sax

from exam_tui.formats.convert.common import UnreadableSource

# The encodings expat reads itself; any other declared one is decoded here first.
_EXPAT_NATIVE = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "ascii", "latin-1"})
_DECLARATION = re.compile(rb"""\A<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)
    # Character data directly inside this element (CDATA included), in document order.
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, tag: str) -> Element | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Element]:
        return [c for c in self.children if c.tag == tag]

    def child_text(self, *path: str) -> str | None:
        """The text of the first element at ``path`` below this one, or None when there is none."""
        node: Element | None = self
        for tag in path:
            node = node.find(tag) if node is not None else None
        return node.text if node is not None else None


class _Builder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None
        self.root: Element | None = None
        self.stack: list[Element] = []

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator is not None else 0

    def startElement(self, name: str, attrs: xml.sax.xmlreader.AttributesImpl) -> None:
        element = Element(name, dict(attrs.items()), self.line())
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def endElement(self, name: str) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        # A <file> holds an attached picture in base64, often megabytes: only its presence matters.
        if self.stack and self.stack[-1].tag != "file":
            self.stack[-1].parts.append(content)


def parse(raw: bytes) -> Element:
    """The document's root element; a file that is not well-formed XML, or that declares entities,
    raises :class:`UnreadableSource` naming the line where the parser stopped."""
    raw = _as_utf8(raw)
    builder = _Builder()
    parser = defusedxml.sax.make_parser()
    # Belt and braces: defusedxml already refuses external entities; never fetch them either.
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    parser.setContentHandler(builder)
    source = xml.sax.xmlreader.InputSource()
    source.setByteStream(io.BytesIO(raw))
    try:
        parser.parse(source)
    except xml.sax.SAXParseException as exc:
        raise UnreadableSource(
            f"line {exc.getLineNumber()}",
            "moodle_not_xml",
            line=exc.getLineNumber(),
            column=exc.getColumnNumber() + 1,
            detail=exc.getMessage(),
        ) from exc
    except defusedxml.DefusedXmlException as exc:
        # Raised from inside a handler of the parser: its position is where the declaration stands.
        line = builder.line() or 1
        raise UnreadableSource(f"line {line}", "moodle_entities", line=line) from exc
    if builder.root is None:  # pragma: no cover - expat reports an empty document as a parse error
        raise UnreadableSource("line 1", "moodle_not_xml", line=1, column=1, detail="no element")
    return builder.root


def _as_utf8(raw: bytes) -> bytes:
    """The document in UTF-8 when it declares an encoding expat cannot read itself.

    A bank typed on a Chinese Windows machine may be saved as GBK (``encoding="GBK"``); expat reads
    no multi-byte encoding but UTF-8 and UTF-16, so such a file is decoded here, its declaration
    rewritten, and its lines stay where they were."""
    match = _DECLARATION.match(raw)
    if match is None or raw.startswith(codecs.BOM_UTF8):
        return raw
    declared = match[1].decode("ascii")
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        raise UnreadableSource("line 1", "moodle_encoding", encoding=declared) from None
    if name in _EXPAT_NATIVE:
        return raw
    try:
        text = raw.decode(name)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UnreadableSource(f"line {line}", "moodle_bad_bytes", line=line, encoding=declared) from exc
    # The declaration is ASCII, so it is as many characters as bytes: the text after it starts at `end`.
    start, end = match.span(1)
    return raw[:start] + b"UTF-8" + text[end:].encode("utf-8")
