"""python -m products: bad input exits 2 with one line and never leaves a half-written PDF;
layout files are validated; proofs come from the same layout data as the PDF."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

import layouts
from products.cli import main
from products_helpers import DESIGNS, design, render, trim_crop

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def design_file(tmp_path):
    def make(name="postcard", **changes):
        p = tmp_path / f"{name}.json"
        p.write_text(json.dumps({**DESIGNS[name], **changes}, ensure_ascii=False), encoding="utf-8")
        return p
    return make


@pytest.fixture()
def art_file(tmp_path):
    """A small supplied art image: keeps CLI tests quick (no generation at print size)."""
    p = tmp_path / "art.png"
    Image.new("RGB", (700, 480), (90, 20, 16)).save(p)
    return p


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("error: ")
    return err


def test_build_writes_pdf_and_json(design_file, art_file, tmp_path, capsys):
    out = tmp_path / "card.pdf"
    assert main(["build", str(design_file()), "-o", str(out), "--art", str(art_file), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["pages"] == 2 and Path(res["pdf"]) == out
    assert any("upscaled" in n for n in res["notes"])    # 700 px art for a 154 mm window
    assert res["art"]["upscaled"]["method"] == "lanczos" and res["art"]["effective_ppi"] >= 300
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_unknown_product_exits_2(design_file, tmp_path, capsys):
    assert main(["build", str(design_file(product="mug")), "-o", str(tmp_path / "x.pdf")]) == 2
    assert "product" in _one_line_error(capsys)
    assert not (tmp_path / "x.pdf").exists()


def test_unknown_layout_exits_2(design_file, tmp_path, capsys):
    assert main(["build", str(design_file(layout="poker-1x1")), "-o", str(tmp_path / "x.pdf")]) == 2
    assert "poker-1x1" in _one_line_error(capsys)


def test_deck_only_for_poker(design_file, art_file, tmp_path, capsys):
    assert main(["build", str(design_file()), "-o", str(tmp_path / "x.pdf"), "--deck",
                 "--art", str(art_file)]) == 2
    assert "poker" in _one_line_error(capsys)


def test_layout_file_with_errors_names_file_and_field(tmp_path, design_file, capsys, monkeypatch):
    d = tmp_path / "layouts"
    shutil.copytree(layouts.HERE, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    spec = json.loads((d / "postcard-148x100.json").read_text(encoding="utf-8"))
    spec["trim"]["bleed_mm"] = "three"
    (d / "postcard-148x100.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("KIOSK_LAYOUTS_DIR", str(d))
    with pytest.raises(layouts.LayoutError) as ei:
        layouts.load_layout("postcard")
    assert "postcard-148x100.json" in ei.value.en and ei.value.field == "trim.bleed_mm"
    assert main(["build", str(design_file()), "-o", str(tmp_path / "x.pdf")]) == 2
    assert "trim.bleed_mm" in _one_line_error(capsys)
    (d / "postcard-148x100.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(layouts.LayoutError, match="not valid JSON"):
        layouts.load_layout("postcard")
    spec["trim"]["bleed_mm"] = 3
    spec["colour"] = "red"   # unknown keys are refused (extra="forbid"): typos do not pass
    (d / "postcard-148x100.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(layouts.LayoutError, match="colour"):
        layouts.load_layout("postcard")
    del spec["colour"]
    spec["ai_label"]["box"]["x"] = 1   # text in the trimmer's drift zone is refused
    (d / "postcard-148x100.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(layouts.LayoutError, match="safe area"):
        layouts.load_layout("postcard")
    spec["ai_label"]["box"]["x"] = 8
    spec["back"].pop("stamp")
    (d / "postcard-148x100.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(layouts.LayoutError, match="needs stamp"):
        layouts.load_layout("postcard")


def test_unwritable_output_exits_2_before_any_work(design_file, tmp_path, capsys):
    for bad in (tmp_path / "no" / "such" / "dir" / "x.pdf", tmp_path):
        assert main(["build", str(design_file()), "-o", str(bad)]) == 2
        assert "cannot write" in _one_line_error(capsys)


def test_full_disk_leaves_nothing_half_written(design_file, art_file, tmp_path):
    """A file-size limit makes writes past 200 kB fail (EFBIG), like a full disk: the art
    JPEGs (~110 kB) still fit, the PDF (~320 kB) does not. The command says so in one line,
    the old PDF is untouched and no temp file is left."""
    out = tmp_path / "card.pdf"
    out.write_bytes(b"%PDF-old")
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (204800, 204800));"
            "from products.cli import main; sys.exit(main(sys.argv[1:]))")
    p = subprocess.run([sys.executable, "-c", code, "build", str(design_file()), "-o", str(out),
                        "--art", str(art_file)], cwd=ROOT, capture_output=True, text=True,
                       timeout=300, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("\n") == 1 and "disk is full" in p.stderr
    assert out.read_bytes() == b"%PDF-old"
    assert sorted(x.name for x in tmp_path.iterdir()) == sorted(["card.pdf", "art.png", "postcard.json"])


def test_bad_icc_profile_exits_2(design_file, art_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KIOSK_CMYK_ICC", "/usr/share/color/icc/sRGB.icc")
    from print import color
    color.load_profile.cache_clear()
    try:
        assert main(["build", str(design_file()), "-o", str(tmp_path / "x.pdf"),
                     "--art", str(art_file)]) == 2
        assert "not a CMYK" in _one_line_error(capsys)
    finally:
        color.load_profile.cache_clear()


def test_layout_variant_selects_trim(tmp_path):
    from products import build

    d = design("poker").model_copy(update={"layout": "poker-57x87"})
    res = build(d, art=Image.new("RGB", (512, 1024), "navy"), out=tmp_path / "p.pdf")
    with pikepdf.open(tmp_path / "p.pdf") as pdf:
        t = [float(v) for v in pdf.pages[0].obj.TrimBox]
    assert (t[2] - t[0]) * 25.4 / 72 == pytest.approx(57, abs=0.01)
    assert (t[3] - t[1]) * 25.4 / 72 == pytest.approx(87, abs=0.01)
    assert res.layout.id == "poker-57x87"


def test_every_required_layout_is_there():
    sizes = {(s.product, s.trim.width_mm, s.trim.height_mm) for s in layouts.list_layouts()}
    for need in [("bookmark", 50, 150), ("bookmark", 54, 170), ("poker", 63, 88),
                 ("poker", 57, 87), ("postcard", 148, 100)]:
        assert need in sizes
    for product in ("bookmark", "poker", "postcard"):
        assert layouts.load_layout(product).default
        assert all(s.trim.bleed_mm == 3 for s in layouts.list_layouts())


def test_proof_matches_the_printed_page(built, tmp_path):
    """proof_images (PIL, no poppler) draws the same page as the PDF: compare with a poppler
    render of the trimmed page (RGB PDF, so only layout and antialiasing can differ)."""
    from products import build, proof_images

    b = built["postcard"]
    art = b.result.sides[0].ops[0].image
    res = build(b.design, art=art, rgb=True, out=tmp_path / "rgb.pdf")
    for i, proof in enumerate(proof_images(b.design, art=art, dpi=100, guides=False)):
        pdf_img = trim_crop(render(res.path, i + 1, 100), res.sides[i], 100)
        proof = proof.resize(pdf_img.size)
        diff = np.abs(np.asarray(proof, np.int16) - np.asarray(pdf_img, np.int16)).mean()
        assert diff < 8, (i, diff)   # antialiasing of small text and resampling only
    front, _ = proof_images(b.design, art=art, dpi=50, guides=True)
    px = np.asarray(front)
    assert (px == (0, 170, 230)).all(axis=2).any()      # the trim guide is drawn


def test_layouts_command_lists_variants(capsys):
    assert main(["layouts"]) == 0
    out = capsys.readouterr().out
    assert "poker-57x87" in out and "bookmark-54x170" in out


def test_sheet_option_imposes_when_prepress_is_installed(design_file, art_file, tmp_path, capsys):
    pytest.importorskip("print.impose")
    out = tmp_path / "card.pdf"
    assert main(["build", str(design_file()), "-o", str(out), "--art", str(art_file),
                 "--sheet", "a4", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    sheets = Path(res["sheets"])
    assert sheets == tmp_path / "card.a4.pdf"
    with pikepdf.open(sheets) as pdf:
        assert len(pdf.pages) == 2     # one A4 sheet, front and back (2 postcards per side)


def test_reprint_keeps_the_content_id(tmp_path):
    from products import build

    art = Image.new("RGB", (640, 1280), "teal")
    a = build(design("bookmark"), art=art)
    b = build(design("bookmark"), art=art)
    assert a.content_id == b.content_id and a.pdf.startswith(b"%PDF-1.6")
    with pikepdf.open(io.BytesIO(a.pdf)) as pa, pikepdf.open(io.BytesIO(b.pdf)) as pb:
        assert pa.open_metadata()["xmpMM:DocumentID"] == pb.open_metadata()["xmpMM:DocumentID"]


def test_proof_command_writes_front_and_back(design_file, art_file, tmp_path, capsys):
    prefix = tmp_path / "proof"
    assert main(["proof", str(design_file("bookmark")), "-o", str(prefix), "--dpi", "80",
                 "--art", str(art_file)]) == 0
    front = Image.open(f"{prefix}-front.png")
    back = Image.open(f"{prefix}-back.png")
    assert front.size == back.size == (round(50 / 25.4 * 80), round(150 / 25.4 * 80))


def test_proof_draws_turned_text_whole(built):
    """The poker back carries the AI label upright at the bottom and turned 180° at the top;
    in the proof both must be the same length (the turned one used to lose its last letters
    where the upright draw ran off the page before it was turned)."""
    from print.page import TextOp
    from products import proof_images

    b = built["poker"]
    back = b.result.sides[1]
    labels = [op for op in back.ops if isinstance(op, TextOp) and "AI" in op.text]
    assert sorted(op.angle % 360 for op in labels) == [0, 180]
    dpi = 300
    _, img = proof_images(b.design, art=b.result.sides[0].ops[0].image, dpi=dpi, guides=False)
    px = np.asarray(img.convert("L"), np.float32)
    s = dpi / 25.4
    widths = {}
    for op in labels:
        h = op.size_pt / 72 * 25.4 * s          # the text's height in pixels
        y = op.y * s
        band = px[max(0, int(y - 1.2 * h)):int(y + 1.2 * h)]
        ink = np.where((band > 200).any(axis=0))[0]   # the label is reversed out: light on dark
        widths[op.angle % 360] = ink.max() - ink.min()
    assert widths[180] > 0.95 * widths[0], widths
