"""generator/repair.py: edit mode on the failing line's box, then typesetting; unverifiable
lines are left alone; the time budget is kept. Test backends subclass the real procedural one
(tests/jobs/repair_backends.py)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))
from repair_backends import NeverBackend, SecondTryBackend  # noqa: E402

from generator import ocr  # noqa: E402
from generator.design import make_design  # noqa: E402
from generator.procedural import ProceduralBackend  # noqa: E402
from generator.repair import RepairPolicy, repair_art, repair_candidate  # noqa: E402

DESIGN = {"motif": "sunbird", "seed": 7, "lines": [
    {"text": "天路", "box": [0.30, 0.08, 0.40, 0.12]},
    {"text": "金沙遗址", "box": [0.10, 0.70, 0.80, 0.15]}]}


def test_an_edit_that_succeeds_on_the_second_try_is_repaired_after_two_tries():
    be, design = SecondTryBackend(), make_design(DESIGN)
    art = be.generate(design, size=(512, 512), n=1)
    assert [c.read for c in art.candidates[0].checks] == ["天府", "天府"]
    out = repair_art(be, design, art, RepairPolicy(tries=2, seconds=60))
    checks = out.candidates[0].checks
    assert [(c.read, c.exact, c.path, c.tries) for c in checks] == [
        ("天路", True, "repaired", 2), ("金沙遗址", True, "repaired", 2)]
    rep = out.info["repair"]
    assert rep["tries"] == 4 and rep["paths"] == {"model": 0, "repaired": 2, "typeset": 0}
    assert rep["failed"] == 0 and not rep["budget_spent"]


def test_an_edit_that_never_succeeds_ends_typeset_and_reads_back():
    be, design = NeverBackend(), make_design(DESIGN)
    art = be.generate(design, size=(512, 512), n=1)
    cand = repair_candidate(be, design, art.candidates[0], RepairPolicy(tries=1, seconds=60))
    assert [(c.read, c.exact, c.path, c.tries) for c in cand.checks] == [
        ("天路", True, "typeset", 1), ("金沙遗址", True, "typeset", 1)]
    # read back from the final picture, not trusted from the repair
    assert [c.exact for c in ocr.check_lines(cand.image, design.lines)] == [True, True]


class SlowEdits(NeverBackend):
    """Each edit try takes 0.3 s and never reads back."""

    def generate(self, design, **kw):
        if design.mode == "edit":
            time.sleep(0.3)
        return super().generate(design, **kw)


def test_the_time_budget_is_kept_and_reported():
    be, design = SlowEdits(), make_design(DESIGN)
    art = be.generate(design, size=(512, 512), n=2)
    t0 = time.monotonic()
    out = repair_art(be, design, art, RepairPolicy(tries=5, seconds=1.0))
    took = time.monotonic() - t0
    rep = out.info["repair"]
    # 4 lines x 5 tries would be 20 tries (6 s of sleeping); the budget allows about 3
    assert 1 <= rep["tries"] <= 4 and rep["budget_spent"] and rep["budget_s"] == 1.0
    assert all(c.path == "typeset" and c.exact for cand in out.candidates for c in cand.checks)
    assert took < 1.0 + 0.3 + 4 * 2.0  # the budget, one try over at most, typesetting


def test_no_budget_goes_straight_to_typesetting():
    be, design = NeverBackend(), make_design(DESIGN)
    art = be.generate(design, size=(512, 512), n=1)
    out = repair_art(be, design, art, RepairPolicy(tries=2, seconds=0))
    assert [(c.path, c.tries) for c in out.candidates[0].checks] == [("typeset", 0)] * 2
    assert out.info["repair"]["budget_spent"] and out.info["repair"]["tries"] == 0


class CountingBackend(ProceduralBackend):
    def __init__(self):
        self.edits = 0

    def generate(self, design, **kw):
        self.edits += design.mode == "edit"
        return super().generate(design, **kw)


def test_a_character_outside_the_dictionary_is_unverifiable_and_never_repaired():
    rare = next(c for c in "丂丅丆丒丗丠" if c not in ocr.dictionary())
    be = CountingBackend()
    design = make_design({"motif": "sunbird", "seed": 1, "lines": [
        {"text": "天" + rare + "路", "box": [0.2, 0.1, 0.6, 0.14]}]})
    art = be.generate(design, size=(512, 512), n=1)
    (check,) = art.candidates[0].checks
    assert check.unverifiable == rare and not check.exact and check.passes
    assert art.candidates[0].all_pass
    out = repair_art(be, design, art, RepairPolicy(tries=3, seconds=60))
    assert be.edits == 0
    (after,) = out.candidates[0].checks
    assert after.path == "model" and after.tries == 0 and after.unverifiable == rare
    assert out.info["repair"]["unverifiable"] == 1 and out.info["repair"]["failed"] == 0


def test_an_erased_box_that_still_reads_is_erased_again():
    # edit mode: an empty line erases its box; art with text there is repaired by erasing
    be = ProceduralBackend()
    src = be.generate(make_design(DESIGN), size=(512, 512), n=1).candidates[0]
    erase = make_design({**DESIGN, "lines": [{"text": "", "box": [0.30, 0.08, 0.40, 0.12]}],
                         "mode": "edit", "source_image": "unused.png"})
    (before,) = ocr.check_lines(src.image, erase.lines)
    assert not before.passes      # 天路 is still there
    cand = type(src)(image=src.image, seed=1, checks=[before])
    out = repair_candidate(be, erase, cand, RepairPolicy(tries=0, seconds=0))
    assert out.checks[0].passes and out.checks[0].path == "typeset"


def test_a_fresh_check_is_on_the_model_path():
    c = ocr.check_line("天路", "天路", 0.99)
    assert c.path == "model" and c.tries == 0 and c.to_dict()["path"] == "model"
