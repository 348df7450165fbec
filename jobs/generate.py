"""The generate step: a queued job's Design -> candidates with their OCR checks, saved under
var/jobs/<id>/, recorded as typed Candidates."""
from __future__ import annotations

from generator.backends import Backend, parse_size
from generator.design import BACKENDS, make_design
from generator.result import CancelToken, ProgressFn
from jobs import files
from jobs.records import Candidate, GenerationInfo, TextCheck
from jobs.store import JobInfo


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
    return art.backend, candidates, info
