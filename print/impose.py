"""Imposition: put the pieces of a product PDF n-up on press sheets for the cutter.

Input: a product PDF whose pages alternate front/back (page 1 front, page 2 back, ...), or
front-only pages, or N fronts followed by one back shared by all of them. Every page carries a
TrimBox and a BleedBox (print/writer.py writes them).

Geometry, in one place so the tests can check it:
- each piece takes its trim size plus `bleed_mm` on every side; neighbouring pieces touch at
  their bleed edges (that is what the yields in PRINT.md assume: poker on SRA3 = 18);
- the grid keeps `margin_mm` clear on every sheet edge, is centred on the sheet (so mirroring
  columns or rows maps the grid onto itself), and tries the piece upright and turned 90 degrees;
- crop marks for every trim line sit in the margin outside the grid, registration marks in the
  four corners of the margin, both in the /All separation so they print on every plate;
- backs: a piece is turned over like a book page (about its own vertical axis). The press sheet
  is turned (work-and-turn: about the sheet's vertical axis, so columns mirror) or tumbled
  (work-and-tumble: about its horizontal axis, so rows mirror and each back ends up turned 180
  degrees). A back is placed with  sheet_flip . front_placement . piece_flip^-1, which puts every
  point of the back exactly behind the same point of its front.
"""
from __future__ import annotations

import functools
import io
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pikepdf
from pikepdf import Array, Dictionary, Name

from print.errors import PrintError

MM = 72.0 / 25.4  # PDF points per millimetre
SIZE_TOL_MM = 0.2  # pages whose trim sizes differ by less than this count as the same size

# Sheet sizes in mm, portrait (width, height). Shops with other sheets pass "WxH" in mm.
SHEETS: dict[str, tuple[float, float]] = {
    "a4": (210.0, 297.0),
    "a3": (297.0, 420.0),
    "sra4": (225.0, 320.0),
    "sra3": (320.0, 450.0),
}
DUPLEX_MODES = ("turn", "tumble")
PAIRINGS = ("auto", "alternate", "fronts", "shared-back")

MARK_OFFSET_MM = 1.0  # gap between the grid's bleed edge and a crop mark
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25  # PRINT.md: lines at least 0.25 pt
REG_RADIUS_MM = 2.5


class ImposeError(PrintError):
    """The input cannot be imposed (no boxes, mixed sizes, pieces larger than the sheet...)."""


# --- 2D affine maps, PDF order: (a, b, c, d, e, f) means x' = a x + c y + e, y' = b x + d y + f


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def then(first: Matrix, second: Matrix) -> Matrix:
    """The map that applies `first`, then `second` (PDF's `first x second`)."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def translate(x: float, y: float) -> Matrix:
    return (1.0, 0.0, 0.0, 1.0, x, y)


# --- the grid ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Where pieces go on one side of a sheet. All lengths in mm; row 0 is the top row."""

    sheet_w: float
    sheet_h: float
    trim_w: float  # the piece's own trim size (as designed, upright)
    trim_h: float
    bleed: float
    margin: float
    cols: int
    rows: int
    rotated: bool  # pieces turned 90 degrees on the sheet

    @property
    def per_sheet(self) -> int:
        return self.cols * self.rows

    @property
    def slot_w(self) -> float:
        """Trim width of a slot as it lies on the sheet."""
        return self.trim_h if self.rotated else self.trim_w

    @property
    def slot_h(self) -> float:
        return self.trim_w if self.rotated else self.trim_h

    @property
    def cell_w(self) -> float:
        return self.slot_w + 2 * self.bleed

    @property
    def cell_h(self) -> float:
        return self.slot_h + 2 * self.bleed

    @property
    def left(self) -> float:
        """x of the grid's left bleed edge (the grid is centred on the sheet)."""
        return (self.sheet_w - self.cols * self.cell_w) / 2

    @property
    def bottom(self) -> float:
        return (self.sheet_h - self.rows * self.cell_h) / 2

    @property
    def right(self) -> float:
        return self.left + self.cols * self.cell_w

    @property
    def top(self) -> float:
        return self.bottom + self.rows * self.cell_h

    def trim_rect(self, row: int, col: int) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in mm of slot (row, col)'s trim on the sheet, origin bottom-left."""
        x0 = self.left + col * self.cell_w + self.bleed
        y1 = self.top - row * self.cell_h - self.bleed
        return (x0, y1 - self.slot_h, x0 + self.slot_w, y1)

    def cut_lines(self) -> tuple[list[float], list[float]]:
        """x positions of vertical trim lines and y positions of horizontal ones, in mm."""
        xs = sorted({v for c in range(self.cols) for v in self.trim_rect(0, c)[0::2]})
        ys = sorted({v for r in range(self.rows) for v in self.trim_rect(r, 0)[1::2]})
        return xs, ys

    def placement(self, row: int, col: int) -> Matrix:
        """Map piece coordinates (points, trim bottom-left origin, upright) to the sheet."""
        x0, y0, _, _ = (v * MM for v in self.trim_rect(row, col))
        if not self.rotated:
            return translate(x0, y0)
        # 90 degrees anticlockwise: the piece's bottom edge becomes the slot's right edge.
        return (0.0, 1.0, -1.0, 0.0, x0 + self.trim_h * MM, y0)


