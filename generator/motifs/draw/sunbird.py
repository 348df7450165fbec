"""太阳神鸟金饰 Sun and Immortal Birds gold foil (Jinsha): a gold disc with cut-outs.

Geometry from MOTIFS.md, radii as fractions of the outer radius R:
- outer ring from INNER_R = 0.423 (5.29 / 12.5 cm) to 1.0 with 4 birds cut out between about
  0.45 and 0.95, flying counter-clockwise, 90 degrees apart; each bird's beak reaches the claws
  of the bird ahead;
- inner sun: a plain centre hole, a thin hub, and 12 tusk-shaped rays every 30 degrees,
  swirling clockwise, their pointed tips touching the ring (so the foil is one piece).
The holes are real transparency (boolean geometry with shapely, one even-odd path), so the ground colour shows through as on the
museum's dark red display. Angles here are counter-clockwise on screen; y points up until the
final conversion to SVG coordinates.
"""
from __future__ import annotations

import math

from generator.motifs.draw.svg import Svg, catmull, ellipse, geometry_d, radial_gradient, ribbon

INNER_R = 0.423        # inner edge of the bird ring (5.29 / 12.5)
HOLE_R = 0.085         # plain centre circle
HUB_R = 0.118          # rays start here (~0.12 R)
N_RAYS = 12
RAY_HALF = 11.5        # half angular width of a ray at its base (deg); 15 would close the gaps
RAY_SWIRL = 38.0       # how far (deg) the tip trails clockwise behind the base centre
N_BIRDS = 4
SIZE, C, RPX = 1000.0, 500.0, 490.0   # viewBox, centre, outer radius in px
RHO = 0.66             # mid radius of the bird band for the conformal strip -> ring mapping


def _svg_pt(x: float, y: float) -> tuple[float, float]:
    return C + RPX * x, C - RPX * y


def _polar(r: float, deg: float) -> tuple[float, float]:
    a = math.radians(deg)
    return r * math.cos(a), r * math.sin(a)


def ray(k: int) -> list[tuple[float, float]]:
    """One tusk ray: both edges are curves bending clockwise; the tip is a sharp point."""
    base = 90.0 + k * 360.0 / N_RAYS
    tip = base - RAY_SWIRL
    n = 60
    lead, trail = [], []
    for i in range(n + 1):
        s = i / n
        r = HUB_R - 0.01 + (INNER_R + 0.012 - HUB_R + 0.01) * s
        # leading (counter-clockwise) edge sweeps more and later than the trailing edge,
        # which gives the curved, tusk-like taper
        a_lead = base + RAY_HALF - (RAY_HALF + RAY_SWIRL) * s ** 1.35
        a_trail = base - RAY_HALF - (RAY_SWIRL - RAY_HALF) * (1 - (1 - s) ** 1.6)
        lead.append(_polar(r, a_lead))
        trail.append(_polar(r, a_trail))
    lead[-1] = trail[-1] = _polar(INNER_R + 0.012, tip)
    return lead + trail[::-1]


# --- the bird, drawn in a flat strip, then bent around the ring -------------------------
# Strip coordinates: x along the flight (0 = back end of the 90 degree sector, grows towards
# the head), y radial (0 at RHO). The map x -> angle x / RHO, y -> radius RHO * exp(y / RHO)
# is conformal, so the bird keeps its shape (no distortion) while following the ring.

