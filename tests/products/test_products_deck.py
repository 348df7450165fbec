"""The 54-card deck: 54 distinct faces whose indices read back (OCR on the top-left and the
turned bottom-right corner), one back identical after a 180-degree turn, art embedded once."""
from __future__ import annotations

import hashlib
import subprocess

import numpy as np
import pikepdf
from PIL import Image, ImageOps

from products_helpers import render, run, trim_crop

DPI = 300


def _index_crops(pdf, layout, tmp_path, corner: str) -> list[Image.Image]:
    """Render only the rank area of every face page (odd pages) with pdftoppm -x/-y/-W/-H."""
    from print.writer import SLUG_MM

    ix = layout.index
    off = layout.trim.bleed_mm + SLUG_MM
    s = DPI / 25.4
    x0, y0 = ix.x_mm - 1.0, ix.y_mm - 1.0
    w, h = ix.col_mm + 1.6, ix.rank_pt * 25.4 / 72 * 0.74 + 2.0   # rank only, not the suit
    if corner == "br":   # the turned index: same box rotated about the card centre
        x0 = layout.trim.width_mm - x0 - w
        y0 = layout.trim.height_mm - y0 - h
    out = tmp_path / f"idx-{corner}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-o", "-gray", "-x", str(round((off + x0) * s)),
                    "-y", str(round((off + y0) * s)), "-W", str(round(w * s)), "-H",
                    str(round(h * s)), "-png", str(pdf), str(out)], check=True, timeout=300)
    files = sorted(tmp_path.glob(f"idx-{corner}-*.png"))
    imgs = [Image.open(f).convert("RGB") for f in files]
    return [im.rotate(180) for im in imgs] if corner == "br" else imgs


def _joker_crops(pdf, layout, tmp_path, pages) -> list[Image.Image]:
    """Jokers stack 大/王 vertically: cut the column into two cells and lay them side by side."""
    from print.writer import SLUG_MM

    ix = layout.index
    img_pages = [render(pdf, p, DPI, gray=True) for p in pages]
    out = []
    size = ix.rank_pt * 0.8 * 25.4 / 72
    for img in img_pages:
        s = DPI / 25.4
        off = layout.trim.bleed_mm + SLUG_MM
        cells = []
        for i in range(2):
            top = ix.y_mm + i * size * 1.05 - 0.4
            cells.append(img.crop((round((off + ix.x_mm - 1) * s), round((off + top) * s),
                                   round((off + ix.x_mm + ix.col_mm + 1) * s),
                                   round((off + top + size * 1.05) * s))))
        row = Image.new("RGB", (sum(c.width for c in cells), max(c.height for c in cells)), "white")
        row.paste(cells[0], (0, 0))
        row.paste(cells[1], (cells[0].width, 0))
        out.append(row)
    return out


def _read(imgs: list[Image.Image]) -> list[set[str]]:
    """OCR each crop two ways (a white border at 300 dpi, and at half size); both readings
    are kept and a card passes when one of them is exactly its rank."""
    from generator import ocr

    a = [np.asarray(ImageOps.expand(im, border=10, fill="white")) for im in imgs]
    b = [np.asarray(ImageOps.expand(im.resize((im.width // 2, im.height // 2), Image.LANCZOS),
                                    border=5, fill="white")) for im in imgs]
    ra, rb = ocr.recognize(a), ocr.recognize(b)
    return [{x.strip(), y.strip()} for (x, _), (y, _) in zip(ra, rb)]


def test_deck_has_54_faces_and_one_back(deck):
    from products.poker import deck as cards

    assert deck.result.pages == 108
    codes = [c.code for c in cards()]
    assert len(set(codes)) == 54
    with pikepdf.open(deck.path) as pdf:
        assert len(pdf.pages) == 108
        assert str(pdf.docinfo.KioskPages) == "alternate"
    rows = [ln.split() for ln in run("pdfimages", "-list", str(deck.path)).splitlines()[2:]]
    assert len({r[10] for r in rows}) == 2     # the art and the back, each embedded once


def test_faces_are_distinct(deck, tmp_path):
    subprocess.run(["pdftoppm", "-r", "40", "-o", "-gray", "-png", str(deck.path),
                    str(tmp_path / "f")], check=True, timeout=300)
    files = sorted(tmp_path.glob("f-*.png"))
    assert len(files) == 54
    digests = {hashlib.sha256(Image.open(f).tobytes()).hexdigest() for f in files}
    assert len(digests) == 54


def test_indices_read_back_in_both_corners(deck, tmp_path):
    from products.poker import deck as cards

    layout = deck.result.layout
    numbered = [c for c in cards() if c.suit]
    for corner in ("tl", "br"):
        crops = _index_crops(deck.path, layout, tmp_path, corner)
        assert len(crops) == 54
        reads = _read(crops[:52])
        wrong = [(c.code, r) for c, r in zip(numbered, reads) if c.rank not in r]
        assert not wrong, f"{corner}: {wrong}"
    jokers = _read(_joker_crops(deck.path, layout, tmp_path, [105, 107]))
    assert "大王" in jokers[0] and "小王" in jokers[1], jokers


def test_back_is_the_same_after_a_half_turn(deck):
    # Ghostscript at 127 dpi (5 px per mm: the trim edges fall on pixel edges); poppler's
    # image sampling is off by a fraction of a pixel, which would hide what we measure.
    side = deck.result.sides[1]
    dpi = 127
    png = deck.path.with_name("back127.png")
    run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=png16m", f"-r{dpi}",
        "-dFirstPage=2", "-dLastPage=2", "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4",
        f"-sOutputFile={png}", str(deck.path))
    img = trim_crop(Image.open(png).convert("RGB"), side, dpi)
    a = np.asarray(img, dtype=np.int16)
    diff = np.abs(a - a[::-1, ::-1])
    assert diff.mean() < 1.0, diff.mean()
    # and it is not trivially blank
    assert a.std() > 20


def test_57x87_deck_indices_read_back(tmp_path):
    """The mainland-China size has a narrower index column: its indices must read too."""
    from products import build
    from products.poker import deck as cards
    from products_helpers import design

    d = design("poker-57x87")
    res = build(d, deck=True, art=Image.new("RGB", (512, 1152), (30, 40, 36)),
                out=tmp_path / "deck57.pdf")
    crops = _index_crops(res.path, res.layout, tmp_path, "tl")
    numbered = [c for c in cards() if c.suit]
    reads = _read(crops[:52])
    wrong = [(c.code, r) for c, r in zip(numbered, reads) if c.rank not in r]
    assert not wrong, wrong
