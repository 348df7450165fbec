"""联珠对鸟纹 Pearl roundel with confronting birds (Shu / Silk Road brocade, Tang dynasty).

A ring of pearls (联珠) framing two birds that face each other across a tree of life, standing
on a lotus platform; rosettes above and below. Emblem, drawn as a woven roundel in five colours.
The left bird is drawn once and mirrored, so the pair is exactly symmetric.
"""
from __future__ import annotations

import math

from generator.motifs.draw.svg import Svg, catmull, ellipse, mirror_x, ribbon

S = 800.0
C = S / 2
N_PEARLS = 24
RED, CREAM, BLUE, GREEN, YELLOW, WHITE = "#A8322D", "#EAD9AE", "#234C8C", "#3E7A4E", "#E0AE2A", "#F6F0DE"


def bird_left():
    """A bird on the left half facing right: (shape, colour) list."""
    out = []
    body = catmull([(250, 470), (300, 420), (380, 410), (440, 440), (455, 480), (420, 515),
                    (340, 525), (270, 510)], n=12, closed=True)
    out.append((body, BLUE))
    neck = ribbon([(420, 450), (440, 400), (445, 350), (460, 318)], [52, 40, 34, 30])
    out.append((neck, BLUE))
    head = ellipse(470, 305, 30, 24, rot_deg=-10)
    out.append((head, BLUE))
    out.append((ribbon([(494, 300), (520, 308), (538, 322)], [18, 10, 0]), YELLOW))      # beak
    out.append((ellipse(474, 298, 7, 7, n=24), WHITE))                                    # eye
    out.append((ellipse(474, 298, 3.5, 3.5, n=16), RED))
    # pearl necklace ribbon streaming back from the neck (Sasanian style)
    out.append((ribbon([(440, 345), (400, 330), (370, 300), (350, 260)], [14, 12, 10, 0]), RED))
    # raised wing with three rows of feathers
    wing = catmull([(300, 440), (290, 380), (260, 320), (230, 270), (300, 300), (360, 350),
                    (400, 420)], n=12, closed=True)
    out.append((wing, GREEN))
    for k, (x0, y0) in enumerate([(320, 420), (300, 385), (280, 345)]):
        out.append((ribbon([(x0, y0), (x0 + 40, y0 + 8), (x0 + 70, y0 + 24)], [10, 8, 0]), CREAM))
    # tail fanning back and down
    for dy, c in ((0, GREEN), (30, RED), (58, YELLOW)):
        out.append((ribbon([(270, 480 + dy * 0.3), (220, 490 + dy), (185, 520 + dy)], [34, 26, 0]), c))
    # legs to the platform
    for x in (345, 385):
        out.append((ribbon([(x, 515), (x + 4, 570), (x + 10, 628)], [12, 10, 9]), YELLOW))
    return out


def draw() -> str:
    svg = Svg(S, S, "联珠对鸟纹 Pearl roundel with confronting birds")
    # the roundel: red pearl band, then the cream field
    svg.add(svg.path(ellipse(C, C, 392, 392, n=240), RED))
    svg.add(svg.path(ellipse(C, C, 332, 332, n=240), CREAM))
    for k in range(N_PEARLS):
        a = 2 * math.pi * k / N_PEARLS
        x, y = C + 362 * math.cos(a), C + 362 * math.sin(a)
        svg.add(svg.path(ellipse(x, y, 19, 19, n=40), WHITE))
        svg.add(svg.path(ellipse(x - 5, y - 5, 6, 6, n=20), "#FFFFFF"))
    svg.add(svg.path(ellipse(C, C, 322, 322, n=240), "none", stroke=YELLOW, stroke_width="6"))
    # lotus platform
    svg.add(svg.path(catmull([(C - 190, 600), (C + 190, 600), (C + 160, 640), (C - 160, 640)],
                             n=8, closed=True), RED))
    for k in range(-3, 4):
        svg.add(svg.path(ribbon([(C + k * 50, 640), (C + k * 50 + 10, 668), (C + k * 50, 690)],
                                [30, 22, 0]), GREEN if k % 2 else YELLOW))
    # tree of life between the birds
    svg.add(svg.path(ribbon([(C, 600), (C, 300), (C, 230)], [20, 14, 10]), GREEN))
    for y, w in ((300, 90), (380, 110), (460, 120)):
        for sgn in (-1, 1):
            svg.add(svg.path(ribbon([(C, y + 40), (C + sgn * w * 0.5, y), (C + sgn * w * 0.7, y - 40)],
                                    [14, 10, 0]), GREEN))
            svg.add(svg.path(ellipse(C + sgn * w * 0.7, y - 46, 12, 12, n=30), RED))
    svg.add(svg.path(ellipse(C, 218, 26, 26, n=40), YELLOW))
    svg.add(svg.path(ellipse(C, 218, 11, 11, n=30), RED))
    # the pair of birds
    for shape, colour in bird_left():
        # the bird was sketched large; fit it in the left half, beak near the tree
        shape = [((x - 470) * 0.75 + 322, (y - 450) * 0.75 + 470) for x, y in shape]
        svg.add(svg.path(shape, colour), svg.path(mirror_x(shape, C), colour))
    # rosettes top and bottom of the field
    for y in (128, 722):
        for k in range(8):
            a = math.pi / 4 * k
            svg.add(svg.path(ellipse(C + 22 * math.cos(a), y + 22 * math.sin(a), 12, 12, n=24),
                             BLUE if k % 2 else GREEN))
        svg.add(svg.path(ellipse(C, y, 13, 13, n=30), YELLOW))
    return str(svg)
