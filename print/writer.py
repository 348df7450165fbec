"""The PDF writer: Sides -> a print-ready PDF (one page per side).

Each page is the trim plus 3 mm bleed plus a slug for the crop marks:
MediaBox (whole page) contains BleedBox (trim + bleed) contains TrimBox (the finished piece).
We enlarge the page ourselves and keep reportlab's bleedWidth at 0 (it stretches artwork).

CMYK (default): images go sRGB -> CMYK through the ICC profile (print.color) and are embedded
as CMYK JPEGs (DeviceCMYK), vector colours are CMYK, black text and marks 100% K; the file gets
an output intent and XMP that identify it as PDF/X-4. RGB (`cmyk=False`) is for desktop
printers: no output intent, no PDF/X claim. Both carry the AI-content metadata.

TrueType fonts are embedded as subsets; CFF fonts are drawn as outlines, and the canvas's
initial font is an embedded one, so no stray Helvetica appears. Writing is atomic: a temp file
in the target folder, then os.replace, so a reader never sees half a PDF.
"""
from __future__ import annotations

import datetime as _dt
import errno
import io
import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from print import color, typeset
from print.errors import OutputError
from print.page import CircleOp, ImageOp, Ink, LineOp, PolyOp, RectOp, Side, TextOp

MM = 72 / 25.4
MARK_GAP_MM = 1.0      # crop marks start this far outside the bleed
MARK_LEN_MM = 5.0
MARK_PT = 0.25         # the thinnest line PRINT.md allows
SLUG_MM = MARK_GAP_MM + MARK_LEN_MM + 1.0   # page margin beyond the bleed
JPEG_QUALITY = 92
BOLD_STROKE = 0.03     # stroke width / font size for bold (fill + stroke) text
BASE_FONT = "wenkai"   # embedded TrueType; reportlab's initial font (no stray Helvetica)
AIGC_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"   # GB 45438-2025 implicit label (metadata)
KIOSK_NS = "http://ns.heritage-kiosk.example/1.0/"


@dataclass(frozen=True)
class PdfMeta:
    title: str
    content_id: str                  # stable id of this generated content (e.g. design hash)
    provider: str                    # the service provider named in the AI label metadata
    ai_generated: bool = True
    subject: str = ""
    pages: str = "alternate"         # how pages pair up for imposition (Info /KioskPages)
    extra: dict = field(default_factory=dict)   # written as kiosk:* XMP properties


@dataclass(frozen=True)
class PageGeometry:
    """Points, PDF coordinates (origin bottom-left of the page)."""
    width: float
    height: float
    trim: tuple[float, float, float, float]
    bleed: tuple[float, float, float, float]


def page_geometry(side: Side) -> PageGeometry:
    t = side.trim
    slug = t.bleed_mm + SLUG_MM
    w, h = (t.width_mm + 2 * slug) * MM, (t.height_mm + 2 * slug) * MM
    x0, y0 = slug * MM, slug * MM
    trim = (x0, y0, x0 + t.width_mm * MM, y0 + t.height_mm * MM)
    b = t.bleed_mm * MM
    return PageGeometry(w, h, trim, (trim[0] - b, trim[1] - b, trim[2] + b, trim[3] + b))


