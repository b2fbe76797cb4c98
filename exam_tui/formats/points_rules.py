"""The points rules file (``exam_tui/data/points-rules.yaml`` ships; ``exam-tui points rules import`` loads an edited one): what each kind of record is worth, and the caps.

```yaml
categories:
  self_education: {title: 自我教育, cap: 20}
  higher_education: {title: 参加上级教育, cap: 30}
  organising: {title: 组织开展教育, cap: 20}
rules:
  - id: closed-training-day
    title: 参加封闭式培训
    on: attendance                                   # attendance | test_passed | lecture_given | organised
    course_kinds: [closed_training, new_cadre_training]   # optional: absent = every kind of course
    per: day                                         # attendance only: half_day | day | course (default)
    min_half_days: 1                                 # attendance only, optional
    category: higher_education
    points: 2
```

The file is edited by hand by an admin, so every problem is reported at its line and column, all of them
at once, and nothing in the content can make :func:`read_rules` raise. Keys are checked as the admin
wrote them (the text of the key), not as YAML 1.1 resolves them: a rule's ``on:`` key would otherwise
be read as the boolean ``true``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from exam_tui.domain.points import (
    CATEGORY_IDS,
    COURSE_KINDS,
    FACT_KINDS,
    PER_MODES,
    Category,
    FactKind,
    PerMode,
    PointsRules,
    Rule,
)
from exam_tui.formats.yaml_bank import MAX_FILE_BYTES, DocumentError, load_document
from exam_tui.i18n import t

TOP_KEYS = ("categories", "rules")
CATEGORY_KEYS = ("title", "cap")
RULE_KEYS = ("id", "title", "on", "category", "points", "per", "course_kinds", "min_half_days")
RULE_REQUIRED = ("id", "title", "on", "category", "points")
ATTENDANCE_ONLY = ("per", "min_half_days")
_RULE_ID = re.compile(r"[a-z0-9-]+")


@dataclass(frozen=True)
class RulesProblem:
    line: int
    column: int
    key: str  # i18n message key
    params: dict[str, Any]


@dataclass(frozen=True)
class RulesFile:
    path: Path
    rules: PointsRules | None  # None whenever there is any problem
    problems: tuple[RulesProblem, ...]

    @property
    def ok(self) -> bool:
        return self.rules is not None and not self.problems


def read_rules(path: Path) -> RulesFile:
    """Read and check a rules file; every problem is located, nothing raises for bad content."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            mb = f"{size / 1024 / 1024:.1f}"
            return _fail(path, 1, 1, "points.too_large", size=mb, limit=MAX_FILE_BYTES // 1024 // 1024)
        raw = path.read_bytes()
    except FileNotFoundError:
        return _fail(path, 1, 1, "file.not_found")
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        return _fail(path, 1, 1, "file.unreadable", detail=getattr(exc, "strerror", None) or str(exc))
    return check_rules_text(path, raw)


def check_rules_text(path: Path, raw: bytes) -> RulesFile:
    """Check the bytes of a rules file; ``path`` is only carried along for the messages."""
    try:
        root, data = load_document(raw)
    except DocumentError as exc:
        return _fail(path, exc.line, exc.column, exc.code, **exc.params)
    if root is None or not isinstance(root, MappingNode) or not isinstance(data, dict):
        line, column = (root.start_mark.line + 1, root.start_mark.column + 1) if root is not None else (1, 1)
        return _fail(path, line, column, "points.not_a_mapping")
    checker = _Checker()
    rules = checker.check(root, data)
    problems = tuple(sorted(checker.problems, key=lambda p: (p.line, p.column)))
    return RulesFile(path, None if problems else rules, problems)


def rules_lines(rules_file: RulesFile) -> list[str]:
    """The problems as ``FILE:LINE:COL: message`` lines, in the current language."""
    return [f"{rules_file.path}:{p.line}:{p.column}: {t(p.key, **p.params)}" for p in rules_file.problems]


def _fail(path: Path, line: int, column: int, key: str, /, **params: Any) -> RulesFile:
    return RulesFile(path, None, (RulesProblem(line, column, key, params),))


@dataclass(frozen=True)
class _Entry:
    """One key of a mapping: the key as written, its node, and the value's node and data."""

    key: str
    key_node: ScalarNode
    node: Node
    value: Any


class _Checker:
    """Walks the node tree alongside the data, so each check knows the node (and so the line) it is about."""

    def __init__(self) -> None:
        self.problems: list[RulesProblem] = []

    def add(self, node: Node, key: str, /, **params: Any) -> None:
        self.problems.append(RulesProblem(node.start_mark.line + 1, node.start_mark.column + 1, key, params))

    # -- helpers --------------------------------------------------------------------------------

    def entries(
        self,
        node: MappingNode,
        data: dict[Any, Any],
        allowed: tuple[str, ...],
        *,
        unknown: str = "points.unknown_key",
    ) -> dict[str, _Entry]:
        """The mapping's keys as written, reporting keys that are unknown or written twice."""
        result: dict[str, _Entry] = {}
        # The builder keeps the node's order and refuses duplicates, so nodes and data pair up.
        for (key_node, value_node), value in zip(node.value, data.values(), strict=True):
            key = str(cast(ScalarNode, key_node).value)
            if key in result:  # "on" and "true" are one key to YAML, two to the admin: the other way round
                self.add(key_node, "yaml.duplicate_key", key=key)
                continue
            if key not in allowed:
                name = "key" if unknown == "points.unknown_key" else "value"
                self.add(key_node, unknown, **{name: key}, allowed=", ".join(allowed))
                continue
            result[key] = _Entry(key, cast(ScalarNode, key_node), value_node, value)
        return result

    def text(self, entry: _Entry) -> str | None:
        if not isinstance(entry.value, str):
            self.add(entry.node, "points.not_text", key=entry.key, value=_shown(entry))
            return None
        if not entry.value.strip():
            self.add(
                entry.node,
                "points.empty_title" if entry.key == "title" else "points.not_text",
                key=entry.key,
                value="",
            )
            return None
        return entry.value.strip()

    # -- the document ---------------------------------------------------------------------------

    def check(self, root: MappingNode, data: dict[Any, Any]) -> PointsRules | None:
        top = self.entries(root, data, TOP_KEYS)
        categories: tuple[Category, ...] | None = None
        rules: tuple[Rule, ...] | None = None
        for key in TOP_KEYS:
            if key not in top:
                self.add(root, "points.missing_key", key=key)
            elif top[key].value is None:
                self.add(top[key].key_node, "points.no_value", key=key)
        if "categories" in top and top["categories"].value is not None:
            categories = self.categories(top["categories"])
        if "rules" in top and top["rules"].value is not None:
            rules = self.rules(top["rules"])
        if self.problems or categories is None or rules is None:
            return None
        return PointsRules(categories, rules)

    def categories(self, entry: _Entry) -> tuple[Category, ...] | None:
        if not isinstance(entry.node, MappingNode):
            self.add(entry.node, "points.categories_not_mapping")
            return None
        listed = self.entries(entry.node, entry.value, CATEGORY_IDS, unknown="points.unknown_category")
        found: list[Category] = []
        for category_id in CATEGORY_IDS:
            if category_id not in listed:
                self.add(entry.key_node, "points.missing_category", id=category_id)
                continue
            category = self.category(listed[category_id])
            if category is not None:
                found.append(category)
        return tuple(found) if len(found) == len(CATEGORY_IDS) else None

    def category(self, entry: _Entry) -> Category | None:
        if not isinstance(entry.node, MappingNode):
            at = entry.key_node if entry.value is None else entry.node
            self.add(at, "points.category_not_mapping", id=entry.key)
            return None
        before = len(self.problems)
        fields = self.entries(entry.node, entry.value, CATEGORY_KEYS)
        title = None
        if "title" not in fields:
            self.add(entry.node, "points.missing_key", key="title")
        else:
            title = self.text(fields["title"])
        cap: float | None = None
        if "cap" in fields and fields["cap"].value is not None:
            value = fields["cap"].value
            if not _is_number(value) or value < 0:
                self.add(fields["cap"].node, "points.bad_cap", value=_shown(fields["cap"]))
            else:
                cap = float(value)
        if len(self.problems) > before or title is None:
            return None
        return Category(entry.key, title, cap)

    def rules(self, entry: _Entry) -> tuple[Rule, ...] | None:
        if not isinstance(entry.node, SequenceNode):
            self.add(entry.node, "points.rules_not_list")
            return None
        rules: list[Rule] = []
        first_line: dict[str, int] = {}
        ok = True
        for n, (item_node, item) in enumerate(zip(entry.node.value, entry.value, strict=True), start=1):
            if not isinstance(item_node, MappingNode):
                self.add(item_node, "points.rule_not_mapping", n=n)
                ok = False
                continue
            rule = self.rule(item_node, item, first_line)
            if rule is None:
                ok = False
            else:
                rules.append(rule)
        return tuple(rules) if ok else None

    def rule(self, node: MappingNode, data: dict[Any, Any], first_line: dict[str, int]) -> Rule | None:
        before = len(self.problems)
        fields = self.entries(node, data, RULE_KEYS)
        for key in RULE_REQUIRED:
            if key not in fields:
                self.add(node, "points.missing_key", key=key)
        rule_id = None
        if "id" in fields:
            entry = fields["id"]
            if not isinstance(entry.value, str) or not _RULE_ID.fullmatch(entry.value):
                self.add(entry.node, "points.bad_id", value=_shown(entry))
            elif entry.value in first_line:
                self.add(entry.node, "points.duplicate_rule", id=entry.value, line=first_line[entry.value])
            else:
                rule_id = entry.value
                first_line[rule_id] = entry.node.start_mark.line + 1
        title = self.text(fields["title"]) if "title" in fields else None
        on = None
        if "on" in fields:
            entry = fields["on"]
            if entry.value in FACT_KINDS and isinstance(entry.value, str):
                on = entry.value
            else:
                self.add(entry.node, "points.bad_on", value=_shown(entry), allowed=", ".join(FACT_KINDS))
        category = None
        if "category" in fields:
            entry = fields["category"]
            if isinstance(entry.value, str) and entry.value in CATEGORY_IDS:
                category = entry.value
            else:
                self.add(
                    entry.node,
                    "points.unknown_category",
                    value=_shown(entry),
                    allowed=", ".join(CATEGORY_IDS),
                )
        points = None
        if "points" in fields:
            entry = fields["points"]
            if _is_number(entry.value) and entry.value > 0:
                points = float(entry.value)
            else:
                self.add(entry.node, "points.bad_points", value=_shown(entry))
        for key in ATTENDANCE_ONLY:
            if key in fields and on is not None and on != "attendance":
                self.add(fields[key].key_node, "points.attendance_only", key=key)
        per = "course"
        if "per" in fields and (on is None or on == "attendance"):
            entry = fields["per"]
            if isinstance(entry.value, str) and entry.value in PER_MODES:
                per = entry.value
            else:
                self.add(entry.node, "points.bad_per", value=_shown(entry), allowed=", ".join(PER_MODES))
        min_half_days = 1
        if "min_half_days" in fields and (on is None or on == "attendance"):
            entry = fields["min_half_days"]
            value = entry.value
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                min_half_days = value
            else:
                self.add(entry.node, "points.bad_min_half_days", value=_shown(entry))
        course_kinds = None
        if "course_kinds" in fields:
            course_kinds = self.course_kinds(fields["course_kinds"], on)
        if len(self.problems) > before or None in (rule_id, title, on, category, points):
            return None
        assert rule_id is not None and title is not None and category is not None and points is not None
        return Rule(
            id=rule_id,
            title=title,
            on=cast(FactKind, on),
            category=category,
            points=points,
            per=cast(PerMode, per),
            course_kinds=course_kinds,
            min_half_days=min_half_days,
        )

    def course_kinds(self, entry: _Entry, on: str | None) -> frozenset[str] | None:
        if on == "lecture_given":
            # A lecturer only ever gives Party lectures (廉政党课): a kind filter there is a misunderstanding.
            self.add(entry.key_node, "points.kinds_on_lecture")
            return None
        if entry.value is None:
            return None  # written out as "any"
        if not isinstance(entry.node, SequenceNode) or not entry.value:
            self.add(entry.node, "points.kinds_not_list")
            return None
        kinds: set[str] = set()
        for kind_node, kind in zip(entry.node.value, entry.value, strict=True):
            if isinstance(kind, str) and kind in COURSE_KINDS:
                kinds.add(kind)
            else:
                shown = kind_node.value if isinstance(kind_node, ScalarNode) else _short(kind)
                self.add(kind_node, "points.unknown_kind", value=shown, allowed=", ".join(COURSE_KINDS))
        return frozenset(kinds)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _shown(entry: _Entry) -> str:
    """The value as the admin wrote it: ``yes`` rather than YAML's True, ``1e3`` rather than 1000.0."""
    if isinstance(entry.node, ScalarNode):
        return _short(entry.node.value)
    return _short(entry.value)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
