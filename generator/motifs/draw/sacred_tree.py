"""一号青铜神树 Bronze Sacred Tree No. 1 (Sanxingdui), front view.

From MOTIFS.md: a round base with cloud pattern under three joined mountains; a straight trunk;
3 tiers x 3 gently drooping branches (9), each ending in a pointed peach-shaped fruit between a
long and a short leaf, with an upward stem carrying a standing bird (9 birds) and two drooping
fruit stems; openwork "fire wheel" discs under the forks; one dragon descending head-down along
the trunk. Verdigris (#5E7F6B) over bronze (#6B4E2E). The third branch of each tier points
towards the viewer, so it is drawn shorter (foreshortened), alternating sides.
"""
from __future__ import annotations

import math

from generator.motifs.draw.svg import (Svg, catmull, ellipse, linear_gradient, mirror_x,
                                       radial_gradient, ribbon, rotate)

W, H = 640.0, 1000.0
CX = 320.0
TRUNK_TOP, TRUNK_BOTTOM = 95.0, 800.0
TIERS = ((270.0, 190.0), (470.0, 225.0), (660.0, 250.0))   # (fork height y, branch reach)


def peach(x, y, size, angle):
    """Pointed peach fruit: round body, sharp tip pointing along `angle` (deg, 0 = down)."""
    pts = catmull([(0, -0.55), (0.5, -0.35), (0.55, 0.15), (0.25, 0.6), (0, 1.0),
                   (-0.25, 0.6), (-0.55, 0.15), (-0.5, -0.35)], n=10, closed=True)
    pts = [(px * size, py * size) for px, py in pts]
    return [(x + px, y + py) for px, py in rotate(pts, angle)]


def bird(x, y, facing, s=1.0):
    """Standing bird on a stem top at (x, y): head up, tail cocked. facing = +1 right, -1 left."""
    parts = [
        ellipse(0, -14, 15, 9, rot_deg=-15, n=40),                            # body
        ribbon([(6, -18), (10, -30), (9, -40)], [9, 7, 6]),                   # neck
        ellipse(10, -42, 6.5, 5.5, n=30),                                     # head
        ribbon([(15, -43), (24, -42)], [5, 0]),                               # beak
        ribbon([(-10, -14), (-20, -24), (-26, -40)], [10, 8, 0]),             # cocked tail
        ribbon([(-8, -18), (-16, -34), (-14, -46)], [6, 5, 0]),               # crest of tail
        ribbon([(2, -8), (0, 0)], [4, 4]), ribbon([(-4, -8), (-5, 0)], [4, 4]),  # legs
    ]
    out = []
    for p in parts:
        p = [(x + px * facing * s, y + py * s) for px, py in p]
        out.append(p)
    return out


def branch(x0, y0, side, reach, foreshorten=1.0):
    """Shapes of one branch; returns (branch solids, fruits, birds)."""
    L = reach * foreshorten
    c = [(x0, y0), (x0 + side * 0.3 * L, y0 - 0.22 * L), (x0 + side * 0.62 * L, y0 - 0.26 * L),
         (x0 + side * 0.88 * L, y0 - 0.12 * L), (x0 + side * L, y0 + 0.06 * L)]
    line = catmull(c, n=20)
    solids = [ribbon(c, [15, 11, 9, 7, 6])]
    fruits, birds = [], []
    tip = line[-1]
    # long and short openwork leaves around the fruit
    solids.append(ribbon([line[-8], (tip[0] + side * 0.1 * L, tip[1] - 0.16 * L),
                          (tip[0] + side * 0.02 * L, tip[1] - 0.38 * L)], [8, 10, 0]))
    solids.append(ribbon([line[-6], (tip[0] - side * 0.08 * L, tip[1] + 0.1 * L),
                          (tip[0] - side * 0.16 * L, tip[1] + 0.2 * L)], [7, 8, 0]))
    fruits.append(peach(tip[0] + side * 4, tip[1] + 14, 22, -side * 25))
    # two drooping fruit stems
    for frac, drop in ((0.38, 0.2), (0.62, 0.26)):
        p = line[int(frac * (len(line) - 1))]
        end = (p[0] + side * 0.06 * L, p[1] + drop * L)
        solids.append(ribbon([p, (p[0] + side * 0.05 * L, p[1] + drop * 0.5 * L), end], [5, 4, 3]))
        fruits.append(peach(end[0], end[1] + 8, 13, -side * 8))
    # upward stem with a standing bird
    p = line[int(0.5 * (len(line) - 1))]
    top = (p[0] + side * 0.05 * L, p[1] - 0.34 * L)
    solids.append(ribbon([p, (p[0] + side * 0.02 * L, p[1] - 0.17 * L), top], [6, 5, 5]))
    fruits.append(ellipse(top[0], top[1] + 2, 10, 6, n=30))   # flower cup the bird stands on
    birds.extend(bird(top[0], top[1] - 2, side, 0.95 if foreshorten == 1 else 0.8))
    return solids, fruits, birds


