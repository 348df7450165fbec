"""Draw Sides with PIL: the kiosk's proof (no PDF, no poppler) from the same page ops the PDF
writer uses. Colours are the inks' screen values; the art is the same RGB image the writer
converts to CMYK, so a proof is a soft preview, not a colour-managed one."""
from __future__ import annotations

import functools

from PIL import Image, ImageDraw, ImageFont

from base.fonts import get_font
from print.page import CircleOp, ImageOp, LineOp, PolyOp, RectOp, Side, TextOp

GUIDE_TRIM = (0, 170, 230)
GUIDE_SAFE = (230, 0, 140)


@functools.lru_cache(maxsize=32)
def _font(font_id: str, size_px: int) -> ImageFont.FreeTypeFont:
    info = get_font(font_id)
    return ImageFont.truetype(info.path, size_px, index=info.index)


def render_side(side: Side, dpi: float = 100, *, bleed: bool = False, guides: bool = False) -> Image.Image:
    """The side as an RGB image: the trimmed piece, or with `bleed` the piece plus bleed.
    `guides` draws the trim line (blue), the safe area (magenta), die-cut corners and the hole."""
    t = side.trim
    b = t.bleed_mm if bleed else 0.0
    s = dpi / 25.4
    W, H = round((t.width_mm + 2 * b) * s), round((t.height_mm + 2 * b) * s)
    img = Image.new("RGB", (W, H), (255, 255, 255))
    draw = ImageDraw.Draw(img)

    def P(x, y):
        return ((x + b) * s, (y + b) * s)

    for op in side.ops:
        if isinstance(op, ImageOp):
            x, y, w, h = op.box
            x0, y0 = P(x, y)
            x1, y1 = P(x + w, y + h)
            size = (max(1, round(x1) - round(x0)), max(1, round(y1) - round(y0)))
            img.paste(op.image.convert("RGB").resize(size, Image.LANCZOS), (round(x0), round(y0)))
        elif isinstance(op, RectOp):
            x, y, w, h = op.box
            box = [P(x, y), P(x + w, y + h)]
            width = max(1, round(op.line_pt / 72 * dpi))
            kw = dict(fill=op.fill.rgb if op.fill else None,
                      outline=op.stroke.rgb if op.stroke else None, width=width)
            if op.dash and op.stroke and not op.fill:
                (x0, y0), (x1, y1) = box
                for p0, p1 in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)), ((x1, y1), (x0, y1)),
                             ((x0, y1), (x0, y0))):
                    _dashed(draw, p0, p1, op.dash, dpi, op.stroke.rgb, width)
            elif op.radius:
                draw.rounded_rectangle(box, radius=op.radius * s, **kw)
            else:
                draw.rectangle(box, **kw)
        elif isinstance(op, LineOp):
            draw.line([P(op.x1, op.y1), P(op.x2, op.y2)], fill=op.ink.rgb,
                      width=max(1, round(op.line_pt / 72 * dpi)))
        elif isinstance(op, CircleOp):
            cx, cy = P(op.cx, op.cy)
            r = op.r * s
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=op.fill.rgb if op.fill else None,
                         outline=op.stroke.rgb if op.stroke else None)
        elif isinstance(op, PolyOp):
            draw.polygon([P(x, y) for x, y in op.points], fill=op.fill.rgb)
        elif isinstance(op, TextOp):
            font = _font(op.font, max(1, round(op.size_pt / 72 * dpi)))
            x, y = P(op.x, op.y)
            sw = round(op.size_pt / 72 * dpi * 0.03) if op.bold else 0
            if op.angle % 360 == 0:
                draw.text((x, y), op.text, font=font, fill=op.ink.rgb, anchor="ls", stroke_width=sw,
                          stroke_fill=op.ink.rgb)
            else:
                # Draw upright on a square layer centred on the text's start point, big enough
                # for any turn, then turn it there: an upright draw on the page itself would
                # clip text that only fits once turned (the 180° label at a card's top edge).
                l, t, r, b_ = font.getbbox(op.text, anchor="ls", stroke_width=sw)
                rad = int(max(abs(v) for v in (l, t, r, b_)) * 1.5) + 2
                layer = Image.new("RGBA", (2 * rad, 2 * rad), (0, 0, 0, 0))
                ImageDraw.Draw(layer).text((rad, rad), op.text, font=font, fill=op.ink.rgb + (255,),
                                           anchor="ls", stroke_width=sw,
                                           stroke_fill=op.ink.rgb + (255,))
                layer = layer.rotate(op.angle, center=(rad, rad), resample=Image.BICUBIC)
                img.paste(layer, (round(x) - rad, round(y) - rad), layer)
    if guides:
        _guides(draw, side, b, s)
    return img


def _dashed(draw, a, b, dash, dpi, fill, width) -> None:
    on, off = (v / 72 * dpi for v in dash)
    (x0, y0), (x1, y1) = a, b
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    t = 0.0
    while t < length:
        t1 = min(length, t + on)
        draw.line([(x0 + (x1 - x0) * t / length, y0 + (y1 - y0) * t / length),
                   (x0 + (x1 - x0) * t1 / length, y0 + (y1 - y0) * t1 / length)], fill=fill,
                  width=width)
        t += on + off


def _guides(draw: ImageDraw.ImageDraw, side: Side, b: float, s: float) -> None:
    t = side.trim

    def R(x, y, w, h):
        return [((x + b) * s, (y + b) * s), ((x + w + b) * s, (y + h + b) * s)]

    draw.rounded_rectangle(R(0, 0, t.width_mm, t.height_mm), radius=side.corner_radius_mm * s,
                           outline=GUIDE_TRIM, width=2)
    m = side.safe_mm
    draw.rectangle(R(m, m, t.width_mm - 2 * m, t.height_mm - 2 * m), outline=GUIDE_SAFE, width=1)
    if side.hole:
        cx, cy, d = side.hole
        draw.ellipse(R(cx - d / 2, cy - d / 2, d, d), outline=GUIDE_TRIM, width=2)
