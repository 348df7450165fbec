"""Small product-like PDFs for the prepress tests: a correct one and planted defects.

Built with reportlab + pikepdf the way print/writer.py builds products: the page is enlarged by
bleed + slug, TrimBox/BleedBox are set, crop marks sit outside the bleed, colours are CMYK, the
text font is an embedded TrueType subset, and a PDF/X output intent names a CMYK profile.
"""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from PIL import Image
from reportlab.lib.colors import CMYKColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from base.fonts import get_font

MM = 72 / 25.4
SLUG_MM = 8.0
CMYK_ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
RGB_ICC = Path("/usr/share/color/icc/ghostscript/srgb.icc")


def _font() -> str:
    info = get_font("hei")
    if "KioskHei" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("KioskHei", info.path, subfontIndex=info.index))
    return "KioskHei"


def _piece_colour(i: int, n: int) -> CMYKColor:
    # A different, light-ish ground for every piece so renders tell pieces apart.
    return CMYKColor(0.1 + 0.8 * (i % 4) / 3, 0.1 + 0.8 * ((i // 4) % 4) / 3,
                     0.1 + 0.8 * ((i // 16) % 4) / 3, 0.0)


def _draw_piece(c: canvas.Canvas, i: int, n: int, w: float, h: float, bleed: float,
                font: str, label: str) -> None:
    """Piece i in piece coordinates (points, trim bottom-left origin): asymmetric on purpose."""
    c.setFillColor(_piece_colour(i, n))
    c.rect(-bleed, -bleed, w + 2 * bleed, h + 2 * bleed, fill=1, stroke=0)
    c.setFillColor(CMYKColor(0, 0, 0, 1))
    c.rect(6 * MM, h - 16 * MM, 10 * MM, 10 * MM, fill=1, stroke=0)  # top-left marker
    c.setFillColor(CMYKColor(0, 1, 1, 0))
    c.rect(w - 12 * MM, 6 * MM, 6 * MM, 4 * MM, fill=1, stroke=0)  # bottom-right marker
    c.setFillColor(CMYKColor(0, 0, 0, 1))
    c.setFont(font, 14)
    c.drawString(6 * MM, h / 2, label)


def make_product(
    path: Path,
    *,
    trim=(63.0, 88.0),
    bleed=3.0,
    count=2,
    backs=True,
    mirror_backs=True,
    boxes=True,
    font="embedded",
    image=None,
    output_intent="cmyk",
    text_at=None,
    rich_black=False,
    xmp=True,
    rich_text=False,
    inline_rgb=False,
    rgb_vector=False,
) -> Path:
    """Write a product PDF: `count` pieces, pages alternating front/back when `backs`.

    mirror_backs: each back is its front mirrored about the piece's vertical axis, so that a
        correctly imposed back lies exactly behind its front (the duplex test relies on it).
    image: None or (mode, ppi): "rgb" or "cmyk" image of the trim size at that resolution,
        placed full bleed.
    font: "embedded" (TrueType subset) or "helvetica" (a base-14 font, never embedded).
    text_at: (x_mm, y_mm) of an extra word, from the trim's bottom-left.
    """
    w, h, b, slug = trim[0] * MM, trim[1] * MM, bleed * MM, SLUG_MM * MM
    page_w, page_h = w + 2 * (b + slug), h + 2 * (b + slug)
    buf = io.BytesIO()
    fname = _font() if font == "embedded" else "Helvetica"
    c = canvas.Canvas(buf, pagesize=(page_w, page_h), initialFontName=fname, initialFontSize=10)
    img = None
    if image is not None:
        mode, ppi = image
        px = (max(1, round((trim[0] + 2 * bleed) / 25.4 * ppi)),
              max(1, round((trim[1] + 2 * bleed) / 25.4 * ppi)))
        pil = Image.new("RGB", px, (200, 60, 40))
        pil.paste((30, 90, 160), (0, 0, px[0] // 2, px[1] // 3))
        if mode == "cmyk":
            pil = pil.convert("CMYK")
        # JPEG keeps the colour space as is: RGB -> DeviceRGB, CMYK -> DeviceCMYK.
        jb = io.BytesIO()
        pil.save(jb, "JPEG", quality=80)
        img = ImageReader(io.BytesIO(jb.getvalue()))
    sides = ("front", "back") if backs else ("front",)
    for i in range(count):
        for side in sides:
            c.saveState()
            c.translate(slug + b, slug + b)
            if side == "back" and mirror_backs:
                c.translate(w, 0)
                c.scale(-1, 1)
            _draw_piece(c, i, count, w, h, b, fname, f"{i + 1:02d} {side} 卡")
            if img is not None and side == "front":
                c.drawImage(img, -b, -b, w + 2 * b, h + 2 * b)
            if rgb_vector and side == "front":
                c.setFillColorRGB(0.1, 0.5, 0.2)  # reportlab writes `rg`
                c.rect(30 * MM, 30 * MM, 5 * MM, 5 * MM, fill=1, stroke=0)
            if inline_rgb and side == "front":
                c.drawInlineImage(Image.new("RGB", (64, 64), (200, 30, 30)), 20 * MM, 20 * MM,
                                  5 * MM, 5 * MM)
            if rich_black and side == "front":
                c.setFillColor(CMYKColor(1, 1, 1, 1))
                c.rect(0, 0, w, h / 2, fill=1, stroke=0)
            if text_at is not None and side == "front":
                c.setFillColor(CMYKColor(0.6, 0.4, 0.4, 1) if rich_text else CMYKColor(0, 0, 0, 1))
                c.setFont(fname, 9)
                c.drawString(text_at[0] * MM, text_at[1] * MM, "EDGE")
            c.restoreState()
            # Crop marks outside the bleed, like the product writer draws them.
            c.setStrokeColor(CMYKColor(1, 1, 1, 1))
            c.setLineWidth(0.25)
            for x in (slug + b, slug + b + w):
                c.line(x, 0, x, slug - 1 * MM)
                c.line(x, page_h, x, page_h - slug + 1 * MM)
            c.showPage()
    c.save()

    pdf = pikepdf.open(io.BytesIO(buf.getvalue()))
    for page in pdf.pages:
        if boxes:
            page.trimbox = [slug + b, slug + b, slug + b + w, slug + b + h]
            page.bleedbox = [slug, slug, page_w - slug, page_h - slug]
    if output_intent:
        icc = CMYK_ICC if output_intent == "cmyk" else RGB_ICC
        profile = pdf.make_stream(icc.read_bytes(), N=4 if output_intent == "cmyk" else 3)
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
            OutputConditionIdentifier=pikepdf.String("test condition"),
            DestOutputProfile=profile)])
    pdf.docinfo["/Trapped"] = pikepdf.Name("/False")
    if output_intent == "cmyk" and xmp:
        with pdf.open_metadata() as meta:
            meta["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
    pdf.save(path, min_version="1.6")
    return path