def plan_grid(
    trim_w: float,
    trim_h: float,
    sheet: str | tuple[float, float] = "sra3",
    *,
    bleed: float = 3.0,
    margin: float = 10.0,
) -> Grid:
    """The grid that fits the most pieces; ties keep the piece upright."""
    sheet_w, sheet_h = sheet_size(sheet)
    usable_w, usable_h = sheet_w - 2 * margin, sheet_h - 2 * margin
    best: Grid | None = None
    for rotated in (False, True):
        w, h = (trim_h, trim_w) if rotated else (trim_w, trim_h)
        # A hair of tolerance so that a grid which fits exactly is not lost to rounding.
        cols = int((usable_w + 1e-6) // (w + 2 * bleed))
        rows = int((usable_h + 1e-6) // (h + 2 * bleed))
        grid = Grid(sheet_w, sheet_h, trim_w, trim_h, bleed, margin, cols, rows, rotated)
        if best is None or grid.per_sheet > best.per_sheet:
            best = grid
    assert best is not None
    if best.per_sheet == 0:
        raise ImposeError(
            f"a {trim_w:g} x {trim_h:g} mm piece with {bleed:g} mm bleed does not fit on a "
            f"{sheet_w:g} x {sheet_h:g} mm sheet with {margin:g} mm margins",
            f"{trim_w:g} x {trim_h:g} 毫米的成品（含 {bleed:g} 毫米出血）放不进 "
            f"{sheet_w:g} x {sheet_h:g} 毫米的纸张",
            field="sheet",
        )
    return best


def sheet_size(sheet: str | tuple[float, float]) -> tuple[float, float]:
    """A named sheet (a4, a3, sra4, sra3) or 'WxH' in mm -> (width, height) in mm, portrait."""
    if isinstance(sheet, tuple):
        w, h = sheet
    elif sheet.lower() in SHEETS:
        w, h = SHEETS[sheet.lower()]
    else:
        try:
            w, h = (float(v) for v in sheet.lower().split("x"))
        except ValueError:
            raise ImposeError(
                f"unknown sheet {sheet!r}: use {', '.join(SHEETS)} or WIDTHxHEIGHT in mm",
                f"未知纸张 {sheet!r}：可用 {', '.join(SHEETS)} 或 宽x高（毫米）",
                field="sheet",
            ) from None
    if w <= 0 or h <= 0:
        raise ImposeError(f"sheet size must be positive, got {w:g} x {h:g} mm",
                          f"纸张尺寸必须为正：{w:g} x {h:g} 毫米", field="sheet")
    return (min(w, h), max(w, h))


# --- duplex -----------------------------------------------------------------------------------


def sheet_flip(grid: Grid, duplex: str) -> Matrix:
    """Front-side sheet coordinates -> back-side sheet coordinates (both seen from the press)."""
    w, h = grid.sheet_w * MM, grid.sheet_h * MM
    if duplex == "turn":
        return (-1.0, 0.0, 0.0, 1.0, w, 0.0)
    if duplex == "tumble":
        return (1.0, 0.0, 0.0, -1.0, 0.0, h)
    raise ImposeError(f"unknown duplex mode {duplex!r}: use turn or tumble",
                      f"未知双面方式 {duplex!r}：可用 turn 或 tumble", field="duplex")


def piece_flip(grid: Grid) -> Matrix:
    """Piece front coordinates -> piece back coordinates: turned over like a book page."""
    return (-1.0, 0.0, 0.0, 1.0, grid.trim_w * MM, 0.0)


def back_placement(grid: Grid, row: int, col: int, duplex: str) -> Matrix:
    """Map back-page piece coordinates onto the back of the sheet, behind front slot (row, col)."""
    flip = piece_flip(grid)  # a reflection: its own inverse
    return then(then(flip, grid.placement(row, col)), sheet_flip(grid, duplex))


# --- reading the product PDF ------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    index: int  # 0-based page index in the input
    trim: tuple[float, float, float, float]  # points, page space
    bleed: tuple[float, float, float, float]

    @property
    def size_mm(self) -> tuple[float, float]:
        # Rounded to 0.01 mm: the box values are points written with a few decimals.
        return (round((self.trim[2] - self.trim[0]) / MM, 2),
                round((self.trim[3] - self.trim[1]) / MM, 2))


def _rect(box) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def read_pieces(pdf: pikepdf.Pdf) -> list[Piece]:
    pieces = []
    for i, page in enumerate(pdf.pages):
        if "/TrimBox" not in page.obj:
            raise ImposeError(
                f"page {i + 1} has no TrimBox: impose needs a print-ready product PDF "
                "(python -m products build)",
                f"第 {i + 1} 页没有 TrimBox（成品框）：请使用 python -m products build 生成的 PDF",
                field="input",
            )
        if int(page.obj.get("/Rotate", 0)) % 360:
            raise ImposeError(f"page {i + 1} is rotated (/Rotate); impose expects upright pages",
                              f"第 {i + 1} 页带有 /Rotate 旋转，无法拼版", field="input")
        trim = _rect(page.trimbox)
        bleed = _rect(page.obj.BleedBox) if "/BleedBox" in page.obj else trim
        pieces.append(Piece(i, trim, bleed))
    if not pieces:
        raise ImposeError("the PDF has no pages", "PDF 没有页面", field="input")
    return pieces


def _pair(pieces: list[Piece], pairing: str, hint: str | None) -> tuple[str, list, list]:
    """Split pages into fronts and backs (backs: same length as fronts, or empty)."""
    if pairing not in PAIRINGS:
        raise ImposeError(f"unknown page pairing {pairing!r}: use {', '.join(PAIRINGS)}",
                          f"未知页面排列 {pairing!r}", field="pages")
    if pairing == "auto":
        if hint in PAIRINGS[1:]:
            pairing = hint
        else:
            # Our product PDFs alternate front/back, so an even count means pairs.
            pairing = "alternate" if len(pieces) % 2 == 0 else "fronts"
    if pairing == "alternate":
        if len(pieces) % 2:
            raise ImposeError(
                f"{len(pieces)} pages cannot alternate front/back: the count must be even",
                f"共 {len(pieces)} 页，无法按正反面交替排列：页数必须为偶数", field="pages")
        return pairing, pieces[0::2], pieces[1::2]
    if pairing == "shared-back":
        if len(pieces) < 2:
            raise ImposeError("shared-back needs at least one front and one back page",
                              "共用背面至少需要一页正面和一页背面", field="pages")
        return pairing, pieces[:-1], [pieces[-1]] * (len(pieces) - 1)
    return pairing, pieces, []


def _pairing_hint(pdf: pikepdf.Pdf) -> str | None:
    """The product writer may record how its pages pair up (DocInfo /KioskPages)."""
    try:
        value = pdf.docinfo.get("/KioskPages")
    except Exception:  # a broken Info dictionary is not our problem here
        return None
    return str(value) if value is not None else None


# --- writing the sheets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    sheet: int  # 0-based press sheet
    side: str  # "front" or "back"
    row: int
    col: int
    page: int  # 0-based input page
    matrix: Matrix  # piece coordinates (points, trim bottom-left origin) -> sheet page


@dataclass(frozen=True)
class ImposeResult:
    grid: Grid
    sheets: int  # press sheets
    pages: int  # pages in the output PDF (sheets x sides)
    pieces: int  # fronts placed
    duplex: str | None
    pairing: str
    placements: tuple[Placement, ...]
    notes: tuple[str, ...] = ()
    path: Path | None = None
    pdf_bytes: bytes | None = field(default=None, repr=False)


def _open(src) -> pikepdf.Pdf:
    if isinstance(src, pikepdf.Pdf):
        return src
    try:
        if isinstance(src, (bytes, bytearray)):
            return pikepdf.open(io.BytesIO(bytes(src)))
        return pikepdf.open(Path(src))
    except FileNotFoundError:
        raise ImposeError(f"no such file: {src}", f"找不到文件：{src}", field="input") from None
    except (pikepdf.PdfError, OSError) as exc:
        raise ImposeError(f"cannot read PDF {src}: {exc}", f"无法读取 PDF {src}：{exc}",
                          field="input") from None


def _fmt(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _cm(m: Matrix) -> str:
    return " ".join(_fmt(v) for v in m) + " cm"


def _marks(grid: Grid) -> str:
    """Crop marks at every trim line, outside the grid, and registration marks in the corners."""
    ops = [f"/CSAll cs /CSAll CS 1 scn 1 SCN {_fmt(MARK_WIDTH_PT)} w 0 J"]
    xs, ys = grid.cut_lines()
    near, far = MARK_OFFSET_MM, MARK_OFFSET_MM + MARK_LENGTH_MM
    for x in xs:
        for y0, y1 in ((grid.top + near, grid.top + far), (grid.bottom - near, grid.bottom - far)):
            ops.append(f"{_fmt(x * MM)} {_fmt(y0 * MM)} m {_fmt(x * MM)} {_fmt(y1 * MM)} l S")
    for y in ys:
        for x0, x1 in ((grid.left - near, grid.left - far), (grid.right + near, grid.right + far)):
            ops.append(f"{_fmt(x0 * MM)} {_fmt(y * MM)} m {_fmt(x1 * MM)} {_fmt(y * MM)} l S")
    # Registration targets in the margin corners: clear of every crop mark, and symmetric under
    # both sheet flips, so front and back targets land on each other.
    d = MARK_OFFSET_MM + REG_RADIUS_MM + 1.5
    r = REG_RADIUS_MM * MM
    k = 0.5523 * r  # Bezier handle for a quarter circle
    for cx, cy in ((grid.left - d, grid.top + d), (grid.right + d, grid.top + d),
                   (grid.left - d, grid.bottom - d), (grid.right + d, grid.bottom - d)):
        x, y = cx * MM, cy * MM
        ops.append(
            f"{_fmt(x + r)} {_fmt(y)} m "
            f"{_fmt(x + r)} {_fmt(y + k)} {_fmt(x + k)} {_fmt(y + r)} {_fmt(x)} {_fmt(y + r)} c "
            f"{_fmt(x - k)} {_fmt(y + r)} {_fmt(x - r)} {_fmt(y + k)} {_fmt(x - r)} {_fmt(y)} c "
            f"{_fmt(x - r)} {_fmt(y - k)} {_fmt(x - k)} {_fmt(y - r)} {_fmt(x)} {_fmt(y - r)} c "
            f"{_fmt(x + k)} {_fmt(y - r)} {_fmt(x + r)} {_fmt(y - k)} {_fmt(x + r)} {_fmt(y)} c S"
        )
        big = r * 1.6
        ops.append(f"{_fmt(x - big)} {_fmt(y)} m {_fmt(x + big)} {_fmt(y)} l S "
                   f"{_fmt(x)} {_fmt(y - big)} m {_fmt(x)} {_fmt(y + big)} l S")
    return "\n".join(ops)


# A small Latin font for the sheet label, drawn as outlines (nothing to embed). Ghostscript's
# URW fonts come with the ghostscript package we already need; DejaVu is a common fallback.
LABEL_FONTS = ("/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf",
               "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LABEL_PT = 6.0


@functools.lru_cache(maxsize=1)
def _label_font():
    from fontTools.ttLib import TTFont

    for path in LABEL_FONTS:
        if Path(path).is_file():
            font = TTFont(path, lazy=True)
            return font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm
    return None


def _label(text: str, x: float, y: float, max_w: float) -> str:
    """Text as filled outlines, 100% K, baseline at (x, y) points, shrunk to fit max_w."""
    font = _label_font()
    if font is None:
        return ""  # no label font on this machine: the sheet is still right, just unlabelled
    from fontTools.pens.basePen import BasePen

    glyphs, cmap, upem = font
    names = [cmap.get(ord(ch)) or cmap.get(ord("?")) for ch in text]
    width = sum(glyphs[n].width for n in names if n)
    scale = min(LABEL_PT / upem, max_w / width) if width else LABEL_PT / upem
    ops: list[str] = []

    class Pen(BasePen):
        def __init__(self, dx):
            super().__init__(glyphs)
            self.dx = dx

        def _pt(self, p):
            return f"{_fmt(x + (self.dx + p[0]) * scale)} {_fmt(y + p[1] * scale)}"

        def _moveTo(self, p):
            ops.append(f"{self._pt(p)} m")

        def _lineTo(self, p):
            ops.append(f"{self._pt(p)} l")

        def _curveToOne(self, p1, p2, p3):
            ops.append(f"{self._pt(p1)} {self._pt(p2)} {self._pt(p3)} c")

        def _closePath(self):
            ops.append("h")

        _endPath = _closePath

    dx = 0.0
    for n in names:
        if n:
            glyphs[n].draw(Pen(dx))
            dx += glyphs[n].width
    return "q 0 0 0 1 k\n" + "\n".join(ops) + "\nf Q" if ops else ""


def _all_separation(pdf: pikepdf.Pdf) -> Array:
    """Registration colour: /All prints on every plate; its alternate is 100% of each ink."""
    tint = Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1)
    return Array([Name.Separation, Name("/All"), Name.DeviceCMYK, pdf.make_indirect(tint)])


def _copy_print_metadata(src: pikepdf.Pdf, out: pikepdf.Pdf, title: str) -> None:
    """Keep the input's PDF/X output intent, XMP (PDF/X id, AI-content labels) and /Trapped."""
    if "/OutputIntents" in src.Root:
        intents = src.Root.OutputIntents
        if not intents.is_indirect:  # copy_foreign only takes indirect objects
            intents = src.make_indirect(intents)
        out.Root.OutputIntents = out.copy_foreign(intents)
    if "/Metadata" in src.Root:
        out.Root.Metadata = out.copy_foreign(src.Root.Metadata)
    # Info: /Trapped, /AIGC (the AI-content label), /GTS_PDFXVersion... all plain values.
    info = {k: v for k, v in src.docinfo.items()
            if k not in ("/KioskPages", "/CreationDate", "/ModDate")
            and isinstance(v, (pikepdf.String, pikepdf.Name))}
    info["/Title"] = pikepdf.String(title)
    info["/KioskSheet"] = pikepdf.String(title)  # tells preflight this is a press sheet
    out.docinfo = out.make_indirect(Dictionary(info))
    if "/Metadata" in out.Root:
        with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            new_id = f"uuid:{uuid.uuid4()}"
            meta["xmpMM:DocumentID"] = new_id
            meta["xmpMM:InstanceID"] = new_id
            meta["dc:title"] = title


def _save(out: pikepdf.Pdf, path: Path | None, min_version: str) -> bytes | None:
    if path is None:
        buf = io.BytesIO()
        out.save(buf, min_version=min_version)
        return buf.getvalue()
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")  # unique per call
    try:
        out.save(tmp, min_version=min_version)
        os.replace(tmp, path)  # the cutter queue never sees half a sheet file
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ImposeError(f"cannot write {path}: {exc.strerror or exc}",
                          f"无法写入 {path}：{exc.strerror or exc}", field="output") from None
    return None


def impose(
    src,
    out: str | os.PathLike | None = None,
    *,
    sheet: str | tuple[float, float] = "sra3",
    duplex: str | None = None,
    pages: str = "auto",
    bleed_mm: float = 3.0,
    margin_mm: float = 10.0,
    copies: int = 1,
    fill: bool = False,
    label: bool = True,
) -> ImposeResult:
    """Impose a product PDF (path, bytes or pikepdf.Pdf) on sheets; write `out` or return bytes.

    duplex: None = "turn" when the input has backs; ignored for front-only input.
    pages: auto | alternate | fronts | shared-back (see the module docstring).
    copies: each piece this many times, side by side. fill: repeat the pieces (in order) until
        the last sheet is full, e.g. one postcard -> 4 on SRA3.
    label: a one-line slug (file, sheet n/N, side, grid, duplex) in the top margin.
    """
    pdf = _open(src)
    try:
        return _impose(pdf, src, out, sheet=sheet, duplex=duplex, pages=pages,
                       bleed_mm=bleed_mm, margin_mm=margin_mm, copies=copies, fill=fill,
                       label=label)
    finally:
        if pdf is not src:
            pdf.close()  # we opened it: release the file


def _impose(pdf, src, out, *, sheet, duplex, pages, bleed_mm, margin_mm, copies, fill,
            label) -> ImposeResult:
    src_name = f"{Path(src).name} | " if isinstance(src, (str, os.PathLike)) else ""
    all_pieces = read_pieces(pdf)
    pairing, fronts, backs = _pair(all_pieces, pages, _pairing_hint(pdf))
    notes: list[str] = []

    w_mm, h_mm = fronts[0].size_mm
    for p in fronts + backs:
        pw, ph = p.size_mm
        if abs(pw - w_mm) > SIZE_TOL_MM or abs(ph - h_mm) > SIZE_TOL_MM:
            raise ImposeError(
                f"page {p.index + 1} is {pw:.1f} x {ph:.1f} mm but page 1 is "
                f"{w_mm:.1f} x {h_mm:.1f} mm: impose one product size at a time",
                f"第 {p.index + 1} 页尺寸与第 1 页不同：每次只能拼同一尺寸的成品", field="input")
    grid = plan_grid(w_mm, h_mm, sheet, bleed=bleed_mm, margin=margin_mm)
    if copies < 1:
        raise ImposeError(f"copies must be at least 1, got {copies}", f"份数至少为 1：{copies}",
                          field="copies")
    order = [i for i in range(len(fronts)) for _ in range(copies)]
    if fill and len(order) % grid.per_sheet:
        extra = grid.per_sheet - len(order) % grid.per_sheet
        order += [order[k % len(order)] for k in range(extra)]
    fronts = [fronts[i] for i in order]
    backs = [backs[i] for i in order] if backs else []
    if backs and duplex is None:
        duplex = "turn"
    if duplex is not None and duplex not in DUPLEX_MODES:
        sheet_flip(grid, duplex)  # raises the clear error
    if not backs:
        if duplex is not None:
            notes.append("front-only input: no backs to align, duplex ignored")
        duplex = None

    # One form XObject per input page, clipped to trim + bleed (never beyond its BleedBox).
    # as_form_xobject() takes its BBox from the TrimBox, so point the TrimBox at the clip first.
    out_pdf = pikepdf.new()
    forms: dict[int, pikepdf.Object] = {}
    short_bleed = set()
    for p in {q.index: q for q in fronts + backs}.values():
        want = bleed_mm * MM
        clip = (max(p.trim[0] - want, p.bleed[0]), max(p.trim[1] - want, p.bleed[1]),
                min(p.trim[2] + want, p.bleed[2]), min(p.trim[3] + want, p.bleed[3]))
        if min(p.trim[0] - clip[0], p.trim[1] - clip[1], clip[2] - p.trim[2],
               clip[3] - p.trim[3]) < want - 0.01 * MM:
            short_bleed.add(p.index + 1)
        page = pdf.pages[p.index]
        trim_box = page.obj.TrimBox
        page.trimbox = list(clip)
        forms[p.index] = out_pdf.copy_foreign(page.as_form_xobject())
        page.obj.TrimBox = trim_box  # a caller's Pdf object comes back as it went in
    if short_bleed:
        notes.append(f"pages with less than {bleed_mm:g} mm bleed: "
                     + ", ".join(str(i) for i in sorted(short_bleed)))

    per_sheet = grid.per_sheet
    n_sheets = -(-len(fronts) // per_sheet)
    flip = sheet_flip(grid, duplex) if duplex else None
    all_sep = _all_separation(out_pdf)
    marks = _marks(grid)
    placements: list[Placement] = []
    sides = ("front", "back") if backs else ("front",)
    for s in range(n_sheets):
        for side in sides:
            content, xobjects = [], {}
            for k, front in enumerate(fronts[s * per_sheet:(s + 1) * per_sheet]):
                row, col = divmod(k, grid.cols)
                piece = front if side == "front" else backs[s * per_sheet + k]
                to_piece = translate(-piece.trim[0], -piece.trim[1])
                if side == "front":
                    m = grid.placement(row, col)
                else:
                    m = back_placement(grid, row, col, duplex)
                name = f"/P{piece.index}"
                xobjects[name] = forms[piece.index]
                content.append(f"q {_cm(then(to_piece, m))} {name} Do Q")
                placements.append(Placement(s, side, row, col, piece.index, m))
            # Marks on the back are drawn through the sheet flip so they sit behind the front's.
            if side == "back":
                content.append(f"q {_cm(flip)}\n{marks}\nQ")
            else:
                content.append(marks)
            if label:
                # Over the first column, between its crop marks, readable on either side.
                x0, _, x1, _ = grid.trim_rect(0, 0)
                text = (f"{src_name}sheet {s + 1}/{n_sheets} {side} | {grid.per_sheet}-up "
                        f"{w_mm:g}x{h_mm:g} mm" + (f" | work-and-{duplex}" if duplex else ""))
                content.append(_label(text, (x0 + 1) * MM, (grid.top + MARK_OFFSET_MM + 1) * MM,
                                      (x1 - x0 - 2) * MM))
            media = [0, 0, grid.sheet_w * MM, grid.sheet_h * MM]
            page = pikepdf.Page(Dictionary(
                Type=Name.Page,
                MediaBox=media,
                BleedBox=media,
                TrimBox=media,
                # ArtBox: the pieces with their bleed (preflight judges ink there, not marks).
                ArtBox=[grid.left * MM, grid.bottom * MM, grid.right * MM, grid.top * MM],
                Resources=Dictionary(
                    XObject=Dictionary(xobjects),
                    ColorSpace=Dictionary(CSAll=all_sep),
                ),
                Contents=out_pdf.make_stream("\n".join(content).encode()),
            ))
            out_pdf.pages.append(page)

    title = (f"{len(fronts)} x {w_mm:g}x{h_mm:g} mm, {grid.per_sheet}-up on "
             f"{grid.sheet_w:g}x{grid.sheet_h:g} mm" + (f", work-and-{duplex}" if duplex else ""))
    _copy_print_metadata(pdf, out_pdf, title)
    path = Path(out) if out is not None else None
    data = _save(out_pdf, path, min_version=pdf.pdf_version)
    return ImposeResult(grid, n_sheets, len(out_pdf.pages), len(fronts), duplex, pairing,
                        tuple(placements), tuple(notes), path, data)


def yields(trim_w: float, trim_h: float, sheets: Iterable[str] = ("a4", "a3", "sra3"),
           bleed: float = 3.0, margin: float = 10.0) -> dict[str, int]:
    """Pieces per sheet side for each sheet size (the PRINT.md yield table)."""
    return {s: plan_grid(trim_w, trim_h, s, bleed=bleed, margin=margin).per_sheet for s in sheets}
