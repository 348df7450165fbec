"""The door every design comes in by: validate, moderate, then queue.

The kiosk and `python -m jobs submit` both call `submit_design`, so a design that would fail
in the worker (bad numbers, a box too small to print, refused words) is refused here with one
bilingual message, and never becomes a queued job.
"""
from __future__ import annotations

from typing import Any

from generator import moderation
from generator.design import Design, make_design
from jobs.store import JobInfo, Store


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
