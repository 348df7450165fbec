"""Box geometry for the canvas, as plain functions (no Streamlit, no component import).

Boxes are (x, y, w, h) fractions of the art, the Design's own unit, so they survive any
canvas or print size.
"""
from __future__ import annotations

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


def default_boxes(n_lines: int, existing, safe=None, vertical: bool = False) -> list[tuple[float, float, float, float]]:
    """Boxes for lines that have none: free horizontal bands inside the safe area (fractions,
    None = the whole art) that touch no drawn box. Fewer lines, taller bands (bigger text).
    Vertical text gets columns instead, the first on the right (as Chinese columns read)."""
    from generator.design import overlap_fraction

    if vertical:  # the same search on the art turned a quarter: its bands are our columns
        turn = lambda b: (b[1], round(1 - b[0] - b[2], 4), b[3], b[2])  # noqa: E731
        back = lambda b: (round(1 - b[1] - b[3], 4), b[0], b[3], b[2])  # noqa: E731
        found = default_boxes(n_lines, [turn(b) for b in existing], safe and turn(safe))
        return list(existing)[:n_lines] + [back(b) for b in found[len(existing[:n_lines]):]]

    sx, sy, sw, sh = safe or (0.0, 0.0, 1.0, 1.0)
    for shrink in (1.0, 0.8, 0.6, 0.45):  # drawn boxes may leave too little room: smaller bands
        boxes = list(existing)[:n_lines]
        height = min(0.2, 0.84 / max(1, n_lines)) * sh * shrink
        y, bottom = sy + 0.04 * sh, sy + 0.97 * sh
        while len(boxes) < n_lines and y + height <= bottom:
            band = (round(sx + 0.1 * sw, 4), round(y, 4), round(0.8 * sw, 4), round(height, 4))
            if all(overlap_fraction(band, b) == 0 for b in boxes):
                boxes.append(band)
            y += height * 0.25  # small steps find the gaps between drawn boxes
        if len(boxes) >= n_lines:
            break
    return boxes
