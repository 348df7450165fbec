"""Preflight: is this product PDF fit to send to the printer? Returns findings, prints nothing.

    issues = preflight("postcard.pdf")            # list[PreflightIssue]
    report = inspect_pdf("postcard.pdf")           # the same, plus what was assumed (mode, ...)

Checks, each with a stable `code` (the kiosk and the queue decide what blocks printing):
  boxes.*          TrimBox/BleedBox missing, MediaBox ⊇ BleedBox ⊇ TrimBox violated
  bleed.*          bleed under 3 mm (error); artwork that stops at the trim (warning)
  font.*           fonts not embedded (pikepdf: FontFile/FontFile2/FontFile3 on the descriptor)
  image.*          effective resolution at placed size (`pdfimages -list`): < 300 ppi warns,
                   < 150 ppi is an error
  colour.*         DeviceRGB in a CMYK file (images, inline images, rg/RG, colour spaces,
                   shadings); ICC-based RGB warns. Mode comes from the output intent's profile
                   or from `mode=`. Text in rich black (CMY under K) warns.
  intent.*         PDF/X output intent missing (CMYK mode)
  pdfx.identity    warning: PDF < 1.6, no /Trapped, or no XMP pdfxid:GTS_PDFXVersion
  ink.*            total area coverage over the limit (default 300 %): Ghostscript renders the
                   pages to CMYK at a modest resolution (tiff32nc, 50 dpi) and we sum the plates
  hole.clearance   ink inside the tassel hole's clear circle (layouts with a hole)
  text.*           text near the trim (`pdftotext -bbox`): closer than 2 mm (what trimmers
                   drift) is an error, inside the safe margin a warning. The safe margin is the
                   product layout's `safe_mm` (the writer records the layout id in the XMP),
                   else 3 mm.
Only the BleedBox area is judged: crop marks and slug text outside it are the writer's business.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pikepdf
from pikepdf import Name

from print.errors import PrintError

MM = 72.0 / 25.4
TOL_MM = 0.05  # box comparisons: writers round to a few decimals of a point
MIN_BLEED_MM = 3.0
DEFAULT_SAFE_MM = 3.0
TRIM_DRIFT_MM = 2.0  # PRINT.md: trimmers drift up to 2 mm
WARN_PPI, MIN_PPI = 300, 150
INK_LIMIT = 300.0
INK_DPI = 50
KIOSK_NS = "http://ns.heritage-kiosk.example/1.0/"  # print/writer.py's XMP namespace


class PreflightError(PrintError):
    """The file cannot be preflighted at all (missing, not a PDF, a tool missing)."""


@dataclass(frozen=True)
class PreflightIssue:
    severity: str  # "error" or "warning"
    code: str
    page: int | None  # 1-based; None for the whole file
    message: str  # page-independent, so the report can group pages

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PreflightReport:
    path: Path
    pages: int
    mode: str  # "cmyk" or "rgb"
    output_intent: str | None  # OutputConditionIdentifier, or None
    safe_mm: float
    ink_limit: float
    issues: list[PreflightIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[PreflightIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[PreflightIssue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"file": str(self.path), "ok": self.ok, "pages": self.pages, "mode": self.mode,
                "output_intent": self.output_intent, "safe_mm": self.safe_mm,
                "ink_limit": self.ink_limit, "issues": [i.as_dict() for i in self.issues]}


def preflight(path, **options) -> list[PreflightIssue]:
    """All findings for the PDF at `path` (see inspect_pdf for the options)."""
    return inspect_pdf(path, **options).issues


def inspect_pdf(
    path,
    *,
    mode: str = "auto",
    ink_limit: float = INK_LIMIT,
    safe_mm: float | None = None,
    min_bleed_mm: float = MIN_BLEED_MM,
    render: bool = True,
) -> PreflightReport:
    """Run every check. mode: auto (from the output intent) | cmyk | rgb.
    render=False skips the Ghostscript checks (ink, art in the bleed)."""
    path = Path(path)
    if mode not in ("auto", "cmyk", "rgb"):
        raise PreflightError(f"unknown mode {mode!r}: use auto, cmyk or rgb",
                             f"未知颜色模式 {mode!r}：可用 auto、cmyk 或 rgb", field="mode")
    if not path.is_file():
        raise PreflightError(f"no such file: {path}", f"找不到文件：{path}", field="input")
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError as exc:
        raise PreflightError(f"{path} is not a readable PDF: {exc}",
                             f"{path} 不是可读取的 PDF：{exc}", field="input") from None
    with pdf:
        issues: list[PreflightIssue] = []
        intent_name, intent_space = _output_intent(pdf)
        if mode == "auto":
            mode = "rgb" if intent_space == "RGB" else "cmyk"
        if mode == "cmyk" and intent_space != "CMYK":
            what = "missing" if intent_space is None else f"for {intent_space}, not CMYK"
            issues.append(PreflightIssue(
                "error", "intent.missing", None,
                f"PDF/X output intent {what}: the printer cannot tell which press condition the "
                "CMYK values are for (build without --rgb, or preflight with --mode rgb)"))
        if mode == "cmyk" and intent_space == "CMYK":
            issues += _check_pdfx_identity(pdf)
        recorded_safe, layout = _recorded_layout(pdf)
        if safe_mm is not None:
            safe = safe_mm
        elif recorded_safe is not None:
            safe = recorded_safe
        else:
            safe = float(layout.safe_mm) if layout is not None else DEFAULT_SAFE_MM
        hole = None
        if layout is not None and getattr(layout, "hole", None) is not None:
            hole = Hole(float(layout.hole.x_mm), float(layout.hole.y_mm),
                        float(layout.hole.clear_radius_mm),
                        str(pdf.docinfo.get("/KioskPages", "")) == "alternate")
        is_sheet = "/KioskSheet" in pdf.docinfo
        if is_sheet:
            # An imposed press sheet (print.impose): the sheet is its own trim, the pieces carry
            # their bleed inside it (its ArtBox); the marks print on every plate on purpose.
            min_bleed_mm = 0.0
        boxes = []
        for i, page in enumerate(pdf.pages):
            page_boxes, found = _check_boxes(page, min_bleed_mm)
            if is_sheet and "/ArtBox" in page.obj:
                page_boxes = replace(page_boxes, ink_area=_rect(page.obj.ArtBox))
            boxes.append(page_boxes)
            issues += [PreflightIssue(sev, code, i + 1, msg) for sev, code, msg in found]
        issues += _check_fonts_and_colour(pdf, mode)
        n_pages = len(pdf.pages)
    # The poppler and Ghostscript runs are independent processes: run them side by side.
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [pool.submit(_check_images, path), pool.submit(_check_text, path, boxes, safe)]
        if render:
            jobs.append(pool.submit(_check_render, path, boxes,
                                    ink_limit if mode == "cmyk" else None,
                                    None if is_sheet else hole))
        for job in jobs:
            issues += job.result()
    issues.sort(key=lambda i: (i.severity != "error", i.page or 0, i.code))
    return PreflightReport(path, n_pages, mode, intent_name, safe, ink_limit, issues)


# --- output intent and recorded layout --------------------------------------------------------


def _output_intent(pdf: pikepdf.Pdf) -> tuple[str | None, str | None]:
    """(OutputConditionIdentifier, 'CMYK'|'RGB'|'GRAY'|None) of the first PDF/X output intent."""
    for intent in pdf.Root.get("/OutputIntents", []):
        if intent.get("/S") != Name("/GTS_PDFX"):
            continue
        name = str(intent.get("/OutputConditionIdentifier", "")) or None
        profile = intent.get("/DestOutputProfile")
        if profile is None:
            return name, None
        header = profile.read_bytes()[16:20]  # ICC header: data colour space signature
        space = {b"CMYK": "CMYK", b"RGB ": "RGB", b"GRAY": "GRAY"}.get(header)
        return name, space
    return None, None


def _check_pdfx_identity(pdf: pikepdf.Pdf) -> list[PreflightIssue]:
    """What a RIP looks at to treat the file as PDF/X-4 (warnings: the print still works)."""
    missing = []
    if pdf.pdf_version < "1.6":
        missing.append(f"PDF version {pdf.pdf_version} (PDF/X-4 needs 1.6)")
    trapped = pdf.docinfo.get("/Trapped")
    if trapped not in (Name("/True"), Name("/False")):
        missing.append("/Trapped True or False")
    try:
        version = pdf.open_metadata().get("pdfxid:GTS_PDFXVersion")
    except Exception:  # unreadable XMP is reported as missing identification
        version = None
    if not version:
        missing.append("XMP pdfxid:GTS_PDFXVersion")
    if not missing:
        return []
    return [PreflightIssue("warning", "pdfx.identity", None,
                           "not identified as PDF/X: " + "; ".join(missing))]


def _recorded_layout(pdf: pikepdf.Pdf):
    """(XMP kiosk:safe_mm or None, the LayoutSpec named by XMP kiosk:layout or None)."""
    try:
        meta = pdf.open_metadata()
        value = meta.get(f"{{{KIOSK_NS}}}safe_mm")
        layout_id = meta.get(f"{{{KIOSK_NS}}}layout")
    except Exception:  # unreadable XMP: fall back to the house defaults
        return None, None
    safe = float(value) if value else None
    if layout_id:
        try:
            from layouts import list_layouts

            for spec in list_layouts():
                if spec.id == layout_id:
                    return safe, spec
        except Exception:  # a broken layouts folder must not stop a preflight
            pass
    return safe, None


@dataclass(frozen=True)
class Hole:
    """A die-cut hole in trim millimetres from the top-left, and the ink-free radius around it."""
    x_mm: float
    y_mm: float
    clear_radius_mm: float
    mirror_on_backs: bool  # pages alternate front/back: backs have the hole mirrored


# --- boxes ------------------------------------------------------------------------------------

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageBoxes:
    media: Rect
    crop: Rect
    bleed: Rect | None
    trim: Rect | None
    ink_area: Rect | None = None  # where ink is judged (default: bleed, else trim, else media)


def _rect(box) -> Rect:
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _contains(outer: Rect, inner: Rect, tol: float = TOL_MM * MM) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _check_boxes(page: pikepdf.Page, min_bleed_mm: float):
    obj = page.obj
    media = _rect(page.mediabox)
    crop = _rect(obj.CropBox) if "/CropBox" in obj else media
    trim = _rect(obj.TrimBox) if "/TrimBox" in obj else None
    bleed = _rect(obj.BleedBox) if "/BleedBox" in obj else None
    found = []
    if trim is None:
        found.append(("error", "boxes.no_trim",
                      "no TrimBox: the cutter cannot tell the finished size"))
    if bleed is None:
        found.append(("error", "bleed.missing", "no BleedBox: the file has no bleed"))
    if bleed is not None and not _contains(media, bleed):
        found.append(("error", "boxes.inconsistent", "BleedBox reaches outside the MediaBox"))
    if trim is not None and not _contains(bleed or media, trim):
        found.append(("error", "boxes.inconsistent",
                      f"TrimBox reaches outside the {'BleedBox' if bleed else 'MediaBox'}"))
    if "/CropBox" in obj and bleed is not None and not _contains(crop, bleed):
        found.append(("warning", "boxes.crop", "CropBox cuts into the bleed"))
    if trim is not None and bleed is not None:
        sides = {"left": trim[0] - bleed[0], "bottom": trim[1] - bleed[1],
                 "right": bleed[2] - trim[2], "top": bleed[3] - trim[3]}
        short = {k: v / MM for k, v in sides.items() if v / MM < min_bleed_mm - TOL_MM}
        if short:
            found.append(("error", "bleed.short", f"bleed under {min_bleed_mm:g} mm ("
                          + ", ".join(f"{k} {v:.1f} mm" for k, v in short.items()) + ")"))
    return PageBoxes(media, crop, bleed, trim), found


# --- fonts and colour spaces (pikepdf, walking resources and content streams) -----------------


def _space_kind(cs, resources=None, depth: int = 0) -> str | None:
    """'device-rgb', 'icc-rgb' or None for a colour space object."""
    if depth > 8 or cs is None:
        return None
    if isinstance(cs, Name):
        if cs in (Name.DeviceRGB, Name("/RGB")):
            return "device-rgb"
        named = resources.get("/ColorSpace", {}).get(cs) if resources is not None else None
        return _space_kind(named, None, depth + 1) if named is not None else None
    if isinstance(cs, pikepdf.Array) and len(cs):
        family = cs[0]
        if family == Name.ICCBased:
            return "icc-rgb" if int(cs[1].get("/N", 0)) == 3 else None
        if family == Name.CalRGB:
            return "icc-rgb"
        if family in (Name.Indexed, Name("/I")):
            return _space_kind(cs[1], resources, depth + 1)
        if family in (Name.Separation, Name.DeviceN):
            return _space_kind(cs[2], resources, depth + 1)
    return None


def _font_name(font) -> str:
    return str(font.get("/BaseFont", "(unnamed)")).lstrip("/")


def _font_embedded(font) -> bool:
    subtype = font.get("/Subtype")
    if subtype == Name.Type3:
        return True  # glyphs are drawn by the font's own content streams
    if subtype == Name.Type0:
        kids = font.get("/DescendantFonts", [])
        font = kids[0] if len(kids) else font
    desc = font.get("/FontDescriptor")
    return desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


class _Scan:
    """Findings of one content stream and everything it draws (cached per object)."""

    def __init__(self):
        self.fonts: set[str] = set()  # names of unembedded fonts
        self.rgb: set[str] = set()  # where DeviceRGB was found
        self.icc_rgb: set[str] = set()
        self.rich_text: set[str] = set()  # CMYK fills of text that mix CMY into black

    def merge(self, other: _Scan) -> None:
        self.fonts |= other.fonts
        self.rgb |= other.rgb
        self.icc_rgb |= other.icc_rgb
        self.rich_text |= other.rich_text


def _note_space(scan: _Scan, cs, resources, where: str) -> None:
    kind = _space_kind(cs, resources)
    if kind == "device-rgb":
        scan.rgb.add(where)
    elif kind == "icc-rgb":
        scan.icc_rgb.add(where)


def _scan_drawing(owner, resources, cache: dict, depth: int = 0) -> _Scan:
    """owner: a page or a form/pattern stream; resources: the dictionary its operators use."""
    scan = _Scan()
    if depth > 12:
        return scan
    resources = resources if resources is not None else pikepdf.Dictionary()
    # The fill colour is tracked (through q/Q) only to catch rich-black text: PRINT.md wants
    # black text in 100% K, since four plates never register perfectly on small type.
    fill, saved = None, []
    ops = "rg RG cs CS k sc scn q Q Tj TJ ' \" BI ID EI"  # BI ID EI: inline images
    for operands, op in pikepdf.parse_content_stream(owner, ops):
        o = str(op)
        if o == "q":
            saved.append(fill)
        elif o == "Q":
            fill = saved.pop() if saved else None
        elif o == "k" or (o in ("sc", "scn") and len(operands) == 4):
            try:
                fill = tuple(float(v) for v in operands)
            except (TypeError, ValueError):
                fill = None
        elif o in ("Tj", "TJ", "'", '"'):
            if fill and fill[3] >= 0.8 and fill[0] + fill[1] + fill[2] >= 0.15:
                scan.rich_text.add("C{:.0f} M{:.0f} Y{:.0f} K{:.0f}".format(
                    *(v * 100 for v in fill)))
        elif o in ("rg", "RG"):
            scan.rgb.add("RGB fill/stroke colour (rg/RG)")
        elif o in ("cs", "CS") and operands:
            _note_space(scan, operands[0], resources, "RGB colour space (cs/CS)")
        elif o == "INLINE IMAGE" and operands:
            cs = operands[0].obj.get("/CS", operands[0].obj.get("/ColorSpace"))
            _note_space(scan, cs, resources, "RGB inline image")
    for font in resources.get("/Font", {}).values():
        if not _font_embedded(font):
            scan.fonts.add(_font_name(font))
    for key in resources.get("/ColorSpace", {}).keys():
        # A named space resolving to RGB is worth reporting even if the operator check missed it.
        cs = resources.ColorSpace[key]
        if _space_kind(cs, None) == "device-rgb":
            scan.rgb.add("RGB colour space resource")
    for sh in resources.get("/Shading", {}).values():
        _note_space(scan, sh.get("/ColorSpace"), resources, "RGB shading")
    children = []
    for xobj in resources.get("/XObject", {}).values():
        sub = xobj.get("/Subtype")
        if sub == Name.Image:
            if not xobj.get("/ImageMask", False):
                _note_space(scan, xobj.get("/ColorSpace"), resources, "RGB image")
        elif sub == Name.Form:
            children.append(xobj)
    for pat in resources.get("/Pattern", {}).values():
        if int(pat.get("/PatternType", 0)) == 2:
            _note_space(scan, pat.get("/Shading", {}).get("/ColorSpace"), resources,
                        "RGB shading")
        elif isinstance(pat, pikepdf.Stream):
            children.append(pat)
    for child in children:
        key = child.objgen
        if key not in cache:
            cache[key] = _Scan()  # guards against a form that draws itself
            cache[key] = _scan_drawing(child, child.get("/Resources", resources), cache, depth + 1)
        scan.merge(cache[key])
    return scan


def _check_fonts_and_colour(pdf: pikepdf.Pdf, mode: str) -> list[PreflightIssue]:
    issues = []
    cache: dict = {}
    for i, page in enumerate(pdf.pages):
        scan = _scan_drawing(page, page.obj.get("/Resources"), cache)
        group = page.obj.get("/Group")
        if group is not None:
            _note_space(scan, group.get("/CS"), None, "RGB transparency blending space")
        for name in sorted(scan.fonts):
            issues.append(PreflightIssue("error", "font.not_embedded", i + 1,
                                         f"font {name} is not embedded"))
        for colour in sorted(scan.rich_text):
            issues.append(PreflightIssue(
                "warning", "colour.rich_black_text", i + 1,
                f"text in rich black {colour}: use 100% K for black text"))
        if mode == "cmyk":
            for where in sorted(scan.rgb):
                issues.append(PreflightIssue(
                    "error", "colour.device_rgb", i + 1,
                    f"DeviceRGB in a CMYK file: {where}; convert it to CMYK with the press "
                    "profile (or preflight a desktop file with --mode rgb)"))
            for where in sorted(scan.icc_rgb):
                issues.append(PreflightIssue(
                    "warning", "colour.icc_rgb", i + 1,
                    f"ICC-based {where}: the printer's RIP converts it, colours may shift"))
    return issues


# --- images (poppler's pdfimages computes the effective resolution of every placement) --------


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pkg = "ghostscript" if name == "gs" else "poppler-utils"
        raise PreflightError(f"preflight needs {name} (Debian package {pkg})",
                             f"预检需要 {name}（Debian 软件包 {pkg}）", field="tool")
    return exe


def _run(args: list[str], timeout: float = 300) -> str:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PreflightError(f"{Path(args[0]).name} took longer than {timeout:g} s",
                             f"{Path(args[0]).name} 超时", field="tool") from None
    if proc.returncode != 0:
        msg = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise PreflightError(f"{Path(args[0]).name} could not read the file: {msg}",
                             f"{Path(args[0]).name} 无法读取文件：{msg}", field="input")
    return proc.stdout


def _check_images(path: Path) -> list[PreflightIssue]:
    out = _run([_tool("pdfimages"), "-list", str(path)])
    issues, seen = [], set()
    for line in out.splitlines()[2:]:
        cols = line.split()
        if len(cols) < 14 or cols[2] != "image":
            continue  # masks (smask, stencil) follow their image; judge the image itself
        page, width, height, obj = int(cols[0]), cols[3], cols[4], cols[10]
        try:
            ppi = min(float(cols[12]), float(cols[13]))
        except ValueError:
            continue
        if (page, obj) in seen:
            continue
        seen.add((page, obj))
        if ppi < MIN_PPI:
            issues.append(PreflightIssue(
                "error", "image.resolution", page,
                f"image {width}x{height} px prints at {ppi:.0f} ppi (refused under {MIN_PPI}): "
                "it will look blurred or blocky"))
        elif ppi < WARN_PPI:
            issues.append(PreflightIssue(
                "warning", "image.resolution", page,
                f"image {width}x{height} px prints at {ppi:.0f} ppi (under {WARN_PPI})"))
    return issues


# --- text near the trim (poppler's pdftotext -bbox) -------------------------------------------

_PAGE = re.compile(r"<page\b")
_WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">'
                   r"(.*?)</word>", re.S)


def _words(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, the words with their boxes (points, from the crop box's top-left)."""
    html = _run([_tool("pdftotext"), "-bbox", str(path), "-"])
    pages = []
    for chunk in _PAGE.split(html)[1:]:
        pages.append([(float(a), float(b), float(c), float(d), t)
                      for a, b, c, d, t in _WORD.findall(chunk)])
    return pages


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&#39;", "'").replace("&amp;", "&"))


