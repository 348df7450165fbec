"""Where the motif goes and how: one emblem (centred or clear of the text), a close-up crop,
a repeated (mirrored) pattern, a mirrored pair, or a framed medallion.

Every size and position is a fraction of the art's short side, drawn once per seed (Look), so
the print redraw puts everything where the visitor saw it. Text boxes are given as fractions
(x, y, w, h); "clear_of_text" searches the largest square free of them on a grid whose cells
are the same fractions at any resolution.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from generator import motifs
from generator.look import Look
from generator.styles import resolve_colour

Box = tuple[float, float, float, float]
GRID = 32           # cells along the short side for the free-space search
KEEP = 0.03         # clearance around a text box, fraction of the short side


@dataclass(frozen=True)
class Spot:
    """A square place for the motif: centre and side in pixels."""
    cx: float
    cy: float
    side: float


def free_square(boxes: list[Box], w: int, h: int, keep: float = KEEP) -> Spot:
    """The largest square free of every (expanded) text box; the one nearest the centre wins ties."""
    short = min(w, h)
    gx, gy = round(GRID * w / short), round(GRID * h / short)
    cell = short / GRID
    free = np.ones((gy, gx), bool)
    for x, y, bw, bh in boxes:
        x0 = math.floor((x * w - keep * short) / cell)
        x1 = math.ceil(((x + bw) * w + keep * short) / cell)
        y0 = math.floor((y * h - keep * short) / cell)
        y1 = math.ceil(((y + bh) * h + keep * short) / cell)
        free[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = False
    # Largest all-free square ending at each cell (classic dynamic programme).
    run = np.zeros((gy + 1, gx + 1), np.int32)
    for j in range(gy):
        for i in range(gx):
            if free[j, i]:
                run[j + 1, i + 1] = 1 + min(run[j, i + 1], run[j + 1, i], run[j, i])
    best, at = 0, (gx / 2, gy / 2)
    for j, i in zip(*np.nonzero(run == run.max())):
        n = int(run[j, i])
        c = (i - n / 2, j - n / 2)  # centre in cells (i, j are 1-based ends)
        if n > best or (n == best and math.dist(c, (gx / 2, gy / 2)) < math.dist(at, (gx / 2, gy / 2))):
            best, at = n, c
    return Spot(at[0] * cell, at[1] * cell, best * cell)


def _spot(look: Look, boxes: list[Box], w: int, h: int, side: float) -> Spot:
    spec = look.style.composition
    short = min(w, h)
    jx, jy = look.jitter[0] * short, look.jitter[1] * short
    if spec.place == "clear_of_text" and boxes:
        free = free_square(boxes, w, h)
        if free.side >= spec.min_clear * short:
            return Spot(free.cx, free.cy, min(side, free.side * 0.96))
    return Spot(w / 2 + jx, h / 2 + jy, side)


def blend(canvas: np.ndarray, rgba: np.ndarray, x: int, y: int, opacity: float = 1.0,
          shadow: bool = False) -> None:
    """Paint a float RGBA (0..255) patch at (x, y), clipped to the canvas; a soft drop shadow
    is blurred from its alpha. Works on the patch's region only (cheap at print size)."""
    H, W = canvas.shape[:2]
    ph, pw = rgba.shape[:2]
    alpha = rgba[..., 3] * np.float32(opacity / 255.0)
    if shadow:
        d = max(2, round(min(W, H) / 128))
        pad = d * 5
        a = np.pad(alpha, pad)
        sh = cv2.GaussianBlur(a, (0, 0), d * 1.5) * np.float32(0.55)
        _mul(canvas, 1 - sh, x - pad + d, y - pad + d)
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + pw), min(H, y + ph)
    if x0 >= x1 or y0 >= y1:
        return
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x, None]
    region = canvas[y0:y1, x0:x1]
    region *= 1 - a
    region += rgba[y0 - y:y1 - y, x0 - x:x1 - x, :3] * a


def _mul(canvas: np.ndarray, factor: np.ndarray, x: int, y: int) -> None:
    H, W = canvas.shape[:2]
    fh, fw = factor.shape
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + fw), min(H, y + fh)
    if x0 < x1 and y0 < y1:
        canvas[y0:y1, x0:x1] *= factor[y0 - y:y1 - y, x0 - x:x1 - x, None]


