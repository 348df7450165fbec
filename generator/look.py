"""The look of one candidate: its style (from the seed, so neighbouring seeds differ) and the
seeded choices inside that style, all scale-free so the print redraw repeats them exactly."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator import motifs
from generator.styles import StyleSpec, resolve_colour, style_for_seed

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """A colourway resolved against the motif's colours."""
    ground: RGB
    ornament: RGB
    motif: RGB | None       # None: the art's own colours
    glow: RGB
    fleck: RGB              # the ground's gold leaf, stars or fibres
    frame: tuple[RGB, ...]  # one per frame ornament


@dataclass(frozen=True)
class Look:
    style: StyleSpec
    palette: Palette
    tone: float = 1.0                           # depth of the ground's dye
    glow_at: tuple[float, float] = (0.0, 0.0)   # glow centre offset, fractions of the half size
    scale: float = 0.85                         # composition scale, drawn from its range
    zoom: float = 2.0                           # close_up
    focus: tuple[float, float] = (0.5, 0.5)     # close_up
    jitter: tuple[float, float] = (0.0, 0.0)    # placement nudge, fractions of the short side
    turn: float = 0.0                           # degrees, roundels only

    @classmethod
    def for_seed(cls, seed: int, motif: motifs.Motif) -> "Look":
        style = style_for_seed(seed)
        c = style.composition
        # Its own stream: the ground's texture draws (rng of the seed) stay independent of it.
        r = np.random.default_rng([seed, 0x100C])
        way = style.colourways[int(r.integers(len(style.colourways)))]

        def col(ref: str) -> RGB:
            return resolve_colour(ref, motif.ground, motif.accent)

        palette = Palette(ground=col(way.ground), ornament=col(way.ornament),
                          motif=None if way.motif == "natural" else col(way.motif), glow=col(way.glow),
                          fleck=col(style.ground.fleck_colour),
                          frame=tuple(col(o.colour or way.ornament) for o in style.frame))
        return cls(style=style, palette=palette, tone=float(r.uniform(0.88, 1.12)),
                   glow_at=(float(r.uniform(-0.25, 0.25)), float(r.uniform(-0.25, 0.1))),
                   scale=float(r.uniform(*c.scale)), zoom=float(r.uniform(*c.zoom)),
                   focus=(float(r.uniform(*c.focus)), float(r.uniform(*c.focus))),
                   jitter=(float(r.uniform(-1, 1) * c.jitter), float(r.uniform(-1, 1) * c.jitter)),
                   turn=float(r.uniform(0, 360)) if motif.kind == "roundel" and c.turn else 0.0)
