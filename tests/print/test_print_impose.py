"""Imposition: yields, grid positions, bleed kept, duplex backs behind their fronts, CLI."""
from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageOps

from print.cli import main
from print.impose import MM, ImposeError, apply, impose, plan_grid, sheet_flip, yields
from print_samples import make_product


def render(pdf: Path, page: int, dpi: int = 25) -> Image.Image:
    out = pdf.with_name(f"{pdf.stem}-{page}-{dpi}")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    "-png", str(pdf), str(out)], check=True, timeout=120)
    return Image.open(f"{out}.png").convert("RGB")


@pytest.fixture(scope="module")
def deck_pdf(tmp_path_factory) -> Path:
    """54 poker pieces, front/back alternating; every back mirrors its front."""
    return make_product(tmp_path_factory.mktemp("impose") / "deck.pdf", count=54)


def test_yields_match_print_reference():
    # PRINT.md: poker 8/16/18, bookmark 54x170 4/8/10, postcard 2/4/4 (3 mm bleed, 10 mm margin)
    assert yields(63, 88) == {"a4": 8, "a3": 16, "sra3": 18}
    assert yields(54, 170) == {"a4": 4, "a3": 8, "sra3": 10}
    assert yields(148, 100) == {"a4": 2, "a3": 4, "sra3": 4}


def test_grid_stays_inside_margins_and_is_centred():
    g = plan_grid(63, 88, "sra3")
    assert (g.cols, g.rows, g.rotated) == (3, 6, True)  # 18 needs the cards turned
    assert g.left >= 10 and g.bottom >= 10
    assert g.sheet_w - g.right == pytest.approx(g.left)
    assert g.sheet_h - g.top == pytest.approx(g.bottom)
    with pytest.raises(ImposeError, match="does not fit"):
        plan_grid(300, 500, "a4")
    with pytest.raises(ImposeError, match="unknown sheet"):
        plan_grid(63, 88, "b7")
    assert plan_grid(63, 88, "450x320").sheet_w == 320  # WxH in mm, either way round


def test_deck_fills_three_sra3_sheets_per_side(deck_pdf, tmp_path):
    out = tmp_path / "sheets.pdf"
    res = impose(deck_pdf, out, sheet="sra3")
    assert (res.sheets, res.pages, res.pieces) == (3, 6, 54)
    assert (res.duplex, res.pairing) == ("turn", "alternate")
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 6
        for page in pdf.pages:
            assert [float(v) for v in page.mediabox] == pytest.approx([0, 0, 320 * MM, 450 * MM])
            assert [float(v) for v in page.trimbox] == pytest.approx([0, 0, 320 * MM, 450 * MM])
        # The print metadata of the product survives: PDF/X output intent and /Trapped.
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFX"
        assert pdf.docinfo.Trapped == "/False"
        assert pdf.pdf_version >= "1.6"
        # Each placed piece is clipped to its trim + 3 mm: the product's crop marks stay out.
        forms = [x for page in pdf.pages for x in page.Resources.XObject.values()]
        for form in forms:
            x0, y0, x1, y1 = (float(v) for v in form.BBox)
            assert (x1 - x0, y1 - y0) == pytest.approx(((63 + 6) * MM, (88 + 6) * MM), abs=0.01)
    with pikepdf.open(out) as pdf:
        assert pdf.check_pdf_syntax() == []
    gs = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=nullpage", str(out)],
                        capture_output=True, text=True, timeout=120)
    assert gs.returncode == 0 and not gs.stdout.strip() and not gs.stderr.strip()
    # Pages: sheet 1 front, sheet 1 back, sheet 2 front...
    fronts = [p for p in res.placements if p.side == "front"]
    assert [p.page for p in fronts] == list(range(0, 108, 2))
    assert {p.page for p in res.placements if p.side == "back"} == set(range(1, 108, 2))


def test_piece_positions_match_the_grid(deck_pdf):
    res = impose(deck_pdf, sheet="sra3")
    g = res.grid
    w, h = 63 * MM, 88 * MM
    for p in res.placements:
        if p.side != "front":
            continue
        corners = [apply(p.matrix, x, y) for x, y in ((0, 0), (w, 0), (0, h), (w, h))]
        xs, ys = zip(*corners)
        x0, y0, x1, y1 = g.trim_rect(p.row, p.col)
        assert (min(xs), min(ys), max(xs), max(ys)) == pytest.approx(
            (x0 * MM, y0 * MM, x1 * MM, y1 * MM), abs=1e-3)
        # the card's top edge (v = h) lies along the slot's left edge: turned 90 degrees
        assert apply(p.matrix, 0, h)[0] == pytest.approx(x0 * MM, abs=1e-3)
        assert res.pdf_bytes is not None and p.sheet * g.per_sheet + p.row * g.cols + p.col \
            == p.page // 2


