"""Reading bank files: bytes → YAML nodes (with line/column marks) → plain data → domain checks.

The file is composed into a node tree by libyaml when present, and the tree is turned into Python data
by our own walk rather than PyYAML's constructor, so that in one pass we can refuse what a hand-written
bank never needs and an attacker would use: aliases (the billion-laughs bomb), language-specific
tags, duplicate keys, absurd nesting. The node tree is kept to turn a problem's path into a line and
column only when there is a problem, so a valid file pays nothing for positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from exam_tui.domain.bank import Bank, check_bank
from exam_tui.domain.problems import Path as DocPath
from exam_tui.domain.problems import Problem

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 5_000_000

_YAML = "tag:yaml.org,2002:"
_constructor = yaml.constructor.SafeConstructor()


@dataclass(frozen=True)
class Located:
    """A problem with the place in the file it refers to (1-based line and column)."""

    line: int
    column: int
    problem: Problem
    see_also_line: int | None = None
    context: tuple[str, dict[str, Any]] | None = None


@dataclass(frozen=True)
class BankFile:
    path: Path
    bank: Bank | None
    problems: tuple[Located, ...]

    @property
    def ok(self) -> bool:
        return self.bank is not None and not self.problems


class _Refused(Exception):
    def __init__(self, node: Node, code: str, **params: Any) -> None:
        super().__init__(code)
        self.node, self.code, self.params = node, code, params


def read_bank_file(path: Path) -> BankFile:
    """Read and check one bank file; every failure becomes a located problem, never an exception."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            mb = f"{size / 1024 / 1024:.1f}"
            return _fail(path, 1, 1, "file.too_large", size=mb, limit=MAX_FILE_BYTES // 1024 // 1024)
        raw = path.read_bytes()
    except FileNotFoundError:
        return _fail(path, 1, 1, "file.not_found")
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        return _fail(path, 1, 1, "file.unreadable", detail=getattr(exc, "strerror", None) or str(exc))
    return check_bank_text(path, raw)


class DocumentError(Exception):
    """A YAML document that cannot be read at all, at a 1-based line and column."""

    def __init__(self, line: int, column: int, code: str, **params: Any) -> None:
        super().__init__(code)
        self.line, self.column, self.code, self.params = line, column, code, params


def load_document(raw: bytes) -> tuple[Node | None, Any]:
    """UTF-8 bytes → (node tree for positions, plain data), refusing aliases, tags, duplicate keys."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(raw, exc.start)
        raise DocumentError(line, column, "file.not_utf8", byte=f"{raw[exc.start]:02X}") from exc
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(filter(None, [exc.context, exc.problem]))
        raise DocumentError(line, column, "yaml.syntax", detail=detail) from exc
    except yaml.YAMLError as exc:
        # Reader errors (control characters) carry a character offset, not a mark.
        position = getattr(exc, "position", None)
        line, column = _char_position(text, position) if isinstance(position, int) else (1, 1)
        raise DocumentError(line, column, "yaml.syntax", detail=str(exc).splitlines()[0]) from exc
    if root is None:
        return None, None
    try:
        return root, _Builder().build(root)
    except _Refused as refusal:
        mark = refusal.node.start_mark
        raise DocumentError(mark.line + 1, mark.column + 1, refusal.code, **refusal.params) from refusal


def check_bank_text(path: Path, raw: bytes) -> BankFile:
    try:
        root, data = load_document(raw)
    except DocumentError as exc:
        return _fail(path, exc.line, exc.column, exc.code, **exc.params)
    if root is None:
        return BankFile(path, None, (Located(1, 1, Problem((), "not_a_mapping")),))
    check = check_bank(data)
    located = tuple(
        sorted((_locate(root, data, p) for p in check.problems), key=lambda x: (x.line, x.column))
    )
    return BankFile(path, check.bank, located)


class _Builder:
    """Turns a node tree into dicts, lists and scalars, refusing what banks must not contain."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def build(self, node: Node, depth: int = 0) -> Any:
        if id(node) in self.seen:
            # The composer hands out the anchored node again for every alias of it.
            raise _Refused(node, "yaml.alias")
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES:
            raise _Refused(node, "yaml.too_many_nodes", limit=MAX_NODES)
        if depth > MAX_DEPTH:
            raise _Refused(node, "yaml.too_deep", limit=MAX_DEPTH)
        tag = node.tag
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if isinstance(node, SequenceNode):
            if tag != _YAML + "seq":
                raise _Refused(node, "yaml.tag", tag=tag)
            return [self.build(child, depth + 1) for child in node.value]
        if isinstance(node, MappingNode):
            if tag != _YAML + "map":
                raise _Refused(node, "yaml.tag", tag=tag)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise _Refused(key_node, "yaml.bad_key")
                key = self.build(key_node, depth + 1)
                if key in result:
                    raise _Refused(key_node, "yaml.duplicate_key", key=key)
                result[key] = self.build(value_node, depth + 1)
            return result
        raise _Refused(node, "yaml.tag", tag=tag)  # pragma: no cover - no other node kinds exist

    @staticmethod
    def _scalar(node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _YAML + "str" or tag == _YAML + "timestamp":
            # A date in a bank is text the admin wrote ("version: 2026-01-01"), not a datetime.
            return node.value
        try:
            if tag == _YAML + "int":
                return _constructor.construct_yaml_int(node)
            if tag == _YAML + "bool":
                return _constructor.construct_yaml_bool(node)
            if tag == _YAML + "null":
                return None
            if tag == _YAML + "float":
                return _constructor.construct_yaml_float(node)
        except (ValueError, yaml.constructor.ConstructorError) as exc:
            raise _Refused(node, "yaml.bad_scalar", value=node.value) from exc
        raise _Refused(node, "yaml.tag", tag=tag)


def _locate(root: Node, data: Any, problem: Problem) -> Located:
    line, column = node_position(root, problem.path, at_key=problem.at_key)
    see_also = node_position(root, problem.see_also)[0] if problem.see_also else None
    return Located(line, column, problem, see_also, _context(data, problem.path))


def node_position(root: Node, path: DocPath, *, at_key: bool = False) -> tuple[int, int]:
    """The 1-based line and column of the node at ``path``, or of the deepest node that exists."""
    node = root
    mark = root.start_mark
    for i, step in enumerate(path):
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == str(step):
                    last = i == len(path) - 1
                    mark = key_node.start_mark if (last and at_key) else value_node.start_mark
                    node = value_node
                    break
            else:
                break
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def _context(data: Any, path: DocPath) -> tuple[str, dict[str, Any]] | None:
    """Name the question or exam a problem sits in, so a message reads 'question dr-0001: …'."""
    if len(path) < 2 or not isinstance(data, dict) or not isinstance(path[1], int):
        return None
    items = data.get(path[0])
    if not isinstance(items, list) or not 0 <= path[1] < len(items) or not isinstance(items[path[1]], dict):
        return None
    item_id = items[path[1]].get("id")
    if not isinstance(item_id, str):
        return None
    if path[0] == "questions":
        return "bank.in_question", {"id": item_id}
    if path[0] == "exams":
        if len(path) >= 4 and path[2] == "sections" and isinstance(path[3], int):
            return "bank.in_section", {"id": item_id, "n": path[3] + 1}
        return "bank.in_exam", {"id": item_id}
    return None


def _fail(path: Path, line: int, column: int, code: str, **params: Any) -> BankFile:
    return BankFile(path, None, (Located(line, column, Problem((), code, params)),))


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _char_position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
