"""Box geometry for the canvas, as plain functions (no Streamlit, no component import).

Boxes are (x, y, w, h) fractions of the art, the Design's own unit, so they survive any
canvas or print size.
"""
from __future__ import annotations

from collections.abc import Sequence

from jobs.runner import art_size

MAX_SIDE = 720         # canvas pixels on its long side (fits a portrait 1080 px screen)
MAX_HALF_WIDTH = 400   # upright products sit in half the page, beside the preview
MIN_FRACTION = 0.02    # smaller boxes are accidental taps, not boxes
_ORIGIN = {"left": 0.0, "top": 0.0, "center": 0.5, "right": 1.0, "bottom": 1.0}


def canvas_size(product: str) -> tuple[int, int]:
    w, h = art_size(product)
    scale = MAX_SIDE / max(w, h)
    if h > w:
        scale = min(scale, MAX_HALF_WIDTH / w)
    return round(w * scale), round(h * scale)


def objects_to_boxes(json_data: dict | None, width: int, height: int) -> list[tuple[float, float, float, float]]:
    """Canvas rectangles (Fabric JSON, any origin/scale) -> clamped (x, y, w, h) fractions."""
    out = []
    for obj in (json_data or {}).get("objects", []):
        if obj.get("type") not in ("rect", "LabeledRect"):
            continue
        bw = abs(obj.get("width", 0) * obj.get("scaleX", 1))
        bh = abs(obj.get("height", 0) * obj.get("scaleY", 1))
        left = obj.get("left", 0) - _ORIGIN.get(obj.get("originX", "left"), 0) * bw
        top = obj.get("top", 0) - _ORIGIN.get(obj.get("originY", "top"), 0) * bh
        x0, y0 = max(0.0, left / width), max(0.0, top / height)
        x1, y1 = min(1.0, (left + bw) / width), min(1.0, (top + bh) / height)
        if x1 - x0 < MIN_FRACTION or y1 - y0 < MIN_FRACTION:
            continue
        out.append((round(x0, 4), round(y0, 4), round(x1 - x0, 4), round(y1 - y0, 4)))
    return out


def is_tall(box, product: str) -> bool:
    """Whether a box is taller than wide on the printed art (fractions hide the art's aspect)."""
    w, h = art_size(product)
    return box[3] * h > box[2] * w


def suits(box, vertical: bool, product: str) -> bool:
    """Whether a line of that direction reads well in the box: a column for vertical text, a
    band for horizontal; a squarish box suits both (one or two big characters)."""
    w, h = art_size(product)
    bw, bh = box[2] * w, box[3] * h
    return bh >= 0.8 * bw if vertical else bw >= 0.8 * bh


def default_boxes(n_lines: int, existing, safe=None, vertical: bool | Sequence[bool] = False
                  ) -> list[tuple[float, float, float, float]]:
    """Boxes for lines that have none (`existing` shorter than n_lines, or None at a line):
    inside the safe area (fractions, None = the whole art), touching no other box.
    `vertical` is one flag per line (or one for all). Horizontal lines get bands from the top,
    fewer lines, taller bands (bigger text); vertical lines get a column each, the first on the
    right (as Chinese columns read), below any bands placed with them. Returns the boxes in
    line order, stopping at the first line no room was found for."""
    flags = [vertical] * n_lines if isinstance(vertical, bool) else list(vertical)[:n_lines]
    flags += [False] * (n_lines - len(flags))
    boxes = (list(existing) + [None] * n_lines)[:n_lines]
    rows = [i for i, b in enumerate(boxes) if b is None and not flags[i]]
    cols = [i for i, b in enumerate(boxes) if b is None and flags[i]]
    taken = [b for b in boxes if b is not None]
    region = safe or (0.0, 0.0, 1.0, 1.0)
    if rows:
        found = _bands(len(rows), taken, region, len(rows) + len(cols))
        for i, b in zip(rows, found):
            boxes[i] = b
        taken += found
    if cols:
        for i, b in zip(cols, _columns(len(cols), taken, region)):
            boxes[i] = b
    placed = boxes.index(None) if None in boxes else n_lines
    return boxes[:placed]


def _columns(count: int, taken, region) -> list[tuple[float, float, float, float]]:
    """Up to `count` columns, right to left: the band search on the art turned a quarter.
    Tried in the whole region, then below and above the other boxes (bands span the width)."""
    turn = lambda b: (b[1], round(1 - b[0] - b[2], 4), b[3], b[2])  # noqa: E731
    back = lambda b: (round(1 - b[1] - b[3], 4), b[0], b[3], b[2])  # noqa: E731
    sx, sy, sw, sh = region
    tries = [region]
    if taken:
        low = max(b[1] + b[3] for b in taken) + 0.02 * sh
        high = min(b[1] for b in taken) - 0.02 * sh
        if sy + sh - low >= 0.3 * sh:
            tries.append((sx, round(low, 4), sw, round(sy + sh - low, 4)))
        if high - sy >= 0.3 * sh:
            tries.append((sx, sy, sw, round(high - sy, 4)))
    best: list = []
    for r in tries:
        found = [back(b) for b in _bands(count, [turn(b) for b in taken], turn(r), count)]
        if len(found) > len(best):
            best = found
        if len(best) >= count:
            break
    return best


def _bands(count: int, taken, safe, size_for: int) -> list[tuple[float, float, float, float]]:
    """Up to `count` horizontal bands inside `safe`, top down, touching none of `taken`;
    band height as if `size_for` lines shared the area."""
    from generator.design import overlap_fraction

    sx, sy, sw, sh = safe
    best: list = []
    for shrink in (1.0, 0.8, 0.6, 0.45):  # drawn boxes may leave too little room: smaller bands
        found: list = []
        height = min(0.2, 0.84 / max(1, size_for)) * sh * shrink
        y, bottom, gap = sy + 0.04 * sh, sy + 0.97 * sh, 0.1 * height
        while len(found) < count and y + height <= bottom:
            band = (round(sx + 0.1 * sw, 4), round(y, 4), round(0.8 * sw, 4), round(height, 4))
            grown = (band[0], band[1] - gap, band[2], band[3] + 2 * gap)  # lines never touch
            if all(overlap_fraction(grown, b) == 0 for b in list(taken) + found):
                found.append(band)
            y += height * 0.1  # small steps find the gaps between drawn boxes
        if len(found) > len(best):
            best = found
        if len(found) >= count:
            break
    return best
