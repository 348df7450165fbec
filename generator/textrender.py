"""Lay out and draw the visitor's text lines in their boxes, in the chosen font.

Shared by the procedural backend (final art), the kiosk preview and the products. Layout is
plain data (where each character sits), so tests and previews can inspect it.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from base import fonts

FILL = 0.82       # glyph size as a fraction of the box's short side (horizontal: height)
TRACKING = 0.06   # extra space between characters, fraction of the size


@dataclass(frozen=True)
class Glyph:
    char: str
    x: float      # centre of the character cell, pixels
    y: float
    size: int     # font size in pixels


@functools.lru_cache(maxsize=256)
def pil_font(font_id: str, size: int) -> ImageFont.FreeTypeFont:
    info = fonts.get_font(font_id)
    return ImageFont.truetype(info.path, size, index=info.index)


def _advance(font_id: str, char: str) -> float:
    """Advance of one character at size 100 (CJK is 100; Latin narrower)."""
    return pil_font(font_id, 100).getlength(char) or 50.0


def layout_line(text: str, box, font_id: str, width: int, height: int, vertical: bool) -> list[Glyph]:
    """Fit the text into its box (fractions) centred, as large as the box allows."""
    x, y, w, h = box[0] * width, box[1] * height, box[2] * width, box[3] * height
    chars = list(text)
    adv = [_advance(font_id, c) / 100.0 for c in chars]
    if vertical:
        # Stack characters top to bottom; each cell is one em tall (Latin too, for simplicity).
        n = len(chars)
        size = min(FILL * w, h / (n * (1 + TRACKING)))
        step = size * (1 + TRACKING)
        top = y + (h - step * n) / 2 + step / 2
        return [Glyph(c, x + w / 2, top + i * step, int(size)) for i, c in enumerate(chars)]
    total_em = sum(adv) + TRACKING * (len(chars) - 1)
    size = min(FILL * h, 0.96 * w / total_em)
    cursor = x + (w - total_em * size) / 2
    out = []
    for c, a in zip(chars, adv):
        out.append(Glyph(c, cursor + a * size / 2, y + h / 2, int(size)))
        cursor += (a + TRACKING) * size
    return out


def text_mask(glyphs: list[Glyph], font_id: str, width: int, height: int) -> Image.Image:
    """An 'L' mask of the glyphs (255 = ink)."""
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    for g in glyphs:
        if g.char == " " or g.size < 1:
            continue
        draw.text((g.x, g.y), g.char, font=pil_font(font_id, g.size), fill=255, anchor="mm")
    return mask


def line_mask(line, width: int, height: int) -> Image.Image:
    """Mask of one Design line at an image size."""
    glyphs = layout_line(line.text, line.box, line.font, width, height, line.vertical)
    return text_mask(glyphs, line.font, width, height)
