"""Frame primitives from the museum's pattern language: rules, meander 回纹, cloud scroll 云纹,
the brocade band as a border, corner ornaments and a seal stamp with the museum's name.

Which primitives a style uses, and their colour, width and inset, are data (StyleSpec.frame);
this module only knows how to draw them. Every layer is cleared inside the text boxes (and the
margin the OCR check crops), so a frame or seal never covers the visitor's text.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from generator import motifs, textrender
from generator.look import Look
from generator.ocr import MARGIN as OCR_MARGIN
from generator.styles import OrnamentSpec

Box = tuple[float, float, float, float]
Rect = tuple[int, int, int, int]        # x0, y0, x1, y1 pixels
CLEAR = 0.02                            # extra clearance around a text box, of the short side
SEAL_FONT = "wenkai"   # simplified forms (the kai face draws 遗 as 遺)


@dataclass
class Layer:
    """One drawn ornament: its coverage (uint8, full size), colour (or picture) and where it is."""
    kind: str
    alpha: np.ndarray
    colour: tuple[int, int, int]
    opacity: float
    regions: list[Rect]
    picture: np.ndarray | None = None   # uint8 RGB at full size (the brocade band)


def keep_out(boxes: list[Box], w: int, h: int) -> list[Rect]:
    """Text boxes in pixels, grown by the OCR crop's margin and a little clearance."""
    short = min(w, h)
    out = []
    for x, y, bw, bh in boxes:
        m = OCR_MARGIN * min(bw * w, bh * h) * 1.5 + CLEAR * short
        out.append((int(x * w - m), int(y * h - m), math.ceil((x + bw) * w + m), math.ceil((y + bh) * h + m)))
    return out


def _hits(r: Rect, rects: list[Rect]) -> bool:
    return any(r[0] < q[2] and q[0] < r[2] and r[1] < q[3] and q[1] < r[3] for q in rects)


# --- bands along the sides -------------------------------------------------------------------

@dataclass(frozen=True)
class _Side:
    origin: tuple[float, float]
    along: tuple[float, float]
    across: tuple[float, float]   # points inwards; v = 0 is the band's outer edge
    length: float

    def map(self, pts: np.ndarray) -> np.ndarray:
        """(u, v) band pixels -> image pixels."""
        o, a, c = (np.array(t, np.float64) for t in (self.origin, self.along, self.across))
        return o + pts[:, :1] * a + pts[:, 1:2] * c


def _sides(spec: OrnamentSpec, w: int, h: int) -> tuple[list[_Side], float, Rect]:
    short = min(w, h)
    i, bw = spec.inset * short, spec.width * short
    horizontal = {"top", "bottom"} & set(spec.sides)
    y_start = i + bw if horizontal else i          # side bands run between top and bottom ones
    y_len = h - 2 * y_start
    table = {"top": _Side((i, i), (1, 0), (0, 1), w - 2 * i),
             "bottom": _Side((i, h - i), (1, 0), (0, -1), w - 2 * i),
             "left": _Side((i, y_start), (0, 1), (1, 0), y_len),
             "right": _Side((w - i, y_start), (0, 1), (-1, 0), y_len)}
    depth = math.ceil(i + bw) + 2
    return [table[s] for s in spec.sides], bw, (0, 0, depth, depth)


def _edge_regions(w: int, h: int, depth: int) -> list[Rect]:
    return [(0, 0, w, depth), (0, h - depth, w, h), (0, depth, depth, h - depth), (w - depth, depth, w, h - depth)]


def _poly(mask: np.ndarray, pts: np.ndarray, thick: int, closed: bool = False) -> None:
    cv2.polylines(mask, [np.round(pts * 16).astype(np.int32)], closed, 255, thick, cv2.LINE_AA, shift=4)


_MEANDER = np.array([(0, 1), (0, 0), (0.72, 0), (0.72, 0.66), (0.36, 0.66), (0.36, 0.33)], np.float64)


