"""Test backends for repair (generator/repair.py), real procedural renderers underneath.
Loaded by the worker as `repair_backends:SecondTryBackend` (tests/jobs is on sys.path)."""
from __future__ import annotations

from generator import ocr
from generator.procedural import ProceduralBackend
from generator.result import GeneratedArt

WRONG = "天府"  # drawn instead of what was asked for ("天路" in the tests)


class SecondTryBackend(ProceduralBackend):
    """Draws the wrong text at first and on every odd edit try, the right text on the even
    ones: each failing line is repaired on the second try. Checks are against the design asked
    for, as a real backend's are."""

    def __init__(self):
        self.edits = 0

    def generate(self, design, *, check: bool = True, **kw) -> GeneratedArt:
        wrong = True
        if design.mode == "edit":
            self.edits += 1
            wrong = self.edits % 2 == 1
        drawn = design
        if wrong:
            drawn = design.model_copy(update={"lines": [
                ln.model_copy(update={"text": WRONG}) if ln.text else ln for ln in design.lines]})
        art = super().generate(drawn, check=False, **kw)
        if check:
            for c in art.candidates:
                c.checks = ocr.check_lines(c.image, design.lines)
        return art


class NeverBackend(SecondTryBackend):
    """Never draws the right text, in generate or edit mode: every line ends typeset."""

    def generate(self, design, *, check: bool = True, **kw) -> GeneratedArt:
        self.edits = 0   # every call odd: always wrong
        return super().generate(design.model_copy(update={"mode": "generate"})
                                if design.mode == "generate" else design, check=check, **kw)


class BrokenEditBackend(ProceduralBackend):
    """Generates as the procedural backend does; its edit mode fails (a GPU out of memory)."""

    def generate(self, design, **kw) -> GeneratedArt:
        if design.mode == "edit":
            raise RuntimeError("CUDA out of memory")
        return super().generate(design, **kw)
