"""Repair (generator/repair.py) figures: seconds per line repaired by the procedural backend's
edit mode and by typesetting; seconds per edit try of the tiny AnyText model (its pictures are
noise, so the line ends typeset: the try is what costs); and Generate to candidates with the
procedural backend, with and without the repair gate, when nothing needs repair (it must not
be slower). Run alone: `python -m bench --only repair`."""
from __future__ import annotations

import dataclasses
import statistics
import tempfile
import time

from bench import median_time

DESIGN = {"motif": "sunbird", "seed": 3, "lines": [
    {"text": "天路", "box": [0.30, 0.08, 0.40, 0.12]},
    {"text": "金沙遗址", "box": [0.10, 0.70, 0.80, 0.15]}]}


def _failing(cand):
    """The candidate with every line marked as not read back (so repair works on each)."""
    return dataclasses.replace(cand, checks=[dataclasses.replace(c, exact=False, read="?")
                                             for c in cand.checks])


def _per_line(backend, design, cand, policy, runs: int = 5) -> tuple[float, str]:
    from generator.repair import repair_candidate

    bad = _failing(cand)
    paths = []

    def once():
        out = repair_candidate(backend, design, bad, policy)
        paths.extend(c.path for c in out.checks)

    return median_time(once, runs=runs) / len(design.lines), ",".join(sorted(set(paths)))


def run(report, gpu: bool = False) -> None:
    if gpu:
        return
    from generator.design import make_design
    from generator.procedural import ProceduralBackend
    from generator.repair import RepairPolicy, repair_art

    be, design = ProceduralBackend(), make_design(DESIGN)
    art = be.generate(design, size=(512, 512), n=1)
    cand = art.candidates[0]
    t, _ = _per_line(be, design, cand, RepairPolicy(tries=2, seconds=60))
    report("procedural: repair by edit mode, s per line (512x512, median of 5)", t, "s", "<= 0.5 s")
    t, _ = _per_line(be, design, cand, RepairPolicy(tries=0, seconds=60))
    report("procedural: repair by typesetting, s per line (median of 5)", t, "s", "<= 0.5 s")

    # Generate to candidates, nothing to repair: the generate step's gate, then nothing
    def plain():
        return be.generate(design, size=(512, 512), n=3)

    def gated():
        a = be.generate(design, size=(512, 512), n=3)
        if any(not c.passes for cand in a.candidates for c in cand.checks):
            a = repair_art(be, design, a, RepairPolicy())
        return a

    assert all(c.passes for cand in plain().candidates for c in cand.checks)
    t_plain, t_gated = median_time(plain, runs=5), median_time(gated, runs=5)
    report("procedural: Generate 3 candidates, no repair step (median of 5)", t_plain, "s")
    report("procedural: Generate 3 candidates with the repair gate (median of 5)", t_gated, "s",
           "same as without")
    report("repair_art on art that needs none (median of 21)",
           median_time(lambda: repair_art(be, design, art, RepairPolicy()), runs=21), "s", "~0")
    _tiny_anytext(report)


def _tiny_anytext(report) -> None:
    """Seconds per edit try of the tiny AnyText model at 256x256, 2 steps, on this CPU."""
    import os

    from generator.design import make_design
    from generator.repair import RepairPolicy, RepairStats, repair_candidate
    from weights.cli import main as weights_main

    with tempfile.TemporaryDirectory() as d:
        if weights_main(["make-tiny", d]) != 0:
            report("tiny AnyText: make-tiny failed", float("nan"), "")
            return
        old = os.environ.get("KIOSK_WEIGHTS")
        os.environ["KIOSK_WEIGHTS"] = d
        try:
            from generator.anytext.backend import AnyTextBackend

            be = AnyTextBackend(steps=2)
            design = make_design({**DESIGN, "backend": "anytext", "lines": DESIGN["lines"][:1]})
            t0 = time.perf_counter()
            cand = be.generate(design, size=(256, 256), n=1).candidates[0]
            report("tiny AnyText: generate 1 candidate 256x256, 2 steps (with loading)",
                   time.perf_counter() - t0, "s")
            stats = RepairStats(budget_s=600)
            for _ in range(2):
                repair_candidate(be, design, _failing(cand), RepairPolicy(tries=1, seconds=600),
                                 stats=stats)
            report("tiny AnyText: s per edit try (256x256, 2 steps, median of 2)",
                   statistics.median(stats.try_seconds), "s")
            report("tiny AnyText: s per typesetting (after the try failed)",
                   statistics.median(stats.typeset_seconds), "s")
        finally:
            if old is None:
                os.environ.pop("KIOSK_WEIGHTS", None)
            else:
                os.environ["KIOSK_WEIGHTS"] = old
