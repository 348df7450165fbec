"""A test backend: the real procedural renderer, slowed down per candidate so that a test can
kill or cancel a worker mid-job. Loaded by the worker as `slow_backend:SlowBackend`."""
from __future__ import annotations

import os
import time

from base.errors import CancelledError
from generator.procedural import ProceduralBackend
from generator.result import GeneratedArt

DELAY = float(os.environ.get("SLOW_BACKEND_DELAY", "0.4"))


class SlowBackend:
    name = "procedural"

    def generate(self, design, *, size=(512, 512), n=1, seeds=None, progress=None, cancel=None,
                 check=True) -> GeneratedArt:
        inner = ProceduralBackend()
        seeds = seeds or [design.seed + i for i in range(n)]
        cands = []
        for i, seed in enumerate(seeds):
            end = time.monotonic() + DELAY
            while time.monotonic() < end:
                if cancel is not None and cancel.is_set():
                    raise CancelledError("generation was cancelled", "生成已取消")
                time.sleep(0.02)
            cands += inner.generate(design, size=size, n=1, seeds=[seed], check=check).candidates
            if progress:
                progress(i + 1, len(seeds), f"candidate {i + 1}/{len(seeds)}")
        return GeneratedArt(self.name, size, cands, {"slow": DELAY})


class BrokenBackend:
    """Fails like a backend with a bug would (not a KioskError)."""
    name = "procedural"

    def generate(self, design, **kw):
        raise RuntimeError("simulated crash in the backend")
