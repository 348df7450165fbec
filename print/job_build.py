"""Build the print files of one queue job (the worker's build step).

products.build() makes the product PDF (bleed, trim, marks, front and back) from the chosen
art; print.preflight checks it (the report is stored with the job for the staff page);
products.proof_images() the front/back proofs the staff page shows; print.impose() the
press sheet for the cutter (sheet from env KIOSK_SHEET, default sra3). A job whose sheet cannot
be imposed still reaches review (the note says why): the product PDF is what prints.
When the products package is missing on an install, the art alone becomes a one-page PDF at
300 dpi, marked "interim" in `info`, so the queue keeps working end to end.
All files go through print/files.py.
"""
from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass, field

from PIL import Image

from generator.errors import KioskError
from print import files


@dataclass(frozen=True)
class BuildOutput:
    pdf_path: str | None
    sheet_path: str | None = None
    proof_paths: dict = field(default_factory=dict)   # {"front": rel, "back": rel}
    info: dict = field(default_factory=dict)


def build_job(job_id: int, design, art_rel: str, *, progress=None, cancel=None,
              attempt: int = 1, backend: str | None = None) -> BuildOutput:
    """`attempt` > 1 (a retry after a worker stopped) writes new file names, so a worker that
    lost its lease but still runs never overwrites what the job row points to.
    `backend` is the one that drew the chosen candidate: procedural art is redrawn from the
    same seed at print resolution (it is size-independent), diffusion art is upscaled."""
    tag = "" if attempt <= 1 else f"_try{attempt}"
    art = Image.open(files.resolve(art_rel)).convert("RGB")
    try:
        import products
    except ImportError:
        return _interim(job_id, art, art_rel)
    if backend == "procedural":
        art = _print_art(design, art.size, progress, cancel)
    pdf_abs = files.job_dir(job_id) / f"product{tag}.pdf"
    res = products.build(design, art=art, out=pdf_abs, progress=progress, cancel=cancel)
    pdf = files.import_file(job_id, res.path or pdf_abs)
    info = {"builder": "products.build", "pages": res.pages, "layout": res.layout.id,
            "notes": list(res.notes), "content_id": res.content_id}
    info["preflight"] = _preflight(files.resolve(pdf))
    proofs = {}
    front, back = products.proof_images(design, art=art, dpi=100, guides=True)
    proofs["front"] = files.save_image(job_id, f"proof_front{tag}.png", front)
    proofs["back"] = files.save_image(job_id, f"proof_back{tag}.png", back)
    sheet = None
    try:
        from print.impose import impose
    except ImportError:  # prepress (print/impose.py) not on this install: the PDF still prints
        info["sheet_error"] = "imposition is not available on this install"
        return BuildOutput(pdf, None, proofs, info)
    try:
        sheet_abs = files.job_dir(job_id) / f"sheet{tag}.pdf"
        imp = impose(files.resolve(pdf), sheet_abs, sheet=os.environ.get("KIOSK_SHEET", "sra3"))
        sheet = files.import_file(job_id, imp.path or sheet_abs)
        info["sheet"] = {"sheets": imp.sheets, "pieces": imp.pieces, "notes": list(imp.notes)}
    except KioskError as exc:  # the product PDF is still printable: say why there is no sheet
        info["sheet_error"] = exc.en
    return BuildOutput(pdf, sheet, proofs, info)


def _print_art(design, candidate_px: tuple[int, int], progress, cancel) -> Image.Image:
    """The candidate redrawn at a whole multiple of its size that covers print resolution:
    the same aspect keeps every seeded choice where the visitor saw it (a 2% aspect change
    already moves the motif visibly)."""
    import products
    from generator.backends import generate

    design = design.model_copy(update={"backend": "procedural"})
    need_w, need_h = products.art_plan(design).generate_px
    w, h = candidate_px
    k = max(1, math.ceil(max(need_w / w, need_h / h)))
    return generate(design, size=(w * k, h * k), n=1, progress=progress, cancel=cancel,
                    check=False).best.image


def _preflight(path) -> dict:
    """The preflight report as plain data, stored with the job (staff see it without waiting
    for Ghostscript again). A missing print.preflight is said, not hidden."""
    try:
        from print.preflight import inspect_pdf
    except ImportError:
        return {"available": False}
    try:
        return {"available": True, **inspect_pdf(path).as_dict()}
    except KioskError as exc:
        return {"available": True, "ok": False, "issues": [
            {"severity": "error", "code": "preflight.failed", "page": None, "message": exc.en}]}


def _interim(job_id: int, art: Image.Image, art_rel: str) -> BuildOutput:
    buf = io.BytesIO()
    art.save(buf, format="PDF", resolution=300.0)
    pdf = files.write_bytes(job_id, "product.pdf", buf.getvalue())
    return BuildOutput(pdf, None, {"front": art_rel},
                       {"builder": "interim", "note": "products package not available: the PDF "
                        "is the art alone, without bleed, marks or back"})