@pytest.mark.parametrize("sheet,rotated", [("sra3", True), ("a3", False)])
@pytest.mark.parametrize("duplex", ["turn", "tumble"])
def test_back_point_lies_behind_its_front_point(deck_pdf, duplex, sheet, rotated):
    """Geometry: the back's (w - u, v) is the physical back of the front's (u, v)."""
    res = impose(deck_pdf, sheet=sheet, duplex=duplex)
    assert res.grid.rotated is rotated
    flip = sheet_flip(res.grid, duplex)
    w = 63 * MM
    fronts = {(p.sheet, p.row, p.col): p for p in res.placements if p.side == "front"}
    backs = {(p.sheet, p.row, p.col): p for p in res.placements if p.side == "back"}
    assert fronts.keys() == backs.keys()
    for key, f in fronts.items():
        b = backs[key]
        assert b.page == f.page + 1
        for u, v in ((0, 0), (10, 80), (50, 5)):
            front_pt = apply(f.matrix, u * MM, v * MM)
            back_pt = apply(b.matrix, w - u * MM, v * MM)
            # the back side's point, turned back over, is the front side's point
            assert apply(flip, *back_pt) == pytest.approx(front_pt, abs=1e-3)


@pytest.mark.parametrize("sheet", ["sra3", "a3"])  # cards turned 90 degrees / upright
@pytest.mark.parametrize("duplex,mirror", [("turn", ImageOps.mirror), ("tumble", ImageOps.flip)])
def test_rendered_backs_line_up_with_fronts(deck_pdf, tmp_path, duplex, mirror, sheet):
    """Render both sides: the back sheet, turned over, must show each back (the mirror image of
    its front) exactly behind the front, marks included (the slug label is left out: it reads
    the right way on both sides)."""
    out = tmp_path / f"{duplex}.pdf"
    g = impose(deck_pdf, out, sheet=sheet, duplex=duplex, label=False).grid
    front = np.asarray(render(out, 1), dtype=np.int16)
    back = render(out, 2)
    turned = np.asarray(mirror(back), dtype=np.int16)
    unturned = np.asarray(back, dtype=np.int16)
    assert np.abs(front - turned).mean() < 2.0
    assert np.abs(front - unturned).mean() > 10.0  # the comparison can fail
    # The pieces are not blank and no white gap opens between them (the bleed is kept).
    s = 25 / 25.4
    ys = np.arange(int((g.sheet_h - g.top + 1) * s), int((g.sheet_h - g.bottom - 1) * s))
    for c in range(1, g.cols):
        x = int(round((g.left + c * g.cell_w) * s))  # where two pieces' bleeds meet
        assert (front[ys, x].min(axis=1) < 235).mean() > 0.98


def test_front_only_and_shared_back(tmp_path):
    fronts = make_product(tmp_path / "fronts.pdf", trim=(148, 100), count=5, backs=False)
    res = impose(fronts, tmp_path / "f.pdf", sheet="a4", duplex="tumble")
    assert (res.grid.per_sheet, res.sheets, res.pages, res.duplex) == (2, 3, 3, None)
    assert any("duplex ignored" in n for n in res.notes)

    # 5 fronts then one back shared by all (needs the explicit pairing: 6 pages look like pairs)
    src = make_product(tmp_path / "six.pdf", trim=(148, 100), count=6, backs=False)
    res = impose(src, sheet="a3", pages="shared-back", duplex="tumble")
    assert (res.pieces, res.sheets, res.pages) == (5, 2, 4)
    assert {p.page for p in res.placements if p.side == "back"} == {5}


def test_bytes_in_bytes_out(deck_pdf):
    res = impose(deck_pdf.read_bytes(), sheet="a3")
    assert res.path is None and res.pdf_bytes.startswith(b"%PDF-")
    with pikepdf.open(io.BytesIO(res.pdf_bytes)) as pdf:
        assert len(pdf.pages) == 2 * 4  # 54 cards at 16-up: 4 sheets, two sides each
    with pikepdf.open(deck_pdf) as src:
        before = [list(page.trimbox) for page in src.pages]
        assert impose(src, sheet="a4").sheets == 7
        assert [list(page.trimbox) for page in src.pages] == before  # the caller's Pdf unchanged


def test_copies_and_fill(tmp_path):
    one = make_product(tmp_path / "one.pdf", trim=(54, 170), count=1)  # front + back
    res = impose(one, sheet="sra3", fill=True)
    assert (res.pieces, res.sheets, res.pages) == (10, 1, 2)
    assert {p.page for p in res.placements} == {0, 1}
    two = make_product(tmp_path / "two.pdf", trim=(148, 100), count=2)
    res = impose(two, sheet="a4", copies=3)
    assert [p.page for p in res.placements if p.side == "front"] == [0, 0, 0, 2, 2, 2]
    assert res.sheets == 3
    with pytest.raises(ImposeError, match="copies"):
        impose(two, copies=0)


