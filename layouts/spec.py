"""Typed, frozen values for a layout file (layouts/*.json).

All lengths are millimetres on the trimmed piece, origin at the top-left corner of the trim,
y growing downwards (like the art image). A box may reach into the bleed (negative x, or past
the trim size) for full-bleed art. Font sizes are points.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from base.errors import KioskError


class LayoutError(KioskError):
    """A layout file is missing, unreadable or invalid, or a product/variant is unknown."""

PRODUCTS = ("bookmark", "poker", "postcard")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrimSpec(_Frozen):
    """The finished size of the piece and the bleed printed around it."""
    width_mm: float = Field(gt=10, le=500)
    height_mm: float = Field(gt=10, le=500)
    bleed_mm: float = Field(default=3.0, ge=0, le=10)

class Box(_Frozen):
    x: float
    y: float
    w: float = Field(gt=0)
    h: float = Field(gt=0)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.x, self.y, self.w, self.h


class HoleSpec(_Frozen):
    """A die-cut hole (bookmark tassel). Nothing is printed within clear_mm of its edge."""
    x_mm: float
    y_mm: float
    diameter_mm: float = Field(gt=0, le=20)
    clear_mm: float = Field(default=3.0, ge=0)

    @property
    def clear_radius_mm(self) -> float:
        return self.diameter_mm / 2 + self.clear_mm


class TextSlot(_Frozen):
    """Where a fixed text goes: a box, a font id (base.fonts), a size and alignment."""
    box: Box
    font: str = "wenkai"
    size_pt: float = Field(default=8.0, ge=4, le=72)
    leading: float = Field(default=1.45, ge=1.0, le=3.0)  # line height / font size
    align: Literal["left", "center", "right"] = "left"


class FrontSpec(_Frozen):
    art: Box                       # the art window; full bleed = (-bleed, -bleed, W+2b, H+2b)
    frame: Literal["none", "rule", "band"] = "none"   # a gold rule or a brocade band around the window
    frame_mm: float = Field(default=0.0, ge=0)        # band width (frame "band")


class IndexSpec(_Frozen):
    """Poker indices: rank above suit, drawn at the top-left and turned 180 degrees at the
    bottom-right (two diagonal corners)."""
    x_mm: float          # left edge of the index column from the trim's left
    y_mm: float          # top of the rank glyph from the trim's top
    rank_pt: float = Field(ge=6, le=40)
    suit_mm: float = Field(gt=1, le=20)
    col_mm: float = Field(default=6.5, gt=2, le=20)   # width of the index column (rank centred)
    font: str = "hei"


class BackSpec(_Frozen):
    kind: Literal["story", "pattern", "address"]
    ground: str = Field(default="paper", pattern=r"^(paper|motif|#[0-9A-Fa-f]{6})$")
    pattern_motif: str | None = None   # pattern back: the emblem (made 180-degree symmetric)
    band_mm: float = Field(default=0.0, ge=0)   # brocade band height at the ends (0 = none)
    emblem: Box | None = None          # story back: a small motif picture
    story: TextSlot | None = None
    museum: TextSlot | None = None
    # address back (postcard): postcode boxes, stamp box, lines, divider, sender postcode
    postcode: Box | None = None        # the row of six boxes
    stamp: Box | None = None
    address_lines: Box | None = None   # area holding the address rules
    address_count: int = Field(default=4, ge=1, le=8)
    divider_x_mm: float | None = None
    sender_postcode: Box | None = None

    @model_validator(mode="after")
    def _needs(self) -> "BackSpec":
        need = {"story": ("story", "museum"), "pattern": ("pattern_motif",),
                "address": ("postcode", "stamp", "address_lines", "divider_x_mm",
                            "sender_postcode", "story", "museum")}[self.kind]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a '{self.kind}' back needs {', '.join(missing)}")
        return self


class LayoutSpec(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    product: Literal["bookmark", "poker", "postcard"]
    default: bool = False
    name_zh: str
    name_en: str
    trim: TrimSpec
    safe_mm: float = Field(default=4.0, ge=0)      # text stays this far inside the trim
    corner_radius_mm: float = Field(default=0.0, ge=0, le=10)  # die-cut corners (proof guide)
    hole: HoleSpec | None = None
    front: FrontSpec
    index: IndexSpec | None = None      # poker only
    single_card: str = "SA"             # poker without --deck: which face (e.g. SA, HK, BJ)
    back: BackSpec
    ai_label: TextSlot                  # the visible "AI生成 / AI-generated" label on the back

    @model_validator(mode="after")
    def _whole(self) -> "LayoutSpec":
        if self.product == "poker" and self.index is None:
            raise ValueError("a poker layout needs 'index'")
        if 2 * self.safe_mm >= min(self.trim.width_mm, self.trim.height_mm):
            raise ValueError("safe_mm leaves no room inside the trim")
        sx, sy, sw, sh = self.safe_box
        slots = {"ai_label": self.ai_label, "back.story": self.back.story,
                 "back.museum": self.back.museum}
        for name, slot in slots.items():
            if slot is None:
                continue
            b = slot.box
            if b.x < sx - 0.01 or b.y < sy - 0.01 or b.x + b.w > sx + sw + 0.01 or b.y + b.h > sy + sh + 0.01:
                raise ValueError(f"{name}: the text box must lie inside the safe area "
                                 f"({self.safe_mm:g} mm inside the trim)")
        if self.index is not None and min(self.index.x_mm, self.index.y_mm) < self.safe_mm - 0.01:
            raise ValueError("index: the poker index must lie inside the safe area")
        if self.hole is not None:
            h, r = self.hole, self.hole.diameter_mm / 2
            if not (r <= h.x_mm <= self.trim.width_mm - r and r <= h.y_mm <= self.trim.height_mm - r):
                raise ValueError("hole: the hole must lie inside the trim")
        return self

    @property
    def safe_box(self) -> tuple[float, float, float, float]:
        s = self.safe_mm
        return s, s, self.trim.width_mm - 2 * s, self.trim.height_mm - 2 * s


class MuseumSpec(_Frozen):
    """Fixed texts that belong to the museum, not to a layout (layouts/museum.json)."""
    name_zh: str
    name_en: str
    provider: str          # the service provider named in the AI-content metadata
    ai_label: str = "AI生成 / AI-generated"
