"""Fonts on the print side: measuring text, reportlab registration, outlines for CFF fonts.

reportlab embeds only TrueType-outline fonts (as subsets). A CFF font (Noto Serif CJK, our
`song`) is drawn as filled glyph outlines instead, read with fontTools, so nothing unembedded
reaches the PDF. Widths come from the font's own advance widths, so products, the PDF writer
and the PIL proof all break lines at the same places.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from base.fonts import get_font


@dataclass(frozen=True)
class FontMetrics:
    units_per_em: int
    cmap: dict
    advances: dict         # glyph name -> advance width (font units)
    ascender: int
    descender: int


@functools.lru_cache(maxsize=None)
def _ttfont(font_id: str):
    from fontTools.ttLib import TTFont

    info = get_font(font_id)
    return TTFont(info.path, fontNumber=info.index, lazy=True)


@functools.lru_cache(maxsize=None)
def metrics(font_id: str) -> FontMetrics:
    f = _ttfont(font_id)
    hmtx = f["hmtx"].metrics
    hhea = f["hhea"]
    return FontMetrics(f["head"].unitsPerEm, f.getBestCmap(), {g: a for g, (a, _) in hmtx.items()},
                       hhea.ascent, hhea.descent)


def width_pt(text: str, font_id: str, size_pt: float) -> float:
    m = metrics(font_id)
    notdef = m.advances.get(".notdef", m.units_per_em)
    units = sum(m.advances.get(m.cmap.get(ord(ch), ".notdef"), notdef) for ch in text)
    return units * size_pt / m.units_per_em


def width_mm(text: str, font_id: str, size_pt: float) -> float:
    return width_pt(text, font_id, size_pt) * 25.4 / 72


NO_LINE_START = "，。、；：！？）》」』,.;:!?)"


def wrap(text: str, font_id: str, size_pt: float, max_mm: float) -> list[str]:
    """Break a paragraph into lines no wider than max_mm: between any two CJK characters,
    at spaces for Latin words (a word longer than the line is split)."""
    lines: list[str] = []
    for para in text.split("\n"):
        tokens: list[str] = []
        word = ""
        for ch in para:
            if ch == " ":
                if word:
                    tokens.append(word)
                    word = ""
                tokens.append(" ")
            elif ord(ch) > 0x2E7F:      # CJK and full-width: each character breaks freely
                if word:
                    tokens.append(word)
                    word = ""
                tokens.append(ch)
            else:
                word += ch
        if word:
            tokens.append(word)
        line = ""
        for tok in tokens:
            trial = line + tok
            if width_mm(trial.rstrip(), font_id, size_pt) <= max_mm or not line.strip():
                line = trial
            else:
                lines.append(line.rstrip())
                line = "" if tok == " " else tok
            # CJK punctuation must not start a line: carry the previous line's last character
            # over with it (no hanging punctuation, so lines never pass the box)
            if line and line[0] in NO_LINE_START and lines and len(lines[-1]) > 1:
                line = lines[-1][-1] + line
                lines[-1] = lines[-1][:-1].rstrip()
        lines.append(line.rstrip())
    return lines


@functools.lru_cache(maxsize=None)
def reportlab_name(font_id: str) -> str:
    """Register a TrueType font with reportlab (once) and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    info = get_font(font_id)
    if not info.embeddable:
        raise ValueError(f"font {font_id} has CFF outlines: draw it with glyph_paths()")
    name = f"Kiosk-{font_id}"
    pdfmetrics.registerFont(TTFont(name, info.path, subfontIndex=info.index))
    return name


def ink_top_pt(text: str, font_id: str, size_pt: float) -> float:
    """How far the glyphs rise above the baseline (their real outlines, not the em box)."""
    from fontTools.pens.boundsPen import BoundsPen

    f = _ttfont(font_id)
    m = metrics(font_id)
    gs = f.getGlyphSet()
    top = 0.0
    for ch in text:
        pen = BoundsPen(gs)
        gs[m.cmap.get(ord(ch), ".notdef")].draw(pen)
        if pen.bounds:
            top = max(top, pen.bounds[3])
    return top * size_pt / m.units_per_em


def glyph_paths(text: str, font_id: str):
    """Yield (x_offset_units, recorded_ops) per glyph; ops are (op, points) in font units,
    y up: ('M', [(x, y)]), ('L', [(x, y)]), ('C', [p1, p2, p3]), ('Z', [])."""
    from fontTools.pens.basePen import BasePen

    class _Rec(BasePen):
        def __init__(self, glyph_set):
            super().__init__(glyph_set)
            self.ops: list = []

        def _moveTo(self, p):
            self.ops.append(("M", [p]))

        def _lineTo(self, p):
            self.ops.append(("L", [p]))

        def _curveToOne(self, p1, p2, p3):
            self.ops.append(("C", [p1, p2, p3]))

        def _closePath(self):
            self.ops.append(("Z", []))

        _endPath = _closePath

    f = _ttfont(font_id)
    m = metrics(font_id)
    gs = f.getGlyphSet()
    x = 0
    for ch in text:
        g = m.cmap.get(ord(ch), ".notdef")
        pen = _Rec(gs)
        gs[g].draw(pen)
        yield x, pen.ops
        x += m.advances.get(g, m.units_per_em)