def fire_wheel(x, y, r):
    """Openwork disc: outer ring, hub and four curved spokes (drawn as solids)."""
    # ring as a thick closed ribbon around the circle (no seam)
    circle = ellipse(x, y, r * 0.86, r * 0.86, n=60)
    out = [ribbon(circle + circle[:2], [r * 0.28]), ellipse(x, y, r * 0.3, r * 0.3, n=30)]
    for k in range(4):
        a = math.radians(45 + 90 * k)
        pts = [(x + math.cos(a + t * 0.5) * r * (0.25 + 0.55 * t),
                y + math.sin(a + t * 0.5) * r * (0.25 + 0.55 * t)) for t in (0, 0.5, 1.0)]
        out.append(ribbon(pts, [r * 0.22, r * 0.18, r * 0.14]))
    return out


def dragon():
    """Rope-like body winding down the left of the trunk, head down near the base."""
    pts = []
    for i in range(15):
        t = i / 14
        y = 150 + t * 600
        x = CX - 32 - 15 * math.sin(t * math.pi * 3.2)
        pts.append((x, y))
    body = catmull(pts, n=10)
    solids = [ribbon(pts, [10, 16, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 17, 16, 15])]
    grooves = []
    # rope twist: short diagonal grooves along the body
    for i in range(4, len(body) - 6, 5):
        (x, y), (x2, y2) = body[i], body[i + 1]
        dx, dy = x2 - x, y2 - y
        ln = math.hypot(dx, dy) or 1
        nx, ny = -dy / ln, dx / ln
        grooves.append(ribbon([(x - nx * 7 - dx * 0.6, y - ny * 7 - dy * 0.6),
                               (x + nx * 7 + dx * 0.6, y + ny * 7 + dy * 0.6)], [3, 3]))
    # sword-shaped feathers along the outer side
    for i in range(10, len(body) - 12, 11):
        (x, y), (x2, y2) = body[i], body[i + 1]
        solids.append(ribbon([(x - 6, y), (x - 22, y - 14), (x - 30, y - 30)], [8, 6, 0]))
    # head at the bottom, snout pointing down, jaws open, horns swept back up the body
    hx, hy = body[-1]
    head = [catmull([(hx - 13, hy - 4), (hx + 13, hy - 4), (hx + 15, hy + 18), (hx + 9, hy + 38),
                     (hx, hy + 46), (hx - 9, hy + 38), (hx - 15, hy + 18)], n=10, closed=True),
            ribbon([(hx - 6, hy + 36), (hx - 9, hy + 54), (hx - 3, hy + 68)], [14, 10, 0]),
            ribbon([(hx + 8, hy + 32), (hx + 17, hy + 48), (hx + 27, hy + 57)], [10, 7, 0]),
            ribbon([(hx - 8, hy), (hx - 17, hy - 20), (hx - 29, hy - 28), (hx - 33, hy - 19)],
                   [8, 6, 4, 0]),
            ribbon([(hx + 8, hy), (hx + 15, hy - 20), (hx + 25, hy - 31)], [7, 5, 0]),
            ribbon([(hx - 13, hy + 14), (hx - 26, hy + 4), (hx - 34, hy - 10)], [7, 5, 0]),
            ribbon([(hx + 13, hy + 14), (hx + 24, hy + 8), (hx + 30, hy - 4)], [6, 4, 0])]
    eye = ellipse(hx + 4, hy + 14, 4, 3, rot_deg=70, n=20)
    return solids + head, grooves + [eye]


