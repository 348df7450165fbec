"""OCR check: read each text line back from its box and compare with what was asked for.

We know where every line should be, so we crop its box (with a margin) and run rapidocr's
recognizer alone on the crops: tens of milliseconds a line instead of a full detect-and-
recognise pass. Models ship inside the rapidocr wheel; nothing downloads.
Metrics follow the AnyText benchmark: sentence accuracy (exact read-back) and
NED = 1 - Levenshtein / max(len).
"""
from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata

import numpy as np
from PIL import Image
from rapidfuzz.distance import Levenshtein

from generator.result import LineCheck

TRUST = 0.8    # recognizer confidence above which the first crop's reading is kept
MARGIN = 0.12  # of the box's short side, so strokes that touch the box edge stay in the crop
GLYPH_HALF_HEIGHT = 0.75  # a tight crop: the glyph's centre +- this much of its size
LONG_LINE = 12   # characters from which a line that does not read back whole is read in halves
# Look-alikes the recognizer confuses and a visitor would not care about.
_FOLD = str.maketrans({"•": "·", "・": "·", "‧": "·", "∙": "·", "⋅": "·", "—": "-", "–": "-",
                       "“": '"', "”": '"', "‘": "'", "’": "'", "。": ".", "，": ",", "！": "!",
                       "？": "?", "：": ":", "；": ";", "（": "(", "）": ")"})
_lock = threading.Lock()


def fold(text: str) -> str:
    """Fold width (NFKC) and look-alike punctuation; drop spaces (the recognizer drops them)."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD).replace(" ", "")


def ned(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return 1.0 - Levenshtein.distance(a, b) / max(len(a), len(b))


@functools.lru_cache(maxsize=1)
def _engine():
    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return RapidOCR(params={"Global.log_level": "warning"})


@functools.lru_cache(maxsize=1)
def dictionary() -> frozenset[str]:
    """Characters the recognizer can output."""
    rec = _engine()._load_rec_model()
    return frozenset(rec.postprocess_op.character)


def recognize(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Run the recognizer alone on RGB uint8 crops (one text line each, horizontal)."""
    if not crops:
        return []
    bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
    with _lock:  # one onnxruntime session; the kiosk worker and tests may call from threads
        out = _engine().recognize_txt(bgr)
    return [(t or "", float(s or 0.0)) for t, s in zip(out.txts, out.scores)]


def crop_line(image: Image.Image, box, vertical: bool = False, cells=None) -> np.ndarray:
    """Crop a line's box with a margin. A vertical line is restacked into one horizontal row
    from `cells`, the (top, bottom) pixel rows of each character. A horizontal line's `cells`
    is [(left, right)] or [(left, right, top, bottom)]: the text's own extent in the box."""
    W, H = image.size
    x, y, w, h = box[0] * W, box[1] * H, box[2] * W, box[3] * H
    if not vertical and cells:  # horizontal: the text inside the box
        x, w = cells[0][0], cells[0][1] - cells[0][0]
        if len(cells[0]) == 4:  # a long line is shorter than its box: crop to its own height
            y, h = cells[0][2], cells[0][3] - cells[0][2]
    m = MARGIN * min(w, h)
    left, right = max(0, int(x - m)), min(W, int(x + w + m))
    rgb = image.convert("RGB")
    if not vertical or not cells or len(cells) < 2:
        top, bottom = max(0, int(y - m)), min(H, int(y + h + m))
        return np.asarray(rgb.crop((left, top, right, bottom)))
    side = right - left
    row = [np.asarray(rgb.crop((left, int(t), right, int(t) + side))) for t, _ in cells]
    return np.concatenate([r for r in row if r.shape[0] == side], axis=1)


def _cell_tops(box, centres, W: int, H: int) -> list[tuple[float, float]]:
    """Square cells (the box's width plus margins) centred on `centres` (pixel rows), kept on
    the image: crop_line's `cells` for a vertical line."""
    side = box[2] * W * (1 + 2 * MARGIN)
    return [(max(0.0, min(c - side / 2, H - side)), 0.0) for c in centres]


def _equal_centres(box, n: int, H: int) -> list[float]:
    y, h = box[1] * H, box[3] * H
    return [y + (i + 0.5) * h / n for i in range(n)]


def _vertical_cells(line, W: int, H: int) -> list[list[tuple[float, float]]]:
    """Ways to cut a vertical line into characters: where our layout puts them, and equal cells
    over the box (other backends place glyphs their own way). The best-read one is kept."""
    from generator.textrender import layout_line

    laid = [g.y for g in layout_line(line.text, line.box, line.font, W, H, True)]
    return [_cell_tops(line.box, laid, W, H),
            _cell_tops(line.box, _equal_centres(line.box, len(line.text), H), W, H)]