def _bird_parts() -> list[list[tuple[float, float]]]:
    parts = []
    # body: a long teardrop, breast forward
    parts.append(catmull([(0.40, 0.0), (0.48, 0.06), (0.62, 0.075), (0.73, 0.035),
                          (0.75, -0.02), (0.69, -0.07), (0.56, -0.08), (0.45, -0.045)],
                         n=12, closed=True))
    # neck stretched forward and inward, to a small head
    parts.append(ribbon([(0.70, -0.01), (0.79, -0.07), (0.87, -0.125), (0.93, -0.15)],
                        [0.07, 0.042, 0.034, 0.032]))
    parts.append(ellipse(0.945, -0.155, 0.036, 0.028, rot_deg=-22, n=48))
    # beak: pointed, reaching the claws of the bird ahead
    parts.append(ribbon([(0.965, -0.163), (1.0, -0.18), (1.03, -0.195)], [0.026, 0.014, 0.0]))
    # crest on the head, swept back
    parts.append(ribbon([(0.94, -0.135), (0.91, -0.105), (0.87, -0.09)], [0.022, 0.012, 0.0]))
    # wing: broad plume of four feathers sweeping up and back towards the outer rim
    for root, pts, w in [
        ((0.64, 0.05), [(0.60, 0.12), (0.52, 0.18), (0.40, 0.215)], 0.11),
        ((0.60, 0.05), [(0.54, 0.11), (0.45, 0.15), (0.33, 0.17)], 0.095),
        ((0.56, 0.04), [(0.50, 0.085), (0.41, 0.115), (0.28, 0.12)], 0.08),
        ((0.52, 0.03), [(0.46, 0.06), (0.37, 0.07), (0.24, 0.065)], 0.065),
    ]:
        parts.append(ribbon([root] + pts, [w, w * 0.92, w * 0.6, 0.0]))
    # tail: three plumes trailing behind the body
    for pts, w in [
        ([(0.44, -0.01), (0.35, 0.0), (0.25, -0.01), (0.16, -0.03)], 0.06),
        ([(0.45, -0.03), (0.36, -0.045), (0.27, -0.065), (0.19, -0.085)], 0.045),
        ([(0.45, 0.01), (0.37, 0.025), (0.28, 0.025), (0.19, 0.015)], 0.045),
    ]:
        parts.append(ribbon(pts, [w, w * 0.85, w * 0.5, 0.0]))
    # legs extended backward under the tail, ending in three-toed claws
    knee = (0.44, -0.13)
    ankle = (0.12, -0.175)
    parts.append(ribbon([(0.60, -0.06), (0.52, -0.11), knee], [0.042, 0.032, 0.028]))
    parts.append(ribbon([knee, (0.28, -0.158), ankle], [0.028, 0.022, 0.02]))
    for dy, bend in [(0.034, 0.012), (0.0, 0.0), (-0.034, -0.012)]:
        parts.append(ribbon([ankle, (0.07, ankle[1] + dy * 0.7 + bend),
                             (0.018, ankle[1] + dy + bend * 0.5)], [0.02, 0.013, 0.0]))
    return parts


def _bend(pts, sector_deg: float):
    out = []
    for x, y in pts:
        r = RHO * math.exp(y / RHO)
        out.append(_polar(r, sector_deg + math.degrees(x / RHO)))
    return out


def bird_span_deg() -> float:
    return math.degrees(1.02 / RHO)


def draw() -> str:
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    svg = Svg(SIZE, SIZE, "太阳神鸟金饰 Sun and Immortal Birds gold ornament")
    svg.defs.append(radial_gradient(
        "foil", [(0, "#F0CF72"), (0.35, "#DDB041"), (0.7, "#C8940F"), (1, "#946A0A")],
        cx=0.42, cy=0.36, r=0.75, fx=0.36, fy=0.3))

    def poly(pts):
        return Polygon([_svg_pt(x, y) for x, y in pts]).buffer(0)

    # one piece of foil: ring + hub + rays, minus the centre hole and the four birds
    ring = poly(ellipse(0, 0, 1.0, 1.0, n=360)).difference(poly(ellipse(0, 0, INNER_R, INNER_R, n=240)))
    sun = unary_union([poly(ellipse(0, 0, HUB_R, HUB_R, n=120))] + [poly(ray(k)) for k in range(N_RAYS)])
    span = bird_span_deg()
    birds = unary_union([poly(_bend(p, 100.0 + b * 360.0 / N_BIRDS - span / 2))
                         for b in range(N_BIRDS) for p in _bird_parts()])
    foil = unary_union([ring, sun]).difference(birds).difference(
        poly(ellipse(0, 0, HOLE_R, HOLE_R, n=120)))
    svg.add(f'<path d="{geometry_d(foil)}" fill="url(#foil)" fill-rule="evenodd"/>')
    return str(svg)