def base():
    """Three joined mountains on a round base with cloud scrolls."""
    y0 = TRUNK_BOTTOM
    mountains = catmull([(CX - 210, 905), (CX - 170, 840), (CX - 120, 815), (CX - 70, 850),
                         (CX - 30, 800), (CX, 785), (CX + 30, 800), (CX + 70, 850),
                         (CX + 120, 815), (CX + 170, 840), (CX + 210, 905)], n=12)
    mountains = mountains + [(CX + 210, 905), (CX - 210, 905)]
    ring = catmull([(CX - 222, 906), (CX, 902), (CX + 222, 906), (CX + 238, 932), (CX + 206, 958),
                    (CX, 963), (CX - 206, 958), (CX - 238, 932)], n=12, closed=True)
    scrolls = []
    for k in range(-3, 4):
        x = CX + k * 62
        t = [(x + 16 * math.cos(a) * (1 - a / 12), 933 + 11 * math.sin(a) * (1 - a / 12))
             for a in [i * 0.25 for i in range(30)]]
        scrolls.append(ribbon(t, [4, 3.5, 2.5]))
    for sx in (-120, 0, 120):   # cloud scrolls on each mountain
        x = CX + sx
        yb = 865 if sx else 840
        t = [(x + 20 * math.cos(a) * (1 - a / 13), yb + 16 * math.sin(a) * (1 - a / 13))
             for a in [i * 0.25 for i in range(32)]]
        scrolls.append(ribbon(t, [5, 4, 3]))
        scrolls.append(ribbon(mirror_x(t, x), [5, 4, 3]))
    _ = y0
    return [mountains, ring], scrolls


def draw() -> str:
    svg = Svg(W, H, "一号青铜神树 Bronze Sacred Tree No. 1")
    svg.defs.append(linear_gradient(
        "verdigris", [(0, "#9CC3AA"), (0.45, "#6F9A80"), (1, "#4E6E5B")], 0, 0, 1, 0.35))
    svg.defs.append(linear_gradient(
        "bronze", [(0, "#C79A5E"), (0.5, "#8E6A3C"), (1, "#6B4E2E")], 0, 0, 1, 1))
    svg.defs.append(radial_gradient(
        "fruit", [(0, "#D9B57A"), (0.6, "#A67C45"), (1, "#6B4E2E")], cx=0.4, cy=0.35, r=0.7))
    solids, fruits, birds = [], [], []
    solids.append(ribbon([(CX, TRUNK_TOP), (CX, TRUNK_BOTTOM)], [12, 26]))
    solids.append(peach(CX, TRUNK_TOP - 6, 16, 180))   # broken top ends in a bud
    for i, (y, reach) in enumerate(TIERS):
        for side in (-1, 1):
            s, fr, b = branch(CX + side * 6, y, side, reach)
            solids += s
            fruits += fr
            birds += b
        # third branch, towards the viewer: shorter, lower, alternating sides
        side = 1 if i % 2 == 0 else -1
        s, fr, b = branch(CX + side * 4, y + 40, side, reach, foreshorten=0.55)
        solids += s
        fruits += fr
        birds += b
        solids += fire_wheel(CX, y + 34, 20)
    d_solids, d_dark = dragon()
    mtn, scrolls = base()

    def g(fill, shapes, **kw):
        return f'<g fill="{fill}">' + "".join(svg.path(p, fill="inherit" if False else fill, **kw)
                                               for p in shapes) + "</g>"

    svg.add(g("url(#bronze)", mtn))
    svg.add(g("#C9A56A", scrolls))
    svg.add(g("url(#verdigris)", solids))
    svg.add(g("url(#bronze)", d_solids))
    svg.add(g("#3E2C18", d_dark))
    svg.add(g("url(#fruit)", fruits))
    svg.add(g("#D7B26C", birds))
    return str(svg)
