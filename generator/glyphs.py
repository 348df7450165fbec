"""Glyph and position maps in AnyText's conventions, shared by every backend and the preview.

AnyText was trained on renders made a particular way (tyxsspa/AnyText t3_dataset.py and its
inference wrapper); the model reads text best when we draw it the same way, pixel for pixel:
- position mask: the line's polygon filled at 1x (H, W), white on black -> float 0/1;
- glyph map: the text fitted into the polygon's min-area rectangle at 2x (2H, 2W), vertical
  (characters stacked) for a near-axis box taller than wide, binarised by Pillow
  ``convert('1')`` WITH Floyd-Steinberg dithering (a plain threshold differs by ~200 pixels);
- glyph line: the text centred on a 512x80 mode-'1' canvas (the OCR embedding's input), with
  the Pillow>=10 equivalent of the original's Pillow<10 getsize/getoffset placement.
Everything returns numpy float32 arrays of 0/1, so no torch is needed on the light path.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

GLYPH_SCALE = 2          # glyph maps are drawn at twice the image size
LINE_SIZE = (512, 80)    # glyph line (width, height): the OCR embedding's input
BASE_FONT_SIZE = 60      # the size the reference opens the font at (used for aspect ratios)
VERT_ANGLE = 10          # degrees: a box within this of an axis counts as near-axis
SORT_GAP = 102           # position sort bands in pixels, as the reference wrapper


@functools.lru_cache(maxsize=16)
def load_font(font_path: str, font_index: int = 0) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path), BASE_FONT_SIZE, index=font_index)


def box_to_polygon(box: Sequence[float], width: int, height: int) -> np.ndarray:
    """(x, y, w, h) fractions -> int32 polygon (4, 2) in pixels.

    Corner order is the one the reference wrapper's contour finder returns for a rectangle
    (top-left, bottom-left, bottom-right, top-right), so our polygons equal its polygons.
    """
    x, y, w, h = box
    x0, y0 = round(x * width), round(y * height)
    x1 = min(round((x + w) * width), width - 1)
    y1 = min(round((y + h) * height), height - 1)
    return np.array([[x0, y0], [x0, y1], [x1, y1], [x1, y0]], dtype=np.int32)


def _as_polygons(polygons) -> list[np.ndarray]:
    arr = np.asarray(polygons) if not isinstance(polygons, (list, tuple)) else None
    if arr is not None and arr.ndim == 2:
        return [arr.astype(np.int32)]
    if isinstance(polygons, (list, tuple)) and polygons and np.asarray(polygons[0]).ndim == 1:
        return [np.asarray(polygons, dtype=np.int32)]
    return [np.asarray(p, dtype=np.int32) for p in polygons]


def position_mask(polygons, width: int, height: int) -> np.ndarray:
    """Filled polygon(s) at 1x: float32 (H, W) of 0/1."""
    img = np.zeros((height, width), np.uint8)
    for p in _as_polygons(polygons):
        cv2.fillPoly(img, [p.reshape(-1, 1, 2)], 255)
    return (img / 255.0).astype(np.float32)


def sort_polygons(polygons: Sequence[np.ndarray], width: int, height: int) -> list[int]:
    """Indices in the reference's reading order: by (cy // 102, cx // 102) of each filled
    region's pixel centroid (top-to-bottom bands first, then left-to-right)."""
    keys = []
    for i, p in enumerate(polygons):
        ys, xs = np.nonzero(position_mask(p, width, height))
        cx, cy = (xs.mean(), ys.mean()) if len(xs) else (0.0, 0.0)
        keys.append((cy // SORT_GAP, cx // SORT_GAP, i))
    return [k[2] for k in sorted(keys)]


def _min_area_rect(points: np.ndarray):
    """cv2.minAreaRect in the OpenCV 4.5-4.x convention (angle in (0, 90]) the reference ran on.

    OpenCV 5 may describe the same rectangle as (h, w, angle - 90); the reference's rotation
    logic depends on the representation, so normalise it.
    """
    (cx, cy), (w, h), angle = cv2.minAreaRect(points)
    while angle <= 0:
        angle += 90
        w, h = h, w
    while angle > 90:
        angle -= 90
        w, h = h, w
    return (cx, cy), (w, h), angle


def _insert_spaces(text: str, n: int) -> str:
    return (" " * n).join(text) if n else text


def glyph_map(text: str, polygon, font_path: str, font_index: int = 0, width: int = 512,
              height: int = 512, scale: int = GLYPH_SCALE, add_space: bool = False,
              vertical: bool | None = None) -> np.ndarray:
    """The reference draw_glyph2: text fitted into the polygon's min-area rectangle at `scale`x.

    vertical=None/False follows the reference rule (near-axis and taller than wide -> stacked);
    vertical=True forces stacked characters whatever the box shape.
    Returns float32 (height*scale, width*scale) of 0/1.
    """
    font = load_font(font_path, font_index)
    poly = np.asarray(polygon, dtype=np.int32) * scale
    rect = _min_area_rect(poly)
    box = np.intp(cv2.boxPoints(rect))
    w, h = rect[1]
    angle = rect[2]
    if angle < -45:
        angle += 90
    angle = -angle
    if w < h:
        angle += 90

    vert = False
    _w = int(box[:, 0].max() - box[:, 0].min())
    _h = int(box[:, 1].max() - box[:, 1].min())
    near_axis = abs(angle) % 90 < VERT_ANGLE or abs(90 - abs(angle) % 90) % 90 < VERT_ANGLE
    if (near_axis and _h >= _w) or vertical:
        vert = True
        angle = 0

    size = (width * scale, height * scale)
    img = Image.new("RGB", size, (0, 0, 0))
    # font size from the aspect ratio of the text at the base size
    ratio_draw = ImageDraw.Draw(Image.new("RGB", (1, 1), "white"))
    _, _, tw, th = ratio_draw.textbbox((0, 0), text, font=font)
    short, long_ = min(w, h), max(w, h)
    if vert and not (near_axis and _h >= _w):
        # forced vertical in a box wider than tall: the stack runs down the box height
        short, long_ = _w, _h
    text_w = short * (tw / th)
    if text_w <= long_:
        if len(text) > 1 and not vert and add_space:
            for i in range(1, 100):
                _, _, tw2, th2 = ratio_draw.textbbox((0, 0), _insert_spaces(text, i), font=font)
                if short * (tw2 / th2) > long_:
                    break
            text = _insert_spaces(text, i - 1)
        font_size = short * 0.80
    else:
        shrink = 0.75 if vert else 0.85
        font_size = short / (text_w / long_) * shrink
    new_font = font.font_variant(size=int(font_size))

    left, top, right, bottom = new_font.getbbox(text)
    text_width, text_height = right - left, bottom - top

    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    if not vert:
        draw.text((rect[0][0] - text_width // 2, rect[0][1] - text_height // 2 - top), text,
                  font=new_font, fill=(255, 255, 255, 255))
    else:
        x_s = box[:, 0].min() + _w // 2 - text_height // 2
        y_s = box[:, 1].min()
        for c in text:
            draw.text((x_s, y_s), c, font=new_font, fill=(255, 255, 255, 255))
            y_s += new_font.getbbox(c)[3]

    rotated = layer.rotate(angle, expand=True, center=(rect[0][0], rect[0][1]))
    x_off = int((img.width - rotated.width) / 2)
    y_off = int((img.height - rotated.height) / 2)
    img.paste(rotated, (x_off, y_off), rotated)
    # convert('1') dithers (Floyd-Steinberg) by default: that is what the model was trained on
    return np.array(img.convert("1"), dtype=np.float32)


def glyph_line(text: str, font_path: str, font_index: int = 0) -> np.ndarray:
    """The reference draw_glyph: text centred on a 512x80 mode-'1' canvas -> float32 (80, 512)."""
    font = load_font(font_path, font_index)
    W, H = LINE_SIZE
    g_size = 50
    left, top, right, bottom = font.font_variant(size=g_size).getbbox(text)
    text_width, text_height = max(right - left, 5), max(bottom - top, 5)
    ratio = min(W * 0.9 / text_width, H * 0.9 / text_height)
    new_font = font.font_variant(size=int(g_size * ratio))
    # Pillow<10 getsize() == (bbox right, bbox bottom), getoffset()[1] == bbox top
    _, top, right, bottom = new_font.getbbox(text)
    x = (W - right) // 2
    y = (H - bottom) // 2 - top // 2
    img = Image.new("1", (W, H), 0)
    ImageDraw.Draw(img).text((x, y), text, font=new_font, fill=1)
    return np.array(img, dtype=np.float32)


@dataclass
class LineConditions:
    text: str
    polygon: np.ndarray      # int32 (4, 2) at 1x
    glyph: np.ndarray        # float32 (2H, 2W) 0/1
    position: np.ndarray     # float32 (H, W) 0/1
    line: np.ndarray         # float32 (80, 512) 0/1
    vertical: bool
    index: int               # index of the line in the design


@dataclass
class GlyphConditions:
    """Everything AnyText needs about the text of one design at one size (plain numpy data).

    Lines are in the reference's reading order (sort_polygons); `order[k]` is the design line
    index of lines[k], so the prompt's quoted texts follow the same order.
    """
    width: int
    height: int
    lines: list[LineConditions] = field(default_factory=list)

    @property
    def order(self) -> list[int]:
        return [ln.index for ln in self.lines]

    @property
    def texts(self) -> list[str]:
        return [ln.text for ln in self.lines]

    @property
    def glyphs_sum(self) -> np.ndarray:
        """ControlNet glyph input: sum over lines (2H, 2W)."""
        out = np.zeros((self.height * GLYPH_SCALE, self.width * GLYPH_SCALE), np.float32)
        for ln in self.lines:
            out += ln.glyph
        return out

    @property
    def positions_sum(self) -> np.ndarray:
        """ControlNet position input: sum over lines (H, W), not clipped (as the reference)."""
        out = np.zeros((self.height, self.width), np.float32)
        for ln in self.lines:
            out += ln.position
        return out

    @property
    def hint(self) -> np.ndarray:
        """Text region mask (H, W) in 0/1: where the masked image is blanked."""
        return np.clip(self.positions_sum, 0, 1)


def build_conditions(texts: Sequence[str], polygons: Sequence[np.ndarray], width: int, height: int,
                     font_path: str, font_index: int = 0,
                     vertical: Sequence[bool | None] | None = None) -> GlyphConditions:
    """Glyph/position/line maps for each (text, polygon), sorted in the reference's order."""
    if len(texts) != len(polygons):
        raise ValueError(f"{len(texts)} texts but {len(polygons)} polygons")
    vertical = list(vertical) if vertical is not None else [None] * len(texts)
    cond = GlyphConditions(width, height)
    for i in sort_polygons(polygons, width, height):
        poly = np.asarray(polygons[i], dtype=np.int32)
        g = glyph_map(texts[i], poly, font_path, font_index, width, height, vertical=vertical[i])
        cond.lines.append(LineConditions(
            text=texts[i], polygon=poly, glyph=g, position=position_mask(poly, width, height),
            line=glyph_line(texts[i], font_path, font_index), vertical=bool(vertical[i]), index=i))
    return cond


def design_conditions(design, width: int, height: int, font_path: str | None = None,
                      font_index: int = 0) -> GlyphConditions:
    """GlyphConditions for a Design's lines at a size. The glyph font defaults to each line's own
    font file (AnyText was trained on Arial Unicode; a close sans reads best, see ANYTEXT.md)."""
    from base.fonts import get_font

    polys = [box_to_polygon(ln.box, width, height) for ln in design.lines]
    if font_path is None:
        # one font for all lines keeps build_conditions simple; per-line fonts use the first line's
        info = get_font(design.lines[0].font)
        font_path, font_index = info.path, info.index
    return build_conditions([ln.text for ln in design.lines], polys, width, height, font_path,
                            font_index, vertical=[ln.vertical or None for ln in design.lines])