def _erased_cells(line, W: int, H: int) -> list[tuple[float, float]] | None:
    """A vertical erased box cut into square cells and restacked, as a vertical line would be."""
    if not line.vertical:
        return None
    n = max(1, round(line.box[3] * H / (line.box[2] * W)))
    return _cell_tops(line.box, _equal_centres(line.box, n, H), W, H)


def _horizontal_spans(line, W: int, H: int) -> list[list[tuple[float, ...]] | None]:
    """Ways to crop a horizontal line, the first trusted: the text's own extent where our
    layout puts it, as tall as the glyphs (a long line is sized by the box's width, so its
    glyphs fill a fraction of the box's height: cropped to the whole height and resized to
    the recognizer's 48 px, a 16-character line's glyphs came out about 13 px tall and were
    misread); the same extent the box's full height (art beside a short line in a wide box
    otherwise reads as extra characters); and the whole box (other backends place glyphs
    their own way)."""
    from generator.textrender import layout_line

    glyphs = layout_line(line.text, line.box, line.font, W, H, False)
    if not glyphs:
        return [None]
    size = max(g.size for g in glyphs)
    half = size * 0.85  # the recognizer wants a margin
    left = max(line.box[0] * W, glyphs[0].x - half)
    right = min((line.box[0] + line.box[2]) * W, glyphs[-1].x + half)
    top = max(line.box[1] * H, glyphs[0].y - size * GLYPH_HALF_HEIGHT)
    bottom = min((line.box[1] + line.box[3]) * H, glyphs[0].y + size * GLYPH_HALF_HEIGHT)
    if bottom - top < 0.8 * line.box[3] * H:
        return [[(left, right, top, bottom)], [(left, right)], None]
    return [[(left, right)], None]


EDGE_MARKS = "\"'“”‘’《》「」『』〈〉()（）[]【】"


def strip_edge_marks(read: str, expected: str) -> str:
    """Quote marks and brackets the recognizer invents at a crop's edge from art beside the
    text (a beak, a ray tip). Kept when the expected text itself starts or ends with one."""
    lead = "" if expected[:1] in EDGE_MARKS else EDGE_MARKS
    trail = "" if expected[-1:] in EDGE_MARKS else EDGE_MARKS
    return read.lstrip(lead).rstrip(trail) if read else read


def _matches(expected: str, read: str) -> bool:
    """Exact read-back. A word space in the expected text may come back as nothing or as one
    separator mark (the recognizer sees a dot or dash in the ground showing through the gap)."""
    exp = unicodedata.normalize("NFKC", expected).translate(_FOLD)
    if " " not in exp.strip():
        return fold(expected) == read
    pattern = "".join(r"\W?" if c == " " else re.escape(c) for c in " ".join(exp.split()))
    return re.fullmatch(pattern, read) is not None


def check_line(expected: str, read: str, confidence: float) -> LineCheck:
    exp = fold(expected)
    got = strip_edge_marks(fold(read), exp)
    known = dictionary()
    unverifiable = "".join(c for c in dict.fromkeys(exp) if c not in known)
    exact = _matches(expected, got)
    return LineCheck(expected=expected, read=read, exact=exact, ned=1.0 if exact else ned(exp, got),
                     confidence=confidence, unverifiable=unverifiable)


def check_lines(image: Image.Image, lines) -> list[LineCheck]:
    """Read back each line (Design.lines or objects with text, box, font, vertical) from its box."""
    W, H = image.size
    crops, owner = [], []
    for i, ln in enumerate(lines):
        if not ln.text:  # an erased box: the whole box must read as nothing
            crops.append(crop_line(image, ln.box, bool(ln.vertical), _erased_cells(ln, W, H)))
            owner.append(i)
        elif ln.vertical and len(ln.text) > 1:
            for cells in _vertical_cells(ln, W, H):
                crops.append(crop_line(image, ln.box, True, cells))
                owner.append(i)
        else:
            for span in _horizontal_spans(ln, W, H):
                crops.append(crop_line(image, ln.box, False, span))
                owner.append(i)
    # The first way (our own layout) is trusted unless the recognizer is unsure of it; then
    # the most confident way wins.
    best: dict[int, tuple[str, float]] = {}
    first: dict[int, np.ndarray] = {}
    for i, crop, (text, conf) in zip(owner, crops, recognize(crops)):
        first.setdefault(i, crop)
        if i not in best or (best[i][1] < TRUST and conf > best[i][1]):
            best[i] = (text, conf)
    checks = [check_line(ln.text, *best[i]) if ln.text else check_erased(*best[i])
              for i, ln in enumerate(lines)]
    # A long line that does not read back whole is read again in two overlapping halves
    # (the recognizer squeezes a wide crop to its input width).
    long = [i for i, (ln, c) in enumerate(zip(lines, checks))
            if len(ln.text) >= LONG_LINE and not ln.vertical and not c.passes]
    for i in long:
        halves = read_halves(first[i], lines[i].text)
        if halves is not None:
            checks[i] = check_line(lines[i].text, *halves)
    for i, ln in enumerate(lines):
        if ln.text and not checks[i].passes:
            alone = read_alone(image, ln, checks[i].read)
            if alone is not None:
                checks[i] = check_line(ln.text, *alone)
    return checks


