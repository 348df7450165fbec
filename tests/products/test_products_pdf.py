"""Every product PDF, checked with independent tools: pikepdf (boxes, colour, output intent,
XMP), pdffonts (embedding), pdfimages (effective ppi), Ghostscript (ink), OCR (the text)."""
from __future__ import annotations

import json

import numpy as np
import pikepdf
import pytest
from PIL import Image

from products_helpers import DESIGNS, cmyk_render, render, run, trim_crop

MM = 72 / 25.4
NAMES = list(DESIGNS)


@pytest.mark.parametrize("name", NAMES)
def test_boxes_nest_with_3mm_bleed(built, name):
    b = built[name]
    t = b.result.layout.trim
    with pikepdf.open(b.path) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert len(pdf.pages) == 2 == b.result.pages
        for page in pdf.pages:
            media = [float(v) for v in page.mediabox]
            bleed = [float(v) for v in page.obj.BleedBox]
            trim = [float(v) for v in page.obj.TrimBox]
            assert "/ArtBox" not in page.obj
            assert trim[2] - trim[0] == pytest.approx(t.width_mm * MM, abs=0.01)
            assert trim[3] - trim[1] == pytest.approx(t.height_mm * MM, abs=0.01)
            for i, sign in enumerate((-1, -1, 1, 1)):
                assert bleed[i] == pytest.approx(trim[i] + sign * 3 * MM, abs=0.01)
                # crop marks need room outside the bleed
                assert sign * (media[i] - bleed[i]) >= 5 * MM


@pytest.mark.parametrize("name", NAMES)
def test_fonts_embedded_no_helvetica(built, name):
    out = run("pdffonts", str(built[name].path))
    rows = [ln.split() for ln in out.splitlines()[2:] if ln.strip()]
    assert rows, "no fonts at all: the fixed texts are missing"
    for r in rows:
        emb, sub = r[-5], r[-4]
        assert (emb, sub) == ("yes", "yes"), r
        assert "Helvetica" not in r[0]
        assert "Noto" not in r[0]   # the CFF 'song' museum name must be outlines, not a font


@pytest.mark.parametrize("name", NAMES)
def test_images_at_least_300ppi_and_cmyk(built, name):
    out = run("pdfimages", "-list", str(built[name].path))
    rows = [ln.split() for ln in out.splitlines()[2:] if ln.strip()]
    assert rows
    for r in rows:
        assert r[5] == "cmyk", r
        assert int(r[12]) >= 300 and int(r[13]) >= 300, r


@pytest.mark.parametrize("name", NAMES)
def test_pdfx4_output_intent_and_ai_metadata(built, name):
    b = built[name]
    with pikepdf.open(b.path) as pdf:
        assert pdf.pdf_version == "1.6"
        oi = pdf.Root.OutputIntents[0]
        assert oi.S == "/GTS_PDFX"
        assert str(oi.OutputConditionIdentifier)
        icc = oi.DestOutputProfile
        assert int(icc.N) == 4 and icc.read_bytes()[36:40] == b"acsp"
        assert pdf.docinfo.Trapped == "/False"
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        meta = pdf.open_metadata()
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["xmpMM:DocumentID"].startswith("uuid:")
        assert meta["xmpMM:VersionID"] and meta["xmpMM:RenditionClass"] == "default"
        aigc = json.loads(meta["{http://www.tc260.org.cn/ns/AIGC/1.0/}AIGC"])
        assert json.loads(str(pdf.docinfo.AIGC)) == aigc
        assert aigc["Label"] == "1" and aigc["ProduceID"] == b.result.content_id
        assert aigc["ContentProducer"]
        for page in pdf.pages:   # no RGB operators anywhere in CMYK mode
            for _, op in pikepdf.parse_content_stream(page):
                assert str(op) not in ("rg", "RG", "sc", "scn"), op


@pytest.mark.parametrize("name", NAMES)
def test_ink_total_within_300_percent(built, name):
    # ink_cov reports ink amounts (percent, page average); inkcov would report the share of
    # pixels touched by each ink, which says nothing about the total.
    path = built[name].path
    out = run("gs", "-q", "-o", "-", "-sDEVICE=ink_cov", str(path))
    for line in out.strip().splitlines():
        c, m, y, k = (float(v) for v in line.split()[:4])
        assert c + m + y + k <= 300.0
    for page in (1, 2):   # and per pixel, not only on average
        a = cmyk_render(path, page).astype(np.int32)
        assert a.sum(axis=2).max() <= 3.0 * 255 + 6


def test_text_is_100_percent_black(built):
    """Black text and lines on the postcard's address side use K only (no rich black)."""
    with pikepdf.open(built["postcard"].path) as pdf:
        fills = set()
        fill = None
        for operands, op in pikepdf.parse_content_stream(pdf.pages[1]):
            if str(op) == "k":
                fill = tuple(float(v) for v in operands)
            if str(op) in ("Tj", "TJ"):
                fills.add(fill)
        assert fills == {(0.0, 0.0, 0.0, 1.0)}


