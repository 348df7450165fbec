"""The generate step: a queued job's Design -> candidates with their OCR checks, each line
that does not read back repaired on its candidate's own art (generator/repair.py, with the
policy from KIOSK_REPAIR_TRIES and KIOSK_REPAIR_SECONDS), saved under var/jobs/<id>/,
recorded as typed Candidates. A candidate whose lines still do not read back is kept for
staff but not offered to the visitor; when none reads back, the best one is offered, flagged."""
from __future__ import annotations

from base.settings import settings
from generator.backends import Backend, parse_size
from generator.design import BACKENDS, make_design
from generator.repair import RepairPolicy, repair_art
from generator.result import CancelToken, ProgressFn
from jobs import files
from jobs.records import Candidate, GenerationInfo, TextCheck
from jobs.store import JobInfo


def repair_policy() -> RepairPolicy:
    s = settings()
    return RepairPolicy(tries=s.repair_tries, seconds=s.repair_seconds)


def offer(candidates: list[Candidate]) -> list[Candidate]:
    """Mark what the visitor is offered: the candidates whose lines all pass; if none does,
    the best one (most lines exact, then NED), flagged by its checks."""
    passing = [c.passes or not c.checks for c in candidates]
    if not any(passing) and candidates:
        best = max(range(len(candidates)), key=lambda i: (
            sum(t.passes for t in candidates[i].checks), candidates[i].mean_ned))
        passing = [i == best for i in range(len(candidates))]
    return [c.model_copy(update={"offered": ok}) for c, ok in zip(candidates, passing)]


def generate_step(job: JobInfo, backend: Backend, backend_name: str, *, attempt: int,
                  progress: ProgressFn, cancel: CancelToken,
                  backend_reason: str = "") -> tuple[str, list[Candidate], GenerationInfo]:
    """(backend used, candidates, info). The worker's backend wins over the design's (it owns
    the loaded model); a plug-in backend (module:factory) keeps the design's name."""
    design = make_design(job.design)
    if backend_name in BACKENDS:
        design = design.model_copy(update={"backend": backend_name})
    art = backend.generate(design, size=parse_size(job.size), n=job.n_candidates,
                           progress=progress, cancel=cancel, check=True)
    if any(not c.passes for cand in art.candidates for c in cand.checks):
        def repair_progress(done: int, total: int, message: str) -> None:
            progress(done, total, f"checking the text: {message}")

        art = repair_art(backend, design, art, repair_policy(), progress=repair_progress,
                         cancel=cancel)
    # a retry writes new names: a worker that lost its lease but is still running can never
    # overwrite the files the job row points to now
    tag = "" if attempt <= 1 else f"_try{attempt}"
    candidates = []
    for i, cand in enumerate(art.candidates):
        path = files.save_image(job.id, f"candidate_{i}{tag}.png", cand.image)
        candidates.append(Candidate(
            seed=cand.seed, path=path, all_exact=cand.all_exact, mean_ned=round(cand.mean_ned, 4),
            checks=[TextCheck.model_validate(c.to_dict()) for c in cand.checks]))
    info = GenerationInfo(backend_reason=backend_reason, size=tuple(art.size), details=art.info)
    return art.backend, offer(candidates), info