class _Painter:
    """Draws one Side's ops on a reportlab canvas."""

    def __init__(self, canvas, side: Side, geo: PageGeometry, cmyk: bool, images: "_ImageStore"):
        self.c, self.side, self.geo, self.cmyk, self.images = canvas, side, geo, cmyk, images

    def X(self, x_mm: float) -> float:
        return self.geo.trim[0] + x_mm * MM

    def Y(self, y_mm: float) -> float:
        return self.geo.trim[3] - y_mm * MM

    def colour(self, ink: Ink):
        from reportlab.lib.colors import CMYKColor, Color

        if self.cmyk:
            return CMYKColor(ink.c, ink.m, ink.y, ink.k)
        r, g, b = ink.rgb
        return Color(r / 255, g / 255, b / 255)

    def paint(self, op) -> None:
        getattr(self, "_" + type(op).__name__)(op)

    def _ImageOp(self, op: ImageOp) -> None:
        x, y, w, h = op.box
        path = self.images.jpeg(op.image)
        self.c.drawImage(path, self.X(x), self.Y(y + h), w * MM, h * MM)

    def _style(self, fill: Ink | None, stroke: Ink | None, line_pt: float, dash=None) -> None:
        c = self.c
        if fill is not None:
            c.setFillColor(self.colour(fill))
        if stroke is not None:
            c.setStrokeColor(self.colour(stroke))
            c.setLineWidth(max(line_pt, MARK_PT))
            c.setDash(list(dash) if dash else [])

    def _RectOp(self, op: RectOp) -> None:
        x, y, w, h = op.box
        self._style(op.fill, op.stroke, op.line_pt, op.dash)
        args = (self.X(x), self.Y(y + h), w * MM, h * MM)
        kw = dict(stroke=int(op.stroke is not None), fill=int(op.fill is not None))
        if op.radius:
            self.c.roundRect(*args, op.radius * MM, **kw)
        else:
            self.c.rect(*args, **kw)

    def _LineOp(self, op: LineOp) -> None:
        self._style(None, op.ink, op.line_pt, op.dash)
        self.c.line(self.X(op.x1), self.Y(op.y1), self.X(op.x2), self.Y(op.y2))

    def _CircleOp(self, op: CircleOp) -> None:
        self._style(op.fill, op.stroke, op.line_pt)
        self.c.circle(self.X(op.cx), self.Y(op.cy), op.r * MM,
                      stroke=int(op.stroke is not None), fill=int(op.fill is not None))

    def _PolyOp(self, op: PolyOp) -> None:
        self._style(op.fill, None, 0)
        p = self.c.beginPath()
        (x0, y0), *rest = op.points
        p.moveTo(self.X(x0), self.Y(y0))
        for x, y in rest:
            p.lineTo(self.X(x), self.Y(y))
        p.close()
        self.c.drawPath(p, stroke=0, fill=1)

    def _TextOp(self, op: TextOp) -> None:
        from base.fonts import get_font

        c = self.c
        c.saveState()
        c.setFillColor(self.colour(op.ink))
        c.translate(self.X(op.x), self.Y(op.y))
        if op.angle:
            c.rotate(op.angle)
        if op.bold:
            c.setStrokeColor(self.colour(op.ink))
            c.setLineWidth(op.size_pt * BOLD_STROKE)
        if get_font(op.font).embeddable:
            t = c.beginText(0, 0)
            t.setFont(typeset.reportlab_name(op.font), op.size_pt)
            t.setTextRenderMode(2 if op.bold else 0)
            t.textOut(op.text)
            c.drawText(t)
        else:
            self._outlines(op)
        c.restoreState()

    def _outlines(self, op: TextOp) -> None:
        """CFF font: fill the glyph outlines (nonzero winding), no font object in the PDF."""
        m = typeset.metrics(op.font)
        s = op.size_pt / m.units_per_em
        p = self.c.beginPath()
        for dx, ops in typeset.glyph_paths(op.text, op.font):
            for kind, pts in ops:
                pts = [((dx + u) * s, v * s) for u, v in pts]
                if kind == "M":
                    p.moveTo(*pts[0])
                elif kind == "L":
                    p.lineTo(*pts[0])
                elif kind == "C":
                    p.curveTo(*pts[0], *pts[1], *pts[2])
                else:
                    p.close()
        self.c.drawPath(p, stroke=int(op.bold), fill=1, fillMode=1)

    def crop_marks(self) -> None:
        c, (tx0, ty0, tx1, ty1) = self.c, self.geo.trim
        c.setStrokeColor(self.colour(Ink(k=1.0)))
        c.setLineWidth(MARK_PT)
        c.setDash([])
        start = (self.side.trim.bleed_mm + MARK_GAP_MM) * MM
        end = start + MARK_LEN_MM * MM
        for x, sx in ((tx0, -1), (tx1, 1)):
            for y, sy in ((ty0, -1), (ty1, 1)):
                c.line(x + sx * start, y, x + sx * end, y)   # horizontal mark on the trim line
                c.line(x, y + sy * start, x, y + sy * end)   # vertical mark


