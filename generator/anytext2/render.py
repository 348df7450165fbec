"""AnyText2's renders, pixel for pixel as its reference wrapper (ms_wrapper.py / t3_dataset.py):

- positions: white-on-black drawing -> connected components (area >= 20) in reading order ->
  polygon (approxPolyDP, 1 % of the perimeter) -> filled map (1x);
- glyph map (`draw_glyph2`, rewritten in v2): RGB in the line colour, anti-aliased, NOT binarised,
  at 1x; the font size is the largest whose text box fits the min-area rectangle (binary search);
- font hint: the same render in white with the line's own font file, channel 0;
- style crop (`crop_image`): the font hint cut out along the line's min-area rectangle (similarity
  transform + grid_sample), the font OCR's input.
The 512x80 glyph line and position masks are v1's (generator.glyphs).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw

from generator import glyphs
from generator.glyphs import _min_area_rect, load_font

VERT_ANGLE = 10
MIN_AREA = 20


def find_polygons(draw_pos: np.ndarray) -> list[np.ndarray]:
    """The wrapper's position step on a white-on-black drawing (H, W[, C]) uint8: channel 0 > 254,
    connected components (area >= 20) sorted by (cy // 102, cx // 102), each approximated by a polygon
    (epsilon 1 % of the perimeter). Returns int32 (k, 2) polygons in reading order."""
    img = draw_pos[..., 0] if draw_pos.ndim == 3 else draw_pos
    binary = ((img > 254) * 255).astype(np.uint8)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(binary)
    comps = []
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] < MIN_AREA:
            continue
        cx, cy = centroids[i]
        comps.append((cy // glyphs.SORT_GAP, cx // glyphs.SORT_GAP, i))
    polys = []
    for _, _, i in sorted(comps):
        comp = ((labels == i) * 255).astype(np.uint8)
        contours, _ = cv2.findContours(comp, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        c = max(contours, key=cv2.contourArea)
        poly = cv2.approxPolyDP(c, 0.01 * cv2.arcLength(c, True), True)
        polys.append(poly.reshape(-1, 2).astype(np.int32))
    return polys


def fill_polygon(polygon: np.ndarray, width: int, height: int) -> np.ndarray:
    """The filled position map of one polygon (drawContours, filled) -> float32 (H, W) 0/1."""
    img = np.zeros((height, width), np.uint8)
    cv2.drawContours(img, [np.asarray(polygon, np.int32).reshape(-1, 1, 2)], -1, 255, thickness=cv2.FILLED)
    return (img / 255.0).astype(np.float32)


def draw_glyph2(font_path: str | None, text: str, polygon, color, width: int = 512, height: int = 512,
                scale: int = 1, add_space: bool = True, font_index: int = 0,
                vertical: bool | None = None) -> np.ndarray:
    """The v2 reference draw_glyph2 -> float64 (H*scale, W*scale, 3) in k/255. A missing font file gives
    a blank map (as the reference). `color` is RGB (500s = unset -> white after the clip to 10..255).
    vertical=True forces stacked characters (our extension; None/False follow the reference rule)."""
    size = (width * scale, height * scale)
    img = Image.new("RGB", size, (0, 0, 0))
    if font_path is None or not os.path.exists(str(font_path)) or not text:
        return np.zeros((size[1], size[0], 3))
    color = np.asarray(color)
    if color.mean() < 0:
        color = np.array([255, 255, 255])
    color = np.clip(color, 10, 255)
    fill = tuple(int(c) for c in color) + (255,)
    font = load_font(str(font_path), font_index)
    poly = np.asarray(polygon) * scale
    rect = _min_area_rect(poly.astype(np.int32))
    box = np.intp(cv2.boxPoints(rect))
    w, h = rect[1]
    angle = rect[2]
    if angle < -45:
        angle += 90
    angle = -angle
    if w < h:
        angle += 90
    vert = False
    _w = max(box[:, 0]) - min(box[:, 0])
    _h = max(box[:, 1]) - min(box[:, 1])
    near_axis = abs(angle) % 90 < VERT_ANGLE or abs(90 - abs(angle) % 90) % 90 < VERT_ANGLE
    if near_axis and _h >= _w:
        vert = True
        angle = 0
    if vertical and not vert:
        vert, angle = True, 0

    draw = ImageDraw.Draw(Image.new("RGB", size, "white"))
    min_dim, max_dim = min(w, h), max(w, h)
    if vert and vertical and _h < _w:
        min_dim, max_dim = _w, _h   # forced vertical in a wide box: the stack runs down its height

    def adjust_font_size(lo, hi):
        while lo < hi:
            mid = (lo + hi) // 2
            b = draw.textbbox((0, 0), text=text, font=font.font_variant(size=int(mid)))
            if b[2] - b[0] <= max_dim and b[3] - b[1] <= min_dim:
                lo = mid + 1
            else:
                hi = mid
        return hi - 1

    new_font = font.font_variant(size=int(adjust_font_size(1, min_dim)))
    extra_space = 0
    if add_space:
        if vert:
            total = sum(draw.textbbox((0, 0), text=c, font=new_font)[3]
                        - draw.textbbox((0, 0), text=c, font=new_font)[1] for c in text)
            if total < max_dim and len(text) > 1:
                extra_space = (max_dim - total) // (len(text) - 1)
        else:
            for i in range(1, 100):
                spaced = (" " * i).join(text)
                b = draw.textbbox((0, 0), text=spaced, font=new_font)
                if b[2] - b[0] > max_dim or b[3] - b[1] > min_dim:
                    text = (" " * (i - 1)).join(text)
                    break
    left, top, right, bottom = draw.textbbox((0, 0), text=text, font=new_font)
    text_width, text_height = right - left, bottom - top
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    ld = ImageDraw.Draw(layer)
    if not vert:
        y_center = rect[0][1] - text_height / 2
        ld.text((rect[0][0] - text_width / 2, y_center - top), text, font=new_font, fill=fill)
    else:
        x_s = min(box[:, 0]) + _w // 2 - text_height // 2
        y_s = min(box[:, 1]) - top
        for c in text:
            ld.text((x_s, y_s), c, font=new_font, fill=fill)
            _, t_, _, b_ = ld.textbbox((0, 0), text=c, font=new_font)
            y_s += b_ - t_ + extra_space
    rotated = layer.rotate(angle, expand=1, center=(rect[0][0], rect[0][1]))
    img.paste(rotated, (int((img.width - rotated.width) / 2), int((img.height - rotated.height) / 2)), rotated)
    return np.array(img.convert("RGB")).astype(np.float64) / 255.0


# ---- style crop ----------------------------------------------------------------------------------

def min_bounding_rect(mask: np.ndarray) -> np.ndarray:
    """Corners tl, tr, br, bl of the min-area rectangle of the mask's largest contour (uint8 0/255)."""
    _, thresh = cv2.threshold(mask, 127, 255, 0)
    contours, _ = cv2.findContours(thresh, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return np.array([[0, 0], [100, 0], [100, 100], [0, 100]])
    box = np.intp(cv2.boxPoints(cv2.minAreaRect(max(contours, key=cv2.contourArea))))
    xs = sorted(box, key=lambda p: p[0])
    tl, bl = sorted(xs[:2], key=lambda p: p[1])
    tr, br = sorted(xs[2:], key=lambda p: p[1])
    return np.array([tl, tr, br, bl])


def umeyama(src: np.ndarray, dst: np.ndarray, estimate_scale: bool = True) -> np.ndarray:
    """Least-squares similarity transform src -> dst (Umeyama 1991), 3x3, as skimage's _umeyama."""
    num, dim = src.shape
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    src_d, dst_d = src - src_mean, dst - dst_mean
    A = dst_d.T @ src_d / num
    d = np.ones((dim,), dtype=np.float64)
    if np.linalg.det(A) < 0:
        d[dim - 1] = -1
    T = np.eye(dim + 1, dtype=np.float64)
    U, S, V = np.linalg.svd(A)
    rank = np.linalg.matrix_rank(A)
    if rank == 0:
        return np.nan * T
    if rank == dim - 1:
        if np.linalg.det(U) * np.linalg.det(V) > 0:
            T[:dim, :dim] = U @ V
        else:
            s = d[dim - 1]
            d[dim - 1] = -1
            T[:dim, :dim] = U @ np.diag(d) @ V
            d[dim - 1] = s
    else:
        T[:dim, :dim] = U @ np.diag(d) @ V
    scale = 1.0 / src_d.var(axis=0).sum() * (S @ d) if estimate_scale else 1.0
    T[:dim, dim] = dst_mean - scale * (T[:dim, :dim] @ src_mean.T)
    T[:dim, :dim] *= scale
    return T


def crop_image(src, mask: np.ndarray):
    """The reference crop_image: `src` CHW float tensor (0..255), `mask` uint8 (H, W) 0/255 ->
    the rectified line (C, int(h), int(w)), clamped to 0..255."""
    import torch
    import torch.nn.functional as F

    box = min_bounding_rect(mask)
    pts1 = np.float32([box[0], box[1], box[2], box[3]])
    width = max(np.linalg.norm(pts1[0] - pts1[1]), np.linalg.norm(pts1[2] - pts1[3]))
    height = max(np.linalg.norm(pts1[0] - pts1[3]), np.linalg.norm(pts1[1] - pts1[2]))
    pts2 = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    M = umeyama(pts1, pts2, estimate_scale=True)
    C, H, W = src.shape
    T = np.array([[2 / W, 0, -1], [0, 2 / H, -1], [0, 0, 1]])
    theta = np.linalg.inv(T @ M @ np.linalg.inv(T))
    theta = torch.from_numpy(theta[:2, :]).unsqueeze(0).type(torch.float32).to(src.device)
    grid = F.affine_grid(theta, torch.Size([1, C, H, W]), align_corners=True).to(src.dtype)
    out = F.grid_sample(src.unsqueeze(0), grid, align_corners=True)
    out = torch.clamp(out.squeeze(0), 0, 255)
    return out[:, :int(height), :int(width)]


# ---- one job's conditions ------------------------------------------------------------------------

@dataclass
class Line2:
    text: str
    polygon: np.ndarray          # int32 (k, 2) at 1x
    position: np.ndarray         # float32 (H, W) 0/1
    glyph: np.ndarray            # float64 (H, W, 3) k/255 in the line colour
    font_hint: np.ndarray        # float64 (H, W) channel 0 of the white render in the line's font
    line: np.ndarray             # float32 (80, 512) 0/1: the content OCR's glyph line
    color: tuple[int, int, int]  # raw RGB, COLOR_UNSET when not given
    index: int                   # the line's index in the caller's order


@dataclass
class Conditions2:
    width: int
    height: int
    lines: list[Line2] = field(default_factory=list)

    @property
    def order(self) -> list[int]:
        return [ln.index for ln in self.lines]

    @property
    def positions_sum(self) -> np.ndarray:
        out = np.zeros((self.height, self.width), np.float32)
        for ln in self.lines:
            out += ln.position
        return out

    @property
    def hint(self) -> np.ndarray:
        return np.clip(self.positions_sum, 0, 1)

    @property
    def glyphs_bin(self) -> np.ndarray:
        """WriteNet glyph input: (sum over lines and channels of the glyph maps) != 0."""
        g = np.zeros((self.height, self.width, 3))
        for ln in self.lines:
            g += ln.glyph
        return (g.sum(-1) != 0).astype(np.float32)

    @property
    def font_hint(self) -> np.ndarray:
        out = np.zeros((self.height, self.width))
        for ln in self.lines:
            out += ln.font_hint
        return np.clip(out, 0, 1)

    def style_crops(self):
        """Per line: crop_image(font_hint*255 as 3 channels, the line's position mask) / 255."""
        import torch

        fh = torch.from_numpy(self.font_hint * 255).float()[None].expand(3, -1, -1).contiguous()
        return [crop_image(fh, (ln.position * 255).astype(np.uint8)) / 255 for ln in self.lines]


def build_conditions2(texts: Sequence[str], polygons: Sequence[np.ndarray], width: int, height: int,
                      glyph_font: str, line_fonts: Sequence[str | None] | None = None,
                      colors: Sequence[Sequence[int] | None] | None = None, glyph_font_index: int = 0,
                      line_font_indices: Sequence[int] | None = None,
                      vertical: Sequence[bool | None] | None = None, sort: bool = True) -> Conditions2:
    """Everything AnyText2 draws for one job, lines in the reference's reading order (sort=True) or
    as given. `glyph_font` draws the glyph maps and glyph lines; `line_fonts[i]` (a file) draws line
    i's font hint (None: the glyph font); `colors[i]` is RGB or None (unset sentinel)."""
    from generator.anytext2.config import COLOR_UNSET

    n = len(texts)
    if len(polygons) != n:
        raise ValueError(f"{n} texts but {len(polygons)} polygons")
    line_fonts = list(line_fonts) if line_fonts is not None else [None] * n
    idx = list(line_font_indices) if line_font_indices is not None else [glyph_font_index if f is None else 0
                                                                         for f in line_fonts]
    colors = list(colors) if colors is not None else [None] * n
    vertical = list(vertical) if vertical is not None else [None] * n
    order = glyphs.sort_polygons(polygons, width, height) if sort else list(range(n))
    cond = Conditions2(width, height)
    for i in order:
        poly = np.asarray(polygons[i], np.int32)
        col = tuple(int(c) for c in colors[i]) if colors[i] is not None else COLOR_UNSET
        ffile = line_fonts[i] or glyph_font
        hint = draw_glyph2(ffile, texts[i], poly, (255, 255, 255), width, height, font_index=idx[i],
                           vertical=vertical[i])[..., 0]
        cond.lines.append(Line2(
            text=texts[i], polygon=poly, position=fill_polygon(poly, width, height),
            glyph=draw_glyph2(glyph_font, texts[i], poly, col, width, height, font_index=glyph_font_index,
                              vertical=vertical[i]),
            font_hint=hint, line=glyphs.glyph_line(texts[i], glyph_font, glyph_font_index), color=col, index=i))
    return cond

