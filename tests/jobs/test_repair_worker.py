"""Repair through the real job worker on SQLite: the job's candidates carry each line's path
(model, repaired, typeset) and tries; the visitor is offered only candidates that read back;
statistics count the paths; old rows load."""
from __future__ import annotations

import json

import pytest
from queue_helpers import DESIGN

from jobs import files
from jobs import store as q
from jobs.cli import main as jobs_main
from jobs.generate import offer
from jobs.runner import submit_design
from jobs.records import Candidate, TextCheck
from jobs.worker import Worker

TWO_LINES = {**DESIGN, "lines": [{"text": "天路", "box": [0.30, 0.08, 0.40, 0.12]},
                                 {"text": "金沙遗址", "box": [0.10, 0.70, 0.80, 0.15]}]}


def _run(store, backend, design=TWO_LINES, n=2, auto_choose=False, size="512x512"):
    job = submit_design(store, design, n=n, size=size, auto_choose=auto_choose, source="cli")
    Worker(store, backend=backend).run_until_idle()
    job = store.get(job.id)
    assert job.error is None, job.error
    return job


def test_an_edit_that_succeeds_on_the_second_try_is_recorded_as_repaired(sqlite_store):
    job = _run(sqlite_store, "repair_backends:SecondTryBackend")
    assert job.state == q.AWAITING_CHOICE and len(job.candidates) == 2
    for cand in job.candidates:
        assert [(c.expected, c.read, c.exact, c.path, c.tries) for c in cand.checks] == [
            ("天路", "天路", True, "repaired", 2), ("金沙遗址", "金沙遗址", True, "repaired", 2)]
        assert cand.offered and cand.all_exact
    rep = job.generation.details["repair"]
    assert rep["tries"] == 8 and rep["paths"]["repaired"] == 4 and rep["seconds"] > 0


def test_when_edits_fail_the_lines_are_typeset_and_the_job_reaches_review(sqlite_store):
    job = _run(sqlite_store, "repair_backends:NeverBackend", n=1, auto_choose=True)
    assert job.state == q.READY
    assert [(c.path, c.tries, c.exact) for c in job.ocr] == [("typeset", 2, True)] * 2
    assert job.ocr_ok and job.approval_blocks() == []


def test_the_time_budget_is_respected_and_reported(sqlite_store, monkeypatch):
    monkeypatch.setenv("KIOSK_REPAIR_SECONDS", "0")
    job = _run(sqlite_store, "repair_backends:SecondTryBackend", n=1)
    assert [(c.path, c.tries) for c in job.candidates[0].checks] == [("typeset", 0)] * 2
    rep = job.generation.details["repair"]
    assert rep["budget_s"] == 0 and rep["budget_spent"] and rep["tries"] == 0


def test_nothing_to_repair_leaves_the_model_path(sqlite_store):
    job = _run(sqlite_store, "procedural", design=DESIGN, n=2)
    assert all(c.path == "model" and c.tries == 0 for cand in job.candidates for c in cand.checks)
    assert "repair" not in job.generation.details   # repair did not even start


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    from weights.cli import main

    d = tmp_path_factory.mktemp("tinyw")
    assert main(["make-tiny", str(d)]) == 0
    return d


def test_tiny_anytext_noise_is_typeset_and_reads_back(sqlite_store, tiny_weights, monkeypatch):
    """The tiny model's pictures are noise: every line needs repair, its edit mode cannot make
    it, typesetting does."""
    monkeypatch.setenv("KIOSK_WEIGHTS", str(tiny_weights))
    monkeypatch.setenv("KIOSK_ANYTEXT_STEPS", "2")
    monkeypatch.setenv("KIOSK_REPAIR_TRIES", "1")
    monkeypatch.setenv("KIOSK_REPAIR_SECONDS", "600")   # a shared CPU: each try gets its turn
    design = {**DESIGN, "backend": "anytext"}
    job = _run(sqlite_store, "anytext", design=design, n=2, size="256x256")
    assert job.backend == "anytext" and job.state == q.AWAITING_CHOICE
    for cand in job.candidates:
        assert [(c.path, c.tries, c.exact) for c in cand.checks] == [("typeset", 1, True)]
        assert cand.offered
    rep = job.generation.details["repair"]
    assert rep["tries"] == 2 and rep["seconds_per_try"] > 0 and rep["paths"]["typeset"] == 2


def _check(path="model", exact=True, tries=0):
    return TextCheck(expected="天路", read="天路" if exact else "天府", exact=exact, path=path,
                     tries=tries)


def test_offer_hides_failing_candidates_and_keeps_the_best_when_all_fail():
    good = Candidate(seed=1, path="a", checks=[_check("typeset")], all_exact=True)
    bad = Candidate(seed=2, path="b", checks=[_check("typeset", exact=False)], mean_ned=0.5)
    worse = Candidate(seed=3, path="c", checks=[_check("typeset", exact=False)], mean_ned=0.2)
    assert [c.offered for c in offer([bad, good, worse])] == [False, True, False]
    assert [c.offered for c in offer([worse, bad])] == [False, True]   # flagged, not hidden


def test_the_visitor_sees_and_chooses_only_offered_candidates(sqlite_store, monkeypatch):
    from PIL import Image

    from jobs.runner import QueueRunner

    monkeypatch.setenv("KIOSK_WORKER", "external")
    job = submit_design(sqlite_store, DESIGN, n=3, size="256x256")
    claim = sqlite_store.claim_next("test")
    cands = []
    for i, ok in enumerate((False, True, True)):
        path = files.save_image(job.id, f"c{i}.png", Image.new("RGB", (256, 256)))
        cands.append(Candidate(seed=10 + i, path=path, checks=[_check("typeset", exact=ok)],
                               all_exact=ok, offered=ok))
    sqlite_store.finish_generation(job.id, claim.owner, backend="procedural", candidates=cands)
    runner = QueueRunner(sqlite_store)
    view = runner.poll(str(job.id))
    assert [c.seed for c in view.candidates] == [11, 12] and [c.index for c in view.candidates] == [1, 2]
    runner.submit(str(job.id), 1)                     # the second one shown
    assert sqlite_store.get(job.id).chosen == 2


def test_old_rows_load_with_the_model_path():
    old = TextCheck.model_validate({"expected": "天路", "read": "天路", "exact": True})
    assert old.path == "model" and old.tries == 0
    assert Candidate.model_validate({"seed": 1, "path": "x", "checks": [old.model_dump()]}).offered


def test_stats_count_each_path(sqlite_store, var, capsys):
    _run(sqlite_store, "repair_backends:SecondTryBackend", n=1)
    _run(sqlite_store, "repair_backends:NeverBackend", n=1)
    _run(sqlite_store, "procedural", design=DESIGN, n=1)
    text = sqlite_store.stats()["text"]
    assert {k: text[k] for k in ("model", "repaired", "typeset", "failed", "candidates")} == {
        "model": 1, "repaired": 2, "typeset": 2, "failed": 0, "candidates": 3}
    assert text["tries"] == 2 * 2 + 2 * 2
    assert jobs_main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "model 1, repaired 2, typeset 2 (8 edit tries)" in out
    assert jobs_main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["text"]["typeset"] == 2