class _ImageStore:
    """Each distinct image is converted and written once (a 54-card deck shares its art)."""

    def __init__(self, folder: str, cmyk: bool, icc: str | None):
        self.folder, self.cmyk, self.icc = folder, cmyk, icc
        self._paths: dict[int, str] = {}
        self._keep: list = []   # keep images alive so their id() stays unique

    def jpeg(self, image) -> str:
        key = id(image)
        if key not in self._paths:
            img = color.to_cmyk(image, self.icc) if self.cmyk else image.convert("RGB")
            path = os.path.join(self.folder, f"img{len(self._paths)}.jpg")
            img.save(path, "JPEG", quality=JPEG_QUALITY, subsampling=0 if self.cmyk else 2)
            self._paths[key] = path
            self._keep.append(image)
        return self._paths[key]


def render_pdf(sides: list[Side], *, cmyk: bool = True, icc: str | None = None,
               title: str = "") -> bytes:
    """The reportlab pass: pages, boxes, marks. No output intent or XMP yet."""
    from reportlab import rl_config

    # Binary streams: ASCII85 only makes the file 25% bigger. rl_config is process-wide, so
    # restore it: other reportlab users (inline images) break on binary data.
    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        return _render_pdf(sides, cmyk=cmyk, icc=icc, title=title)
    finally:
        rl_config.useA85 = saved


def _render_pdf(sides: list[Side], *, cmyk: bool, icc: str | None, title: str) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    if not sides:
        raise ValueError("no sides to write")
    base = typeset.reportlab_name(BASE_FONT)
    buf = io.BytesIO()
    first = page_geometry(sides[0])
    with tempfile.TemporaryDirectory(prefix="kiosk-pdf-") as tmp:
        images = _ImageStore(tmp, cmyk, icc)
        c = Canvas(buf, pagesize=(first.width, first.height), initialFontName=base,
                   initialFontSize=8, pageCompression=1, invariant=1, enforceColorSpace="cmyk" if cmyk else None)
        c.setTitle(title)
        for side in sides:
            geo = page_geometry(side)
            c.setPageSize((geo.width, geo.height))
            c.setTrimBox(geo.trim)
            c.setBleedBox(geo.bleed)
            painter = _Painter(c, side, geo, cmyk, images)
            c.saveState()
            clip = c.beginPath()   # nothing but marks outside the bleed
            bx0, by0, bx1, by1 = geo.bleed
            clip.rect(bx0, by0, bx1 - bx0, by1 - by0)
            c.clipPath(clip, stroke=0, fill=0)
            for op in side.ops:
                painter.paint(op)
            c.restoreState()
            painter.crop_marks()
            c.showPage()
        c.save()
    return buf.getvalue()