@pytest.mark.parametrize("name", ["postcard", "bookmark", "poker", "bookmark-54x170", "poker-57x87"])
def test_design_text_reads_back_from_the_printed_page(built, name):
    from generator import ocr

    b = built[name]
    side = b.result.sides[0]
    img = render(b.path, 1, dpi=300)
    art = trim_crop(img, side, 300, b.result.layout.front.art.as_tuple())
    checks = ocr.check_lines(art, b.design.lines)
    assert all(c.exact for c in checks), checks


def test_full_ocr_finds_text_on_trimmed_pages(built):
    """OCR of the printed pages (poppler at 300 dpi): every design line reads back exactly
    from its box in the art window of the front, and the full detect+recognise pipeline finds
    the back's fixed texts (story, museum, AI label). (On busy art the text detector alone
    may skip a line a person reads easily, so the front is read box by box, as the kiosk does.)"""
    from generator.ocr import _engine, check_lines, fold

    b = built["postcard"]
    win = b.result.layout.front.art
    front = trim_crop(render(b.path, 1, dpi=300), b.result.sides[0], 300,
                      box_mm=(win.x, win.y, win.w, win.h))
    checks = check_lines(front, b.design.lines)
    assert all(c.exact for c in checks), [c.to_dict() for c in checks]
    back = trim_crop(render(b.path, 2, dpi=300), b.result.sides[1], 300)
    res = _engine()(np.asarray(back)[:, :, ::-1])
    found = [None, fold("".join(res.txts or ()))]
    assert fold("太阳神鸟金饰出土于成都金沙遗址") in found[1]
    assert fold("金沙遗址博物馆") in found[1]   # the museum name: CFF 'song' drawn as outlines
    assert "AI生成" in found[1]
    assert "中国邮政" not in found[1] and "邮政编码" in found[1]


def test_bookmark_hole_area_has_no_ink(built):
    b = built["bookmark"]
    hole = b.result.layout.hole
    from print.writer import SLUG_MM

    dpi = 100
    s = dpi / 25.4
    off = b.result.layout.trim.bleed_mm + SLUG_MM
    for page in (1, 2):
        a = cmyk_render(b.path, page, dpi).astype(np.int32).sum(axis=2)
        yy, xx = np.mgrid[0:a.shape[0], 0:a.shape[1]]
        hx = hole.x_mm if page == 1 else b.result.layout.trim.width_mm - hole.x_mm  # book turn
        d = np.hypot(xx + 0.5 - (off + hx) * s, yy + 0.5 - (off + hole.y_mm) * s)
        inside = d < (hole.clear_radius_mm - 0.3) * s
        assert inside.sum() > 50
        assert a[inside].max() == 0


def test_rgb_mode_for_desktop_printers(tmp_path):
    from products_helpers import design
    from products import build

    path = tmp_path / "rgb.pdf"
    res = build(design("postcard"), rgb=True, out=path)
    with pikepdf.open(path) as pdf:
        oi = pdf.Root.OutputIntents[0]     # sRGB: says what the values mean; not PDF/X
        assert int(oi.DestOutputProfile.N) == 3
        assert "GTS_PDFXVersion" not in str(pdf.open_metadata())
        assert "/GTS_PDFXVersion" not in pdf.docinfo
        assert "AIGC" in str(pdf.open_metadata())
    rows = [ln.split() for ln in run("pdfimages", "-list", str(path)).splitlines()[2:]]
    assert {r[5] for r in rows} == {"rgb"}
    assert res.pages == 2


@pytest.mark.parametrize("name", NAMES)
def test_every_text_inside_the_safe_area(built, name):
    """Fixed texts (story, museum, labels, indices) stay safe_mm inside the trim."""
    from print import typeset
    from print.page import TextOp

    b = built[name]
    lay = b.result.layout
    W, H, s = lay.trim.width_mm, lay.trim.height_mm, lay.safe_mm
    for side in b.result.sides:
        for op in side.ops:
            if not isinstance(op, TextOp):
                continue
            w = typeset.width_mm(op.text, op.font, op.size_pt)
            asc = typeset.ink_top_pt(op.text, op.font, op.size_pt) * 25.4 / 72
            x0, x1, y0, y1 = op.x, op.x + w, op.y - asc, op.y
            if op.angle == 180:
                x0, x1, y0, y1 = op.x - w, op.x, op.y, op.y + asc
            assert s - 0.05 <= x0 and x1 <= W - s + 0.05, (side.label, op.text)
            assert s - 0.05 <= y0 and y1 <= H - s + 0.05, (side.label, op.text)


@pytest.mark.parametrize("name", NAMES)
def test_prepress_preflight_passes(built, name):
    """print.preflight (the prepress engineer's independent checker) finds nothing."""
    preflight = pytest.importorskip("print.preflight")
    issues = preflight.preflight(built[name].path)
    assert [i for i in issues] == []


def test_prepress_preflight_passes_rgb(tmp_path):
    preflight = pytest.importorskip("print.preflight")
    from products import build
    from products_helpers import design

    res = build(design("bookmark"), rgb=True, out=tmp_path / "rgb.pdf",
                art=Image.new("RGB", (704, 1920), (20, 60, 50)))
    assert preflight.preflight(res.path) == []
