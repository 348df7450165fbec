"""金面具 Gold mask (Sanxingdui pit 3), front view, hammered sheet gold.

37.2 x 16.5 cm (the viewBox keeps 2.25 : 1): a broad face with ears, cut-out brows and eyes
(real holes: the ground shows through; cut with shapely, no SVG mask), a high nose ridge and a wide cut-out
mouth. Sheen from a diagonal gold gradient; the nose and ears get their own light.
"""
from __future__ import annotations

from generator.motifs.draw.svg import Svg, catmull, geometry_d, linear_gradient, mirror_x, ribbon

W, H = 900.0, 400.0
CX = W / 2


def outline():
    # face with square cheeks, ears stand out at the sides, the brow edge nearly straight
    half = [(CX, 22), (CX - 160, 26), (CX - 290, 38), (CX - 318, 70),
            (CX - 330, 120), (CX - 400, 95), (CX - 440, 130), (CX - 430, 215),
            (CX - 380, 260), (CX - 330, 255), (CX - 300, 320), (CX - 200, 372), (CX - 60, 386)]
    right = [(2 * CX - x, y) for x, y in reversed(half[1:])]
    return catmull(half + [(CX, 388)] + right[::-1][::-1], n=10, closed=True)


def draw() -> str:
    svg = Svg(W, H, "金面具 Gold mask")
    svg.defs.append(linear_gradient(
        "gold", [(0, "#FFF0B5"), (0.3, "#F1CB5C"), (0.65, "#D4A017"), (1, "#8F6508")],
        0, 0, 0.7, 1))
    svg.defs.append(linear_gradient(
        "ridge", [(0, "#FFF7D6"), (0.5, "#F3D27A"), (1, "#B98A1A")], 0, 0, 1, 0))
    svg.defs.append(linear_gradient(
        "shade", [(0, "#8F6508"), (1, "#D4A017")], 0, 0, 1, 0))
    brow = ribbon([(CX - 60, 120), (CX - 140, 88), (CX - 230, 82), (CX - 300, 100)],
                  [30, 36, 30, 0])
    eye = catmull([(CX - 60, 175), (CX - 130, 150), (CX - 210, 140), (CX - 295, 128),
                   (CX - 230, 172), (CX - 140, 186)], n=12, closed=True)
    mouth = ribbon([(CX - 200, 300), (CX - 100, 316), (CX, 320), (CX + 100, 316), (CX + 200, 300)],
                   [0, 16, 18, 16, 0])
    cuts = [brow, mirror_x(brow, CX), eye, mirror_x(eye, CX), mouth]
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    sheet = Polygon(outline()).buffer(0).difference(
        unary_union([Polygon(c).buffer(0) for c in cuts]))
    svg.add(f'<path d="{geometry_d(sheet)}" fill="url(#gold)" fill-rule="evenodd"/>')
    # high nose: a tall ridge with shaded sides and flared wings
    nose = catmull([(CX, 110), (CX + 24, 190), (CX + 52, 262), (CX + 30, 278), (CX, 270),
                    (CX - 30, 278), (CX - 52, 262), (CX - 24, 190)], n=12, closed=True)
    svg.add(svg.path(nose, "url(#shade)", opacity="0.55"))
    svg.add(svg.path(ribbon([(CX, 112), (CX - 4, 200), (CX - 8, 262)], [6, 16, 22]), "url(#ridge)"))
    # ear scrolls (hammered relief lines)
    for sgn in (-1, 1):
        import math
        t = [(CX + sgn * (395 - 30 * (1 - a / 9) * math.cos(a)), 175 - 30 * (1 - a / 9) * math.sin(a))
             for a in [i * 0.3 for i in range(26)]]
        svg.add(svg.path(ribbon(t, [9, 7, 4]), "#8F6508", opacity="0.7"))
    # chin and cheek relief line
    svg.add(svg.path(ribbon([(CX - 240, 330), (CX, 368), (CX + 240, 330)], [0, 5, 0]),
                     "#8F6508", opacity="0.45"))
    return str(svg)
