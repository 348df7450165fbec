"""Printer outputs for approved jobs: a hot folder (default) or a CUPS printer.

- Hot folder: var/hotfolder/ (env KIOSK_HOTFOLDER to point at the RIP's watched folder). The
  PDF is written under a temporary name and renamed, so a watcher never takes half a file.
- CUPS: env KIOSK_PRINTER=NAME sends the PDF with `lp -d NAME` (package cups-client). A
  printer that is away gives a clear error; the job stays approved (not printed) with
  `print_error`, and approving it again retries.
"""
from __future__ import annotations

import os
import shutil
import subprocess

from print import files
from print.errors import PrintError
from print.store import APPROVED, PRINTED, JobInfo, Store


class PrinterError(PrintError):
    """The print file could not be handed to the printer or the hot folder."""


def destination() -> str:
    printer = os.environ.get("KIOSK_PRINTER", "").strip()
    return f"printer {printer}" if printer else f"hot folder {files.hotfolder_dir()}"


def send(job: JobInfo) -> str:
    """Hand the job's PDF to the output; returns where it went."""
    if not job.pdf_path or not files.exists(job.pdf_path):
        raise PrinterError(f"job {job.ticket} has no print file yet", f"任务 {job.ticket} 还没有印刷文件")
    printer = os.environ.get("KIOSK_PRINTER", "").strip()
    if printer:
        return _lp(printer, job)
    count = job.print_count + 1
    suffix = "" if count == 1 else f"_r{count}"
    name = f"{job.created_at:%Y%m%d}_{job.ticket}_job{job.id}{suffix}.pdf"
    return str(files.copy_to_hotfolder(job.pdf_path, name))


def _lp(printer: str, job: JobInfo) -> str:
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterError("`lp` is not installed (apt-get install cups-client)",
                           "未安装打印命令 lp（apt-get install cups-client）")
    try:
        res = subprocess.run([lp, "-d", printer, "-t", f"{job.ticket} job {job.id}",
                              str(files.resolve(job.pdf_path))],
                             capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise PrinterError(f"printer {printer} did not answer within 30 s",
                           f"打印机 {printer} 30 秒内无响应") from None
    if res.returncode != 0:
        why = (res.stderr or res.stdout).strip().splitlines()
        raise PrinterError(f"printer {printer} refused the job: {why[-1] if why else res.returncode}",
                           f"打印机 {printer} 无法接收任务")
    return f"printer {printer}: {res.stdout.strip()}"


def approve_and_print(store: Store, job_id: int, *, actor: str) -> tuple[JobInfo, str | None]:
    """Approve, then output. Returns the job and the output error (None when it printed)."""
    job = store.approve(job_id, actor=actor)
    return _output(store, job, actor)


def reprint(store: Store, job_id: int, *, actor: str) -> tuple[JobInfo, str | None]:
    job = store.get(job_id)
    if job.state not in (PRINTED, APPROVED):
        raise PrinterError(f"job {job.ticket} is {job.state}: only approved or printed jobs are printed",
                           f"任务 {job.ticket} 尚未批准，不能打印")
    return _output(store, job, actor)


def _output(store: Store, job: JobInfo, actor: str) -> tuple[JobInfo, str | None]:
    try:
        where = send(job)
    except PrinterError as exc:
        return store.print_failed(job.id, actor=actor, error=exc.en), exc.en
    return store.mark_printed(job.id, actor=actor, destination=where), None
