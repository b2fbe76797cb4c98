"""Property: whatever an admin does to a valid bank file, the validator reports, it never crashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exam_tui.formats.yaml_bank import check_bank_text
from exam_tui.services.banks import describe
from tests.unit.test_bank_schema import VALID

BASE: dict[str, Any] = yaml.safe_load(VALID)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10_000), st.floats(allow_nan=True), st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, (*prefix, i))
    return found


PATHS = _paths(BASE)[1:]


def _mutate(doc: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete":
        del parent[last]
    elif action == "add_key" and isinstance(parent, dict):
        parent[str(value)[:10] or "x"] = value
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(parent[last])
    return doc


def _assert_reported(raw: bytes) -> None:
    result = check_bank_text(Path("m.yaml"), raw)
    for located in result.problems:
        assert located.line >= 1 and located.column >= 1
        assert describe(located)  # every code has words
    assert result.ok or result.problems


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(PATHS),
    action=st.sampled_from(["replace", "delete", "add_key", "duplicate"]),
    value=values,
)
def test_structural_mutations_are_reported(path: tuple[Any, ...], action: str, value: Any) -> None:
    doc = _mutate(yaml.safe_load(VALID), path, action, value)
    _assert_reported(yaml.safe_dump(doc, allow_unicode=True).encode())


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_textual_mutations_are_reported(data: st.DataObject) -> None:
    raw = bytearray(VALID.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["cut", "insert", "delete"]))
        at = data.draw(st.integers(0, len(raw)))
        if kind == "cut":
            del raw[at:]
        elif kind == "insert":
            raw[at:at] = data.draw(
                st.binary(max_size=8)
                | st.sampled_from([b":", b"- ", b"&a ", b"*a", b"!!x ", b"\t", b"{", b"\n  "])
            )
        else:
            del raw[at : at + data.draw(st.integers(1, 20))]
    _assert_reported(bytes(raw))
