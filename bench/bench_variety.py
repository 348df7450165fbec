"""Candidate variety: the smallest pairwise 1 - SSIM of a design's three candidates on 32 x 32
grey thumbnails, median and minimum over every motif x 2 phrases (generator.variety)."""
from __future__ import annotations


def run(report, gpu: bool = False) -> None:
    if gpu:
        return
    from generator.variety import measure

    v = measure(size=(512, 512))
    report(f"candidate variety median over {len(v.per_design)} designs (1 - SSIM)", v.median, "", ">= 0.35")
    report("candidate variety minimum (1 - SSIM)", v.minimum, "", ">= 0.15")