def test_bad_inputs_are_clear_errors(tmp_path):
    odd = make_product(tmp_path / "odd.pdf", count=3, backs=False)
    with pytest.raises(ImposeError, match="must be even"):
        impose(odd, pages="alternate")
    no_boxes = make_product(tmp_path / "nobox.pdf", count=1, boxes=False)
    with pytest.raises(ImposeError, match="no TrimBox"):
        impose(no_boxes)
    mixed = tmp_path / "mixed.pdf"
    with pikepdf.open(make_product(tmp_path / "a.pdf", count=1)) as a, \
            pikepdf.open(make_product(tmp_path / "b.pdf", trim=(148, 100), count=1)) as b:
        a.pages.extend(b.pages)
        a.save(mixed)
    with pytest.raises(ImposeError, match="one product size at a time"):
        impose(mixed)
    with pytest.raises(ImposeError, match="no such file"):
        impose(tmp_path / "missing.pdf")


def test_cli_impose(deck_pdf, tmp_path, capsys):
    out = tmp_path / "cli.pdf"
    assert main(["impose", str(deck_pdf), "-o", str(out), "--sheet", "sra3", "--duplex",
                 "tumble", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["sheets"] == 3 and summary["per_sheet"] == 18
    assert summary["duplex"] == "tumble" and out.exists()

    assert main(["impose", str(deck_pdf), "-o", str(out), "--sheet", "b9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: unknown sheet")

    assert main(["impose", str(deck_pdf), "-o", str(tmp_path / "no" / "dir.pdf")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not list((tmp_path).glob(".*.tmp"))


def test_python_dash_m_print_runs(deck_pdf, tmp_path):
    out = tmp_path / "m.pdf"
    proc = subprocess.run([".venv/bin/python", "-m", "print", "impose", str(deck_pdf), "-o",
                           str(out), "--sheet", "a4"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "8-up" in proc.stdout and "7 sheet(s)" in proc.stdout


def test_sheet_label_in_the_top_margin(deck_pdf, tmp_path):
    """The slug names file, sheet and side; it is drawn as outlines over the first column."""
    def label_ink(label: bool) -> int:
        out = tmp_path / f"label-{label}.pdf"
        res = impose(deck_pdf, out, sheet="sra3", label=label)
        g = res.grid
        img = np.asarray(render(out, 2, dpi=100).convert("L"))
        s = 100 / 25.4
        x0, _, x1, _ = g.trim_rect(0, 0)
        top = g.sheet_h - g.top  # mm from the sheet's top edge to the grid
        box = img[int((top - 5) * s):int((top - 1.5) * s), int((x0 + 1) * s):int((x1 - 1) * s)]
        return int((box < 128).sum())

    assert label_ink(True) > 200
    assert label_ink(False) == 0
    with pikepdf.open(tmp_path / "label-True.pdf") as pdf:
        assert not any(page.Resources.get("/Font") for page in pdf.pages)  # nothing to embed


def test_crop_marks_on_every_trim_line_outside_the_grid(deck_pdf):
    res = impose(deck_pdf, sheet="sra3", label=False)
    g = res.grid
    xs, ys = g.cut_lines()
    assert len(xs) == 2 * g.cols and len(ys) == 2 * g.rows  # bleeds between pieces: no shared cut
    with pikepdf.open(io.BytesIO(res.pdf_bytes)) as pdf:
        segs, pending = [], None
        for operands, op in pikepdf.parse_content_stream(pdf.pages[0]):
            if str(op) == "m":
                pending = tuple(float(v) / MM for v in operands)
            elif str(op) == "l" and pending:
                segs.append((pending, tuple(float(v) / MM for v in operands)))
                pending = None
    vertical = [(a, b) for a, b in segs if abs(a[0] - b[0]) < 1e-6]
    horizontal = [(a, b) for a, b in segs if abs(a[1] - b[1]) < 1e-6]
    for x in xs:  # a mark above and below the grid for every vertical cut
        hits = [s for s in vertical if abs(s[0][0] - x) < 1e-3]
        assert sorted(round(min(a[1], b[1]) - g.top, 3) for a, b in hits if a[1] > g.top) == [1.0]
        assert len([s for s in hits if s[0][1] < g.bottom]) == 1
    for y in ys:
        hits = [s for s in horizontal if abs(s[0][1] - y) < 1e-3]
        assert len(hits) == 2  # left and right of the grid
        assert all(max(a[0], b[0]) <= g.left - 1 + 1e-3 or min(a[0], b[0]) >= g.right + 1 - 1e-3
                   for a, b in hits)
    # Marks stay on the sheet.
    for a, b in segs:
        for x, y in (a, b):
            assert 0 < x < g.sheet_w and 0 < y < g.sheet_h
