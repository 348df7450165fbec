"""青铜大立人 Bronze Standing Figure (Sanxingdui), front view, 2.61 m with its base.

Tall crown, a long face with big eyes and ears, a three-layer robe with dragon scrolls,
oversized ring-shaped hands (left at the chest, right at the cheek, the rings in line as if
holding one long object), bare feet with anklets, on a stepped base. Bronze with verdigris.
"""
from __future__ import annotations

import math

from generator.motifs.draw.svg import (Svg, catmull, ellipse, linear_gradient, mirror_x, ribbon)

W, H = 420.0, 1000.0
CX = W / 2


def scroll(x, y, r, sgn=1, turns=1.6):
    n = 24
    pts = []
    for i in range(n):
        a = i / (n - 1) * turns * 2 * math.pi
        k = 1 - i / n * 0.85
        pts.append((x + sgn * r * k * math.cos(a), y + r * k * math.sin(a)))
    return ribbon(pts, [r * 0.28, r * 0.22, r * 0.12])


def ring(x, y, r_out, r_in):
    return [ellipse(x, y, r_out, r_out * 0.92, n=60), ellipse(x, y, r_in, r_in * 0.9, n=60)]


def draw() -> str:
    svg = Svg(W, H, "青铜大立人 Bronze Standing Figure")
    svg.defs.append(linear_gradient(
        "bronze", [(0, "#B99062"), (0.45, "#8A6A42"), (1, "#5A4124")], 0, 0, 1, 0.4))
    svg.defs.append(linear_gradient(
        "robe", [(0, "#7FA38C"), (0.5, "#5E7F6B"), (1, "#3F5A4A")], 0, 0, 1, 0.2))
    svg.defs.append(linear_gradient(
        "robe2", [(0, "#6E927B"), (1, "#4A6756")], 0, 0, 1, 0))
    dark, light = "#2E2416", "#D6B27A"
    # base: a square plinth on a stepped foot
    base = [[(CX - 120, 900), (CX + 120, 900), (CX + 140, 940), (CX - 140, 940)],
            [(CX - 160, 940), (CX + 160, 940), (CX + 160, 985), (CX - 160, 985)],
            [(CX - 95, 860), (CX + 95, 860), (CX + 110, 900), (CX - 110, 900)]]
    svg.add(*(svg.path(p, "url(#bronze)") for p in base))
    svg.add(*(svg.path(scroll(CX + dx, 962, 12, 1 if dx < 0 else -1), dark, opacity="0.5")
              for dx in (-110, -55, 0, 55, 110)))
    # robe: three layers, longest at the back, narrow sleeves
    svg.add(svg.path(catmull([(CX - 70, 330), (CX + 70, 330), (CX + 92, 600), (CX + 110, 800),
                              (CX - 110, 800), (CX - 92, 600)], n=10, closed=True), "url(#robe2)"))
    svg.add(svg.path(catmull([(CX - 72, 330), (CX + 72, 330), (CX + 86, 560), (CX + 92, 720),
                              (CX + 20, 760), (CX - 92, 705), (CX - 86, 560)], n=10, closed=True),
                     "url(#robe)"))
    svg.add(svg.path(catmull([(CX - 72, 330), (CX + 72, 330), (CX + 78, 480), (CX + 40, 560),
                              (CX - 78, 520)], n=10, closed=True), "url(#robe2)"))
    # bare feet with anklets
    for sgn in (-1, 1):
        svg.add(svg.path(catmull([(CX + sgn * 20, 820), (CX + sgn * 50, 820), (CX + sgn * 62, 858),
                                  (CX + sgn * 12, 860)], n=8, closed=True), "url(#bronze)"))
        svg.add(svg.path(ribbon([(CX + sgn * 17, 814), (CX + sgn * 53, 814)], [9, 9]), light))
    # dragon scrolls on the robe
    for (x, y, r, s) in [(CX - 40, 400, 16, 1), (CX + 36, 420, 16, -1), (CX - 30, 620, 20, 1),
                         (CX + 40, 650, 20, -1), (CX - 60, 760, 14, 1), (CX + 60, 780, 14, -1)]:
        svg.add(svg.path(scroll(x, y, r, s), light, opacity="0.75"))
    svg.add(svg.path(ribbon([(CX - 70, 700), (CX - 20, 680), (CX + 30, 700), (CX + 80, 690)],
                            [6, 8, 8, 6]), light, opacity="0.6"))
    # arms: raised, bent, the huge ring hands one above the other, slightly to the right
    svg.add(svg.path(ribbon([(CX - 66, 345), (CX - 95, 420), (CX - 40, 430), (CX + 10, 405)],
                            [40, 36, 32, 28]), "url(#robe)"))
    svg.add(svg.path(ribbon([(CX + 66, 345), (CX + 100, 330), (CX + 104, 290), (CX + 84, 262)],
                            [40, 36, 32, 28]), "url(#robe)"))
    # neck, head with long face, big ears, almond eyes
    svg.add(svg.path([(CX - 20, 300), (CX + 20, 300), (CX + 24, 335), (CX - 24, 335)], "url(#bronze)"))
    head = catmull([(CX - 42, 175), (CX + 42, 175), (CX + 46, 240), (CX + 36, 290), (CX, 306),
                    (CX - 36, 290), (CX - 46, 240)], n=10, closed=True)
    ear = catmull([(CX - 44, 205), (CX - 70, 190), (CX - 76, 230), (CX - 60, 268), (CX - 44, 262)],
                  n=8, closed=True)
    svg.add(svg.path(ear, "url(#bronze)"), svg.path(mirror_x(ear, CX), "url(#bronze)"))
    svg.add(svg.path(head, "url(#bronze)"))
    eye = ribbon([(CX - 8, 228), (CX - 22, 222), (CX - 40, 214)], [8, 9, 0])
    svg.add(svg.path(eye, dark), svg.path(mirror_x(eye, CX), dark))
    brow = ribbon([(CX - 6, 210), (CX - 24, 203), (CX - 42, 196)], [6, 6, 0])
    svg.add(svg.path(brow, dark), svg.path(mirror_x(brow, CX), dark))
    svg.add(svg.path(ribbon([(CX, 222), (CX - 3, 262)], [6, 14]), dark, opacity="0.35"))
    svg.add(svg.path(ribbon([(CX - 26, 282), (CX, 286), (CX + 26, 282)], [0, 6, 0]), dark))
    # crown: headband, then a tall flaring crown with a beast-face front and petals
    svg.add(svg.path([(CX - 46, 160), (CX + 46, 160), (CX + 46, 182), (CX - 46, 182)], "url(#bronze)"))
    svg.add(svg.path(ribbon([(CX - 46, 171), (CX + 46, 171)], [5, 5]), light, opacity="0.7"))
    crown = catmull([(CX - 44, 160), (CX - 56, 110), (CX - 80, 45), (CX - 40, 70), (CX - 18, 20),
                     (CX, 60), (CX + 18, 20), (CX + 40, 70), (CX + 80, 45), (CX + 56, 110),
                     (CX + 44, 160)], n=10) + [(CX - 44, 160)]
    svg.add(svg.path(crown, "url(#bronze)"))
    svg.add(svg.path(ellipse(CX, 122, 16, 14, n=30), dark, opacity="0.5"))
    svg.add(svg.path(ellipse(CX, 122, 6, 6, n=20), light))
    # the ring hands, one above the other (left at the chest, right at the cheek)
    for (x, y) in ((CX + 20, 402), (CX + 78, 246)):
        svg.add(svg.compound(ring(x, y, 40, 17), "url(#bronze)"))
        svg.add(svg.path(ribbon([(x - 30, y - 22), (x - 38, y), (x - 30, y + 22)], [6, 7, 6]),
                         dark, opacity="0.35"))
    return str(svg)