def _check_text(path: Path, boxes: list[PageBoxes], safe_mm: float) -> list[PreflightIssue]:
    issues = []
    for i, words in enumerate(_words(path)):
        if i >= len(boxes) or boxes[i].trim is None:
            continue
        b = boxes[i]
        trim, bleed = b.trim, b.bleed or b.trim
        inside_worst: dict[str, float] = {}
        for x0, y0, x1, y1, text in words:
            # pdftotext measures from the crop box's top-left corner, y downwards.
            rect = (b.crop[0] + x0, b.crop[3] - y1, b.crop[0] + x1, b.crop[3] - y0)
            if (rect[2] <= bleed[0] or rect[0] >= bleed[2] or rect[3] <= bleed[1]
                    or rect[1] >= bleed[3]):
                continue  # slug text (file name, marks): not part of the product
            # Distance from the trim edge to the word, in mm (negative: past the trim).
            gap = min(rect[0] - trim[0], rect[1] - trim[1], trim[2] - rect[2],
                      trim[3] - rect[3]) / MM
            word = _unescape(text)
            if gap < safe_mm - TOL_MM:
                inside_worst[word] = min(gap, inside_worst.get(word, gap))
        for word, gap in sorted(inside_worst.items(), key=lambda kv: kv[1]):
            where = "past the trim" if gap < 0 else f"{gap:.1f} mm from the trim"
            if gap < TRIM_DRIFT_MM:
                issues.append(PreflightIssue(
                    "error", "text.near_trim", i + 1,
                    f"text '{word}' is {where}: trimming (drift up to {TRIM_DRIFT_MM:g} mm) "
                    "may cut it"))
            else:
                issues.append(PreflightIssue(
                    "warning", "text.outside_safe", i + 1,
                    f"text '{word}' is {where}, inside the {safe_mm:g} mm safe margin"))
    return issues


