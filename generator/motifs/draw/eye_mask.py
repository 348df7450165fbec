"""青铜纵目面具 Bronze mask with protruding eyes (Sanxingdui), front view.

138 cm ear tip to ear tip and 66 cm high, so the viewBox keeps that 2.09 : 1 proportion.
Cylindrical eyes protrude about 16 cm (drawn as tubes seen from slightly above, with an
end cap), huge pointed ears spread sideways, a wide closed mouth turned up at the corners,
a square hole in mid-forehead, dagger brows and a hooked nose with scroll nostrils.
"""
from __future__ import annotations

from generator.motifs.draw.svg import (Svg, catmull, ellipse, linear_gradient, mirror_x,
                                       radial_gradient, ribbon)

W, H = 1380.0, 660.0
CX = W / 2


def face():
    # broad face: flat brow, square jaw, slightly narrower at the chin
    return catmull([(CX - 330, 120), (CX, 95), (CX + 330, 120), (CX + 360, 300),
                    (CX + 335, 520), (CX + 250, 615), (CX, 640), (CX - 250, 615),
                    (CX - 335, 520), (CX - 360, 300)], n=16, closed=True)


def ear():
    # left ear: a huge leaf pointing up and out, attached beside the cheek
    return catmull([(CX - 330, 250), (CX - 440, 170), (CX - 560, 70), (CX - 680, 12),
                    (CX - 640, 140), (CX - 560, 300), (CX - 470, 420), (CX - 350, 470)],
                   n=14, closed=True)


def ear_lines():
    return [ribbon([(CX - 370, 420), (CX - 470, 320), (CX - 560, 190), (CX - 640, 60)],
                   [10, 9, 6, 0]),
            ribbon([(CX - 380, 360), (CX - 450, 300), (CX - 510, 230)], [8, 6, 0])]


def draw() -> str:
    svg = Svg(W, H, "青铜纵目面具 Bronze mask with protruding eyes")
    svg.defs.append(linear_gradient(
        "skin", [(0, "#8FB39C"), (0.5, "#5E7F6B"), (1, "#3F5A4A")], 0, 0, 0.3, 1))
    svg.defs.append(linear_gradient(
        "earg", [(0, "#A6C6B1"), (0.6, "#5E7F6B"), (1, "#435F4E")], 0, 0, 1, 1))
    svg.defs.append(linear_gradient(
        "tube", [(0, "#5A3F22"), (0.3, "#B58A52"), (0.55, "#E0BC80"), (1, "#6B4E2E")], 0, 0, 1, 0))
    svg.defs.append(radial_gradient(
        "cap", [(0, "#F0D49A"), (0.7, "#C0945A"), (1, "#7A5A34")], cx=0.4, cy=0.4, r=0.6))
    dark = "#24332B"
    left = [ear()]
    right = [mirror_x(p, CX) for p in left]
    svg.add(*(svg.path(p, "url(#earg)") for p in left + right))
    svg.add(*(svg.path(p, dark, opacity="0.55") for p in ear_lines()))
    svg.add(*(svg.path(mirror_x(p, CX), dark, opacity="0.55") for p in ear_lines()))
    # square hole in the forehead, cut through (even-odd fill): the ground shows
    hole = [(CX - 26, 150), (CX + 26, 150), (CX + 26, 202), (CX - 26, 202)]
    svg.add(svg.compound([face(), hole], "url(#skin)"))
    parts_dark = []
    # dagger brows
    brow = ribbon([(CX - 70, 225), (CX - 170, 190), (CX - 300, 175)], [34, 30, 0])
    # almond eye socket, long and slanted up at the outer corner
    socket = catmull([(CX - 75, 295), (CX - 140, 248), (CX - 240, 236), (CX - 330, 222),
                      (CX - 260, 310), (CX - 160, 330)], n=12, closed=True)
    # hooked nose with scroll nostrils
    nose = [ribbon([(CX, 230), (CX - 6, 330), (CX, 420)], [22, 34, 46])]
    for sgn in (-1, 1):
        t = [(CX + sgn * (60 - 26 * (1 - a / 8) * __import__("math").cos(a)),
              430 - 22 * (1 - a / 8) * __import__("math").sin(a)) for a in [i * 0.3 for i in range(22)]]
        nose.append(ribbon(t, [18, 14, 8]))
    # wide closed mouth, corners turned up
    mouth = ribbon([(CX - 300, 470), (CX - 200, 515), (CX, 530), (CX + 200, 515), (CX + 300, 470)],
                   [8, 22, 26, 22, 8])
    lip = ribbon([(CX - 270, 540), (CX, 575), (CX + 270, 540)], [4, 8, 4])
    for p in [brow, socket]:
        parts_dark += [p, mirror_x(p, CX)]
    parts_dark += [mouth]
    svg.add(*(svg.path(p, dark) for p in parts_dark))
    svg.add(svg.path(lip, dark, opacity="0.5"))
    svg.add(*(svg.path(p, "#7FA18B") for p in nose))
    svg.add(svg.path(nose[0], dark, opacity="0.25"))
    # the protruding cylinders, seen slightly from above: a tube towards the viewer and its cap
    for sgn in (-1, 1):
        ex, ey, rx, ln = CX + sgn * 190, 262, 58, 118
        tube = [(ex - rx, ey), (ex + rx, ey), (ex + rx, ey + ln), (ex - rx, ey + ln)]
        svg.add(svg.path(ellipse(ex, ey + ln, rx, 22, n=60), "url(#tube)"))
        svg.add(svg.path(tube, "url(#tube)"))
        # the collar half-way along the cylinder
        svg.add(svg.path(ribbon([(ex - rx - 4, ey + 52), (ex, ey + 66), (ex + rx + 4, ey + 52)],
                                [14, 14, 14]), "url(#tube)"))
        svg.add(svg.path(ribbon([(ex - rx, ey + 60), (ex, ey + 74), (ex + rx, ey + 60)],
                                [3, 3, 3]), "#3E2C18", opacity="0.55"))
        svg.add(svg.path(ellipse(ex, ey, rx + 4, 26, n=60), "url(#cap)"))
        svg.add(svg.path(ellipse(ex, ey, rx * 0.55, 13, n=48), "#7A5A34", opacity="0.7"))
        svg.add(svg.path(ellipse(ex, ey, 14, 6, n=32), "#3E2C18"))
    return str(svg)
