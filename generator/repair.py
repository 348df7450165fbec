"""Repair the lines of a candidate that do not read back, on that candidate's own art.

A line whose OCR check fails (generator/ocr.py) is redrawn by the backend's edit mode on that
line's box only, with new seeds, up to `RepairPolicy.tries` times while the job's time budget
lasts. When that does not read back either, we set the line ourselves over the art with the
procedural backend's renderer and material effects (procedural.typeset): the last resort,
and it always runs, budget or not. A line that cannot be judged (characters outside the
recognizer's dictionary) is never repaired.

Each line's LineCheck records how its text was obtained (`model`, `repaired` with the tries,
`typeset`) and the final read-back. `repair_art` does every candidate of a GeneratedArt under
one time budget and reports the figures in `art.info["repair"]`.

    art = backend.generate(design, size=size, n=3)
    art = repair_art(backend, design, art, RepairPolicy(tries=2, seconds=60))
"""
from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image

from base.errors import CancelledError
from generator import ocr
from generator.design import Design
from generator.result import CancelToken, Candidate, GeneratedArt, LineCheck, ProgressFn

log = logging.getLogger("kiosk.repair")

# The typesetting fallback's ways, tried in turn until the line reads back: (panel opacity,
# material, seed offset). As the procedural backend draws; a nearly opaque panel (the art under
# a very busy box shows through less); the same with other wear/patina noise (a worn cinnabar
# block or a verdigris spot can close a stroke: 己 reads 已); last a plain face (no texture).
TYPESET_WAYS = ((0.6, None, 0), (0.92, None, 0), (0.92, None, 1), (0.92, "jade", 0))


@dataclass(frozen=True)
class RepairPolicy:
    tries: int = 2          # edit-mode tries per line (0: straight to typesetting)
    seconds: float = 60.0   # time budget for the edit tries of one job (all its candidates)


@dataclass
class RepairStats:
    """What repair did to one job: `art.info["repair"]`."""
    budget_s: float
    seconds: float = 0.0
    tries: int = 0                      # edit-mode tries, all lines
    try_seconds: list[float] = field(default_factory=list)
    typeset_seconds: list[float] = field(default_factory=list)
    budget_spent: bool = False          # an edit try was skipped because the budget was used up
    edit_errors: list[str] = field(default_factory=list)
    paths: dict[str, int] = field(default_factory=lambda: {"model": 0, "repaired": 0,
                                                           "typeset": 0})
    failed: int = 0                     # lines that still do not read back
    unverifiable: int = 0

    def to_dict(self) -> dict:
        mean = (lambda xs: round(sum(xs) / len(xs), 4) if xs else None)
        return {"budget_s": self.budget_s, "seconds": round(self.seconds, 3), "tries": self.tries,
                "seconds_per_try": mean(self.try_seconds),
                "seconds_per_typeset": mean(self.typeset_seconds),
                "budget_spent": self.budget_spent, "paths": dict(self.paths),
                "failed": self.failed, "unverifiable": self.unverifiable,
                "edit_errors": self.edit_errors[:5]}


