"""Prepress: imposing the 54-card deck on SRA3 and preflighting products (medians)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from bench import median_time

POSTCARD = {"motif": "sunbird", "product": "postcard", "seed": 7,
            "lines": [{"text": "天路", "box": [0.05, 0.08, 0.22, 0.15]}]}
POKER = {"motif": "sunbird", "product": "poker", "seed": 5,
         "lines": [{"text": "太阳神鸟", "box": [0.08, 0.05, 0.84, 0.12]}]}


def run(report, gpu: bool = False) -> None:
    if gpu:
        return  # CPU-only work
    from generator.design import make_design
    from print.impose import impose
    from print.preflight import inspect_pdf
    from products import build

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        postcard, deck = tmp / "postcard.pdf", tmp / "deck.pdf"
        build(make_design(POSTCARD), out=postcard)
        build(make_design(POKER), deck=True, out=deck)
        report("prepress: impose 54-card deck (108 pages) on SRA3, work-and-turn (median of 5)",
               median_time(lambda: impose(deck, tmp / "sheets.pdf", sheet="sra3"), runs=5), "s")
        report("prepress: preflight postcard (2 pages, all checks) (median of 3)",
               median_time(lambda: inspect_pdf(postcard), runs=3), "s")
        report("prepress: preflight postcard without Ghostscript render (median of 3)",
               median_time(lambda: inspect_pdf(postcard, render=False), runs=3), "s")
        report("prepress: preflight 54-card deck (108 pages, all checks) (median of 3)",
               median_time(lambda: inspect_pdf(deck), runs=3, warmup=0), "s")