def tinted(art: Image.Image, rgb) -> np.ndarray:
    """The art as float RGBA in one colour: its light and shade mapped from a deep to a pale
    version of `rgb` (an ink print, a gilt relief), keeping the alpha."""
    a = np.asarray(art, np.float32)
    if rgb is None:
        return a
    lum = a[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
    solid = lum[a[..., 3] > 128]
    lo, hi = (np.percentile(solid, (2, 98)) if solid.size else (0.0, 255.0))
    t = np.clip((lum - lo) / max(1.0, hi - lo), 0, 1)[..., None]
    c = np.array(rgb, np.float32)
    dark, light = c * 0.5, c + (255 - c) * 0.35
    out = np.empty_like(a)
    out[..., :3] = dark + (light - dark) * t
    out[..., 3] = a[..., 3]
    return out


def motif_art(motif: motifs.Motif, w: int, h: int, offset: float = 0.0) -> Image.Image:
    """The motif fitted into w x h; a band motif is woven into cloth: its strip repeated down."""
    if motif.kind != "band":
        return motifs.render_motif(motif.id, w, h)
    vw, vh = motifs.svg_size(motif.art)
    strip = motifs.render_motif(motif.id, w, max(1, round(w * vh / vw)))
    cloth = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    y = -int(offset * strip.height)
    while y < h:
        cloth.paste(strip, (0, y))
        y += strip.height
    return cloth


def _round_mask(side: int) -> np.ndarray:
    m = np.zeros((side, side), np.uint8)
    cv2.circle(m, (side * 8, side * 8), side * 8, 255, -1, cv2.LINE_AA, shift=4)
    return m


def _single(canvas, motif, look, boxes, w, h):
    short = min(w, h)
    spot = _spot(look, boxes, w, h, look.scale * short)
    side = max(8, round(spot.side))
    if motif.kind == "band":   # a brocade panel across the whole width
        art = motif_art(motif, w, side, look.focus[0])
        blend(canvas, tinted(art, look.palette.motif), 0, round(spot.cy - side / 2),
              look.style.composition.opacity, shadow=look.style.composition.shadow)
        return
    art = motif_art(motif, side, side)
    if look.turn:  # a roundel reads the same at any angle; its light and birds move round
        art = art.rotate(look.turn, resample=Image.BICUBIC)
    blend(canvas, tinted(art, look.palette.motif), round(spot.cx - side / 2), round(spot.cy - side / 2),
          look.style.composition.opacity, shadow=look.style.composition.shadow)


def _close_up(canvas, motif, look, boxes, w, h):
    vw, vh = motifs.svg_size(motif.art)
    px = max(w / vw, h / vh) * look.zoom          # pixels per art unit
    fw, fh = (w / px) / vw, (h / px) / vh          # the window, fractions of the art
    x0 = min(max(look.focus[0] - fw / 2, 0.0), 1 - fw)
    y0 = min(max(look.focus[1] - fh / 2, 0.0), 1 - fh)
    art = motifs.render_motif_view(motif.id, w, h, (x0, y0, fw, fh))
    spec = look.style.composition
    blend(canvas, tinted(art, look.palette.motif), 0, 0, spec.opacity, shadow=spec.shadow)


def _repeat(canvas, motif, look, boxes, w, h):
    spec = look.style.composition
    cell = min(w, h) / spec.count
    side = max(8, round(cell * look.scale))
    if motif.kind == "band":   # cloth repeats as bands across the width, ground between them
        art = tinted(motif_art(motif, w, side, look.focus[0]), look.palette.motif)
        for r in range(-1, math.ceil(h / cell) + 1):
            blend(canvas, art, 0, round(look.focus[1] * cell + r * cell - side / 2), spec.opacity)
        return
    art = motif_art(motif, side, side)
    tiles = [tinted(art, look.palette.motif)]
    tiles.append(tiles[0][:, ::-1].copy() if spec.mirror else tiles[0])
    ox, oy = look.focus[0] * cell, look.focus[1] * cell   # where the grid starts: seeded
    rows = math.ceil(h / cell) + 2
    cols = math.ceil(w / cell) + 2
    for r in range(-1, rows):
        shift = cell / 2 if spec.stagger and r % 2 else 0.0
        for c in range(-1, cols):
            cx = ox + c * cell + shift
            cy = oy + r * cell
            blend(canvas, tiles[(r + c) % 2], round(cx - side / 2), round(cy - side / 2), spec.opacity,
                  shadow=spec.shadow)


def _mirrored_pair(canvas, motif, look, boxes, w, h):
    spec = look.style.composition
    short = min(w, h)
    if motif.kind == "band":   # a strip has no left and right to mirror: one cloth panel
        return _single(canvas, motif, look, boxes, w, h)
    side = max(8, round(look.scale * short))
    art = tinted(motif_art(motif, side, side), look.palette.motif)
    cx, cy = w / 2 + look.jitter[0] * short, h / 2 + look.jitter[1] * short
    gap = side * 0.5
    for dx, patch in ((-gap, art), (gap, art[:, ::-1].copy() if spec.mirror else art)):
        blend(canvas, patch, round(cx + dx - side / 2), round(cy - side / 2), spec.opacity,
              shadow=spec.shadow)


def _medallion(canvas, motif, look, boxes, w, h):
    spec = look.style.composition
    short = min(w, h)
    spot = _spot(look, boxes, w, h, look.scale * short)
    d = max(16, round(spot.side))
    r16 = d * 8                      # radius in 1/16 px (cv2 shift=4: sub-pixel, scale-free)
    disc = _round_mask(d).astype(np.float32)
    rim = np.zeros((d, d), np.uint8)
    stroke = max(1, round(d * 0.012))
    if spec.ring == "pearls":        # 联珠: a ring of pearls between two fine rings
        cv2.circle(rim, (r16, r16), int(r16 * 0.97), 255, stroke, cv2.LINE_AA, shift=4)
        cv2.circle(rim, (r16, r16), int(r16 * 0.80), 255, stroke, cv2.LINE_AA, shift=4)
        for k in range(28):
            a = 2 * math.pi * k / 28
            cv2.circle(rim, (int(r16 + r16 * 0.885 * math.cos(a)), int(r16 + r16 * 0.885 * math.sin(a))),
                       int(r16 * 0.055), 255, -1, cv2.LINE_AA, shift=4)
    elif spec.ring == "double":
        cv2.circle(rim, (r16, r16), int(r16 * 0.96), 255, stroke * 2, cv2.LINE_AA, shift=4)
        cv2.circle(rim, (r16, r16), int(r16 * 0.88), 255, stroke, cv2.LINE_AA, shift=4)
    field = np.array(resolve_colour(spec.disc, motif.ground, motif.accent), np.float32)
    rim_a = rim.astype(np.float32)[..., None] / 255.0
    patch = np.empty((d, d, 4), np.float32)
    patch[..., :3] = field * (1 - rim_a) + np.array(look.palette.ornament, np.float32) * rim_a
    patch[..., 3] = disc
    x0, y0 = round(spot.cx - d / 2), round(spot.cy - d / 2)
    blend(canvas, patch, x0, y0, 1.0, shadow=spec.shadow)
    inner = max(8, round(d * (0.72 if spec.ring != "none" else 0.86)))
    art = motif_art(motif, inner, inner, look.focus[0])
    if motif.kind == "band":   # cloth is cut round to sit in the disc
        a = np.asarray(art).copy()
        a[..., 3] = np.minimum(a[..., 3], _round_mask(inner))
        art = Image.fromarray(a, "RGBA")
    if look.turn:
        art = art.rotate(look.turn, resample=Image.BICUBIC)
    off = (d - inner) // 2
    blend(canvas, tinted(art, look.palette.motif), x0 + off, y0 + off, spec.opacity)


_KINDS = {"single": _single, "close_up": _close_up, "repeat": _repeat,
          "mirrored_pair": _mirrored_pair, "medallion": _medallion}


def _text_beds(canvas: np.ndarray, boxes: list[Box]) -> list[tuple[tuple[int, int, int, int], np.ndarray, np.ndarray]]:
    """The ground under each text box (grown by KEEP), with a feathered weight: 1 inside the
    box, falling to 0 at the grown edge (separable ramps: cheap at print size)."""
    h, w = canvas.shape[:2]
    m = KEEP * min(w, h)
    out = []
    for x, y, bw, bh in boxes:
        x0, y0 = max(0, int(x * w - m)), max(0, int(y * h - m))
        x1, y1 = min(w, math.ceil((x + bw) * w + m)), min(h, math.ceil((y + bh) * h + m))
        if x0 >= x1 or y0 >= y1:
            continue
        xs, ys = np.arange(x0, x1, dtype=np.float32) + 0.5, np.arange(y0, y1, dtype=np.float32) + 0.5
        rx = np.clip(np.minimum(xs - (x * w - m), (x + bw) * w + m - xs) / m, 0, 1)
        ry = np.clip(np.minimum(ys - (y * h - m), (y + bh) * h + m - ys) / m, 0, 1)
        out.append(((x0, y0, x1, y1), canvas[y0:y1, x0:x1].copy(), np.outer(ry, rx)[..., None]))
    return out


def place_motif(canvas: np.ndarray, motif: motifs.Motif, look: Look, boxes: list[Box]) -> None:
    """Draw the motif into the float canvas as the look's composition says; where the style
    asks, the art recedes under the text boxes (a busy close-up must not fight the letters)."""
    h, w = canvas.shape[:2]
    spec = look.style.composition
    beds = _text_beds(canvas, boxes) if spec.behind_text < 1 else []
    _KINDS[spec.kind](canvas, motif, look, boxes, w, h)
    k = np.float32(1 - spec.behind_text)
    for (x0, y0, x1, y1), ground, weight in beds:
        region = canvas[y0:y1, x0:x1]
        region[:] = region + (ground - region) * (weight * k)
