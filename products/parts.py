"""Pieces every product uses: text blocks in slots, the AI label, motif pictures and bands,
the 180-degree-symmetric card back. Each returns page ops (print.page) in trim millimetres."""
from __future__ import annotations

import functools

from PIL import Image

from generator.motifs import Motif, get_motif, render_motif
from layouts.spec import Box, LayoutSpec, TextSlot
from print import typeset
from print.color import hex_to_ink
from print.page import K, PAPER, CircleOp, ImageOp, Ink, RectOp, Side, TextOp
from products.geometry import PRINT_PPI, px

PT_MM = 25.4 / 72
MIN_STORY_PT = 5.0
ASCENT = 0.86          # baseline below the top of a text line, as a fraction of the size


def text_block(paragraphs: list[str], slot: TextSlot, ink: Ink = K, *, shrink: bool = True,
               notes: list[str] | None = None, what: str = "text", bold: bool = False) -> list[TextOp]:
    """Set paragraphs in a slot; shrink the size (down to 5 pt) if they do not fit, and say so
    in `notes` (no silent fixes)."""
    size = slot.size_pt
    box = slot.box
    while True:
        lines: list[str | None] = []
        for i, para in enumerate(paragraphs):
            if i:
                lines.append(None)     # half-line gap between paragraphs
            lines.extend(typeset.wrap(para, slot.font, size, box.w))
        step = size * PT_MM * slot.leading
        height = sum(step * (0.5 if ln is None else 1) for ln in lines) - step + size * PT_MM
        if height <= box.h + 1e-6 or not shrink or size <= MIN_STORY_PT:
            break
        size = round(size - 0.25, 2)
    if notes is not None and size != slot.size_pt:
        notes.append(f"{what} set at {size:g} pt instead of {slot.size_pt:g} pt to fit its box")
    if notes is not None and height > box.h + 1e-6:
        notes.append(f"{what} overflows its box by {height - box.h:.1f} mm")
    ops = []
    y = box.y + size * PT_MM * ASCENT
    for ln in lines:
        if ln is None:
            y += step * 0.5
            continue
        w = typeset.width_mm(ln, slot.font, size)
        x = {"left": box.x, "center": box.x + (box.w - w) / 2, "right": box.x + box.w - w}[slot.align]
        ops.append(TextOp(ln, slot.font, size, x, y, ink, bold=bold))
        y += step
    return ops


def one_line(text: str, slot: TextSlot, ink: Ink = K, bold: bool = False) -> list[TextOp]:
    return text_block([text], slot, ink, shrink=True, bold=bold)


def rotate180(op, trim_w: float, trim_h: float):
    """The op turned 180 degrees about the centre of the trim."""
    from print.page import PolyOp

    if isinstance(op, TextOp):
        return TextOp(op.text, op.font, op.size_pt, trim_w - op.x, trim_h - op.y, op.ink,
                      (op.angle + 180) % 360, op.bold)
    if isinstance(op, PolyOp):
        return PolyOp(tuple((trim_w - x, trim_h - y) for x, y in op.points), op.fill)
    if isinstance(op, CircleOp):
        return CircleOp(trim_w - op.cx, trim_h - op.cy, op.r, op.fill, op.stroke, op.line_pt)
    if isinstance(op, RectOp):
        x, y, w, h = op.box
        return RectOp((trim_w - x - w, trim_h - y - h, w, h), op.fill, op.stroke, op.line_pt,
                      op.radius, op.dash)
    raise TypeError(type(op))


