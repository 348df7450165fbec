"""Staff actions on jobs: approve (with the check rule and its override), print, reprint.

Login and lockout are in jobs/staff_auth.py; the printer itself in print/output.py.
"""
from __future__ import annotations

from base.settings import settings
from jobs import files
from jobs.store import APPROVED, PRINTED, JobInfo, Store
from print.output import HOT_FOLDER, PRINTER, PrinterError, destination, output_kind, send

# The state staff read for a printed job whose PDF only went to the hot folder (not a job state).
SENT_TO_HOT_FOLDER = "sent_to_hot_folder"


def output_destination() -> str:
    s = settings()
    return destination(s.printer, s.hotfolder_dir())


def current_output() -> str:
    """What takes an approved PDF now: PRINTER or HOT_FOLDER (print/output.py)."""
    return output_kind(settings().printer)


def took_it(detail: dict) -> str:
    """PRINTER or HOT_FOLDER, from a printed/reprinted audit entry (Store.print_outputs); entries
    written before the output was recorded are told apart by their destination's words."""
    if detail.get("output"):
        return detail["output"]
    return PRINTER if str(detail.get("destination", "")).startswith("printer ") else HOT_FOLDER


def shown_states(store: Store, jobs: list[JobInfo]) -> dict[int, str]:
    """The state staff see for each job (by id): its own, except that a printed job whose PDF
    last went to the hot folder, not to a printer, reads SENT_TO_HOT_FOLDER."""
    outputs = store.print_outputs([j.id for j in jobs if j.state == PRINTED])
    return {j.id: SENT_TO_HOT_FOLDER if j.id in outputs and took_it(outputs[j.id]) == HOT_FOLDER
            else j.state for j in jobs}


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
    return store.mark_printed(job.id, actor=actor, destination=where, output=current_output()), None


# -- trained motifs (python -m weights train-motif) -------------------------------------------------

def trained_motifs() -> list:
    """Every trained motif adapter of the weights folder (AdapterRecord), newest first."""
    from weights.adapters import load_adapters

    return sorted(load_adapters().adapters.values(), key=lambda r: r.trained_at, reverse=True)


def set_motif_enabled(store: Store, motif_id: str, enabled: bool, *, actor: str):
    """Staff switch a trained motif on (it joins the kiosk gallery while a diffusion backend runs)
    or off; recorded in the audit log. A motif is enabled only once its samples were drawn."""
    from weights.adapters import get_adapter, set_enabled
    from weights.errors import WeightsError

    rec = get_adapter(motif_id)
    if enabled and not rec.samples:
        raise WeightsError(f"motif '{motif_id}' has no sample images to judge; train it again "
                           "with --samples 4", f"纹样“{motif_id}”没有样图，无法审核；请重新训练")
    rec = set_enabled(motif_id, enabled, actor)
    store.audit(actor, "motif_enable" if enabled else "motif_disable", None,
                {"motif": motif_id, "adapter_sha256": rec.sha256})
    return rec


def diffusion_active() -> bool:
    """Whether the worker runs a diffusion backend (trained photo-only motifs need one)."""
    from jobs.worker import choose_backend

    return choose_backend()[0] in ("anytext", "anytext2")
