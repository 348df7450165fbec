"""Staff actions on jobs: approve (with the check rule and its override), print, reprint.

Login and lockout are in jobs/staff_auth.py; the printer itself in print/output.py.
"""
from __future__ import annotations

from base.settings import settings
from jobs import files
from jobs.store import APPROVED, PRINTED, JobInfo, Store
from print.output import PrinterError, destination, send


def output_destination() -> str:
    s = settings()
    return destination(s.printer, s.hotfolder_dir())


def send_job(job: JobInfo) -> str:
    """Hand the job's PDF to the printer or hot folder; returns where it went."""
    if not job.pdf_path or not files.exists(job.pdf_path):
        raise PrinterError(f"job {job.ticket} has no print file yet", f"任务 {job.ticket} 还没有印刷文件")
    count = job.print_count + 1
    suffix = "" if count == 1 else f"_r{count}"
    s = settings()
    return send(files.resolve(job.pdf_path), name=f"{job.created_at:%Y%m%d}_{job.ticket}_job{job.id}{suffix}.pdf",
                title=f"{job.ticket} job {job.id}", printer=s.printer, hotfolder=s.hotfolder_dir())


def approve_and_print(store: Store, job_id: int, *, actor: str,
                      override: str | None = None) -> tuple[JobInfo, str | None]:
    """Approve, then output. Returns the job and the output error (None when it printed).
    A job whose checks failed raises ApprovalBlocked unless `override` gives a reason."""
    job = store.approve(job_id, actor=actor, override=override)
    return _output(store, job, actor)


def reprint(store: Store, job_id: int, *, actor: str) -> tuple[JobInfo, str | None]:
    job = store.get(job_id)
    if job.state not in (PRINTED, APPROVED):
        raise PrinterError(f"job {job.ticket} is {job.state}: only approved or printed jobs are printed",
                           f"任务 {job.ticket} 尚未批准，不能打印")
    return _output(store, job, actor)


def _output(store: Store, job: JobInfo, actor: str) -> tuple[JobInfo, str | None]:
    try:
        where = send_job(job)
    except PrinterError as exc:
        return store.print_failed(job.id, actor=actor, error=exc.en), exc.en
    return store.mark_printed(job.id, actor=actor, destination=where), None
