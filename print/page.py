"""What the writer draws: one Side per PDF page, as plain data.

Products build Sides; print.writer turns them into PDF pages and products.proof draws the same
Sides with PIL, so the kiosk proof and the printed page come from one description.
Coordinates are millimetres from the top-left corner of the trim (y down); a box may reach
into the bleed. Colours are process inks (Ink); text that must read black is Ink.K (100% K).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from layouts.spec import TrimSpec


@dataclass(frozen=True)
class Ink:
    """A process colour, each channel 0..1."""
    c: float = 0.0
    m: float = 0.0
    y: float = 0.0
    k: float = 0.0
    screen: tuple[int, int, int] | None = None   # the sRGB it came from, for RGB output

    @property
    def total(self) -> float:
        return self.c + self.m + self.y + self.k

    @property
    def rgb(self) -> tuple[int, int, int]:
        """For RGB output and proofs: the original sRGB if known, else a naive conversion."""
        if self.screen is not None:
            return self.screen
        return tuple(round(255 * (1 - v) * (1 - self.k)) for v in (self.c, self.m, self.y))  # type: ignore[return-value]


K = Ink(k=1.0)             # black text and thin lines: 100% K only
PAPER = Ink()              # no ink: knocks out to the paper


@dataclass(frozen=True)
class ImageOp:
    box: tuple[float, float, float, float]   # x, y, w, h (mm); the image fills it exactly
    image: Image.Image                        # RGB; converted to CMYK by the writer
    name: str = "art"


@dataclass(frozen=True)
class TextOp:
    """One line of text; (x, y) is the start of the baseline. angle 180 turns the text about
    that point (the bottom-right poker index)."""
    text: str
    font: str          # base.fonts id; TrueType is embedded as a subset, CFF is outlined
    size_pt: float
    x: float
    y: float
    ink: Ink = K
    angle: int = 0
    bold: bool = False   # fill + a thin stroke of the same ink (reversed text must be bold)


@dataclass(frozen=True)
class RectOp:
    box: tuple[float, float, float, float]
    fill: Ink | None = None
    stroke: Ink | None = None
    line_pt: float = 0.5
    radius: float = 0.0
    dash: tuple[float, float] | None = None   # on, off (pt)


@dataclass(frozen=True)
class LineOp:
    x1: float
    y1: float
    x2: float
    y2: float
    ink: Ink = K
    line_pt: float = 0.5
    dash: tuple[float, float] | None = None


@dataclass(frozen=True)
class CircleOp:
    cx: float
    cy: float
    r: float
    fill: Ink | None = None
    stroke: Ink | None = None
    line_pt: float = 0.5


@dataclass(frozen=True)
class PolyOp:
    points: tuple[tuple[float, float], ...]
    fill: Ink


Op = ImageOp | TextOp | RectOp | LineOp | CircleOp | PolyOp


@dataclass
class Side:
    """One printed side of one piece: a PDF page."""
    label: str                         # "front", "back", "SA front"...
    trim: TrimSpec
    ops: list = field(default_factory=list)
    safe_mm: float = 4.0               # for proofs' guides
    corner_radius_mm: float = 0.0
    hole: tuple[float, float, float] | None = None   # cx, cy, diameter (mm) for proof guides

    def add(self, *ops) -> "Side":
        self.ops.extend(ops)
        return self
