"""A visitor's edit of a chosen candidate, through the real store and worker (SQLite):
validated and moderated at the door (submit_edit), queued, drawn by the backend's edit mode on
the base's own picture, every line read back and repaired, appended as a version with its
parent; undo/submit of a version writes its lines into the job's Design and its picture into
art_path, and the build prints that picture; a failed edit keeps every candidate."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from queue_helpers import DESIGN

from base.errors import DesignError
from generator import ocr
from generator.design import make_design
from generator.moderation import ModerationError
from jobs import build, files
from jobs import store as q
from jobs.cli import main as jobs_main
from jobs.edit import edit_lines
from jobs.runner import QueueRunner, submit_design, submit_edit
from jobs.worker import Worker

TOP = {"text": "天路", "box": [0.30, 0.08, 0.40, 0.14]}
BOTTOM = {"text": "金沙遗址", "box": [0.10, 0.70, 0.80, 0.16]}
TWO = {**DESIGN, "lines": [TOP, BOTTOM]}
MARGIN = 24   # pixels around an edited box its soft edge, panel and glow may touch


def _generated(store, design=TWO, backend="procedural", n=2, size="512x320"):
    job = submit_design(store, design, n=n, size=size)
    Worker(store, backend=backend).run_until_idle()
    job = store.get(job.id)
    assert job.state == q.AWAITING_CHOICE, job.error
    return job


def _edited(store, job, lines, base=0, backend="procedural"):
    submit_edit(store, job.id, base, lines)
    assert store.get(job.id).state == q.QUEUED
    Worker(store, backend=backend).run_until_idle()
    return store.get(job.id)


def _box_px(box, size):
    w, h = size
    return (int(box[0] * w), int(box[1] * h), int((box[0] + box[2]) * w) + 1,
            int((box[1] + box[3]) * h) + 1)


def test_an_edit_is_validated_moderated_and_queued(sqlite_store):
    job = _generated(sqlite_store)
    info = submit_edit(sqlite_store, job.id, 1, [dict(TOP, text="平安"), BOTTOM])
    assert info.state == q.QUEUED and info.edit_request.base == 1
    assert [ln["text"] for ln in info.edit_request.lines] == ["平安", "金沙遗址"]
    assert len(info.candidates) == 2    # nothing is lost while the edit waits
    claim = sqlite_store.claim_next("w")
    assert claim.step == "edit" and claim.job_id == job.id
    assert "edit_requested" in [a.action for a in sqlite_store.audit_log(job_id=job.id)]


def test_a_refused_word_or_a_bad_line_is_never_queued(sqlite_store):
    job = _generated(sqlite_store)
    with pytest.raises(ModerationError) as ei:
        submit_edit(sqlite_store, job.id, 0, [dict(TOP, text="台独"), BOTTOM])
    assert "台独" not in ei.value.en + ei.value.zh      # the visitor is not told the word
    with pytest.raises(DesignError):                  # too long for any box
        submit_edit(sqlite_store, job.id, 0, [dict(TOP, text="天" * 40)])
    with pytest.raises(DesignError):                  # nothing changed
        submit_edit(sqlite_store, job.id, 0, [TOP, BOTTOM])
    after = sqlite_store.get(job.id)
    assert after.state == q.AWAITING_CHOICE and after.edit_request is None
    assert [a.action for a in sqlite_store.audit_log(job_id=job.id)][0] == "refused"
    assert sqlite_store.claim_next("w") is None


def test_the_edit_step_appends_a_version_that_keeps_the_untouched_art(sqlite_store):
    job = _generated(sqlite_store)
    # change the bottom line's words, remove the top line, add a line in a new box
    added = {"text": "吉祥", "box": [0.62, 0.36, 0.30, 0.14]}
    new = [dict(BOTTOM, text="平安喜乐"), added]
    job = _edited(sqlite_store, job, new, base=1)
    assert job.state == q.AWAITING_CHOICE and job.edit_request is None and job.error is None
    assert len(job.candidates) == 3
    v = job.candidates[2]
    assert (v.parent, v.offered, v.seed) == (1, False, job.candidates[1].seed)
    assert [ln["text"] for ln in v.lines] == ["平安喜乐", "吉祥"]
    assert [c.expected for c in v.checks] == ["平安喜乐", "吉祥"] and v.passes
    base = np.asarray(Image.open(files.resolve(job.candidates[1].path)).convert("RGB"), int)
    img = Image.open(files.resolve(v.path)).convert("RGB")
    out = np.asarray(img, int)
    # outside the three boxes edit mode touched, every pixel is the base's
    # (a margin for the soft edge of the erase and the letters' glow)
    mask = np.ones(base.shape[:2], bool)
    for box in (TOP["box"], BOTTOM["box"], added["box"]):
        x0, y0, x1, y1 = _box_px(box, img.size)
        mask[max(0, y0 - MARGIN):y1 + MARGIN, max(0, x0 - MARGIN):x1 + MARGIN] = False
    assert mask.mean() > 0.3
    assert np.array_equal(base[mask], out[mask])
    # the new words read back; the removed line's box reads as nothing
    lines = make_design({**TWO, "lines": new}).lines
    assert all(c.exact for c in ocr.check_lines(img, lines))
    erased = make_design({**TWO, "mode": "edit", "source_image": "x.png",
                          "lines": [dict(TOP, text="")]}).lines
    assert ocr.check_lines(img, erased)[0].read == ""
    # the visitor grid still shows only the generated candidates
    view = QueueRunner(sqlite_store).poll(str(job.id))
    assert [c.index for c in view.candidates] == [0, 1] and view.latest == 2
    # a version is no candidate kept from the visitor in the statistics
    assert sqlite_store.stats()["text"]["not_offered"] == 0


def test_edit_lines_redraws_only_what_changed():
    old = make_design(TWO).lines
    new = make_design({**TWO, "lines": [TOP, dict(BOTTOM, color="#C0392B")]}).lines
    assert edit_lines(old, new) == [new[1]]
    new = make_design({**TWO, "lines": [BOTTOM]}).lines
    assert [(ln.text, list(ln.box)) for ln in edit_lines(old, new)] == [("", TOP["box"])]


def test_undo_and_submit_choose_a_version_and_the_build_prints_it(sqlite_store, monkeypatch):
    job = _generated(sqlite_store)
    job = _edited(sqlite_store, job, [dict(TOP, text="平安"), BOTTOM])
    job = _edited(sqlite_store, job, [dict(TOP, text="平安"), dict(BOTTOM, text="吉祥如意")],
                  base=2)
    assert [c.parent for c in job.candidates] == [None, None, 0, 2]
    runner = QueueRunner(sqlite_store)
    # undo once: the visitor looks at version 2 (the parent of 3) and submits it
    assert runner.version(str(job.id), 3).parent == 2
    undone = runner.version(str(job.id), 2)
    assert [ln["text"] for ln in undone.lines] == ["平安", "金沙遗址"]
    built = []
    real = build.build_step

    def spy(job_id, design, art_rel, **kw):
        built.append((design, art_rel, kw["repaired"]))
        return real(job_id, design, art_rel, **kw)

    monkeypatch.setattr("jobs.worker.build_step", spy)
    runner.submit_version(str(job.id), 2)
    job = sqlite_store.get(job.id)
    assert job.state == q.SUBMITTED and job.chosen == 2
    assert job.art_path == job.candidates[2].path
    assert [ln["text"] for ln in job.design["lines"]] == ["平安", "金沙遗址"]
    assert [c.expected for c in job.ocr] == ["平安", "金沙遗址"]
    assert build.chosen_repaired(job)        # edited art is upscaled, never redrawn from the seed
    Worker(sqlite_store, backend="procedural").run_until_idle()
    job = sqlite_store.get(job.id)
    assert job.state == q.READY, job.error
    [(design, art_rel, repaired)] = built
    assert art_rel == job.candidates[2].path and repaired
    assert design.texts() == ["平安", "金沙遗址"] and design.seed == job.candidates[2].seed


def test_submitting_the_original_after_an_edit_keeps_the_original_words(sqlite_store):
    job = _generated(sqlite_store)
    job = _edited(sqlite_store, job, [dict(TOP, text="平安"), BOTTOM])
    QueueRunner(sqlite_store).submit_version(str(job.id), 0)
    job = sqlite_store.get(job.id)
    assert job.art_path == job.candidates[0].path
    assert [ln["text"] for ln in job.design["lines"]] == ["天路", "金沙遗址"]
    assert not build.chosen_repaired(job)


def test_a_failed_edit_keeps_the_candidates_and_says_so(sqlite_store):
    job = _generated(sqlite_store)
    before = job.candidates
    job = _edited(sqlite_store, job, [dict(TOP, text="平安"), BOTTOM],
                  backend="repair_backends:BrokenEditBackend")
    assert job.state == q.AWAITING_CHOICE and job.candidates == before
    assert job.edit_request is None and "CUDA out of memory" in job.error
    view = QueueRunner(sqlite_store).poll(str(job.id))
    assert len(view.candidates) == 2 and view.error
    en, zh = view.error
    assert "CUDA" not in en + zh and "kept" in en and "保留" in zh
    # the visitor may edit again, and submit
    job = _edited(sqlite_store, job, [dict(TOP, text="平安"), BOTTOM])
    assert len(job.candidates) == 3 and job.error is None


def test_jobs_show_lists_the_versions(sqlite_store, capsys):
    job = _generated(sqlite_store)
    job = _edited(sqlite_store, job, [dict(TOP, text="平安"), BOTTOM])
    QueueRunner(sqlite_store).submit_version(str(job.id), 2)
    assert jobs_main(["show", str(job.id)]) == 0
    out = capsys.readouterr().out
    assert "version 0: generated" in out
    assert "version 2: edit of 0  (chosen)" in out and "平安 / 金沙遗址" in out


@pytest.fixture(scope="module", params=["anytext", "anytext2"])
def tiny(request, tmp_path_factory):
    """(backend name, folder of make-tiny weights for it)."""
    from weights.cli import main

    d = tmp_path_factory.mktemp(request.param)
    version = ["--version", "2"] if request.param == "anytext2" else []
    assert main(["make-tiny", str(d), *version]) == 0
    return request.param, d


def test_tiny_anytext_edit_is_typeset_by_repair_and_reads_back(sqlite_store, tiny, monkeypatch):
    """The tiny models' edit mode draws noise: the changed line ends typeset by repair; the
    untouched line keeps how its text was obtained on the base."""
    backend, weights = tiny
    monkeypatch.setenv("KIOSK_WEIGHTS", str(weights))
    monkeypatch.setenv("KIOSK_ANYTEXT_STEPS", "2")
    monkeypatch.setenv("KIOSK_REPAIR_TRIES", "1")
    monkeypatch.setenv("KIOSK_REPAIR_SECONDS", "600")
    design = {**TWO, "backend": backend}
    job = _generated(sqlite_store, design, backend=backend, n=1, size="256x256")
    assert job.backend == backend
    base_paths = [c.path for c in job.candidates[0].checks]
    job = _edited(sqlite_store, job, [dict(TOP, text="平安"), BOTTOM], backend=backend)
    assert job.error is None
    v = job.candidates[1]
    assert v.parent == 0 and [c.expected for c in v.checks] == ["平安", "金沙遗址"]
    assert v.checks[0].path == "typeset" and v.checks[0].tries == 1 and v.checks[0].exact
    assert v.checks[1].path == base_paths[1] and v.passes