def motif_picture(motif_id: str, box: Box, ppi: float = PRINT_PPI, ground: str | None = None) -> ImageOp:
    """The motif's art fitted in a box, on its ground colour (or on paper white)."""
    w, h = px(box.w, ppi), px(box.h, ppi)
    art = render_motif(motif_id, w, h)
    m = get_motif(motif_id)
    bg = Image.new("RGB", (w, h), _rgb(ground or "#FFFFFF") if ground != "motif" else _rgb(m.ground))
    bg.paste(art, (0, 0), art)
    return ImageOp(box.as_tuple(), bg, name=f"motif-{motif_id}")


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def band_image(w_px: int, h_px: int, motif_id: str = "brocade") -> Image.Image:
    """A brocade strip: the band motif repeated along the width on its ground."""
    m = get_motif(motif_id)
    out = Image.new("RGB", (w_px, h_px), _rgb(m.ground))
    tile = render_motif(motif_id, h_px * 4, h_px)   # natural aspect decides how much is used
    bbox = tile.getbbox() or (0, 0, tile.width, h_px)
    tile = tile.crop((bbox[0], 0, bbox[2], h_px))
    if tile.width < 4:
        return out
    x = -((tile.width - w_px % tile.width) // 2)    # centred so left and right ends match
    while x < w_px:
        out.paste(tile, (x, 0), tile)
        x += tile.width
    return out


def band(box: Box, ppi: float = PRINT_PPI, motif_id: str = "brocade") -> ImageOp:
    return ImageOp(box.as_tuple(), band_image(px(box.w, ppi), px(box.h, ppi), motif_id),
                   name=f"band-{motif_id}")


def ground_ink(layout_ground: str, motif: Motif, icc: str | None = None) -> Ink | None:
    if layout_ground == "paper":
        return None
    return hex_to_ink(motif.ground if layout_ground == "motif" else layout_ground, icc)


@functools.lru_cache(maxsize=8)
def symmetric_back(motif_id: str, w_mm: float, h_mm: float, band_mm: float, bleed: float,
                   ppi: float = PRINT_PPI) -> Image.Image:
    """A card back covering trim + bleed that is identical after a 180-degree turn: the top
    half is drawn (ground, brocade band, half the emblem) and the bottom half is its rotation.
    Built this way the symmetry is exact whatever the motif's art looks like."""
    m = get_motif(motif_id)
    W, H = px(w_mm + 2 * bleed, ppi), px(h_mm + 2 * bleed, ppi)
    W += W % 2
    H += H % 2
    img = Image.new("RGB", (W, H), _rgb(m.ground))
    if band_mm > 0:
        bh = px(band_mm + bleed, ppi)
        img.paste(band_image(W, bh), (0, 0))
        edge = px(0.6, ppi)   # a thin accent rule under the band
        img.paste(Image.new("RGB", (W, edge), _rgb(m.accent)), (0, bh))
    side = round(min(W, H - 2 * px(band_mm + bleed + 4, ppi)) * 0.82)
    if side > 16:
        art = render_motif(motif_id, side, side)
        img.paste(art, ((W - side) // 2, (H - side) // 2), art)
    top = img.crop((0, 0, W, H // 2))
    img.paste(top.rotate(180), (0, H // 2))
    return img


def ai_label(layout: LayoutSpec, text: str, ink: Ink = K) -> list[TextOp]:
    # Reversed (paper-white on a ground) text is set bold, as PRINT.md asks.
    return one_line(text, layout.ai_label, ink, bold=ink == PAPER)


def hole_xy(layout: LayoutSpec, back: bool = False) -> tuple[float, float]:
    """The hole centre; on the back it is mirrored left-right, because the piece is turned
    over like a book page (about its vertical axis), as print.impose lays out backs."""
    h = layout.hole
    return (layout.trim.width_mm - h.x_mm if back else h.x_mm), h.y_mm


def hole_clear(layout: LayoutSpec, back: bool = False) -> list:
    """Paper (no ink) where the tassel hole is punched, clear_mm around it."""
    if layout.hole is None:
        return []
    x, y = hole_xy(layout, back)
    return [CircleOp(x, y, layout.hole.clear_radius_mm, fill=PAPER)]


def new_side(layout: LayoutSpec, label: str, back: bool = False) -> Side:
    hole = (*hole_xy(layout, back), layout.hole.diameter_mm) if layout.hole else None
    return Side(label, layout.trim, [], layout.safe_mm, layout.corner_radius_mm, hole)


def full_bleed(layout: LayoutSpec) -> Box:
    b = layout.trim.bleed_mm
    return Box(x=-b, y=-b, w=layout.trim.width_mm + 2 * b, h=layout.trim.height_mm + 2 * b)


def ground_rect(layout: LayoutSpec, ink: Ink) -> RectOp:
    return RectOp(full_bleed(layout).as_tuple(), fill=ink)


