"""Procedural render at 512 and 1024, and the OCR check of one 512x512 image."""
from __future__ import annotations

from bench import median_time


def run(report, gpu: bool = False) -> None:
    if gpu:
        return
    from generator import ocr
    from generator.design import make_design
    from generator.procedural import ProceduralBackend, render

    design = make_design({"motif": "sunbird", "seed": 1, "lines": [
        {"text": "天路", "box": [0.3, 0.05, 0.4, 0.14]},
        {"text": "福寿安康", "box": [0.04, 0.3, 0.1, 0.45], "vertical": True}]})
    ProceduralBackend()  # imports and fonts warm up outside the timings
    for side, target in ((512, "<= 0.3 s"), (1024, None)):
        t = median_time(lambda: render(design, (side, side), 1), runs=7)
        report(f"procedural render {side}x{side} (median of 7)", t, "s", target)
    image = render(design, (512, 512), 1)
    t = median_time(lambda: ocr.check_lines(image, design.lines), runs=7)
    report("OCR check of one 512x512 image, 2 lines (median of 7)", t, "s", "<= 1 s")
