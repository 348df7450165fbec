"""The edit step: a visitor's EditRequest -> one more version of a candidate.

The backend's edit mode redraws only the boxes whose line changed (new words, font, colour or
direction), erases the boxes of removed lines (a line with empty text) and draws added lines
in their new boxes, on the base version's own picture: the rest of the art is kept. Every line
of the new version is then read back (generator/ocr.py) and the failing ones repaired like a
generated candidate's (generator/repair.py), so every version a visitor sees reads back. The
version is saved under var/jobs/<id>/ as a Candidate with `parent` = the base and its own
Design `lines`, not offered in the grid (the visitor reaches it by editing, and undo goes to
its parent).
"""
from __future__ import annotations

from PIL import Image

from generator import ocr
from generator.backends import Backend
from generator.design import BACKENDS, Design, Line, make_design
from generator.repair import repair_candidate
from generator.result import CancelToken, ProgressFn
from generator.result import Candidate as Art
from jobs import files
from jobs.generate import repair_policy
from jobs.records import Candidate, EditRequest, TextCheck
from jobs.store import JobInfo


def version_lines(job: JobInfo, index: int) -> list[dict]:
    """The Design lines of the job's candidate `index`: an edited version's own, else the
    job's design lines (every generated candidate shares them)."""
    cand = job.candidates[index]
    return [dict(ln) for ln in (cand.lines if cand.edited else job.design["lines"])]


def version_design(job: JobInfo, lines: list[dict]) -> Design:
    """The job's Design with `lines` (DesignError when they are not a valid design)."""
    return make_design({**job.design, "lines": lines})


def _key(line: Line) -> tuple:
    return tuple(round(v, 4) for v in line.box)


def edit_lines(old: list[Line], new: list[Line]) -> list[Line]:
    """What edit mode must draw to turn `old` into `new`: lines on a box that is new, or whose
    words or style changed, then an empty line (erase) for each old box no longer used."""
    before = {_key(ln): ln for ln in old}
    after = {_key(ln) for ln in new}
    changed = [ln for ln in new if before.get(_key(ln)) != ln]
    erased = [ln.model_copy(update={"text": ""}) for k, ln in before.items() if k not in after]
    return changed + erased


def edit_step(job: JobInfo, backend: Backend, backend_name: str, *, attempt: int,
              progress: ProgressFn, cancel: CancelToken) -> Candidate:
    """The new version of `job.edit_request`'s base (see the module docstring)."""
    req: EditRequest = job.edit_request
    base = job.candidates[req.base]
    old = version_design(job, version_lines(job, req.base))
    design = version_design(job, req.lines)
    if backend_name in BACKENDS:
        design = design.model_copy(update={"backend": backend_name})
    draw = edit_lines(old.lines, design.lines)
    source = files.resolve(base.path)
    with Image.open(source) as im:
        image = im.convert("RGB")
    if draw:
        progress(0, 1, "editing")
        edit = design.model_copy(update={"mode": "edit", "source_image": str(source),
                                          "lines": draw})
        art = backend.generate(edit, size=image.size, n=1, seeds=[base.seed], progress=progress,
                               cancel=cancel, check=False)
        out = art.candidates[0].image.convert("RGB")
        image = out if out.size == image.size else out.resize(image.size, Image.LANCZOS)
    # an untouched line keeps how its text was obtained (repaired, typeset) on the base
    kept = {_key(ln): c for ln, c in zip(old.lines, base.checks)
            if ln not in draw and ln in design.lines}
    checks = ocr.check_lines(image, design.lines)
    checks = [c.obtained(kept[_key(ln)].path, kept[_key(ln)].tries) if _key(ln) in kept else c
              for ln, c in zip(design.lines, checks)]
    cand = Art(image=image, seed=base.seed, checks=checks)
    if not cand.all_pass:
        def repair_progress(done: int, total: int, message: str) -> None:
            progress(done, total, f"checking the text: {message}")

        cand = repair_candidate(backend, design, cand, repair_policy(), progress=repair_progress,
                                cancel=cancel)
    tag = "" if attempt <= 1 else f"_try{attempt}"
    path = files.save_image(job.id, f"version_{len(job.candidates)}{tag}.png", cand.image)
    progress(1, 1, "edited")
    return Candidate(seed=base.seed, path=path, all_exact=cand.all_exact,
                     mean_ned=round(cand.mean_ned, 4), offered=False, parent=req.base,
                     checks=[TextCheck.model_validate(c.to_dict()) for c in cand.checks],
                     lines=[ln.model_dump(mode="json") for ln in design.lines])
