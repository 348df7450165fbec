"""Typed, frozen values for a style file (generator/styles/*.json): the art direction of one
candidate look. Which drawing primitives, their colours, widths and placement, and the
composition's parameters are data here; the primitives themselves are code (generator.ground,
generator.composition, generator.ornaments).

Lengths are fractions of the art's short side, so a style draws the same picture at any size.
Colours are references (see `resolve_colour`): "#RRGGBB", a motif colour ("ground", "accent"),
a museum colour ("paper", "ink", "gold"...), or a mix "A+B:t" (t of the way from A to B).
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# The museum's own colours, shared by every style.
MUSEUM_COLOURS = {
    "paper": "#EFE6D2", "ink": "#1F1A17", "gold": "#D4A017", "cinnabar": "#B2221E",
    "night": "#14203A", "jade": "#6F9A80", "bronze": "#6B4E2E", "white": "#F7F3EA",
}
MOTIF_COLOURS = ("ground", "accent")   # taken from the motif's catalogue entry
_NAME = "|".join([*MOTIF_COLOURS, *MUSEUM_COLOURS])
_REF = rf"(?:#[0-9A-Fa-f]{{6}}|{_NAME})"
_COLOUR = re.compile(rf"^(?P<a>{_REF})(?:\+(?P<b>{_REF}):(?P<t>0(?:\.\d+)?|1(?:\.0+)?))?$")


def _check_colour(v: str) -> str:
    if not _COLOUR.match(v):
        raise ValueError(f"'{v}' is not a colour: use #RRGGBB, one of {', '.join(_NAME.split('|'))}, "
                         "or a mix like 'ground+paper:0.3'")
    return v


Colour = Annotated[str, AfterValidator(_check_colour)]


def resolve_colour(ref: str, ground: str, accent: str) -> tuple[int, int, int]:
    """A colour reference as RGB, given the motif's ground and accent colours."""
    m = _COLOUR.match(ref)
    if m is None:  # validated on load; a literal passed in code is checked here too
        raise ValueError(_check_colour(ref))

    def one(r: str) -> tuple[int, int, int]:
        hx = {"ground": ground, "accent": accent}.get(r) or MUSEUM_COLOURS.get(r) or r
        return tuple(int(hx[i:i + 2], 16) for i in (1, 3, 5))

    a = one(m["a"])
    if not m["b"]:
        return a
    b, t = one(m["b"]), float(m["t"])
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Range = tuple[float, float]


def _ordered(r: Range, name: str) -> None:
    if r[0] > r[1]:
        raise ValueError(f"{name} must be [low, high] with low <= high")


class Colourway(_Frozen):
    """The colours of one look, drawn from the motif's palette. A style lists one or more;
    the seed picks one."""
    ground: Colour = "ground"
    ornament: Colour = "accent"          # frames, rings, corners (unless an ornament names its own)
    motif: Colour | Literal["natural"] = "natural"   # "natural" keeps the art's own colours
    glow: Colour = "accent"              # the soft light behind the motif


class GroundSpec(_Frozen):
    kind: Literal["silk", "rice_paper", "lacquer", "night", "gold_leaf"]
    texture: float = Field(default=0.5, ge=0, le=1)    # how strong the weave/fibres/cloud are
    flecks: float = Field(default=0.0, ge=0, le=1)     # gold-leaf flecks or stars, 0 = none
    fleck_colour: Colour = "gold"
    glow: float = Field(default=0.2, ge=0, le=1)
    vignette: float = Field(default=0.35, ge=0, le=1)


class CompositionSpec(_Frozen):
    """Where and how big the motif sits. `place`: centre, or the largest square clear of the
    text boxes (falls back to the centre when none is at least `min_clear` of the short side)."""
    kind: Literal["single", "close_up", "repeat", "mirrored_pair", "medallion"]
    place: Literal["centre", "clear_of_text"] = "centre"
    scale: Range = (0.8, 0.9)           # of the short side, drawn per seed
    min_clear: float = Field(default=0.4, gt=0, le=1)
    jitter: float = Field(default=0.015, ge=0, le=0.2)
    zoom: Range = (1.7, 2.2)            # close_up: how far in
    focus: Range = (0.35, 0.65)         # close_up: where in the art (fractions)
    count: int = Field(default=3, ge=2, le=8)   # repeat: copies across the short side
    stagger: bool = True                # repeat: every other row shifted half a cell
    mirror: bool = True                 # repeat / mirrored_pair: alternate copies mirrored
    ring: Literal["pearls", "double", "none"] = "pearls"   # medallion rim
    disc: Colour = "ground+ink:0.35"    # medallion field
    opacity: float = Field(default=1.0, gt=0, le=1)
    behind_text: float = Field(default=1.0, ge=0, le=1)   # the art's strength under a text box
    shadow: bool = True
    turn: bool = True                   # a roundel may turn (its light and birds move round)

    @model_validator(mode="after")
    def _ranges(self):
        for name in ("scale", "zoom", "focus"):
            _ordered(getattr(self, name), name)
        return self


Side = Literal["top", "bottom", "left", "right"]
Corner = Literal["top_left", "top_right", "bottom_left", "bottom_right"]


class OrnamentSpec(_Frozen):
    """One frame element. `kind` names a drawing primitive in generator.ornaments."""
    kind: Literal["rule", "meander", "cloud_scroll", "brocade_band", "corners", "seal"]
    colour: Colour | None = None        # None: the colourway's ornament colour
    inset: float = Field(default=0.03, ge=0, le=0.3)    # from the art's edge
    width: float = Field(default=0.03, gt=0, le=0.25)   # band width (seal: its side)
    stroke: float = Field(default=0.18, gt=0, le=1)     # line weight, fraction of the width
    sides: tuple[Side, ...] = ("top", "bottom", "left", "right")
    corners: tuple[Corner, ...] = ("bottom_right", "bottom_left", "top_right", "top_left")
    text: str = Field(default="", max_length=9)       # seal: "" = the museum's name
    opacity: float = Field(default=1.0, gt=0, le=1)


class StyleSpec(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name_en: str
    name_zh: str
    ground: GroundSpec
    composition: CompositionSpec
    frame: tuple[OrnamentSpec, ...] = ()
    colourways: tuple[Colourway, ...] = Field(default=(Colourway(),), min_length=1)
