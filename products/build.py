"""build(): Design -> print-ready PDF; proof_images(): Design -> front/back pictures.

    res = build(design)                        # bytes in res.pdf
    res = build(design, out="card.pdf", deck=True)
    front, back = proof_images(design, art=generated_art, dpi=100, guides=True)

`art` may be a GeneratedArt (its best candidate is used), a PIL image, or None (generate with
the design's backend at print resolution). Everything is plain data in and out.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from PIL import Image

import layouts
from generator.design import Design, load_design
from generator.result import GeneratedArt
from layouts.spec import LayoutSpec
from print.page import ImageOp, Side
from print.writer import PdfMeta, check_output_path, write_pdf
from products import bookmark, geometry, parts, poker, postcard

COMPOSERS: dict[str, Callable[..., list[Side]]] = {
    "bookmark": bookmark.compose, "poker": poker.compose, "postcard": postcard.compose}


@dataclass
class BuildResult:
    pdf: bytes | None            # the PDF when no output path was given
    path: Path | None            # the written PDF otherwise
    pages: int
    sides: list[Side]            # what was drawn (render with page_pngs / products.proof)
    layout: LayoutSpec
    art_info: dict = field(default_factory=dict)   # backend, sizes, crop, upscale, ppi
    notes: list[str] = field(default_factory=list)  # e.g. text shrunk to fit, lines off the safe area
    content_id: str = ""

def content_id(design: Design, layout: LayoutSpec, deck: bool) -> str:
    """Stable id of the generated content: same design and layout -> same id (reprints)."""
    h = hashlib.sha256(design.model_dump_json().encode() + f"|{layout.id}|{deck}".encode())
    return h.hexdigest()[:32]


def _as_design(design) -> Design:
    return design if isinstance(design, Design) else load_design(design)


def get_art(design: Design, layout: LayoutSpec, art=None, *, ppi: float = geometry.PRINT_PPI,
            progress=None, cancel=None) -> tuple[Image.Image, dict]:
    """The art for the layout's window at >= ppi: generated, or fitted from what was given."""
    window = layout.front.art
    info: dict = {}
    if art is None:
        from generator.backends import generate

        plan = geometry.plan_art(window, design.backend, ppi)
        gen = generate(design, size=plan.generate_px, n=1, progress=progress, cancel=cancel,
                       check=False)
        image = gen.best.image
        info.update(backend=gen.backend, generated_px=list(plan.generate_px))
    elif isinstance(art, GeneratedArt):
        image = art.best.image
        info.update(backend=art.backend, generated_px=list(art.size))
    elif isinstance(art, Image.Image):
        image = art
        info.update(backend="supplied", generated_px=list(art.size))
    else:
        image = Image.open(art)
        info.update(backend="supplied", generated_px=list(image.size))
    fitted, fit = geometry.fit_art(image, window, ppi, keep=[ln.box for ln in design.lines])
    info.update(fit)
    info["window_mm"] = [window.w, window.h]
    return fitted, info


def _line_notes(design: Design, layout: LayoutSpec) -> list[str]:
    """Design lines that fall outside the safe area or on the tassel hole: say so."""
    notes = []
    win = layout.front.art
    sx, sy, sw, sh = layout.safe_box
    for i, ln in enumerate(design.lines):
        x = win.x + ln.box[0] * win.w
        y = win.y + ln.box[1] * win.h
        w, h = ln.box[2] * win.w, ln.box[3] * win.h
        if x < sx - 0.01 or y < sy - 0.01 or x + w > sx + sw + 0.01 or y + h > sy + sh + 0.01:
            notes.append(f"line {i} ('{ln.text}') reaches outside the safe area "
                         f"({layout.safe_mm:g} mm inside the trim): it may be cut")
        if layout.hole:
            hx, hy, r = layout.hole.x_mm, layout.hole.y_mm, layout.hole.clear_radius_mm
            nx, ny = min(max(hx, x), x + w), min(max(hy, y), y + h)
            if (nx - hx) ** 2 + (ny - hy) ** 2 < r * r:
                notes.append(f"line {i} ('{ln.text}') overlaps the tassel hole area")
    return notes