def _finish(raw: bytes, meta: PdfMeta, cmyk: bool, icc: str | None):
    """The pikepdf pass: output intent, Info and XMP (PDF/X-4 in CMYK), AI-content labels."""
    import pikepdf
    from pikepdf import Dictionary, Name, String

    pdf = pikepdf.open(io.BytesIO(raw))
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    aigc = json.dumps({"Label": "1" if meta.ai_generated else "0",
                       "ContentProducer": meta.provider, "ProduceID": meta.content_id,
                       "ReservedCode1": "", "ContentPropagator": "", "PropagateID": "",
                       "ReservedCode2": ""}, ensure_ascii=False)
    if cmyk:
        prof = color.load_profile(icc)
        icc_stream = pikepdf.Stream(pdf, prof.data)
        icc_stream.N = 4
        icc_stream.Alternate = Name.DeviceCMYK
        pdf.Root.OutputIntents = pikepdf.Array([Dictionary(
            Type=Name.OutputIntent, S=Name.GTS_PDFX,
            OutputConditionIdentifier=String(prof.condition),
            OutputCondition=String(prof.description), Info=String(prof.description),
            RegistryName=String("http://www.color.org"), DestOutputProfile=icc_stream)])
    else:
        # RGB for desktop printers: not PDF/X, but an sRGB output intent says what the RGB
        # values mean, and lets preflight tell an RGB file from a CMYK one missing its intent.
        icc_stream = pikepdf.Stream(pdf, color.srgb_profile_bytes())
        icc_stream.N = 3
        icc_stream.Alternate = Name.DeviceRGB
        pdf.Root.OutputIntents = pikepdf.Array([Dictionary(
            Type=Name.OutputIntent, S=Name.GTS_PDFX,
            OutputConditionIdentifier=String("sRGB IEC61966-2.1"),
            Info=String("sRGB IEC61966-2.1 (desktop printing)"),
            RegistryName=String("http://www.color.org"), DestOutputProfile=icc_stream)])
    pdf.Root.Lang = String("zh-CN")
    doc_id = f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'kiosk:' + meta.content_id)}"
    from pikepdf.models.metadata import PdfMetadata

    PdfMetadata.register_xml_namespace(AIGC_NS, "TC260")
    PdfMetadata.register_xml_namespace(KIOSK_NS, "kiosk")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = meta.title
        if meta.subject:
            xmp["dc:description"] = meta.subject
        xmp["xmp:CreatorTool"] = "heritage-kiosk products"
        xmp["xmp:CreateDate"] = now.isoformat()
        xmp["xmp:ModifyDate"] = now.isoformat()
        xmp["xmp:MetadataDate"] = now.isoformat()
        xmp["pdf:Producer"] = "heritage-kiosk print.writer (reportlab, pikepdf)"
        xmp["pdf:Trapped"] = "False"
        xmp["xmpMM:DocumentID"] = doc_id
        xmp["xmpMM:InstanceID"] = f"uuid:{uuid.uuid4()}"
        xmp["xmpMM:VersionID"] = "1"
        xmp["xmpMM:RenditionClass"] = "default"
        if cmyk:
            xmp["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
        xmp[f"{{{AIGC_NS}}}AIGC"] = aigc
        for k, v in meta.extra.items():
            xmp[f"{{{KIOSK_NS}}}{k}"] = str(v)
    info = pdf.docinfo
    info.Title = String(meta.title)
    info.Trapped = Name("/False")
    info.AIGC = String(aigc)
    info.KioskPages = String(meta.pages)
    if "/ArtBox" in pdf.pages[0]:   # reportlab sets ArtBox = MediaBox; it says nothing useful
        for page in pdf.pages:
            del page.obj["/ArtBox"]
    stamp = now.strftime("D:%Y%m%d%H%M%SZ")
    info.CreationDate = String(stamp)
    info.ModDate = String(stamp)
    if cmyk:
        info.GTS_PDFXVersion = String("PDF/X-4")
    return pdf


_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _output_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno in _FULL:
        return OutputError(f"cannot write {path}: the disk is full (or the file is too large); "
                           "nothing was written", f"无法写入 {path}：磁盘已满，未写入任何文件",
                           field="output")
    return OutputError(f"cannot write {path}: {exc.strerror or exc}",
                       f"无法写入 {path}：{exc.strerror or exc}", field="output")


def check_output_path(path: str | Path) -> Path:
    """Fail early (before any rendering) when the PDF cannot be written there."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder", f"无法写入 {path}：这是一个文件夹",
                          field="output")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: folder {parent} does not exist",
                          f"无法写入 {path}：文件夹 {parent} 不存在", field="output")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"cannot write {path}: permission denied",
                          f"无法写入 {path}：没有写入权限", field="output")
    return path


def save_atomic(pdf, path: str | Path) -> Path:
    """pikepdf.Pdf -> path via a temp file in the same folder and os.replace."""
    path = check_output_path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pdf.save(fh, force_version="1.6", deterministic_id=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise _output_error(path, exc) from None
    except BaseException:
        _unlink(tmp)
        raise
    return path


def _unlink(p: str) -> None:
    try:
        os.unlink(p)
    except OSError:
        pass


def write_pdf(sides: list[Side], out: str | Path | None = None, *, meta: PdfMeta,
              cmyk: bool = True, icc: str | None = None) -> bytes | Path:
    """Write the sides as one PDF. Returns the bytes when `out` is None, else the Path."""
    if out is not None:
        check_output_path(out)
    if cmyk:
        color.load_profile(icc)   # a missing profile fails before any drawing
    try:
        raw = render_pdf(sides, cmyk=cmyk, icc=icc, title=meta.title)
    except OSError as exc:      # temp images for the pass could not be written
        raise _output_error(Path(out or tempfile.gettempdir()), exc) from None
    pdf = _finish(raw, meta, cmyk, icc)
    if out is None:
        buf = io.BytesIO()
        pdf.save(buf, force_version="1.6")
        return buf.getvalue()
    return save_atomic(pdf, out)