# --- rendered checks: ink coverage and art in the bleed (Ghostscript, CMYK) -------------------


def _check_render(path: Path, boxes: list[PageBoxes], ink_limit: float | None,
                  hole: Hole | None = None):
    issues = []
    gs = _tool("gs")
    with tempfile.TemporaryDirectory(prefix="preflight-") as tmp:
        # tiff32nc keeps the plates apart; DeviceCMYK values pass through unchanged.
        _run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiff32nc",
              f"-r{INK_DPI}", f"-sOutputFile={tmp}/p%05d.tif", str(path)], timeout=600)
        from PIL import Image

        for i, b in enumerate(boxes):
            f = Path(tmp) / f"p{i + 1:05d}.tif"
            if not f.exists():
                continue
            with Image.open(f) as im:
                plates = np.asarray(im.convert("CMYK"), dtype=np.uint16)
            area = _px_rect(b, b.ink_area or b.bleed or b.trim or b.media, plates.shape)
            x0, y0, x1, y1 = area
            ink = plates[y0:y1, x0:x1].sum(axis=2) * (100.0 / 255.0)
            if ink.size == 0:
                continue
            if ink_limit is not None:
                issues += _ink_issue(i + 1, ink, ink_limit)
            if b.trim is not None and b.bleed is not None:
                issues += _bleed_art_issues(i + 1, b, plates)
            if hole is not None and b.trim is not None:
                issues += _hole_issues(i + 1, b, plates, hole, back=hole.mirror_on_backs
                                       and i % 2 == 1)
    return issues


