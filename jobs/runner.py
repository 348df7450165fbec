"""The door every design comes in by, and the visitor-side runner the kiosk pages call.

`submit_design` validates, moderates and queues: the kiosk (through `QueueRunner.start`) and
`python -m jobs submit` both come in here, so a design that would fail in the worker (bad
numbers, a box too small to print, refused words) is refused with one bilingual message and
never becomes a queued job.

Pages call `start(design)`, `poll(job_id)`, `submit(job_id, choice)`, `abandon(job_id)`, and for
a visitor's edit of a chosen candidate `edit(job_id, base, lines)`, `version(job_id, index)`,
`submit_version(job_id, index)`; they only ever hold a job id (and a version index) in their
session: the job belongs to the job store and its worker, so it
outlives reruns, taps, a closed tab and a server restart, and staff see it. Pages get plain
JobView / CandidateView values, never rows.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from PIL import Image
from sqlalchemy.exc import SQLAlchemyError

from base.errors import DesignError
from base.settings import settings
from generator import moderation
from generator.design import PRODUCTS, Design, make_design
from jobs import files
from jobs.edit import version_design, version_lines
from jobs.records import EditRequest
from jobs.store import (ABANDONED, APPROVED, AWAITING_CHOICE, BUILDING, CANCELLED, FAILED,
                        GENERATING, PRINTED, QUEUED, READY, REJECTED, SUBMITTED, QueueError,
                        JobInfo, Store, utcnow)
from products import preview_size

def submit_design(store: Store, design: Design | dict[str, Any], *, actor: str = "kiosk",
                  source: str = "kiosk", n: int = 1, size: str = "512x512",
                  auto_choose: bool = False,
                  session_id: str | None = None) -> JobInfo:
    """Validate and moderate `design`, then queue it. A refusal is written to the audit log
    (the matched term is for staff only) and raised as ModerationError / DesignError."""
    design = design if isinstance(design, Design) else make_design(design)
    verdict = moderation.check_design(design)
    if not verdict.ok:
        store.audit(actor, "refused", None, {"line": verdict.line, "term": verdict.term,
                                             "text": verdict.text, "source": source})
        raise moderation.ModerationError(verdict.line, verdict.term)
    return store.submit(design.model_dump(mode="json"), actor=actor, source=source, n=n,
                        size=size, auto_choose=auto_choose, session_id=session_id)


def submit_edit(store: Store, job_id: int, base: int, lines: list[dict], *,
                actor: str = "visitor") -> JobInfo:
    """The same door for an edit: the new version's whole Design (`lines`: every line it
    keeps, changes or adds, in order) is validated and moderated before the edit is queued."""
    job = store.get(int(job_id))
    if not 0 <= base < len(job.candidates):
        raise QueueError(f"job {job_id} has no candidate {base}", "没有这个候选图", field="base")
    design = version_design(job, lines)
    if [ln.model_dump(mode="json") for ln in design.lines] == \
            [ln.model_dump(mode="json") for ln in version_design(job, version_lines(job, base)).lines]:
        raise DesignError("nothing was changed", "文字没有改动", field="lines")
    verdict = moderation.check_design(design)
    if not verdict.ok:
        store.audit(actor, "refused", job.id, {"line": verdict.line, "term": verdict.term,
                                               "text": verdict.text, "source": "edit"})
        raise moderation.ModerationError(verdict.line, verdict.term)
    request = EditRequest(base=base, lines=[ln.model_dump(mode="json") for ln in design.lines])
    return store.request_edit(job.id, request, actor=actor)


def art_size(product: str) -> tuple[int, int]:
    """The candidates' size for a product: multiples of 64 in the aspect of its art window
    (the print build redraws the chosen seed at 300 ppi)."""
    return preview_size(product if product in PRODUCTS else "postcard")


@dataclass
class CandidateView:
    image: Image.Image
    seed: int
    all_exact: bool
    checked: bool          # False when no OCR check ran (nothing to show)
    index: int = 0         # the candidate's place in the job (staff see every candidate)
    parent: int | None = None   # an edited version: the version it was made from
    lines: list[dict] = field(default_factory=list)   # its Design lines
    passes: bool = False   # every line reads back, or cannot be judged
    unverifiable: str = ""  # characters outside the recognizer's dictionary (not judged)


def offered_indices(job) -> list[int]:
    """The job's candidates a visitor is offered (jobs/generate.py decides), in order."""
    return [i for i, c in enumerate(job.candidates) if c.offered]


@dataclass
class JobView:
    state: str             # queued | generating | awaiting_choice | submitted | failed | unknown
    done: int = 0
    total: int = 0
    message: str = ""
    eta_s: float | None = None
    candidates: list[CandidateView] = field(default_factory=list)
    error: tuple[str, str] | None = None   # (en, zh)
    ticket: str | None = None
    editing: bool = False  # the job runs a visitor's edit (not a first generation)
    latest: int | None = None   # the newest candidate's index (after an edit: the new version)

    @property
    def finished(self) -> bool:
        return self.state in ("awaiting_choice", "submitted", "failed", "unknown")


# the visitor pages' state names
_VISITOR_STATE = {QUEUED: "queued", GENERATING: "generating", AWAITING_CHOICE: "awaiting_choice",
                  SUBMITTED: "submitted", BUILDING: "submitted", READY: "submitted",
                  APPROVED: "submitted", PRINTED: "submitted", REJECTED: "submitted",
                  FAILED: "failed", CANCELLED: "failed", ABANDONED: "failed"}


