"""Millimetres, pixels and art sizes.

Art is generated in the art window's aspect ratio at a size whose effective resolution at
print size is at least 300 ppi. Backends want multiples of 64, so we pick the multiple-of-64
size that covers the window with the least cropping, then centre-crop to the exact aspect
(never stretch). A backend capped below that (AnyText: 768 px) renders as large as it can and
the crop is upscaled with Lanczos: the best of Pillow's resamplers for photographic detail
without the blockiness of nearest or the softness of bilinear; the upscale is recorded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

from layouts.spec import Box, TrimSpec  # noqa: F401  (TrimSpec re-exported for products)

MM_PER_INCH = 25.4
PRINT_PPI = 300
MAX_SIDE = {"procedural": 4096, "anytext": 768}


def px(mm: float, ppi: float) -> int:
    return max(1, math.ceil(mm / MM_PER_INCH * ppi - 1e-6))


@dataclass(frozen=True)
class ArtPlan:
    window_mm: tuple[float, float]
    needed_px: tuple[int, int]        # the window at the target ppi
    generate_px: tuple[int, int]      # what the backend is asked for (multiples of 64)


def plan_art(window: Box, backend: str = "procedural", ppi: float = PRINT_PPI) -> ArtPlan:
    need_w, need_h = px(window.w, ppi), px(window.h, ppi)
    cap = MAX_SIDE.get(backend, 768)
    scale = min(1.0, cap / max(need_w, need_h))
    tw, th = need_w * scale, need_h * scale
    aspect = window.w / window.h
    best = None
    for step in range(0, 6):
        for base in ("w", "h"):
            if base == "h":
                h = (math.ceil(th / 64) + step) * 64
                w = max(math.ceil(tw / 64) * 64, round(h * aspect / 64) * 64)
            else:
                w = (math.ceil(tw / 64) + step) * 64
                h = max(math.ceil(th / 64) * 64, round(w / aspect / 64) * 64)
            w, h = min(max(w, 256), cap), min(max(h, 256), cap)
            loss = 1 - min(w / h, aspect) / max(w / h, aspect)
            key = (loss > 0.03, w * h, loss)   # little cropping first, then the smallest
            if best is None or key < best[0]:
                best = (key, (w, h))
    return ArtPlan((window.w, window.h), (need_w, need_h), best[1])


def preview_px(window: Box, long_side: int = 768) -> tuple[int, int]:
    """Candidate size for the kiosk: multiples of 64, long side <= long_side, short side >= 256,
    the largest within 3% of the window's aspect (else the closest). The chosen candidate is
    redrawn or upscaled to plan_art's size for print."""
    aspect = window.w / window.h
    sizes = [(w, h) for w in range(256, long_side + 1, 64) for h in range(256, long_side + 1, 64)]
    err = lambda s: abs(math.log(s[0] / s[1] / aspect))  # noqa: E731
    close = [s for s in sizes if err(s) <= 0.03]
    return max(close, key=lambda s: s[0] * s[1]) if close else min(sizes, key=err)


def _keep_span(boxes, axis: int, size: int, margin: float = 0.02) -> tuple[float, float] | None:
    """The pixel span (along x: axis 0, along y: axis 1) that the text boxes occupy."""
    if not boxes:
        return None
    lo = min(b[axis] for b in boxes) - margin
    hi = max(b[axis] + b[axis + 2] for b in boxes) + margin
    return max(0.0, lo) * size, min(1.0, hi) * size


def _extend(image: Image.Image, size: tuple[int, int], offset: tuple[int, int]) -> Image.Image:
    """Place the image on a larger canvas and fill the rest by stretching its edge rows or
    columns and blurring them: the background seems to continue, nothing is distorted."""
    from PIL import ImageFilter

    W, H = size
    x0, y0 = offset
    w, h = image.size
    out = Image.new("RGB", size)
    edge = max(2, min(w, h) // 64)
    if W > w:   # left and right bands
        for box, dst in (((0, 0, edge, h), (0, y0, x0, h)), ((w - edge, 0, w, h), (x0 + w, y0, W - x0 - w, h))):
            if dst[2] > 0:
                out.paste(image.crop(box).resize((dst[2], h)), (dst[0], dst[1]))
    if H > h:   # top and bottom bands
        for box, dst in (((0, 0, w, edge), (x0, 0, w, y0)), ((0, h - edge, w, h), (x0, y0 + h, w, H - y0 - h))):
            if dst[3] > 0:
                out.paste(image.crop(box).resize((w, dst[3])), (dst[0], dst[1]))
    out = out.filter(ImageFilter.GaussianBlur(max(4, min(W, H) // 40)))
    out.paste(image, (x0, y0))
    return out


def fit_art(image: Image.Image, window: Box, ppi: float = PRINT_PPI,
            keep: list[tuple[float, float, float, float]] | None = None) -> tuple[Image.Image, dict]:
    """Bring art to the window's aspect without distortion, then to >= ppi (Lanczos).

    The crop is centred but slides so that the `keep` boxes (the design's text lines, as
    fractions of the art) stay whole; when no crop of the right aspect can hold them, the art
    is extended instead (blurred edge continuation). Returns the image and a record of what
    was done (for BuildResult.art_info)."""
    image = image.convert("RGB")
    W, H = image.size
    aspect = window.w / window.h
    info: dict = {"source_px": [W, H]}
    if abs(W / H - aspect) < 1e-3:
        out, (cw, ch) = image, (W, H)
        info["crop_fraction"] = 0.0
    elif W / H > aspect:                 # too wide: crop the width
        cw, ch = round(H * aspect), H
        span = _keep_span(keep, 0, W)
        left = (W - cw) / 2
        if span and span[1] - span[0] > cw:
            ch = round(W / aspect)
            out = _extend(image, (W, ch), (0, (ch - H) // 2))
            cw = W
            info["extended_px"] = [0, ch - H]
        else:
            if span:
                left = min(max(left, span[1] - cw), span[0])
            left = int(min(max(0, left), W - cw))
            out = image.crop((left, 0, left + cw, H))
            info["crop_px"] = [left, 0, cw, ch]
    else:                                # too tall: crop the height
        cw, ch = W, round(W / aspect)
        span = _keep_span(keep, 1, H)
        top = (H - ch) / 2
        if span and span[1] - span[0] > ch:
            cw = round(H * aspect)
            out = _extend(image, (cw, H), ((cw - W) // 2, 0))
            ch = H
            info["extended_px"] = [cw - W, 0]
        else:
            if span:
                top = min(max(top, span[1] - ch), span[0])
            top = int(min(max(0, top), H - ch))
            out = image.crop((0, top, W, top + ch))
            info["crop_px"] = [0, top, cw, ch]
    if "crop_px" in info:
        info["crop_fraction"] = round(1 - cw * ch / (W * H), 4)
    need_w, need_h = px(window.w, ppi), px(window.h, ppi)
    if cw < need_w or ch < need_h:
        out = out.resize((need_w, need_h), Image.LANCZOS)
        info["upscaled"] = {"from": [cw, ch], "to": [need_w, need_h], "method": "lanczos"}
    info["effective_ppi"] = round(min(out.width / (window.w / MM_PER_INCH),
                                      out.height / (window.h / MM_PER_INCH)), 1)
    info["source_ppi"] = round(min(cw / (window.w / MM_PER_INCH), ch / (window.h / MM_PER_INCH)), 1)
    return out, info
