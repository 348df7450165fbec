"""Small geometry + SVG writing helpers shared by the motif drawing scripts.

Shapes are built as dense point lists (smooth curves sampled finely) and written as SVG paths,
so any non-linear mapping (e.g. bending a bird around a ring) can be applied point by point.
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

Pt = tuple[float, float]


def f(v: float, nd: int = 1) -> str:
    """Short number text: 0.1 unit is far below print resolution for our viewBoxes."""
    s = f"{v:.{nd}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def d_path(pts: Sequence[Pt], closed: bool = True) -> str:
    """Polyline path data; `closed` adds Z."""
    out = "M" + " L".join(f"{f(x)} {f(y)}" for x, y in pts)
    return out + ("Z" if closed else "")


def catmull(pts: Sequence[Pt], n: int = 16, closed: bool = False) -> list[Pt]:
    """Centripetal-free (uniform) Catmull-Rom spline through pts, n samples per segment."""
    p = list(pts)
    if closed:
        ext = [p[-1]] + p + [p[0], p[1]]
        segs = len(p)
    else:
        ext = [p[0]] + p + [p[-1]]
        segs = len(p) - 1
    out: list[Pt] = []
    for i in range(segs):
        p0, p1, p2, p3 = ext[i], ext[i + 1], ext[i + 2], ext[i + 3]
        for k in range(n):
            t = k / n
            t2, t3 = t * t, t * t * t
            out.append(tuple(0.5 * (2 * p1[j] + (-p0[j] + p2[j]) * t
                                    + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t2
                                    + (-p0[j] + 3 * p1[j] - 3 * p2[j] + p3[j]) * t3)
                             for j in (0, 1)))
    if not closed:
        out.append(p[-1])
    return out


def ribbon(center: Sequence[Pt], widths: Sequence[float], n: int = 16) -> list[Pt]:
    """Closed outline of a tapered stroke along a Catmull-Rom centreline.

    `widths` are full widths at evenly spaced stations along the line (interpolated); a width
    of 0 at an end gives a sharp point (claws, beak tips, feather tips, ray tips)."""
    line = catmull(center, n) if len(center) > 2 else _lerp_line(center[0], center[1], n)
    m = len(line)
    left, right = [], []
    for i, (x, y) in enumerate(line):
        a = line[max(0, i - 1)]
        b = line[min(m - 1, i + 1)]
        dx, dy = b[0] - a[0], b[1] - a[1]
        ln = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / ln, dx / ln
        w = _interp(widths, i / (m - 1)) / 2
        left.append((x + nx * w, y + ny * w))
        right.append((x - nx * w, y - ny * w))
    return left + right[::-1]


def _lerp_line(a: Pt, b: Pt, n: int) -> list[Pt]:
    return [(a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n) for k in range(n + 1)]


def _interp(vals: Sequence[float], t: float) -> float:
    if len(vals) == 1:
        return vals[0]
    x = t * (len(vals) - 1)
    i = min(int(x), len(vals) - 2)
    return vals[i] + (vals[i + 1] - vals[i]) * (x - i)


def ellipse(cx: float, cy: float, rx: float, ry: float, rot_deg: float = 0, n: int = 72) -> list[Pt]:
    c, s = math.cos(math.radians(rot_deg)), math.sin(math.radians(rot_deg))
    out = []
    for k in range(n):
        t = 2 * math.pi * k / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        out.append((cx + x * c - y * s, cy + x * s + y * c))
    return out


def rotate(pts: Iterable[Pt], deg: float, cx: float = 0, cy: float = 0) -> list[Pt]:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in pts]


def mirror_x(pts: Iterable[Pt], axis: float) -> list[Pt]:
    return [(2 * axis - x, y) for x, y in pts]


def translate(pts: Iterable[Pt], dx: float, dy: float) -> list[Pt]:
    return [(x + dx, y + dy) for x, y in pts]


def scale(pts: Iterable[Pt], k: float, cx: float = 0, cy: float = 0) -> list[Pt]:
    return [(cx + (x - cx) * k, cy + (y - cy) * k) for x, y in pts]


def linear_gradient(gid: str, stops: Sequence[tuple[float, str]], x1=0.0, y1=0.0, x2=0.0, y2=1.0,
                    user: bool = False) -> str:
    units = ' gradientUnits="userSpaceOnUse"' if user else ""
    s = "".join(f'<stop offset="{f(o, 3)}" stop-color="{c}"/>' for o, c in stops)
    return (f'<linearGradient id="{gid}" x1="{f(x1, 3)}" y1="{f(y1, 3)}" x2="{f(x2, 3)}" y2="{f(y2, 3)}"'
            f'{units}>{s}</linearGradient>')


def radial_gradient(gid: str, stops: Sequence[tuple[float, str]], cx=0.5, cy=0.5, r=0.5,
                    fx=None, fy=None, user: bool = False) -> str:
    units = ' gradientUnits="userSpaceOnUse"' if user else ""
    foc = f' fx="{f(fx, 3)}" fy="{f(fy, 3)}"' if fx is not None else ""
    s = "".join(f'<stop offset="{f(o, 3)}" stop-color="{c}"/>' for o, c in stops)
    return (f'<radialGradient id="{gid}" cx="{f(cx, 3)}" cy="{f(cy, 3)}" r="{f(r, 3)}"{foc}{units}>'
            f'{s}</radialGradient>')


def geometry_d(geom) -> str:
    """Path data for a shapely (Multi)Polygon: exterior and holes as sub-paths; fill it with
    fill-rule="evenodd". Boolean geometry lets us cut real holes without an SVG <mask>,
    which resvg renders several times slower."""
    polys = getattr(geom, "geoms", [geom])
    out = []
    for poly in polys:
        for ring in [poly.exterior, *poly.interiors]:
            out.append(d_path(list(ring.coords)[:-1]))
    return "".join(out)


class Svg:
    """An SVG document: defs + body, with a viewBox (every catalogue SVG must have one)."""

    def __init__(self, width: float, height: float, title: str = ""):
        self.w, self.h, self.title = width, height, title
        self.defs: list[str] = []
        self.body: list[str] = []

    def path(self, pts: Sequence[Pt], fill: str = "#000", closed: bool = True, **attrs) -> str:
        extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        return f'<path d="{d_path(pts, closed)}" fill="{fill}"{extra}/>'

    def compound(self, rings: Sequence[Sequence[Pt]], fill: str = "#000", **attrs) -> str:
        """One path of several closed sub-paths, even-odd filled: holes stay open."""
        extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        d = "".join(d_path(r) for r in rings)
        return f'<path d="{d}" fill="{fill}" fill-rule="evenodd"{extra}/>'

    def add(self, *elements: str) -> None:
        self.body.extend(elements)

    def __str__(self) -> str:
        title = f"<title>{self.title}</title>" if self.title else ""
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f(self.w)} {f(self.h)}" '
                f'width="{f(self.w)}" height="{f(self.h)}">{title}'
                f'<defs>{"".join(self.defs)}</defs>{"".join(self.body)}</svg>\n')
