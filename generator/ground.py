"""Grounds the motif sits on: silk weave, rice paper, lacquer, night blue, gold-leaf flecks.

Each kind is a few float32 planes (scale-free: noise grids and fleck positions are drawn in
fractions, so the print redraw repeats the candidate). Returns float RGB (h, w, 3) in 0..255.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from generator.look import Look
from generator.styles import GroundSpec


def noise(rng: np.random.Generator, w: int, h: int, cells: int, stretch: float = 1.0) -> np.ndarray:
    """Smooth value noise in [0, 1] (bicubic upsampling of a small random grid); `stretch` > 1
    makes it streaky along x (paper fibres)."""
    gw = max(2, round(cells * stretch))
    gh = max(2, round(cells * h / w))
    grid = (rng.random((gh, gw)) * 255).astype(np.uint8)
    return np.asarray(Image.fromarray(grid).resize((w, h), Image.BICUBIC), np.float32) / 255.0


def _shade(spec: GroundSpec, w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """Brightness of the ground (h, w): the kind's texture times the vignette."""
    t = np.float32(spec.texture)
    yy = np.arange(h, dtype=np.float32)[:, None]
    xx = np.arange(w, dtype=np.float32)[None, :]
    if spec.kind == "silk":
        cloud = noise(rng, w, h, 5) * 0.6 + noise(rng, w, h, 13) * 0.4
        pitch = max(2.0, w / 256)   # fine threads, about 2 px at 512
        weave = np.sin(xx * np.float32(np.pi / pitch)) * np.sin(yy * np.float32(np.pi / pitch))
        shade = 0.86 + t * (0.6 * (cloud - 0.5) + 0.16 * weave)
    elif spec.kind == "rice_paper":
        cloud = noise(rng, w, h, 6)
        fibre = noise(rng, w, h, 90, stretch=0.25) - 0.5   # long soft streaks
        shade = 0.97 + t * (0.10 * (cloud - 0.5) + 0.10 * fibre)
    elif spec.kind == "lacquer":
        # Deep, smooth and glossy: a vertical fall-off and one soft diagonal gloss.
        d = (xx / w + yy / h) * 0.5
        gloss = np.exp(-((d - 0.3) ** 2) / np.float32(0.012))
        shade = 0.78 + 0.22 * (1 - yy / h) + t * 0.35 * gloss + t * 0.08 * (noise(rng, w, h, 4) - 0.5)
    elif spec.kind == "night":
        shade = 0.7 + 0.45 * (yy / h) + t * 0.2 * (noise(rng, w, h, 4) - 0.5)
    else:  # gold_leaf: a quiet cloudy ground; the leaf is in the flecks
        shade = 0.9 + t * 0.3 * (noise(rng, w, h, 7) - 0.5)
    r2 = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
    vignette = np.clip(1.1 - np.float32(spec.vignette) * r2, 0.5, 1.1)
    return (shade * vignette).astype(np.float32)


def _flecks(canvas: np.ndarray, spec: GroundSpec, rgb: tuple[int, int, int], rng: np.random.Generator) -> None:
    """Gold-leaf flakes (or stars on a night ground, fibres on paper) at seeded fractions."""
    h, w = canvas.shape[:2]
    n = int(spec.flecks * 500)
    if n == 0:
        return
    short = min(w, h)
    pos = rng.random((n, 2)) * (w, h)
    size = rng.uniform(0.002, 0.014, n) * short
    corners = rng.uniform(0.5, 1.0, (n, 4)) * size[:, None]
    turn = rng.uniform(0, np.pi / 2, n)
    alpha = rng.uniform(0.35, 0.95, n)
    mask = np.zeros((h, w), np.uint8)
    for (x, y), s, c, a, op in zip(pos, size, corners, turn, alpha):
        if spec.kind == "night":
            cv2.circle(mask, (int(x * 16), int(y * 16)), max(8, int(s * 5)), int(255 * op), -1,
                       cv2.LINE_AA, shift=4)
        elif spec.kind == "rice_paper":
            dx, dy = np.cos(a) * s * 1.5, np.sin(a) * s * 1.5
            cv2.line(mask, (int((x - dx) * 16), int((y - dy) * 16)), (int((x + dx) * 16), int((y + dy) * 16)),
                     int(120 * op), max(1, round(short / 700)), cv2.LINE_AA, shift=4)
        else:  # an irregular four-cornered leaf flake
            ang = a + np.array([0, 1.6, 3.1, 4.7])
            pts = np.stack([x + c * np.cos(ang), y + c * np.sin(ang)], 1)
            cv2.fillPoly(mask, [(pts * 16).astype(np.int32)], int(255 * op), cv2.LINE_AA, shift=4)
    m = mask.astype(np.float32)[..., None] / 255.0
    canvas[:] = canvas * (1 - m) + np.array(rgb, np.float32) * m


def draw_ground(look: Look, w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    spec = look.style.ground
    base = np.array(look.palette.ground, np.float32) * np.float32(look.tone)
    canvas = _shade(spec, w, h, rng)[..., None] * base
    if spec.glow:
        gx, gy = look.glow_at
        yy = np.arange(h, dtype=np.float32)[:, None]
        xx = np.arange(w, dtype=np.float32)[None, :]
        rg2 = ((xx - w / 2 * (1 + gx)) / (w / 2)) ** 2 + ((yy - h / 2 * (1 + gy)) / (h / 2)) ** 2
        glow = np.exp(-rg2 / np.float32(0.35)) * np.float32(spec.glow)
        canvas += glow[..., None] * (np.array(look.palette.glow, np.float32) - base)
    _flecks(canvas, spec, look.palette.fleck, rng)
    return np.clip(canvas, 0, 255, out=canvas)
