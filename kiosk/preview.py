"""Pictures the visitor sees before and after generation (plain PIL functions, no Streamlit).

- motif_picture: the motif on its ground colour at any aspect (gallery tiles, canvas background);
- text_preview: where the glyphs will sit: the text of each line drawn into its box in the chosen
  font and colour with generator.textrender (the same layout the procedural renderer uses);
- proof_images: the product front/back from products.proof_images when that package provides
  it, else the art on a simple frame and a plain back, so the proof step always works.
"""
from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw

import products
from base.errors import KioskError
from generator import motifs, textrender

PROOF_DPI = 150  # sharp on a 1080 px wide screen, ~60 ms a side
GUIDE_TRIM, GUIDE_SAFE = (0, 170, 230), (230, 0, 140)  # as products/proof.py draws them
BOX_COLOURS = ("#FF5A36", "#2FB5FF", "#8BE04E", "#FFC93C", "#D36BFF")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def _motif_png(motif_id: str, width: int, height: int) -> bytes:
    m = motifs.get_motif(motif_id)
    out = Image.new("RGB", (width, height), _rgb(m.ground))
    if m.art is None:   # a motif taught from photos: its sample (or training photo), cropped to fit
        if m.tile is not None and m.tile.is_file():
            from PIL import ImageOps

            with Image.open(m.tile) as tile:
                out = ImageOps.fit(tile.convert("RGB"), (width, height), Image.LANCZOS)
        buf = io.BytesIO()
        out.save(buf, format="PNG")
        return buf.getvalue()
    margin = 0.08
    aw, ah = max(1, int(width * (1 - 2 * margin))), max(1, int(height * (1 - 2 * margin)))
    art = motifs.render_motif(motif_id, aw, ah)
    out.paste(art, ((width - aw) // 2, (height - ah) // 2), art)
    buf = io.BytesIO()
    out.save(buf, format="PNG")
    return buf.getvalue()


def motif_picture(motif_id: str, width: int, height: int) -> Image.Image:
    """The motif centred on its ground colour (RGB); cached, so callers may not mutate it."""
    return Image.open(io.BytesIO(_motif_png(motif_id, width, height))).convert("RGB")


@functools.lru_cache(maxsize=32)
def product_tile(motif_id: str, art_w: int, art_h: int, side: int = 420) -> bytes:
    """PNG of the motif at a product's aspect, centred on a square tile, so the three product
    choices line up however tall or wide they are."""
    scale = 0.88 * side / max(art_w, art_h)
    w, h = round(art_w * scale), round(art_h * scale)
    tile = Image.new("RGB", (side, side), "#F1E6D2")
    tile.paste(motif_picture(motif_id, w, h), ((side - w) // 2, (side - h) // 2))
    buf = io.BytesIO()
    tile.save(buf, format="PNG")
    return buf.getvalue()


@functools.lru_cache(maxsize=16)
def safe_area(product: str, motif_id: str) -> tuple[float, float, float, float] | None:
    """The product's safe area as fractions of the art (None: the whole art is safe/unknown)."""
    try:
        frac = products.safe_box_fraction({"motif": motif_id, "product": product,
                                           "lines": [{"text": "天", "box": [0.4, 0.4, 0.2, 0.2]}]})
    except KioskError:  # a broken layout: no guide, nothing else lost
        return None
    return None if tuple(frac) == (0.0, 0.0, 1.0, 1.0) else tuple(frac)


def outside_safe(box, safe, tol: float = 0.005) -> bool:
    if not box or not safe:
        return False
    return (box[0] < safe[0] - tol or box[1] < safe[1] - tol
            or box[0] + box[2] > safe[0] + safe[2] + tol or box[1] + box[3] > safe[1] + safe[3] + tol)


def _dashed_rect(img: Image.Image, frac, colour, dash: int = 12) -> None:
    w, h = img.size
    x0, y0 = frac[0] * w, frac[1] * h
    x1, y1 = x0 + frac[2] * w - 1, y0 + frac[3] * h - 1
    d = ImageDraw.Draw(img)
    for a in range(int(x0), int(x1), 2 * dash):
        d.line([(a, y0), (min(a + dash, x1), y0)], fill=colour, width=2)
        d.line([(a, y1), (min(a + dash, x1), y1)], fill=colour, width=2)
    for b in range(int(y0), int(y1), 2 * dash):
        d.line([(x0, b), (x0, min(b + dash, y1))], fill=colour, width=2)
        d.line([(x1, b), (x1, min(b + dash, y1))], fill=colour, width=2)


@functools.lru_cache(maxsize=32)
def canvas_background(motif_id: str, product: str, width: int, height: int) -> bytes:
    """PNG bytes of the canvas background: the motif plus the safe area dashed (cached, and
    bytes so the canvas does not re-encode a picture on every rerun)."""
    img = motif_picture(motif_id, width, height).copy()
    safe = safe_area(product, motif_id)
    if safe:
        _dashed_rect(img, safe, GUIDE_SAFE)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def text_preview(motif_id: str, size: tuple[int, int], lines: list[dict],
                 safe: tuple[float, float, float, float] | None = None) -> Image.Image:
    """Motif + numbered box outlines + each line's text laid out in its box.

    `lines`: dicts with text, box (fractions or None), font, color, vertical.
    """
    w, h = size
    img = motif_picture(motif_id, w, h).copy()
    if safe:
        _dashed_rect(img, safe, GUIDE_SAFE)
    draw = ImageDraw.Draw(img)
    for i, ln in enumerate(lines):
        box = ln.get("box")
        if not box:
            continue
        x0, y0 = box[0] * w, box[1] * h
        x1, y1 = x0 + box[2] * w, y0 + box[3] * h
        outline = BOX_COLOURS[i % len(BOX_COLOURS)]
        draw.rectangle([x0, y0, x1, y1], outline=outline, width=max(2, w // 200))
        draw.text((x0 + 4, y0 + 2), str(i + 1), fill=outline, font=textrender.pil_font("hei", max(12, h // 30)))
        text = (ln.get("text") or "").strip()
        if not text:
            continue
        try:
            glyphs = textrender.layout_line(text, box, ln.get("font", "wenkai"), w, h, bool(ln.get("vertical")))
            mask = textrender.text_mask(glyphs, ln.get("font", "wenkai"), w, h)
        except Exception:  # a preview must never break the page; validation reports the cause
            continue
        img.paste(Image.new("RGB", (w, h), _rgb(ln.get("color", "#F5D27A"))), (0, 0), mask)
    return img


def art_background(art: Image.Image, product: str, motif_id: str, width: int,
                   height: int) -> bytes:
    """PNG bytes of a candidate's art as the box canvas's background, safe area dashed."""
    img = art.convert("RGB").resize((width, height), Image.LANCZOS)
    safe = safe_area(product, motif_id)
    if safe:
        _dashed_rect(img, safe, GUIDE_SAFE)
    return png_bytes(img)


def proof_images(design, art: Image.Image, *, guides: bool) -> tuple[Image.Image, Image.Image]:
    """(front, back) as the product will print them, at a screen resolution."""
    front, back = products.proof_images(design, art=art, guides=guides, dpi=PROOF_DPI)
    return front.convert("RGB"), back.convert("RGB")


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
