"""蜀锦 Shu brocade band, after the 五星出东方利中国 armband (Han dynasty, Niya).

Kind "band": a strip that repeats horizontally. The pattern period PERIOD divides the width,
and every motif is drawn at x + k * PERIOD for neighbouring k, so the left and right edges
match exactly and products can tile the strip along a bookmark edge or a card back.
Five colours: 宝蓝 blue field, 草绿 green, 绛红 red, 明黄 yellow and white; rain-silk (雨丝)
borders where the coloured warp stripes thin out as the white ones widen; clouds, stars,
birds and red/white sun-moon discs on the field.
"""
from __future__ import annotations

import math

from generator.motifs.draw.svg import Svg, ellipse, ribbon

W, H = 1200.0, 300.0
PERIOD = 400.0
BLUE, GREEN, RED, YELLOW, WHITE = "#1F4FA0", "#3E8A4E", "#B8262C", "#E6B422", "#F4EEDC"
FIELD_TOP, FIELD_BOTTOM = 46.0, 254.0


def rain_border(y0: float, down: bool) -> list[tuple[float, float, str]]:
    """(y, height, colour) stripes: coloured stripes thin out, white ones widen (雨丝)."""
    out = []
    y = y0
    for i, c in enumerate([RED, YELLOW, GREEN, RED, YELLOW, GREEN]):
        h_col = 7.0 - i * 1.1
        h_white = 1.0 + i * 0.9
        out.append((y, h_col, c))
        out.append((y + h_col, h_white, WHITE))
        y += h_col + h_white
    if not down:   # mirror for the bottom border
        total = y - y0
        out = [(y0 + total - (yy - y0) - h, h, c) for yy, h, c in out]
    return out


def cloud(x0: float, y0: float, length: float, amp: float):
    """A Han cloud scroll: a wavy band with curls at its crests, as one list of ribbons."""
    pts = [(x0 + length * t / 12, y0 + amp * math.sin(t / 12 * 2 * math.pi)) for t in range(13)]
    parts = [ribbon(pts, [3, 9, 9, 9, 3])]
    for t in (0.25, 0.75):
        cx = x0 + length * t
        cy = y0 + amp * math.sin(t * 2 * math.pi)
        sgn = -1 if t < 0.5 else 1
        curl = [(cx + 16 * (1 - a / 9) * math.sin(a), cy + sgn * (16 * (1 - a / 9) * math.cos(a) - 16))
                for a in [i * 0.3 for i in range(24)]]
        parts.append(ribbon(curl, [8, 6, 3]))
    return parts


def star(x, y, r):
    pts = []
    for k in range(8):
        rr = r if k % 2 == 0 else r * 0.38
        a = math.pi / 4 * k
        pts.append((x + rr * math.cos(a), y + rr * math.sin(a)))
    return pts


def bird(x, y, s=1.0):
    """A small stylised bird flying right."""
    return [ellipse(x, y, 22 * s, 9 * s, rot_deg=-8, n=30),
            ribbon([(x + 16 * s, y - 4 * s), (x + 28 * s, y - 14 * s), (x + 36 * s, y - 13 * s)],
                   [8 * s, 6 * s, 5 * s]),
            ribbon([(x + 36 * s, y - 13 * s), (x + 44 * s, y - 11 * s)], [5 * s, 0]),
            ribbon([(x - 4 * s, y - 4 * s), (x - 14 * s, y - 24 * s), (x - 30 * s, y - 34 * s)],
                   [12 * s, 9 * s, 0]),
            ribbon([(x - 18 * s, y), (x - 34 * s, y + 4 * s), (x - 46 * s, y + 12 * s)],
                   [9 * s, 6 * s, 0])]


def draw() -> str:
    svg = Svg(W, H, "蜀锦 Shu brocade band")
    svg.add(f'<rect x="0" y="0" width="{W:g}" height="{H:g}" fill="{BLUE}"/>')
    for y, h, c in rain_border(0, True) + rain_border(H - 46, False):
        svg.add(f'<rect x="0" y="{y:.2f}" width="{W:g}" height="{h:.2f}" fill="{c}"/>')
    # thin guide stripes framing the field
    for y, c in ((FIELD_TOP + 4, YELLOW), (FIELD_BOTTOM - 7, YELLOW)):
        svg.add(f'<rect x="0" y="{y:g}" width="{W:g}" height="3" fill="{c}"/>')
    shapes: list[tuple[list, str]] = []
    for k in range(-1, int(W / PERIOD) + 1):
        o = k * PERIOD
        for p in cloud(o + 10, 150, 200, 34):
            shapes.append((p, GREEN))
        for p in cloud(o + 210, 150, 200, -34):
            shapes.append((p, YELLOW))
        for p in cloud(o + 110, 96, 180, 12):
            shapes.append((p, WHITE))
        # red sun disc with a white rim, white moon disc with a red rim
        shapes.append((ellipse(o + 112, 205, 25, 25), WHITE))
        shapes.append((ellipse(o + 112, 205, 19, 19), RED))
        shapes.append((ellipse(o + 312, 95, 25, 25), RED))
        shapes.append((ellipse(o + 312, 95, 19, 19), WHITE))
        for x, y, r in ((o + 40, 80, 11), (o + 190, 212, 9), (o + 235, 82, 13), (o + 375, 200, 10),
                        (o + 165, 128, 7)):
            shapes.append((star(x, y, r), YELLOW))
        for p in bird(o + 300, 190, 0.9):
            shapes.append((p, RED))
        for p in bird(o + 60, 140, 0.7):
            shapes.append((p, WHITE))
    for p, c in shapes:
        svg.add(svg.path(p, c))
    return str(svg)