def _px_rect(b: PageBoxes, rect: Rect, shape) -> tuple[int, int, int, int]:
    """A box (points) -> pixel rectangle of the render (which covers the MediaBox)."""
    s = INK_DPI / 72.0
    h, w = shape[0], shape[1]
    x0 = int(round((rect[0] - b.media[0]) * s))
    x1 = int(round((rect[2] - b.media[0]) * s))
    y0 = int(round((b.media[3] - rect[3]) * s))
    y1 = int(round((b.media[3] - rect[1]) * s))
    return max(0, x0), max(0, y0), min(w, x1), min(h, y1)


def _ink_issue(page: int, ink: np.ndarray, limit: float) -> list[PreflightIssue]:
    over = ink > limit + 1.0  # one 8-bit step per plate is rounding, not ink
    if not over.any():
        return []
    share = over.mean() * 100
    peak = float(ink.max())
    # Hairlines and small type in registration colour cover a few pixels; a rich-black area or
    # an image converted without an ink limit covers many.
    severity = "error" if share >= 0.2 else "warning"
    return [PreflightIssue(severity, "ink.over_limit", page,
                           f"total ink up to {peak:.0f}% on {share:.1f}% of the page "
                           f"(limit {limit:g}%)")]


def _bleed_art_issues(page: int, b: PageBoxes, plates: np.ndarray) -> list[PreflightIssue]:
    """Artwork that reaches the trim but not into the bleed leaves white slivers after cutting."""
    inked = plates.max(axis=2) > 12  # > ~5% on some plate
    trim = _px_rect(b, b.trim, plates.shape)
    bleed = _px_rect(b, b.bleed, plates.shape)
    tx0, ty0, tx1, ty1 = trim
    bx0, by0, bx1, by1 = bleed
    if min(tx0 - bx0, ty0 - by0, bx1 - tx1, by1 - ty1) < 3:
        return []  # bleed too thin to judge at this resolution (bleed.short says why)
    band = 2  # pixels next to the trim line on each side (~1 mm at 50 dpi)
    strips = {
        "left": (inked[ty0:ty1, tx0 - band - 1:tx0 - 1], inked[ty0:ty1, tx0 + 1:tx0 + band + 1]),
        "right": (inked[ty0:ty1, tx1 + 1:tx1 + band + 1], inked[ty0:ty1, tx1 - band - 1:tx1 - 1]),
        "top": (inked[ty0 - band - 1:ty0 - 1, tx0:tx1], inked[ty0 + 1:ty0 + band + 1, tx0:tx1]),
        "bottom": (inked[ty1 + 1:ty1 + band + 1, tx0:tx1],
                   inked[ty1 - band - 1:ty1 - 1, tx0:tx1]),
    }
    empty = [side for side, (outside, inside) in strips.items()
             if inside.size and outside.size and inside.mean() > 0.5 and outside.mean() < 0.05]
    if not empty:
        return []
    return [PreflightIssue("warning", "bleed.no_art", page,
                           "artwork stops at the trim (" + ", ".join(empty)
                           + "): extend it into the bleed or a white sliver may show")]


