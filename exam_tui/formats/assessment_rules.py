"""The annual-assessment rules file: indicators, their weights and what each measures.

```yaml
title: 2026年度廉政教育工作考核
indicators:
  - {id: coverage, title: 教育覆盖率, weight: 40, measure: coverage_rate}
  - {id: pass, title: 考试合格率, weight: 30, measure: pass_rate}
  - {id: points, title: 人均积分, weight: 30, measure: mean_points, full_at: 20}
```

Checked like a bank: every problem with its line and column, nothing used while one remains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exam_tui.domain.assessment import COUNT_MEASURES, MEASURES, AssessmentRules, Indicator
from exam_tui.formats.yaml_bank import MAX_FILE_BYTES, DocumentError, load_document, node_position
from exam_tui.i18n import t

TOP_KEYS = {"title", "indicators"}
INDICATOR_KEYS = {"id", "title", "weight", "measure", "full_at"}
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class AssessmentProblem:
    line: int
    column: int
    key: str
    params: dict[str, Any]


@dataclass(frozen=True)
class AssessmentFile:
    path: Path
    rules: AssessmentRules | None
    problems: tuple[AssessmentProblem, ...]


def problem_lines(found: AssessmentFile) -> list[str]:
    return [f"{found.path}:{p.line}:{p.column}: {t(p.key, **p.params)}" for p in found.problems]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_assessment_rules(path: Path) -> AssessmentFile:
    """Read and check a rules file; a problem never raises, it is located and returned."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return _fail(path, "points.too_large", limit=MAX_FILE_BYTES // 1024 // 1024)
        raw = path.read_bytes()
    except FileNotFoundError:
        return _fail(path, "file.not_found")
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        return _fail(path, "file.unreadable", detail=getattr(exc, "strerror", None) or str(exc))
    try:
        root, data = load_document(raw)
    except DocumentError as exc:
        return AssessmentFile(path, None, (AssessmentProblem(exc.line, exc.column, exc.code, exc.params),))
    if not isinstance(data, dict):
        return _fail(path, "assessment.not_a_mapping")
    problems: list[AssessmentProblem] = []

    def problem(at: tuple[Any, ...], key: str, /, *, at_key: bool = False, **params: Any) -> None:
        line, column = node_position(root, at, at_key=at_key) if root is not None else (1, 1)  # type: ignore[arg-type]
        problems.append(AssessmentProblem(line, column, key, params))

    for key in data:
        if key not in TOP_KEYS:
            problem((key,), "assessment.unknown_key", at_key=True, key=key, known=", ".join(sorted(TOP_KEYS)))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problem(("title",), "assessment.no_title")
    raw_indicators = data.get("indicators")
    indicators: list[Indicator] = []
    if not isinstance(raw_indicators, list) or not raw_indicators:
        problem(("indicators",), "assessment.no_indicators")
        raw_indicators = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(raw_indicators):
        at = ("indicators", i)
        if not isinstance(entry, dict):
            problem(at, "assessment.indicator_not_mapping")
            continue
        for key in entry:
            if key not in INDICATOR_KEYS:
                problem(
                    (*at, key),
                    "assessment.unknown_key",
                    at_key=True,
                    key=key,
                    known=", ".join(sorted(INDICATOR_KEYS)),
                )
        ident, name, weight, measure, full_at = (
            entry.get(k) for k in ("id", "title", "weight", "measure", "full_at")
        )
        ok = True
        if not isinstance(ident, str) or not ID.match(ident):
            problem((*at, "id"), "assessment.bad_id", value=ident)
            ok = False
        elif ident in seen:
            problem(
                (*at, "id"),
                "assessment.duplicate_id",
                value=ident,
                line=node_position(root, ("indicators", seen[ident], "id"))[0],
            )  # type: ignore[arg-type]
            ok = False
        else:
            seen[ident] = i
        if not isinstance(name, str) or not name.strip():
            problem((*at, "title"), "assessment.no_title")
            ok = False
        if not _number(weight) or not 0 < weight <= 100:
            problem((*at, "weight"), "assessment.bad_weight", value=weight)
            ok = False
        if measure not in MEASURES:
            problem((*at, "measure"), "assessment.bad_measure", value=measure, known=", ".join(MEASURES))
            ok = False
        elif measure in COUNT_MEASURES and (not _number(full_at) or full_at <= 0):
            problem(
                (*at, "full_at") if full_at is not None else (*at, "measure"),
                "assessment.full_at_needed",
                measure=measure,
            )
            ok = False
        elif measure not in COUNT_MEASURES and full_at is not None:
            problem((*at, "full_at"), "assessment.full_at_for_counts", measure=measure)
            ok = False
        if ok:
            indicators.append(
                Indicator(
                    ident,
                    name.strip(),
                    float(weight),
                    measure,
                    float(full_at) if full_at is not None else None,
                )  # type: ignore[arg-type, union-attr]
            )
    if indicators and len(indicators) == len(raw_indicators):
        total = sum(ind.weight for ind in indicators)
        if abs(total - 100) > 1e-9:
            problem(("indicators",), "assessment.weights_sum", total=round(total, 4))
    problems.sort(key=lambda p: (p.line, p.column))
    if problems or not isinstance(title, str):
        return AssessmentFile(path, None, tuple(problems))
    return AssessmentFile(path, AssessmentRules(title.strip(), tuple(indicators)), ())


def _fail(path: Path, key: str, /, **params: Any) -> AssessmentFile:
    return AssessmentFile(path, None, (AssessmentProblem(1, 1, key, params),))
