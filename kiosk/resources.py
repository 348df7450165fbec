"""Process-wide resources, created once by Streamlit's resource cache and shared by sessions.

- get_store(): the print queue (print/store.py) on KIOSK_DB_URL or var/kiosk.db.
- get_worker(): the one generation worker thread of this server process, started on first
  use. With KIOSK_WORKER=external the kiosk runs no worker: jobs wait for
  `python -m generator.worker` processes on a GPU machine (several kiosks, one database).
- get_runner(): the queue-backed runner with the interface the visitor pages use
  (kiosk/jobs.py: start / poll / submit / abandon), so pages only hold a job id.

Both objects are thread-safe: the store opens a session per call, the worker owns its thread.
"""
from __future__ import annotations

import os
import time

import streamlit as st

from print.store import (ABANDONED, APPROVED, AWAITING_CHOICE, BUILDING, CANCELLED, FAILED,
                         GENERATING, PRINTED, QUEUED, READY, REJECTED, SUBMITTED, Store, utcnow)


def worker_mode() -> str:
    """'inprocess' (default: this kiosk generates) or 'external' (workers elsewhere)."""
    mode = os.environ.get("KIOSK_WORKER", "inprocess").strip().lower()
    return "external" if mode == "external" else "inprocess"


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def get_store() -> Store:
    """One Store per database URL (tests point KIOSK_VAR / KIOSK_DB_URL elsewhere)."""
    from print.store import default_url

    return _store(default_url())


@st.cache_resource(show_spinner=False)
def _worker(url: str):
    from generator.worker import Worker

    return Worker(_store(url)).start()


def get_worker():
    """The in-process worker (None when KIOSK_WORKER=external)."""
    from print.store import default_url

    if worker_mode() == "external":
        return None
    worker = _worker(default_url())
    if not worker.alive:  # a crashed thread is restarted, never left dead
        worker.start()
    return worker


# the visitor pages' state names (kiosk/jobs.py JobView.state)
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


class QueueRunner:
    """kiosk/jobs.py's runner interface on top of the print queue and the worker."""

    def __init__(self, store: Store):
        self.store = store

    def start(self, design, n: int | None = None, *, session_id: str | None = None) -> str:
        from kiosk import jobs

        n = n or jobs.N_CANDIDATES
        w, h = jobs.art_size(design.product)
        info = self.store.submit(design, n=n, size=f"{w}x{h}", actor="visitor", source="kiosk",
                                 session_id=session_id)  # refused text raises ModerationError
        worker = get_worker()
        if worker is not None:
            worker.wake()
        return str(info.id)

    def poll(self, job_id: str):
        from PIL import Image

        from kiosk import jobs
        from print import files
        from print.store import QueueError

        try:
            job = self.store.get(int(job_id))
        except (QueueError, ValueError):
            return jobs.JobView("unknown", error=("this job no longer exists", "该任务已不存在"))
        state = _VISITOR_STATE.get(job.state, "unknown")
        eta = None
        if job.state == GENERATING and job.progress_done and job.heartbeat_at:
            started = job.started_at or job.created_at
            elapsed = (utcnow() - started).total_seconds()
            eta = elapsed / job.progress_done * max(0, job.progress_total - job.progress_done)
        cands = []
        if job.state == AWAITING_CHOICE:
            for c in job.candidates:
                with Image.open(files.resolve(c["path"])) as im:
                    cands.append(jobs.CandidateView(im.convert("RGB"), c["seed"],
                                                    bool(c.get("all_exact")), bool(c.get("checks"))))
        error = None
        if job.state == FAILED:
            error = visitor_error(job.error)
        elif job.state in (CANCELLED, ABANDONED):
            error = ("this design was cancelled", "该设计已取消")
        ticket = job.ticket if state == "submitted" else None
        return jobs.JobView(state, job.progress_done, job.progress_total, job.progress_message or "",
                            eta, cands, error, ticket)

    def submit(self, job_id: str, choice: int) -> str:
        job = self.store.get(int(job_id))
        if job.state != AWAITING_CHOICE and job.chosen is not None:
            return job.ticket  # a double tap must not make two orders
        info = self.store.choose(int(job_id), int(choice), actor="visitor")
        worker = get_worker()
        if worker is not None:
            worker.wake()
        return info.ticket

    def abandon(self, job_id: str) -> None:
        try:
            self.store.request_cancel(int(job_id), actor="visitor", abandon=True)
        except Exception:
            pass  # the session is being reset: nothing to tell the visitor

    def wait(self, job_id: str, timeout: float = 60) -> str:
        """Block until the job leaves queued/generating (tests and benchmarks)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            state = self.store.get(int(job_id)).state
            if state not in (QUEUED, GENERATING):
                return state
            time.sleep(0.05)
        return self.store.get(int(job_id)).state


def get_runner() -> QueueRunner:
    get_worker()
    return QueueRunner(get_store())
