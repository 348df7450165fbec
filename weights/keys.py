"""Key lists (TSV: key, shape 'AxBxC', dtype, numel) and comparing a state dict against one.

The full-size AnyText v1 list ships as weights/anytext_v1_keys.tsv so an imported checkpoint's
names and shapes can be checked without building the model.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from weights.errors import WeightsError

Shape = tuple[int, ...]


class KeyRow(NamedTuple):
    key: str
    shape: Shape
    dtype: str


def parse_shape(text: str) -> Shape:
    text = text.strip()
    return tuple(int(v) for v in text.split("x")) if text else ()


def read_keys_tsv(path: str | Path) -> list[KeyRow]:
    """Rows of a key list; a header line starting with 'key' is skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise WeightsError(f"key list {path}: cannot read ({e.strerror or e})",
                           f"无法读取键列表 {path}") from None
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or (n == 1 and line.split("\t")[0] == "key"):
            continue
        cols = line.split("\t")
        try:
            if len(cols) < 3:
                raise ValueError("expected key, shape, dtype[, numel]")
            rows.append(KeyRow(cols[0], parse_shape(cols[1]), cols[2].strip()))
        except ValueError as e:
            raise WeightsError(f"key list {path}, line {n}: {e}",
                               f"键列表 {path} 第 {n} 行格式有误") from None
    if not rows:
        raise WeightsError(f"key list {path} is empty", f"键列表 {path} 为空")
    return rows


class KeyDiff(NamedTuple):
    missing: list[str]
    unexpected: list[str]
    mismatched: list[tuple[str, Shape, Shape]]   # key, expected, found

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def summary(self) -> str:
        parts = []
        if self.mismatched:
            k, want, got = self.mismatched[0]
            parts.append(f"{len(self.mismatched)} wrong shapes (first: {k} is "
                         f"{'x'.join(map(str, got)) or 'scalar'}, expected "
                         f"{'x'.join(map(str, want)) or 'scalar'})")
        if self.missing:
            parts.append(f"{len(self.missing)} missing keys (first: {self.missing[0]})")
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} unexpected keys (first: {self.unexpected[0]})")
        return "; ".join(parts) or "all keys match"


def compare(shapes: dict[str, Shape], expected: list[KeyRow], ignored=()) -> KeyDiff:
    """Compare found key -> shape against expected rows; ignored keys may be present or not."""
    ignored = set(ignored)
    want = {r.key: r.shape for r in expected if r.key not in ignored}
    missing = [k for k in want if k not in shapes]
    unexpected = [k for k in shapes if k not in want and k not in ignored]
    mismatched = [(k, want[k], tuple(s)) for k, s in shapes.items()
                  if k in want and tuple(s) != want[k]]
    return KeyDiff(missing, unexpected, mismatched)