class Budget:
    """One job's time budget for edit tries, shared by its candidates."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.last_try = 0.0     # the last edit try's length: the next one is expected to match

    def allows_a_try(self) -> bool:
        return time.monotonic() + self.last_try <= self.end


def _edit_seed(seed: int, line_index: int, attempt: int) -> int:
    return (seed + 7919 * attempt + 104729 * (line_index + 1)) % 2 ** 32


def _check(image: Image.Image, line) -> LineCheck:
    return ocr.check_lines(image, [line])[0]


def _edit_once(backend, design: Design, image: Image.Image, line, seed: int, folder: Path,
               cancel: CancelToken | None) -> Image.Image:
    """The backend's edit mode on one line's box of `image`: the rest of the art is kept."""
    src = folder / "source.png"
    image.save(src, format="PNG", compress_level=1)
    edit = design.model_copy(update={"mode": "edit", "source_image": str(src), "lines": [line]})
    art = backend.generate(edit, size=image.size, n=1, seeds=[seed], cancel=cancel, check=False)
    out = art.candidates[0].image.convert("RGB")
    return out if out.size == image.size else out.resize(image.size, Image.LANCZOS)


def _typeset(design: Design, image: Image.Image, line, seed: int,
             stats: RepairStats) -> tuple[Image.Image, LineCheck]:
    from generator.procedural import typeset

    t0 = time.perf_counter()
    for panel, material, offset in TYPESET_WAYS:
        out = typeset(image, design, [line], seed + offset, panel_opacity=panel, material=material)
        check = _check(out, line)
        if check.passes:
            break
    stats.typeset_seconds.append(time.perf_counter() - t0)
    return out, check


def repair_candidate(backend, design: Design, cand: Candidate, policy: RepairPolicy, *,
                     budget: Budget | None = None, stats: RepairStats | None = None,
                     progress: ProgressFn | None = None,
                     cancel: CancelToken | None = None) -> Candidate:
    """`cand` with each failing line repaired on its own art (see the module docstring). The
    checks must be those of `design.lines`, in order (backend.generate(..., check=True))."""
    budget = budget or Budget(policy.seconds)
    stats = stats or RepairStats(budget_s=policy.seconds)
    if len(cand.checks) != len(design.lines):
        raise ValueError(f"candidate has {len(cand.checks)} checks for {len(design.lines)} lines")
    image, checks = cand.image, list(cand.checks)
    todo = [i for i, c in enumerate(checks) if not c.passes]
    with tempfile.TemporaryDirectory(prefix="kiosk-repair-") as tmp:
        for n, i in enumerate(todo):
            line = design.lines[i]
            if progress is not None:
                progress(n, len(todo), f"repairing line {i + 1}")
            tries, fixed = 0, None
            while tries < policy.tries:
                if cancel is not None and cancel.is_set():
                    raise CancelledError("generation was cancelled", "生成已取消")
                if not budget.allows_a_try():
                    stats.budget_spent = True
                    break
                tries += 1
                t0 = time.monotonic()
                try:
                    edited = _edit_once(backend, design, image, line,
                                        _edit_seed(cand.seed, i, tries), Path(tmp), cancel)
                except CancelledError:
                    raise
                except Exception as exc:  # an edit mode that fails: typesetting still works
                    log.warning("edit mode failed on line %d: %s", i, exc)
                    stats.edit_errors.append(f"{exc.__class__.__name__}: {exc}"[:200])
                    edited = None
                budget.last_try = time.monotonic() - t0
                stats.try_seconds.append(budget.last_try)
                stats.tries += 1
                if edited is None:
                    break
                check = _check(edited, line)
                if check.passes:
                    image, fixed = edited, check.obtained("repaired", tries)
                    break
            if fixed is None:
                image, check = _typeset(design, image, line, _edit_seed(cand.seed, i, 0), stats)
                fixed = check.obtained("typeset", tries)
            checks[i] = fixed
    if todo:
        # boxes may overlap a little: read every line back from the final art once more
        final = ocr.check_lines(image, design.lines)
        for i, (old, new) in enumerate(zip(checks, final)):
            if old.passes and not new.passes and i not in todo:  # a neighbour's repair hid it
                image, new = _typeset(design, image, design.lines[i], _edit_seed(cand.seed, i, 0),
                                      stats)
                checks[i] = new.obtained("typeset", 0)
            else:
                checks[i] = new.obtained(old.path, old.tries)
    for c in checks:
        stats.paths[c.path] += 1
        stats.failed += not c.passes
        stats.unverifiable += bool(c.unverifiable) and not c.exact
    return replace(cand, image=image, checks=checks)


def repair_art(backend, design: Design, art: GeneratedArt, policy: RepairPolicy, *,
               progress: ProgressFn | None = None,
               cancel: CancelToken | None = None) -> GeneratedArt:
    """Every candidate repaired under one time budget for the job; `info["repair"]` says what
    was done (RepairStats.to_dict)."""
    t0 = time.monotonic()
    budget, stats = Budget(policy.seconds), RepairStats(budget_s=policy.seconds)
    cands = [repair_candidate(backend, design, c, policy, budget=budget, stats=stats,
                              progress=progress, cancel=cancel) if c.checks else c
             for c in art.candidates]
    stats.seconds = time.monotonic() - t0
    return replace(art, candidates=cands, info={**art.info, "repair": stats.to_dict()})
