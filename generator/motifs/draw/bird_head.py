"""青铜鸟头 Bronze bird head (Sanxingdui), in profile facing right.

A great hooked beak, a large round eye with rings set in an almond outline, cloud scrolls on
the cheek, a ridged crest, and the ringed socket collar the head stood on. Bronze under
verdigris, with a warm highlight on the beak.
"""
from __future__ import annotations

import math

from generator.motifs.draw.svg import Svg, catmull, ellipse, geometry_d, linear_gradient, ribbon

W, H = 640.0, 720.0


def scroll(x, y, r, sgn=1, turns=1.4):
    pts = []
    n = 22
    for i in range(n):
        a = i / (n - 1) * turns * 2 * math.pi
        k = 1 - i / n * 0.85
        pts.append((x + sgn * r * k * math.cos(a), y + r * k * math.sin(a)))
    return ribbon(pts, [r * 0.3, r * 0.22, r * 0.1])


def draw() -> str:
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    svg = Svg(W, H, "青铜鸟头 Bronze bird head")
    svg.defs.append(linear_gradient(
        "verd", [(0, "#A3C7B0"), (0.45, "#6F9A80"), (1, "#3F5A4A")], 0, 0, 0.6, 1))
    svg.defs.append(linear_gradient(
        "beak", [(0, "#E2BE84"), (0.5, "#A8824E"), (1, "#6B4E2E")], 0, 0, 1, 1))
    svg.defs.append(linear_gradient(
        "collar", [(0, "#5A4124"), (0.35, "#B58A52"), (0.6, "#D9B57A"), (1, "#6B4E2E")], 0, 0, 1, 0))
    dark = "#24332B"
    # head and neck silhouette (one shape, so the verdigris gradient runs across it)
    head = catmull([(150, 600), (130, 470), (140, 330), (190, 210), (280, 150), (380, 150),
                    (450, 190), (480, 260), (470, 330), (420, 400), (360, 470), (330, 600)],
                   n=14, closed=True)
    crest = [ribbon([(200 + k * 40, 190 - k * 6), (180 + k * 40, 130 - k * 10), (150 + k * 40, 95 - k * 8)],
                    [34, 24, 0]) for k in range(4)]
    shape = unary_union([Polygon(p).buffer(0) for p in [head] + crest])
    svg.add(f'<path d="{geometry_d(shape)}" fill="url(#verd)" fill-rule="evenodd"/>')
    # the hooked beak: upper mandible curving down to a sharp hook, shorter lower mandible
    upper = catmull([(400, 175), (500, 185), (580, 230), (615, 300), (600, 380), (575, 420),
                     (580, 350), (560, 300), (500, 280), (430, 290)], n=14, closed=True)
    lower = catmull([(430, 300), (500, 300), (545, 330), (540, 370), (490, 380), (430, 360)],
                    n=12, closed=True)
    svg.add(svg.path(lower, "url(#beak)"), svg.path(upper, "url(#beak)"))
    svg.add(svg.path(ribbon([(430, 292), (500, 290), (555, 312)], [6, 6, 0]), "#3E2C18", opacity="0.7"))
    svg.add(svg.path(ellipse(470, 215, 9, 6, rot_deg=15, n=24), "#3E2C18", opacity="0.7"))   # nostril
    # almond eye outline with a large ringed eye
    almond = catmull([(250, 260), (320, 205), (400, 230), (350, 300), (280, 300), (210, 290)],
                     n=12, closed=True)
    svg.add(svg.path(almond, dark, opacity="0.85"))
    svg.add(svg.path(ellipse(320, 255, 44, 44, n=72), "#D9B57A"))
    svg.add(svg.path(ellipse(320, 255, 32, 32, n=60), dark))
    svg.add(svg.path(ellipse(320, 255, 15, 15, n=40), "#E8CFA0"))
    # cloud scrolls on the cheek and neck
    for x, y, r, s in ((260, 380, 30, 1), (340, 400, 24, -1), (220, 480, 26, 1), (290, 520, 22, -1)):
        svg.add(svg.path(scroll(x, y, r, s), dark, opacity="0.55"))
    # ringed socket collar
    svg.add(svg.path([(130, 590), (350, 590), (360, 690), (120, 690)], "url(#collar)"))
    for y in (612, 640, 668):
        svg.add(svg.path(ribbon([(124, y), (240, y + 6), (356, y)], [5, 5, 5]), "#3E2C18", opacity="0.55"))
    return str(svg)