def compose(design, *, deck: bool = False, art=None, layout: LayoutSpec | None = None,
            icc: str | None = None, ppi: float = geometry.PRINT_PPI, progress=None,
            cancel=None) -> tuple[list[Side], LayoutSpec, dict, list[str]]:
    design = _as_design(design)
    layout = layout or layouts.load_layout(design.product, design.layout)
    if deck and layout.product != "poker":
        from layouts import LayoutError

        raise LayoutError(f"--deck is for poker cards, not {layout.product}",
                          f"整副牌只适用于扑克牌，不适用于 {layout.product}", field="deck")
    image, info = get_art(design, layout, art, ppi=ppi, progress=progress, cancel=cancel)
    notes = _line_notes(design, layout)
    if info.get("crop_fraction", 0) > 0.05:
        notes.append(f"art cropped by {info['crop_fraction']:.0%} to the {layout.id} window "
                     f"(generate at {geometry.plan_art(layout.front.art, design.backend).generate_px} "
                     "to avoid it; text lines were kept whole)")
    if info.get("extended_px"):
        notes.append(f"art aspect differs from the {layout.id} window and the text would be cut: "
                     f"the background was extended by {info['extended_px']} px instead")
    if info.get("upscaled"):
        u = info["upscaled"]
        notes.append(f"art upscaled {u['from'][0]}x{u['from'][1]} -> {u['to'][0]}x{u['to'][1]} "
                     f"px (Lanczos); source {info['source_ppi']:g} ppi")
    sides = COMPOSERS[layout.product](layout, design, image, museum=layouts.museum(), notes=notes,
                                      icc=icc, ppi=ppi, deck_=deck)
    return sides, layout, info, notes


def build(design, *, deck: bool = False, rgb: bool = False, art=None, out: str | Path | None = None,
          icc: str | None = None, layout: LayoutSpec | None = None, progress=None,
          cancel=None) -> BuildResult:
    """Make the product PDF. Returns BuildResult (pdf bytes, or path when `out` is given).
    Raises KioskError subclasses (DesignError, LayoutError, OutputError, ColorError...)."""
    design = _as_design(design)
    if out is not None:
        check_output_path(out)   # fail before spending seconds on the art
    sides, spec, info, notes = compose(design, deck=deck, art=art, layout=layout, icc=icc,
                                       progress=progress, cancel=cancel)
    cid = content_id(design, spec, deck)
    from generator.motifs import get_motif

    m = get_motif(design.motif)
    kind = "deck" if deck else spec.product
    meta = PdfMeta(
        title=f"{m.name_zh} {kind} ({spec.id})", content_id=cid,
        provider=layouts.museum().provider, subject=" / ".join(design.texts()),
        extra={"layout": spec.id, "product": spec.product, "deck": str(deck).lower(),
               "safe_mm": spec.safe_mm, "colour": "rgb" if rgb else "cmyk",
               "backend": info.get("backend", ""), "seed": design.seed,
               "design": design.model_dump_json()})
    result = write_pdf(sides, out, meta=meta, cmyk=not rgb, icc=icc)
    return BuildResult(pdf=result if out is None else None, path=None if out is None else result,
                       pages=len(sides), sides=sides, layout=spec, art_info=info, notes=notes,
                       content_id=cid)


def proof_images(design, art=None, *, dpi: float = 100, guides: bool = True, bleed: bool = False,
                 deck_card: str | None = None) -> tuple[Image.Image, Image.Image]:
    """(front, back) as they will print, drawn with PIL from the same layout data as the PDF.
    `guides` adds the trim line, safe area, die-cut corners and hole; `bleed` shows the bleed.
    Art generated here (art=None) is rendered at proof resolution, not print resolution."""
    design = _as_design(design)
    spec = layouts.load_layout(design.product, design.layout)
    if deck_card:
        spec = spec.model_copy(update={"single_card": deck_card})
    ppi = max(dpi, 72)
    sides, *_ = compose(design, art=art, layout=spec, ppi=ppi)
    from products.proof import render_side

    return (render_side(sides[0], dpi, bleed=bleed, guides=guides),
            render_side(sides[1], dpi, bleed=bleed, guides=guides))


def art_plan(design, ppi: float = geometry.PRINT_PPI) -> geometry.ArtPlan:
    """The size to generate art at for this design's product (aspect of the art window,
    multiples of 64, >= ppi where the backend allows): pass .generate_px to generate()."""
    design = _as_design(design)
    spec = layouts.load_layout(design.product, design.layout)
    return geometry.plan_art(spec.front.art, design.backend, ppi)


def preview_size(product: str, layout: str | None = None) -> tuple[int, int]:
    """Kiosk candidate size for a product: its art window's aspect at preview resolution."""
    return geometry.preview_px(layouts.load_layout(product, layout).front.art)


def safe_box_fraction(design) -> tuple[float, float, float, float]:
    """The safe area as x, y, w, h fractions of the art (what Line.box is relative to), so the
    kiosk can keep text boxes inside it."""
    design = _as_design(design)
    spec = layouts.load_layout(design.product, design.layout)
    win = spec.front.art
    sx, sy, sw, sh = spec.safe_box
    x0, y0 = max(0.0, (sx - win.x) / win.w), max(0.0, (sy - win.y) / win.h)
    x1, y1 = min(1.0, (sx + sw - win.x) / win.w), min(1.0, (sy + sh - win.y) / win.h)
    return round(x0, 4), round(y0, 4), round(x1 - x0, 4), round(y1 - y0, 4)


__all__ = ["build", "BuildResult", "compose", "proof_images", "content_id", "get_art", "art_plan",
           "preview_size",
           "safe_box_fraction", "ImageOp", "parts"]
