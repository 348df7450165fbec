"""How different a design's candidates look at a glance: the smallest pairwise 1 - SSIM of its
candidates on 32 x 32 grey thumbnails (the gist a visitor sees before looking closely).

SSIM is the standard one (Wang et al. 2004: C1 = (0.01 L)^2, C2 = (0.03 L)^2) over a 7 x 7
Gaussian window (sigma 1.5), averaged over the valid part of the thumbnail. Shared by
bench/bench_variety.py and tests/generator/test_styles.py.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

THUMB = 32
_C1, _C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
_WINDOW = np.outer(*(2 * [cv2.getGaussianKernel(7, 1.5, cv2.CV_64F)[:, 0]]))


def thumbnail(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L").resize((THUMB, THUMB), Image.BOX), np.float64)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM of two grey images (0..255) of the same size."""
    def f(x):  # windowed mean over the valid region (no padding)
        return cv2.filter2D(x, -1, _WINDOW, borderType=cv2.BORDER_CONSTANT)[3:-3, 3:-3]

    mu_a, mu_b = f(a), f(b)
    var_a, var_b = f(a * a) - mu_a ** 2, f(b * b) - mu_b ** 2
    cov = f(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + _C1) * (2 * cov + _C2)
    den = (mu_a ** 2 + mu_b ** 2 + _C1) * (var_a + var_b + _C2)
    return float((num / den).mean())


def spread(images: list[Image.Image]) -> float:
    """The smallest pairwise 1 - SSIM among candidates: how alike the two closest ones are."""
    t = [thumbnail(im) for im in images]
    return min(1 - ssim(t[i], t[j]) for i in range(len(t)) for j in range(i + 1, len(t)))


@dataclass(frozen=True)
class Variety:
    median: float
    minimum: float
    per_design: dict[str, float]


BOXES = ([0.10, 0.07, 0.80, 0.16], [0.10, 0.77, 0.80, 0.16])   # phrase 0 on top, phrase 1 below


def measure(motif_ids: list[str] | None = None, phrases: int = 2, size: tuple[int, int] = (512, 512),
            n: int = 3) -> Variety:
    """Every motif x its first `phrases` curated phrases, one design each (seeds walk on, so
    every style starts a trio somewhere); the spread of each design's n candidates."""
    from generator.backends import get_backend
    from generator.design import make_design
    from generator.motifs import get_motif, motif_ids as all_motifs

    backend = get_backend("procedural")
    out: dict[str, float] = {}
    k = 0
    for mid in motif_ids or all_motifs():
        for pi, ph in enumerate(get_motif(mid).phrases[:phrases]):
            design = make_design({"motif": mid, "backend": "procedural", "seed": k, "lines": [
                {"text": ph["zh"], "box": BOXES[pi % len(BOXES)]}]})
            art = backend.generate(design, size=size, n=n, check=False)
            out[f"{mid}/{ph['zh']}"] = spread([c.image for c in art.candidates])
            k += 1
    vals = list(out.values())
    return Variety(median=statistics.median(vals), minimum=min(vals), per_design=out)
