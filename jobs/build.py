"""The build step: the chosen art -> print files, recorded as a typed BuildResult.

products.build() makes the product PDF (bleed, trim, marks, front and back) from the chosen
art; print.preflight checks it (the summary is stored with the job for the staff page and
the approval rule); products.proof_images() the front/back proofs the staff page shows;
print.impose() the press sheet for the cutter (KIOSK_SHEET, default sra3). A job whose sheet
cannot be imposed still reaches review (the result says why): the product PDF is what prints.
All files go through jobs.files.
"""
from __future__ import annotations

import math

from PIL import Image

import products
from base.errors import KioskError
from base.settings import settings
from generator.backends import generate
from generator.design import Design, make_design
from generator.result import CancelToken, ProgressFn
from jobs import files
from jobs.records import BuildResult, PreflightFinding, PreflightSummary, SheetSummary
from jobs.store import JobInfo
from print.impose import impose
from print.preflight import inspect_pdf


def chosen_repaired(job: JobInfo) -> bool:
    """A line of the chosen candidate was repaired or typeset over its art, or the visitor
    edited it (the seed alone would redraw the original words)."""
    if job.chosen is None or not job.candidates:
        return False
    chosen = job.candidates[job.chosen]
    return chosen.edited or any(c.path != "model" for c in chosen.checks)


def chosen_design(job: JobInfo) -> Design:
    """The job's Design with the seed of the candidate the visitor chose."""
    design = make_design(job.design)
    if job.chosen is not None and job.candidates:
        design = design.model_copy(update={"seed": job.candidates[job.chosen].seed})
    return design


def build_step(job_id: int, design: Design, art_rel: str, *, backend: str | None,
               attempt: int = 1, progress: ProgressFn | None = None,
               cancel: CancelToken | None = None, repaired: bool = False) -> BuildResult:
    """`attempt` > 1 (a retry after a worker stopped) writes new file names, so a worker that
    lost its lease but still runs never overwrites what the job row points to.
    `backend` drew the chosen art: procedural art is redrawn from the design's seed at print
    resolution (it is size-independent); diffusion art is upscaled by the product, and so is
    art whose text was `repaired` (a line redrawn or typeset over it: the redraw would not
    carry what was checked)."""
    tag = "" if attempt <= 1 else f"_try{attempt}"
    art = Image.open(files.resolve(art_rel)).convert("RGB")
    if backend == "procedural" and not repaired:
        art = _print_art(design, art.size, progress, cancel)
    pdf_abs = files.job_dir(job_id) / f"product{tag}.pdf"
    res = products.build(design, art=art, out=pdf_abs, progress=progress, cancel=cancel)
    pdf = files.import_file(job_id, res.path or pdf_abs)
    front, back = products.proof_images(design, art=art, dpi=100, guides=True)
    proofs = {"front": files.save_image(job_id, f"proof_front{tag}.png", front),
              "back": files.save_image(job_id, f"proof_back{tag}.png", back)}
    sheet = sheet_info = sheet_error = None
    try:
        sheet_abs = files.job_dir(job_id) / f"sheet{tag}.pdf"
        imp = impose(files.resolve(pdf), sheet_abs, sheet=settings().sheet)
        sheet = files.import_file(job_id, imp.path or sheet_abs)
        sheet_info = SheetSummary(sheets=imp.sheets, pieces=imp.pieces, notes=list(imp.notes))
    except KioskError as exc:  # the product PDF is still printable: say why there is no sheet
        sheet_error = exc.en
    return BuildResult(pdf_path=pdf, sheet_path=sheet, proof_paths=proofs, pages=res.pages,
                       layout=res.layout.id, notes=list(res.notes), content_id=res.content_id,
                       preflight=_preflight(files.resolve(pdf)), sheet=sheet_info,
                       sheet_error=sheet_error)


def _print_art(design, candidate_px: tuple[int, int], progress, cancel) -> Image.Image:
    """The candidate redrawn at a whole multiple of its size that covers print resolution:
    the same aspect keeps every seeded choice where the visitor saw it (a 2% aspect change
    already moves the motif visibly)."""
    design = design.model_copy(update={"backend": "procedural"})
    need_w, need_h = products.art_plan(design).generate_px
    w, h = candidate_px
    k = max(1, math.ceil(max(need_w / w, need_h / h)))
    return generate(design, size=(w * k, h * k), n=1, progress=progress, cancel=cancel,
                    check=False).best.image


def _preflight(path) -> PreflightSummary:
    try:
        return PreflightSummary.model_validate(inspect_pdf(path).as_dict())
    except KioskError as exc:  # the file cannot be checked at all: that is an error too
        return PreflightSummary(ok=False, issues=[PreflightFinding(
            severity="error", code="preflight.failed", message=exc.en)])
