"""Typed records of what crosses the job database: written by one step, read by the others.

The columns stay JSON (one schema for SQLite and PostgreSQL); these models are the only code
that writes or reads those JSON values, so a field is named in one place. Reading is lenient
about keys it does not know (rows written by an older release), strict about types.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TextCheck(Record):
    """OCR read-back of one line of the chosen art (generator.result.LineCheck as stored)."""
    expected: str
    read: str = ""
    exact: bool = False
    ned: float = 0.0
    confidence: float = 0.0
    unverifiable: str = ""   # characters outside the recognizer's dictionary
    # how the text was obtained (generator/repair.py): drawn by the backend, redrawn by its
    # edit mode on the line's box after `tries` edit tries, or typeset by us over the art
    path: Literal["model", "repaired", "typeset"] = "model"
    tries: int = 0

    @property
    def passes(self) -> bool:
        """Reads back exactly, or cannot be judged (characters outside the dictionary)."""
        return self.exact or bool(self.unverifiable)


class Candidate(Record):
    """One generated picture a visitor may choose."""
    seed: int
    path: str                # relative to the var folder (jobs.files)
    checks: list[TextCheck] = Field(default_factory=list)
    all_exact: bool = False
    mean_ned: float = 0.0
    # shown to the visitor: every line reads back (or cannot be judged); when no candidate
    # does, the best one is offered, flagged. Staff see them all.
    offered: bool = True
    # a version the visitor made by editing candidate `parent` (jobs/edit.py): its own Design
    # lines (the originals' are the job's design lines); never offered in the grid
    parent: int | None = None
    lines: list[dict] = Field(default_factory=list)

    @property
    def passes(self) -> bool:
        return bool(self.checks) and all(c.passes for c in self.checks)

    @property
    def edited(self) -> bool:
        return self.parent is not None


class EditRequest(Record):
    """A visitor's edit of one version (job-level candidate index `base`): the new version's
    Design lines, in order. A base line whose box is not among them is erased; a line whose
    box is new is added; a line on a base box with other words or style is redrawn."""
    base: int
    lines: list[dict]


class PreflightFinding(Record):
    severity: str            # "error" or "warning"
    code: str
    page: int | None = None
    message: str = ""


class PreflightSummary(Record):
    """print.preflight's report of the product PDF, kept so staff need not wait for it again."""
    available: bool = True
    ok: bool | None = None
    file: str | None = None
    pages: int | None = None
    mode: str | None = None
    output_intent: str | None = None
    issues: list[PreflightFinding] = Field(default_factory=list)

    @property
    def errors(self) -> list[PreflightFinding]:
        return [i for i in self.issues if i.severity == "error"]


class SheetSummary(Record):
    sheets: int
    pieces: int
    notes: list[str] = Field(default_factory=list)


class BuildResult(Record):
    """What the build step made: the product PDF, the cutter's sheet, proofs, the preflight."""
    pdf_path: str | None = None
    sheet_path: str | None = None
    proof_paths: dict[str, str] = Field(default_factory=dict)   # "front"/"back" -> rel path
    pages: int | None = None
    layout: str | None = None
    notes: list[str] = Field(default_factory=list)
    content_id: str | None = None
    preflight: PreflightSummary | None = None
    sheet: SheetSummary | None = None
    sheet_error: str | None = None


class GenerationInfo(Record):
    """How the candidates were made (for staff and statistics)."""
    backend_reason: str = ""
    size: tuple[int, int] | None = None
    details: dict = Field(default_factory=dict)   # the backend's own figures (steps, timings)


class Override(Record):
    """A staff member approved a job the checks blocked, and said why."""
    actor: str
    reason: str
    blocks: list[str]


__all__ = ["BuildResult", "Candidate", "EditRequest", "GenerationInfo", "Override", "PreflightFinding",
           "PreflightSummary", "SheetSummary", "TextCheck"]
