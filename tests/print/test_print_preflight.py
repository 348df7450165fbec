"""Preflight: passes clean files and real products, fails planted defects for the right reason."""
from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pikepdf
import pytest

from print.cli import main
from print.preflight import PreflightError, format_report, inspect_pdf, preflight
from print_samples import make_product


def codes(issues, severity="error") -> set[str]:
    return {i.code for i in issues if i.severity == severity}


# --- reportlab samples: one clean file and one defect each ------------------------------------


def test_clean_sample_has_no_findings(tmp_path):
    issues = preflight(make_product(tmp_path / "good.pdf"))
    assert issues == []


@pytest.mark.parametrize("options,code,severity,text", [
    (dict(image=("rgb", 300)), "colour.device_rgb", "error", "RGB image"),
    (dict(inline_rgb=True), "colour.device_rgb", "error", "RGB inline image"),
    (dict(rgb_vector=True), "colour.device_rgb", "error", "rg/RG"),
    (dict(bleed=0), "bleed.short", "error", "bleed under 3 mm"),
    (dict(bleed=2), "bleed.short", "error", "left 2.0 mm"),
    (dict(boxes=False), "bleed.missing", "error", "no BleedBox"),
    (dict(boxes=False), "boxes.no_trim", "error", "no TrimBox"),
    (dict(font="helvetica"), "font.not_embedded", "error", "Helvetica"),
    (dict(image=("cmyk", 100)), "image.resolution", "error", "100 ppi"),
    (dict(image=("cmyk", 200)), "image.resolution", "warning", "200 ppi"),
    (dict(rich_black=True), "ink.over_limit", "error", "400%"),
    (dict(text_at=(1, 40)), "text.near_trim", "error", "'EDGE' is 1.0 mm"),
    (dict(text_at=(-4, 40)), "text.near_trim", "error", "past the trim"),
    (dict(text_at=(2.5, 40)), "text.outside_safe", "warning", "2.5 mm"),
    (dict(output_intent=None), "intent.missing", "error", "output intent missing"),
    (dict(xmp=False), "pdfx.identity", "warning", "GTS_PDFXVersion"),
    (dict(text_at=(10, 40), rich_text=True), "colour.rich_black_text", "warning", "C60 M40 Y40"),
])
def test_planted_defect_is_reported(tmp_path, options, code, severity, text):
    issues = preflight(make_product(tmp_path / "bad.pdf", **options))
    hits = [i for i in issues if i.code == code]
    assert hits, format_report(inspect_pdf(tmp_path / "bad.pdf"))
    assert all(i.severity == severity for i in hits)
    assert any(text in i.message for i in hits)
    # Planted on fronts only (pages 1 and 3) unless it is a file- or box-wide defect.
    if "image" in options or "text_at" in options or "rich_black" in options:
        assert {i.page for i in hits} == {1, 3}


def test_rgb_mode_accepts_an_rgb_desktop_file(tmp_path):
    path = make_product(tmp_path / "rgb.pdf", image=("rgb", 300), output_intent="rgb")
    report = inspect_pdf(path)
    assert report.mode == "rgb" and report.ok
    assert "colour.device_rgb" in codes(preflight(path, mode="cmyk"))


def test_art_that_stops_at_the_trim_warns(tmp_path):
    # Boxes claim 3 mm bleed, but the art was drawn for a 0 mm bleed: a white sliver after cutting.
    src = make_product(tmp_path / "short.pdf", bleed=0)
    with pikepdf.open(src) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.trimbox)
            m = 3 * 72 / 25.4
            page.bleedbox = [x0 - m, y0 - m, x1 + m, y1 + m]
        pdf.save(tmp_path / "sliver.pdf")
    issues = preflight(tmp_path / "sliver.pdf")
    assert "bleed.short" not in codes(issues)
    warn = [i for i in issues if i.code == "bleed.no_art"]
    assert warn and all(s in warn[0].message for s in ("left", "right", "top", "bottom"))


def test_unreadable_input_is_one_clear_error(tmp_path):
    with pytest.raises(PreflightError, match="no such file"):
        preflight(tmp_path / "missing.pdf")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    with pytest.raises(PreflightError, match="not a readable PDF"):
        preflight(junk)


