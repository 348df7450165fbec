"""Products: one product PDF (target <= 1 s median) and the 54-card deck with SRA3 imposition
(target <= 20 s, peak memory <= 1.5 GB, measured in a child process)."""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import median_time

ROOT = Path(__file__).resolve().parents[1]
POSTCARD = {"motif": "sunbird", "product": "postcard", "seed": 7,
            "lines": [{"text": "天路", "box": [0.05, 0.08, 0.22, 0.15]}]}
POKER = {"motif": "sunbird", "product": "poker", "seed": 5,
         "lines": [{"text": "太阳神鸟", "box": [0.08, 0.05, 0.84, 0.12]}]}

DECK_CHILD = """
import json, resource, sys, time
from generator.design import make_design
from products import build
from print.impose import impose
t0 = time.perf_counter()
res = build(make_design(json.loads(sys.argv[1])), deck=True, out=sys.argv[2])
t1 = time.perf_counter()
impose(sys.argv[2], sys.argv[3], sheet="sra3")
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"build": t1 - t0, "impose": t2 - t1, "peak_mb": peak}))
"""


def run(report, gpu: bool = False) -> None:
    import json

    from generator.design import make_design
    from products import build
    from products.build import get_art
    import layouts

    with tempfile.TemporaryDirectory() as tmp:
        for product, spec in (("postcard", POSTCARD), ("poker", POKER)):
            d = make_design(spec)
            art, _ = get_art(d, layouts.load_layout(product))
            out = Path(tmp) / f"{product}.pdf"
            report(f"products: {product} PDF from ready art (median of 5)",
                   median_time(lambda: build(d, art=art, out=out), runs=5), "s", "<= 1 s")
        d = make_design(POSTCARD)
        report("products: postcard PDF incl. procedural art at 300 ppi (median of 3)",
               median_time(lambda: build(d, out=Path(tmp) / "p.pdf"), runs=3), "s")

        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", DECK_CHILD, json.dumps(POKER, ensure_ascii=False),
                            str(Path(tmp) / "deck.pdf"), str(Path(tmp) / "deck-sra3.pdf")],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
        wall = time.perf_counter() - t0
        if p.returncode:
            raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr else "deck failed")
        parts = json.loads(p.stdout.strip().splitlines()[-1])
        # the child's own figure: RUSAGE_CHILDREN would also count Chromium from the kiosk bench
        peak_mb = parts["peak_mb"]
        report("products: 54-card deck build (art + 108 pages)", parts["build"], "s")
        report("products: deck SRA3 imposition", parts["impose"], "s")
        report("products: deck + SRA3, whole child process", wall, "s", "<= 20 s")
        report("products: deck + SRA3 peak RSS", peak_mb, "MB", "<= 1536 MB")
        report("products: deck PDF size", (Path(tmp) / "deck.pdf").stat().st_size / 1e6, "MB")