def _hole_issues(page: int, b: PageBoxes, plates: np.ndarray, hole: Hole, back: bool):
    """PRINT.md: no art within 3 mm of the tassel hole (the die would cut through it)."""
    trim_w = (b.trim[2] - b.trim[0]) / MM
    x_mm = trim_w - hole.x_mm if back else hole.x_mm
    cx = b.trim[0] + x_mm * MM
    cy = b.trim[3] - hole.y_mm * MM
    s = INK_DPI / 72.0
    px, py = (cx - b.media[0]) * s, (b.media[3] - cy) * s
    r = hole.clear_radius_mm * MM * s - 1.0  # one pixel of slack for the circle's edge
    yy, xx = np.mgrid[0:plates.shape[0], 0:plates.shape[1]]
    inside = (xx + 0.5 - px) ** 2 + (yy + 0.5 - py) ** 2 <= r * r
    if not inside.any():
        return []
    inked = (plates.max(axis=2) > 12)[inside].mean()
    if inked < 0.02:
        return []
    return [PreflightIssue("error", "hole.clearance", page,
                           f"ink within {hole.clear_radius_mm:g} mm of the tassel hole centre "
                           f"({inked:.0%} of that circle): the punch cuts through the art")]


# --- the readable report ----------------------------------------------------------------------