MAX_ALONE = 2  # substituted characters a line may have for them to be re-read one by one
CELL_HALF = 0.6  # a glyph's crop when read alone: its em square plus a thin margin (a wider
                 # crop takes in a neighbour's stroke and the misreading comes back)


def read_alone(image: Image.Image, line, read: str) -> tuple[str, float] | None:
    """A line read with the right length but a few characters swapped for look-alikes is
    read again character by character, each glyph alone where our layout put it. The
    recognizer reads a line with the context of its neighbours: in AR PL UKai it reads 知己
    as 知已 although the glyph, read alone, is 己 (open at the top, as drawn). When every
    swapped character reads back alone as expected, the line reads back, with the lowest of
    those confidences; None otherwise (art whose glyphs lie elsewhere, or a glyph that is
    really another character, keeps the whole line's reading)."""
    from generator.textrender import layout_line

    exp, got = fold(line.text), strip_edge_marks(fold(read), fold(line.text))
    if len(exp) != len(line.text) or len(got) != len(exp):
        return None
    swapped = [k for k, (a, b) in enumerate(zip(exp, got)) if a != b]
    if not swapped or len(swapped) > MAX_ALONE:
        return None
    W, H = image.size
    glyphs = layout_line(line.text, line.box, line.font, W, H, bool(line.vertical))
    if len(glyphs) != len(exp):
        return None
    rgb = image.convert("RGB")
    crops = []
    for k in swapped:
        g = glyphs[k]
        half = g.size * CELL_HALF
        crops.append(np.asarray(rgb.crop((max(0, int(g.x - half)), max(0, int(g.y - half)),
                                          min(W, int(g.x + half)), min(H, int(g.y + half))))))
    reads = recognize(crops)
    if all(fold(text) == exp[k] for k, (text, _) in zip(swapped, reads)):
        return line.text, min(conf for _, conf in reads)
    return None


OVERLAP = 2  # characters each half reads beyond the middle


def read_halves(crop: np.ndarray, expected: str) -> tuple[str, float] | None:
    """Read a one-line crop as two halves that overlap by OVERLAP characters each way. When
    the left half begins with the first half of `expected` and the right half ends with the
    second, each half has read its own characters: the line reads back, with the lower of the
    two confidences. None when they do not (the whole line's reading stands)."""
    exp = fold(expected)
    n, w = len(expected), crop.shape[1]
    if len(exp) != n or n < 2 * OVERLAP + 2:
        return None
    k = n // 2
    left = crop[:, :min(w, round(w * (k + OVERLAP) / n))]
    right = crop[:, max(0, round(w * (k - OVERLAP) / n)):]
    (ta, ca), (tb, cb) = recognize([np.ascontiguousarray(left), np.ascontiguousarray(right)])
    ta, tb = fold(ta), fold(tb)
    if ta.startswith(exp[:k]) and tb.endswith(exp[k:]):
        return expected, min(ca, cb)
    return None


ERASED_MAX_CONFIDENCE = 0.5


def check_erased(read: str, confidence: float) -> LineCheck:
    """An erased box passes when the recognizer reads no letter or digit there with any
    confidence (texture alone yields a low-confidence guess or nothing)."""
    legible = any(c.isalnum() for c in fold(read)) and confidence >= ERASED_MAX_CONFIDENCE
    return LineCheck(expected="", read=read, exact=not legible, ned=0.0 if legible else 1.0,
                     confidence=confidence)


def read_text(image: Image.Image | np.ndarray) -> tuple[str, float]:
    """Recognise one horizontal line of text in an image (no detection)."""
    arr = np.asarray(image.convert("RGB")) if isinstance(image, Image.Image) else image
    return recognize([arr])[0]