def test_cli_exit_codes_and_json(tmp_path, capsys):
    good = make_product(tmp_path / "good.pdf")
    bad = make_product(tmp_path / "bad.pdf", font="helvetica", image=("cmyk", 100))
    assert main(["preflight", str(good)]) == 0
    assert capsys.readouterr().out.strip().endswith("OK: 0 error(s), 0 warning(s)")
    assert main(["preflight", str(bad)]) == 1
    text = capsys.readouterr().out
    assert "font.not_embedded" in text and "pages 1-4" in text and "FAIL" in text
    assert main(["preflight", str(bad), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert {"font.not_embedded", "image.resolution"} <= {i["code"] for i in data["issues"]}
    assert main(["preflight", str(good), str(bad), "--json", "--no-render"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [d["ok"] for d in data] == [True, False]
    assert main(["preflight", str(tmp_path / "nope.pdf")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: no such file: {tmp_path / 'nope.pdf'}"]


# --- real products from `products.build` (procedural backend) ---------------------------------

DESIGNS = {
    "postcard": {"motif": "sunbird", "product": "postcard", "seed": 7,
                 "lines": [{"text": "天路", "box": [0.05, 0.08, 0.22, 0.15]}]},
    "bookmark": {"motif": "sacred_tree", "product": "bookmark", "seed": 3,
                 "lines": [{"text": "古蜀神树", "box": [0.36, 0.18, 0.28, 0.42],
                            "vertical": True, "font": "kai"}]},
    "poker": {"motif": "sunbird", "product": "poker", "seed": 5,
              "lines": [{"text": "太阳神鸟", "box": [0.08, 0.05, 0.84, 0.12]}]},
    "bookmark-54x170": {"motif": "gold_mask", "product": "bookmark", "layout": "bookmark-54x170",
                        "seed": 1, "lines": [{"text": "金面", "box": [0.3, 0.62, 0.4, 0.1]}]},
    "poker-57x87": {"motif": "eye_mask", "product": "poker", "layout": "poker-57x87", "seed": 2,
                    "lines": [{"text": "纵目", "box": [0.2, 0.06, 0.6, 0.12]}]},
}


@pytest.fixture(scope="module")
def products_built(tmp_path_factory):
    build = pytest.importorskip("products").build
    from generator.design import make_design

    d = tmp_path_factory.mktemp("products")
    out = {}
    for name, spec in DESIGNS.items():
        out[name] = d / f"{name}.pdf"
        build(make_design(spec), out=out[name])
    out["deck"] = d / "deck.pdf"
    build(make_design(DESIGNS["poker"]), deck=True, out=out["deck"])
    return out


@pytest.mark.parametrize("name", [*DESIGNS, "deck"])
def test_default_products_pass(products_built, name):
    report = inspect_pdf(products_built[name])
    assert report.ok, format_report(report)
    assert report.mode == "cmyk" and report.output_intent


def _replace_art(src: Path, dst: Path, *, mode: str, scale: float = 1.0) -> None:
    """Swap page 1's largest image for an RGB or downsampled copy, same placement."""
    with pikepdf.open(src) as pdf:
        page = pdf.pages[0]
        images = [x for x in page.Resources.XObject.values() if x.Subtype == "/Image"]
        img = max(images, key=lambda x: int(x.Width) * int(x.Height))
        pil = pikepdf.PdfImage(img).as_pil_image()  # the writer's CMYK pixels
        if mode == "rgb":
            pil = pil.convert("RGB")
        if scale != 1.0:
            pil = pil.resize((max(1, round(pil.width * scale)), max(1, round(pil.height * scale))))
        buf = io.BytesIO()
        pil.save(buf, "JPEG", quality=85)
        img.write(buf.getvalue(), filter=pikepdf.Name.DCTDecode)
        img.Width, img.Height = pil.width, pil.height
        img.ColorSpace = pikepdf.Name.DeviceRGB if mode == "rgb" else pikepdf.Name.DeviceCMYK
        img.BitsPerComponent = 8
        # Pillow writes CMYK JPEGs inverted (Adobe), like the writer did: keep its /Decode then.
        for key in ("/SMask", "/Intent") + (("/Decode",) if mode == "rgb" else ()):
            if key in img:
                del img[key]
        pdf.save(dst)


def test_real_product_with_rgb_image_fails(products_built, tmp_path):
    bad = tmp_path / "rgb.pdf"
    _replace_art(products_built["poker"], bad, mode="rgb")
    issues = preflight(bad)
    assert codes(issues) == {"colour.device_rgb"}
    assert [i.page for i in issues if i.code == "colour.device_rgb"] == [1]


def test_real_product_with_100_ppi_image_fails(products_built, tmp_path):
    src = products_built["postcard"]
    out = subprocess.run(["pdfimages", "-list", str(src)], capture_output=True, text=True).stdout
    ppi = min(float(v) for v in out.splitlines()[2].split()[12:14])
    bad = tmp_path / "lowres.pdf"
    _replace_art(src, bad, mode="cmyk", scale=100 / ppi)
    issues = preflight(bad)
    assert codes(issues) == {"image.resolution"}
    hit = next(i for i in issues if i.code == "image.resolution")
    assert hit.page == 1 and hit.severity == "error"
    assert any(f"at {v} ppi" in hit.message for v in (99, 100, 101))


def test_real_product_without_bleed_fails(products_built, tmp_path):
    bad = tmp_path / "nobleed.pdf"
    with pikepdf.open(products_built["bookmark"]) as pdf:
        for page in pdf.pages:
            page.bleedbox = page.trimbox
        pdf.save(bad)
    issues = preflight(bad)
    assert codes(issues) == {"bleed.short"}
    assert {i.page for i in issues if i.code == "bleed.short"} == {1, 2}


def test_real_product_with_unembedded_font_fails(products_built, tmp_path):
    bad = tmp_path / "helvetica.pdf"
    with pikepdf.open(products_built["postcard"]) as pdf:
        page = pdf.pages[1]
        if "/Font" not in page.Resources:
            page.Resources.Font = pikepdf.Dictionary()
        page.Resources.Font["/FHelv"] = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding))
        x, y = (float(v) + 40 for v in page.trimbox[:2])
        page.contents_add(pdf.make_stream(
            f"BT /FHelv 9 Tf 0 0 0 1 k {x:.2f} {y:.2f} Td (Greetings) Tj ET".encode()))
        pdf.save(bad)
    issues = preflight(bad)
    assert codes(issues) == {"font.not_embedded"}
    errors = [i for i in issues if i.severity == "error"]
    # (the writer may share one /Resources between sides: then both pages name the font)
    assert {i.message for i in errors} == {"font Helvetica is not embedded"}
    assert 2 in {i.page for i in errors}


def test_imposed_deck_keeps_print_properties(products_built, tmp_path):
    from print.impose import impose

    sheets = tmp_path / "deck.sra3.pdf"
    res = impose(products_built["deck"], sheets, sheet="sra3")
    assert (res.sheets, res.pages) == (3, 6)
    with pikepdf.open(products_built["deck"]) as src, pikepdf.open(sheets) as out:
        assert out.docinfo.AIGC == src.docinfo.AIGC  # the AI-content label travels along
        assert out.open_metadata()["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert "/KioskPages" not in out.docinfo  # sheets are not front/back product pages
    # The sheet file is not a product (its trim is the sheet), but what the pieces carry must
    # survive imposition: embedded fonts, CMYK only, resolution, the output intent.
    report = inspect_pdf(sheets)
    assert report.ok and not report.warnings, format_report(report)
    # ...and a planted defect in a piece still shows on the sheet.
    bad = tmp_path / "rgb.pdf"
    _replace_art(products_built["poker"], bad, mode="rgb")
    impose(bad, tmp_path / "rgb.sheet.pdf", sheet="a4")
    assert codes(preflight(tmp_path / "rgb.sheet.pdf")) == {"colour.device_rgb"}


def test_real_bookmark_with_art_on_the_tassel_hole_fails(products_built, tmp_path):
    bad = tmp_path / "hole.pdf"
    with pikepdf.open(products_built["bookmark"]) as pdf:
        page = pdf.pages[0]  # the layout's hole: 10 mm below the top, centred
        x0, _, x1, y1 = (float(v) for v in page.trimbox)
        cx, cy, r = (x0 + x1) / 2, y1 - 10 * 72 / 25.4, 4 * 72 / 25.4
        page.contents_add(pdf.make_stream(
            f"q 0.2 0.6 0.8 0.3 k {cx - r:.2f} {cy - r:.2f} {2 * r:.2f} {2 * r:.2f} re f Q"
            .encode()))
        pdf.save(bad)
    issues = preflight(bad)
    assert codes(issues) == {"hole.clearance"}
    assert [i.page for i in issues if i.code == "hole.clearance"] == [1]