def _ranges(pages: list[int]) -> str:
    out, start, prev = [], None, None
    for p in sorted(set(pages)):
        if start is None:
            start = prev = p
        elif p == prev + 1:
            prev = p
        else:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = p
    if start is not None:
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ",".join(out)


def format_report(report: PreflightReport) -> str:
    """Readable text: one line per finding, identical findings on several pages grouped."""
    intent = report.output_intent or "none"
    lines = [f"preflight {report.path}: {report.pages} page(s), {report.mode.upper()} "
             f"(output intent: {intent}), safe margin {report.safe_mm:g} mm, "
             f"ink limit {report.ink_limit:g}%"]
    groups: dict[tuple, list] = {}
    for i in report.issues:
        groups.setdefault((i.severity, i.code, i.message), []).append(i.page)
    for (sev, code, msg), pages in groups.items():
        real = [p for p in pages if p is not None]
        where = ("page " if len(real) == 1 else "pages ") + _ranges(real) if real else "file"
        lines.append(f"  {sev.upper():<7} {code:<18} {where:<12} {msg}")
    n_err, n_warn = len(report.errors), len(report.warnings)
    verdict = "FAIL" if n_err else "OK"
    lines.append(f"{verdict}: {n_err} error(s), {n_warn} warning(s)")
    return "\n".join(lines)


def report_json(report: PreflightReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
