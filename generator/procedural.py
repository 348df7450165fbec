"""The procedural backend: the embedded default that needs no weights and no GPU.

Each candidate seed draws one style (generator/styles/*.json; consecutive seeds differ): a
ground (silk, rice paper, lacquer, night, gold leaf), the motif from its vector art in a
composition (emblem, close-up, repeat, mirrored pair, medallion), a frame from the museum's
pattern language, then the visitor's lines in the chosen font and colour with a material effect
(gold foil, bronze cast, cinnabar seal or jade). Deterministic for a seed; any size in
multiples of 64, and a whole multiple of a candidate's size redraws the same picture.
"""
from __future__ import annotations

import functools
import time

import cv2
import numpy as np
from PIL import Image

from generator import composition, ground, motifs, ocr, ornaments, textrender
from generator.backends import DEFAULT_SIZE, check_size, seeds_for
from generator.design import Design
from generator.look import Look
from base.errors import BackendError, CancelledError
from generator.result import CancelToken, Candidate, GeneratedArt, ProgressFn


def _luma(rgb: np.ndarray) -> float:
    return float(rgb @ np.array([0.299, 0.587, 0.114], np.float32))


PANEL = 0.6  # opacity of the feathered panel under a line


def _draw_line(canvas: np.ndarray, line, material: str, rng: np.random.Generator,
               panel_opacity: float = PANEL) -> None:
    h, w = canvas.shape[:2]
    glyphs = textrender.layout_line(line.text, line.box, line.font, w, h, line.vertical)
    size = max((g.size for g in glyphs), default=1)
    # Work in the line's box (plus room for outline and shadow), not the whole canvas.
    pad = int(size * 0.35) + 4
    x0 = max(0, int(line.box[0] * w) - pad)
    y0 = max(0, int(line.box[1] * h) - pad)
    x1 = min(w, int((line.box[0] + line.box[2]) * w) + pad)
    y1 = min(h, int((line.box[1] + line.box[3]) * h) + pad)
    local = [textrender.Glyph(g.char, g.x - x0, g.y - y0, g.size) for g in glyphs]
    mask = np.asarray(textrender.text_mask(local, line.font, x1 - x0, y1 - y0), np.float32) / 255.0
    region = canvas[y0:y1, x0:x1]
    color = np.array(line.rgb(), np.float32)
    light_text = _luma(color) > 110

    if material == "cinnabar":
        # A cinnabar seal block behind the line, with worn edges.
        bx0, by0 = int(line.box[0] * w) - x0, int(line.box[1] * h) - y0
        bx1, by1 = bx0 + int(line.box[2] * w), by0 + int(line.box[3] * h)
        seal = np.zeros(mask.shape, np.float32)
        seal[max(0, by0):by1, max(0, bx0):bx1] = 1.0
        wear = ground.noise(rng, seal.shape[1], seal.shape[0], 24)
        seal *= np.clip((wear - 0.08) * 6, 0, 1)
        seal = cv2.GaussianBlur(seal, (0, 0), max(0.6, size / 90))[..., None]
        region[:] = region * (1 - seal * 0.92) + np.array([178, 34, 30], np.float32) * seal * 0.92

    # A feathered panel under the line calms busy art behind it (like a printed text band),
    # then a tight halo keeps every stroke's edge clear.
    if material != "cinnabar":
        bx0, by0 = int(line.box[0] * w) - x0, int(line.box[1] * h) - y0
        bx1, by1 = bx0 + int(line.box[2] * w), by0 + int(line.box[3] * h)
        ink = np.nonzero(mask.max(axis=0) > 0.2)[0]
        if len(ink):  # only as wide as the text, not the whole box
            bx0, bx1 = max(bx0, ink[0] - size // 3), min(bx1, ink[-1] + size // 3)
        panel = np.zeros(mask.shape, np.float32)
        panel[max(0, by0):by1, max(0, bx0):bx1] = 1.0
        panel = cv2.GaussianBlur(panel, (0, 0), size * 0.18 + 1)[..., None]
        tone = np.array([20, 10, 6], np.float32) if light_text else np.array([245, 236, 212], np.float32)
        region[:] = region * (1 - panel * panel_opacity) + tone * panel * panel_opacity
    # Contrast keeper: a soft dark (or light) halo so the line reads on any art behind it.
    k = max(3, int(size * 0.10)) | 1
    halo = cv2.dilate(mask, np.ones((k, k), np.uint8))
    halo = cv2.GaussianBlur(halo, (0, 0), size * 0.06 + 0.5)
    halo_rgb = np.array([28, 12, 8], np.float32) if light_text else np.array([250, 240, 215], np.float32)
    region[:] = region * (1 - halo[..., None] * 0.78) + halo_rgb * halo[..., None] * 0.78
    # Cast shadow down-right.
    d = max(1, round(size / 28))
    shadow = np.roll(cv2.GaussianBlur(mask, (0, 0), size / 40 + 0.5), (d, d), axis=(0, 1))
    region[:] = region * (1 - shadow[..., None] * 0.45)

    # Face colour: the chosen colour with the material's light.
    hh = mask.shape[0]
    ramp = np.linspace(1.0, 0.0, hh, dtype=np.float32)[:, None, None]
    if material == "gold":
        face = color * (0.78 + 0.42 * ramp)
        # Foil glint: a diagonal band of light.
        yy, xx = np.mgrid[0:hh, 0:mask.shape[1]].astype(np.float32)
        glint = np.exp(-(((xx + yy) / (size * 1.2)) % 1.0 - 0.5) ** 2 / 0.02)[..., None]
        face = face + glint * 40
    elif material == "bronze":
        patina = ground.noise(rng, mask.shape[1], mask.shape[0], max(4, round(3 * mask.shape[1] / max(size, 1))))
        verdigris = np.array([94, 127, 107], np.float32)
        p = np.clip((patina - 0.55) * 2.2, 0, 0.45)[..., None]
        face = (color * (0.85 + 0.25 * ramp)) * (1 - p) + verdigris * p
    elif material == "jade":
        face = color * (0.9 + 0.2 * ramp)
    else:  # cinnabar and ink: flat colour, pressed into the paper
        face = np.broadcast_to(color, mask.shape + (3,)).copy()
    # Bevel: light from the top left on the glyph's blurred height field.
    height_map = cv2.GaussianBlur(mask, (0, 0), size / 45 + 0.6)
    gy, gx = np.gradient(height_map)
    bevel = np.clip(-(gx + gy) * size * 0.9, -1, 1)[..., None] * (45 if material != "cinnabar" else 20)
    face = np.clip(face + bevel, 0, 255)
    m = mask[..., None]
    region[:] = region * (1 - m) + face * m


@functools.lru_cache(maxsize=1)
def _museum_name() -> str:
    """The seal's default text: the museum's name, at most four characters (a 2 x 2 seal)."""
    from layouts import museum

    return museum().name_zh[:4]


def render(design: Design, size: tuple[int, int], seed: int) -> Image.Image:
    """One candidate image (RGB) for a design, deterministic for (design, size, seed)."""
    motif = motifs.get_motif(design.motif)
    # Seeded by the seed alone and every random choice is scale-free, so the chosen candidate
    # can be drawn again at print resolution and look the same.
    rng = np.random.default_rng(seed)
    w, h = size
    if design.mode == "edit":
        canvas = _edit_base(design, size)
    else:
        look = Look.for_seed(seed, motif)
        boxes = [tuple(ln.box) for ln in design.lines]
        canvas = ground.draw_ground(look, w, h, rng)
        composition.place_motif(canvas, motif, look, boxes)
        ornaments.draw_frame(canvas, ornaments.frame_layers(look, boxes, w, h, _museum_name()))
    for line in design.lines:
        if line.text:  # an empty line (edit mode) only erases its box
            _draw_line(canvas, line, motif.material, rng)
    return Image.fromarray(np.clip(canvas + 0.5, 0, 255).astype(np.uint8), "RGB")


def load_source(path: str, size: tuple[int, int]) -> Image.Image:
    """The edit-mode source picture at the art size; a clear error if it is not a picture."""
    try:
        with Image.open(path) as im:
            im.load()
            src = im.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise BackendError(f"source_image {path} is not a readable picture ({exc.__class__.__name__})",
                           f"源图片 {path} 无法读取（文件损坏或不是图片）", field="source_image") from None
    return src.resize(size, Image.LANCZOS)


def _edit_base(design: Design, size: tuple[int, int]) -> np.ndarray:
    """Edit mode: the source picture with the text inside each box erased (inpainted); lines
    with text are then drawn over it, empty lines stay erased."""
    src = np.asarray(load_source(design.source_image, size))
    return erase_boxes(src, [ln.box for ln in design.lines])


def erase_boxes(src: np.ndarray, boxes) -> np.ndarray:
    """An RGB uint8 picture with each box (fractions) filled from its surroundings, as float
    RGB: a quiet blur of the art around it, blended in softly at the edges."""
    h, w = src.shape[:2]
    hole = np.zeros((h, w), np.uint8)
    for x, y, bw, bh in boxes:
        hole[int(y * h):int((y + bh) * h), int(x * w):int((x + bw) * w)] = 255
    # Inpaint at quarter size and blend back softly: full-size Telea drags the box's edge
    # pixels into streaks across a wide box; this leaves a quiet blur of the surroundings.
    f = 4 if min(w, h) >= 256 else 1
    small = cv2.resize(src, (w // f, h // f), interpolation=cv2.INTER_AREA)
    small_hole = cv2.dilate(cv2.resize(hole, (w // f, h // f), interpolation=cv2.INTER_NEAREST),
                            np.ones((3, 3), np.uint8))
    fill = cv2.inpaint(small, small_hole, 3, cv2.INPAINT_TELEA)
    # Blurred well past the strokes' width: art running through the box (a gap between two
    # motifs) must not leave a bar the recognizer reads as "1".
    fill = cv2.GaussianBlur(cv2.resize(fill, (w, h), interpolation=cv2.INTER_CUBIC), (0, 0), 3 * f)
    m = cv2.GaussianBlur((hole > 0).astype(np.float32), (0, 0), max(1.0, min(w, h) / 170))[..., None]
    m = np.maximum(m, (hole > 0)[..., None])   # the box itself is filled fully
    return fill.astype(np.float32) * m + src.astype(np.float32) * (1 - m)


def typeset(image: Image.Image, design: Design, lines, seed: int,
            panel_opacity: float = PANEL, material: str | None = None) -> Image.Image:
    """Set `lines` (of `design`) ourselves over finished art, whatever drew it: each box is
    erased into the art around it, then the line is drawn as this backend draws it (the
    motif's material, bevel, halo, the feathered panel that blends it into the art under it).
    The last resort of generator/repair.py for a line that does not read back. `material`:
    another than the motif's (a plainer face where the material's texture hides a stroke)."""
    material = material or motifs.get_motif(design.motif).material
    canvas = erase_boxes(np.asarray(image.convert("RGB")), [ln.box for ln in lines])
    rng = np.random.default_rng(seed)
    for line in lines:
        if line.text:
            _draw_line(canvas, line, material, rng, panel_opacity)
    return Image.fromarray(np.clip(canvas + 0.5, 0, 255).astype(np.uint8), "RGB")


class ProceduralBackend:
    name = "procedural"

    def generate(self, design: Design, *, size: tuple[int, int] = DEFAULT_SIZE, n: int = 1,
                 seeds: list[int] | None = None, progress: ProgressFn | None = None,
                 cancel: CancelToken | None = None, check: bool = True) -> GeneratedArt:
        check_size(size)
        motifs.require_art(design.motif)   # a motif taught from photos needs a diffusion backend
        seeds = seeds_for(design, n, seeds)
        candidates = []
        t0 = time.perf_counter()
        for i, seed in enumerate(seeds):
            if cancel is not None and cancel.is_set():
                raise CancelledError("generation was cancelled", "生成已取消")
            image = render(design, size, seed)
            checks = ocr.check_lines(image, design.lines) if check else []
            candidates.append(Candidate(image=image, seed=seed, checks=checks))
            if progress is not None:
                progress(i + 1, len(seeds), f"candidate {i + 1}/{len(seeds)}")
        return GeneratedArt(backend=self.name, size=size, candidates=candidates,
                            info={"seconds": round(time.perf_counter() - t0, 3)})
