"""Poker card and 54-card deck.

Face: paper white, the visitor's art in the face window with a thin gold rule, the index
(rank over suit) in the top-left corner and the same index turned 180 degrees in the
bottom-right corner, so the card reads from both ends. Back: one design for every card, built
to be identical after a 180-degree turn (products.parts.symmetric_back), with the AI label at
both ends. Deck: 52 cards A-K in four suits plus 大王 and 小王, pages alternating face/back.
"""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from generator.design import Design
from generator.motifs import get_motif
from layouts.spec import LayoutSpec, MuseumSpec
from print.color import hex_to_ink
from print.page import K, PAPER, CircleOp, Ink, PolyOp, RectOp, Side, TextOp
from print import typeset
from products import parts

RED = Ink(0.0, 1.0, 1.0, 0.0)
SUITS = {"S": ("♠", "spades"), "H": ("♥", "hearts"), "C": ("♣", "clubs"), "D": ("♦", "diamonds")}
RANKS = ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
JOKERS = {"BJ": "大王", "LJ": "小王"}


@dataclass(frozen=True)
class Card:
    code: str          # "SA", "H10", "BJ"...
    rank: str          # "A".."K", or 大王 / 小王
    suit: str | None   # S H C D, None for jokers

    @property
    def red(self) -> bool:
        return self.suit in ("H", "D") or self.code == "BJ"

def deck() -> list[Card]:
    cards = [Card(s + r, r, s) for s in SUITS for r in RANKS]
    cards += [Card(code, name, None) for code, name in JOKERS.items()]
    return cards


def card_by_code(code: str) -> Card:
    for c in deck():
        if c.code == code:
            return c
    raise ValueError(f"unknown card code {code!r}")


def suit_shape(suit: str, x: float, y: float, s: float, ink: Ink) -> list:
    """A suit symbol as circles and polygons in an s x s box at (x, y) (drawn, not a font
    glyph, so it looks the same in every font and stays pure CMYK)."""
    def P(*pts):
        return PolyOp(tuple((x + u * s, y + v * s) for u, v in pts), ink)

    def C(u, v, r):
        return CircleOp(x + u * s, y + v * s, r * s, fill=ink)

    if suit == "D":
        return [P((0.5, 0), (0.9, 0.5), (0.5, 1), (0.1, 0.5))]
    if suit == "H":
        return [C(0.27, 0.3, 0.26), C(0.73, 0.3, 0.26),
                P((0.03, 0.4), (0.97, 0.4), (0.5, 0.98))]
    if suit == "S":
        return [C(0.28, 0.6, 0.23), C(0.72, 0.6, 0.23), P((0.06, 0.55), (0.94, 0.55), (0.5, 0.0)),
                P((0.5, 0.6), (0.66, 1.0), (0.34, 1.0))]
    if suit == "C":
        return [C(0.5, 0.26, 0.22), C(0.25, 0.58, 0.22), C(0.75, 0.58, 0.22), C(0.5, 0.5, 0.13),
                P((0.5, 0.5), (0.65, 1.0), (0.35, 1.0))]
    raise ValueError(suit)


def index_ops(layout: LayoutSpec, card: Card) -> list:
    """The top-left index; the bottom-right one is this turned 180 degrees."""
    ix = layout.index
    ink = RED if card.red else K
    cx = ix.x_mm + ix.col_mm / 2
    ops: list = []
    if card.suit is None:
        # Joker: the two characters stacked, one above the other.
        size = ix.rank_pt * 0.8
        step = size * parts.PT_MM * 1.05
        for i, ch in enumerate(card.rank):
            w = typeset.width_mm(ch, ix.font, size)
            ops.append(TextOp(ch, ix.font, size, cx - w / 2,
                              ix.y_mm + size * parts.PT_MM * parts.ASCENT + i * step, ink))
        return ops
    w = typeset.width_mm(card.rank, ix.font, ix.rank_pt)
    size = ix.rank_pt
    if w > ix.col_mm:   # "10" in a narrow column: condense by size, not by stretching
        size = ix.rank_pt * ix.col_mm / w
        w = ix.col_mm
    base = ix.y_mm + ix.rank_pt * parts.PT_MM * 0.74
    ops.append(TextOp(card.rank, ix.font, size, cx - w / 2, base, ink))
    ops += suit_shape(card.suit, cx - ix.suit_mm / 2, base + 1.2, ix.suit_mm, ink)
    return ops


def face(layout: LayoutSpec, design: Design, art: Image.Image, card: Card, icc: str | None) -> Side:
    side = parts.new_side(layout, f"{card.code} face")
    win = layout.front.art
    side.add(parts.ImageOp(win.as_tuple(), art, name="art"))
    if layout.front.frame == "rule":
        gold = hex_to_ink(get_motif(design.motif).accent, icc)
        side.add(RectOp((win.x - 0.8, win.y - 0.8, win.w + 1.6, win.h + 1.6), stroke=gold,
                        line_pt=0.75))
    tl = index_ops(layout, card)
    W, H = layout.trim.width_mm, layout.trim.height_mm
    side.add(*tl, *[parts.rotate180(op, W, H) for op in tl])
    return side


def back(layout: LayoutSpec, museum: MuseumSpec, ppi: float = 300) -> Side:
    spec = layout.back
    t = layout.trim
    img = parts.symmetric_back(spec.pattern_motif, t.width_mm, t.height_mm, spec.band_mm,
                               t.bleed_mm, ppi)
    side = parts.new_side(layout, "back")
    side.add(parts.ImageOp(parts.full_bleed(layout).as_tuple(), img, name="back"))
    label = parts.ai_label(layout, museum.ai_label, PAPER)   # reversed (no ink) on the ground
    side.add(*label, *[parts.rotate180(op, t.width_mm, t.height_mm) for op in label])
    return side


def compose(layout: LayoutSpec, design: Design, art: Image.Image, *, museum: MuseumSpec,
            notes: list[str], icc: str | None = None, ppi: float = 300, deck_: bool = False,
            **_) -> list[Side]:
    b = back(layout, museum, ppi)
    cards = deck() if deck_ else [card_by_code(layout.single_card)]
    out: list[Side] = []
    for card in cards:
        out += [face(layout, design, art, card, icc), b]
    return out