def visitor_error(reason: str | None) -> tuple[str, str]:
    """(en, zh) for a visitor whose job failed. The technical reason is for staff (queue page,
    audit log); a visitor gets what to do, and a full disk is said because only staff can fix it."""
    # ENOSPC's own words (a raw OSError, e.g. saving candidates) or print.writer's OutputError
    if reason and ("No space left" in reason or "disk is full" in reason):
        return ("the kiosk's storage is full. Your design is kept; please ask the shop staff.",
                "自助机存储空间已满。你的设计已保留，请联系店员。")
    return ("something went wrong while making your design. Please try again, "
            "or ask the shop staff.", "制作时出了点问题，请重试，或联系店员。")


def _candidate_view(job: JobInfo, index: int, *, lines: bool) -> CandidateView:
    c = job.candidates[index]
    unverifiable = "".join(dict.fromkeys(ch for t in c.checks if not t.exact
                                         for ch in t.unverifiable))
    with Image.open(files.resolve(c.path)) as im:
        return CandidateView(im.convert("RGB"), c.seed, c.all_exact, bool(c.checks), index,
                             c.parent, version_lines(job, index) if lines else [],
                             passes=c.passes, unverifiable=unverifiable)


class QueueRunner:
    """Start, watch, submit and abandon visitor jobs. `wake` is called when a job is queued
    (the in-process worker skips the rest of its poll sleep)."""

    def __init__(self, store: Store, wake: Callable[[], None] | None = None):
        self.store = store
        self._wake = wake or (lambda: None)

    def start(self, design: Design, n: int | None = None, *, session_id: str | None = None) -> str:
        w, h = art_size(design.product)
        info = submit_design(self.store, design, n=n or settings().candidates, size=f"{w}x{h}",
                             actor="visitor", source="kiosk", session_id=session_id)
        self._wake()
        return str(info.id)

    def poll(self, job_id: str, *, pictures: bool = True) -> JobView:
        """The job as the visitor pages see it; `pictures=False` leaves the offered candidates
        out (pages that only need the state, on every rerun, read no image files)."""
        try:
            job = self.store.get(int(job_id))
        except (QueueError, ValueError):
            return JobView("unknown", error=("this job no longer exists", "该任务已不存在"))
        state = _VISITOR_STATE.get(job.state, "unknown")
        eta = None
        if job.state == GENERATING and job.progress_done and job.heartbeat_at:
            started = job.started_at or job.created_at
            elapsed = (utcnow() - started).total_seconds()
            eta = elapsed / job.progress_done * max(0, job.progress_total - job.progress_done)
        cands = []
        if job.state == AWAITING_CHOICE and pictures:
            cands = [_candidate_view(job, i, lines=False) for i in offered_indices(job)]
        error = None
        if job.state == AWAITING_CHOICE and job.error:   # the last edit failed
            error = ("your words could not be changed this time; your design is kept. Please "
                     "try again.", "这次没能修改文字，你的设计已保留，请重试。")
        elif job.state == FAILED:
            error = visitor_error(job.error)
        elif job.state in (CANCELLED, ABANDONED):
            error = ("this design was cancelled", "该设计已取消")
        ticket = job.ticket if state == "submitted" else None
        return JobView(state, job.progress_done, job.progress_total, job.progress_message or "",
                       eta, cands, error, ticket, editing=job.edit_request is not None,
                       latest=len(job.candidates) - 1 if job.candidates else None)

    def version(self, job_id: str, index: int) -> CandidateView:
        """One candidate or edited version of the job (job-level index), with its lines."""
        return _candidate_view(self.store.get(int(job_id)), index, lines=True)

    def edit(self, job_id: str, base: int, lines: list[dict]) -> None:
        """Queue the visitor's edit of version `base` (submit_edit: validated and moderated;
        a KioskError says why not)."""
        submit_edit(self.store, int(job_id), base, lines)
        self._wake()

    def submit(self, job_id: str, choice: int) -> str:
        """`choice`: the place in JobView.candidates (the offered ones)."""
        job = self.store.get(int(job_id))
        if job.state != AWAITING_CHOICE and job.chosen is not None:
            return job.ticket  # a double tap must not make two orders
        offered = offered_indices(job)
        index = offered[int(choice)] if 0 <= int(choice) < len(offered) else -1
        return self.submit_version(job_id, index)

    def submit_version(self, job_id: str, index: int) -> str:
        """Submit the job's candidate or edited version `index` (job-level)."""
        job = self.store.get(int(job_id))
        if job.state != AWAITING_CHOICE and job.chosen is not None:
            return job.ticket  # a double tap must not make two orders
        info = self.store.choose(int(job_id), int(index), actor="visitor")
        self._wake()
        return info.ticket

    def abandon(self, job_id: str) -> None:
        """The visitor started over: stop the job. Nothing to tell them if that fails (the
        session is being reset); a job left behind is abandoned by the worker's sweep."""
        try:
            self.store.request_cancel(int(job_id), actor="visitor", abandon=True)
        except (QueueError, ValueError, SQLAlchemyError):
            pass

    def wait(self, job_id: str, timeout: float = 60) -> str:
        """Block until the job leaves queued/generating (tests and benchmarks)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            state = self.store.get(int(job_id)).state
            if state not in (QUEUED, GENERATING):
                return state
            time.sleep(0.05)
        return self.store.get(int(job_id)).state