def _band(spec: OrnamentSpec, w: int, h: int, unit_fn) -> tuple[np.ndarray, list[Rect]]:
    mask = np.zeros((h, w), np.uint8)
    sides, bw, (_, _, depth, _) = _sides(spec, w, h)
    thick = max(1, round(spec.stroke * bw))
    pad = thick / 2
    inner = bw - 2 * pad
    for side in sides:
        n = max(1, round(side.length / bw))
        u = side.length / n
        for k in range(n):
            for line in unit_fn(k):
                pts = np.array(line, np.float64)
                uv = np.stack([k * u + pad + pts[:, 0] * (u - 2 * pad), pad + pts[:, 1] * inner], 1)
                _poly(mask, side.map(uv), thick)
        rule = np.array([(0, bw - pad), (side.length, bw - pad)], np.float64)
        _poly(mask, side.map(rule), max(1, thick // 2))
    return mask, _edge_regions(w, h, depth)


def _meander_unit(k: int):
    # 回纹: a squared spiral standing on a running baseline
    return [_MEANDER, np.array([(0, 1), (1, 1)], np.float64)]


def _cloud_unit(k: int):
    # 云纹: curls that face each other in pairs, joined by a short stem
    s = 1 if k % 2 == 0 else -1
    th = np.linspace(0, 2.6 * math.pi, 48)
    r = 0.42 * (1 - th / (3.1 * math.pi))
    curl = np.stack([0.5 + s * r * np.cos(th), 0.5 - r * np.sin(th)], 1)
    out = [curl]
    if s == 1:   # stem to the next unit's mirrored curl
        out.append(np.array([(0.92, 0.5), (1.08 + 0.0, 0.5)], np.float64))
    return out


def _rule(spec: OrnamentSpec, w: int, h: int) -> tuple[np.ndarray, list[Rect]]:
    mask = np.zeros((h, w), np.uint8)
    sides, bw, (_, _, depth, _) = _sides(spec, w, h)
    thick = max(1, round(spec.stroke * bw))
    for side in sides:   # a double rule: a strong outer line and a fine inner one
        _poly(mask, side.map(np.array([(-bw, thick / 2), (side.length + bw, thick / 2)])), thick)
        _poly(mask, side.map(np.array([(-bw, bw - thick / 4), (side.length + bw, bw - thick / 4)])),
              max(1, thick // 2))
    return mask, _edge_regions(w, h, depth)


_CORNER = [np.array([(0, 1), (0, 0), (1, 0)]), np.array([(0.22, 0.78), (0.22, 0.22), (0.78, 0.22)]),
           np.array([(0.44, 0.62), (0.44, 0.44), (0.62, 0.44), (0.62, 0.62)])]


def _corners(spec: OrnamentSpec, w: int, h: int) -> tuple[np.ndarray, list[Rect]]:
    mask = np.zeros((h, w), np.uint8)
    short = min(w, h)
    i, size = spec.inset * short, spec.width * short
    thick = max(1, round(spec.stroke * size * 0.25))
    regions = []
    for corner in spec.corners:
        fy, fx = corner.split("_")
        ox = i if fx == "left" else w - i
        oy = i if fy == "top" else h - i
        sx = 1 if fx == "left" else -1
        sy = 1 if fy == "top" else -1
        for line in _CORNER:
            pts = np.stack([ox + sx * line[:, 0] * size, oy + sy * line[:, 1] * size], 1)
            _poly(mask, pts, thick, closed=len(line) == 4)
        x0 = ox if sx > 0 else ox - size
        y0 = oy if sy > 0 else oy - size
        regions.append((int(x0) - thick - 2, int(y0) - thick - 2, math.ceil(x0 + size) + thick + 2,
                        math.ceil(y0 + size) + thick + 2))
    return mask, regions


def _brocade_band(spec: OrnamentSpec, w: int, h: int, look: Look) -> tuple[np.ndarray, list[Rect], np.ndarray]:
    """The brocade strip (the 蜀锦 motif's own colours) woven along the top and bottom edges."""
    short = min(w, h)
    i, bw = round(spec.inset * short), max(4, round(spec.width * short))
    vw, vh = motifs.svg_size(motifs.get_motif("brocade").art)
    strip = motifs.render_motif("brocade", max(1, round(bw * vw / vh)), bw)
    alpha = np.zeros((h, w), np.uint8)
    picture = np.zeros((h, w, 3), np.uint8)
    s = np.asarray(strip)
    regions = []
    for side in spec.sides:
        if side in ("left", "right"):
            tile = np.ascontiguousarray(np.rot90(s, 1 if side == "left" else -1))
            th, tw = tile.shape[:2]
            x = i if side == "left" else w - i - tw
            for y in range(i + bw, h - i - bw, th):
                part = tile[:min(th, h - i - bw - y)]
                alpha[y:y + len(part), x:x + tw] = part[..., 3]
                picture[y:y + len(part), x:x + tw] = part[..., :3]
            regions.append((x, 0, x + tw, h))
        else:
            y = i if side == "top" else h - i - bw
            for x in range(i, w - i, s.shape[1]):
                part = s[:, :min(s.shape[1], w - i - x)]
                alpha[y:y + bw, x:x + part.shape[1]] = part[..., 3]
                picture[y:y + bw, x:x + part.shape[1]] = part[..., :3]
            regions.append((0, y, w, y + bw))
    return alpha, regions, picture


def _seal(spec: OrnamentSpec, w: int, h: int, out: list[Rect], name: str) -> tuple[np.ndarray, list[Rect]]:
    """A square cinnabar seal, the museum's name cut in white (阴文), in the first corner that
    keeps clear of the text; none when every corner is taken."""
    short = min(w, h)
    side = max(12, round(spec.width * short))
    i = round(spec.inset * short)
    mask = np.zeros((h, w), np.uint8)
    for corner in spec.corners:
        fy, fx = corner.split("_")
        x0 = i if fx == "left" else w - i - side
        y0 = i if fy == "top" else h - i - side
        if not _hits((x0, y0, x0 + side, y0 + side), out):
            break
    else:
        return mask, []
    text = (spec.text or name)[:9]
    rows = 1 if len(text) == 1 else 2 if len(text) <= 4 else 3
    cols = math.ceil(len(text) / rows)
    stamp = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(stamp)
    border = side * 0.1
    cell_w, cell_h = (side - 2 * border) / cols, (side - 2 * border) / rows
    size = int(min(cell_w, cell_h) * 0.98)
    font = textrender.pil_font(SEAL_FONT, max(4, size))
    for k, ch in enumerate(text):   # columns from the right, read top to bottom
        c, r = divmod(k, rows)
        cx = side - border - (c + 0.5) * cell_w
        cy = border + (r + 0.5) * cell_h
        draw.text((cx, cy), ch, font=font, fill=0, anchor="mm")
    a = np.asarray(stamp, np.uint8).copy()
    edge = max(1, round(side * 0.04))
    a[:edge], a[-edge:], a[:, :edge], a[:, -edge:] = 255, 255, 255, 255
    # Worn ink: a fixed pattern in the seal's own cells (same at any size).
    wear = np.asarray(Image.fromarray((np.random.default_rng(0x5EA1).random((12, 12)) * 255).astype(np.uint8))
                      .resize((side, side), Image.BICUBIC), np.float32) / 255.0
    a = (a.astype(np.float32) * np.clip((wear + 0.55) * 1.4, 0, 1)).astype(np.uint8)
    mask[y0:y0 + side, x0:x0 + side] = a
    return mask, [(x0, y0, x0 + side, y0 + side)]


def frame_layers(look: Look, boxes: list[Box], w: int, h: int, museum_name: str) -> list[Layer]:
    """Every ornament of the look's frame, drawn and cleared of the text boxes."""
    out = keep_out(boxes, w, h)
    layers = []
    for spec, colour in zip(look.style.frame, look.palette.frame):
        picture = None
        if spec.kind == "meander":
            alpha, regions = _band(spec, w, h, _meander_unit)
        elif spec.kind == "cloud_scroll":
            alpha, regions = _band(spec, w, h, _cloud_unit)
        elif spec.kind == "rule":
            alpha, regions = _rule(spec, w, h)
        elif spec.kind == "corners":
            alpha, regions = _corners(spec, w, h)
        elif spec.kind == "brocade_band":
            alpha, regions, picture = _brocade_band(spec, w, h, look)
        else:
            alpha, regions = _seal(spec, w, h, out, museum_name)
        for x0, y0, x1, y1 in out:
            alpha[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = 0
        layers.append(Layer(spec.kind, alpha, colour, spec.opacity, regions, picture))
    return layers


def draw_frame(canvas: np.ndarray, layers: list[Layer]) -> None:
    h, w = canvas.shape[:2]
    for layer in layers:
        for x0, y0, x1, y1 in layer.regions:
            x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
            if x0 >= x1 or y0 >= y1:
                continue
            a = layer.alpha[y0:y1, x0:x1, None].astype(np.float32) * np.float32(layer.opacity / 255)
            ink = (layer.picture[y0:y1, x0:x1].astype(np.float32) if layer.picture is not None
                   else np.array(layer.colour, np.float32))
            region = canvas[y0:y1, x0:x1]
            region *= 1 - a
            region += ink * a
