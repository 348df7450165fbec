"""Handwriting recognition for the kiosk: the PP-OCR recognizer from the rapidocr wheel, alone.

The visitor writes on a canvas; we composite the drawing on white, crop the ink, and run only
the CTC recognizer (no text detection: the canvas *is* the text box). rapidocr would return its
single best reading; a visitor needs a choice, so we rank candidates ourselves from the
per-position probabilities with a CTC prefix beam search.
"""
from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REC_HEIGHT = 48          # the model's fixed input height
MIN_REC_WIDTH = 320      # rapidocr never feeds narrower batches; the model was tuned on this
TOP_CLASSES = 12         # classes kept per CTC frame during the beam search
BEAM = 24
LONGER_MIN = 0.05        # a reading longer than the best one needs this share of its probability


@dataclass(frozen=True)
class Candidate:
    text: str
    score: float          # probability of this reading under the CTC model (0..1)


def model_path() -> Path:
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    found = sorted(models.glob("*rec*.onnx"))
    if not found:
        from base.errors import BackendError
        raise BackendError(f"no recognizer model in {models} (reinstall the rapidocr wheel)",
                           f"{models} 中没有识别模型（请重新安装 rapidocr）")
    return found[-1]


def is_chinese(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2EBEF or ch == "〇"


def _latin_ok(ch: str) -> bool:
    """A letter, digit or space of a Latin line: never a symbol or punctuation mark."""
    return ch == " " or (ch.isascii() and ch.isalnum())


def plausible(cands: list[Candidate]) -> list[Candidate]:
    """Drop the padding a visitor cannot use (ranked list in, same order out).

    - look-alikes: after the best reading, every character must be an everyday one (GB2312):
      the recognizer pads a well-written 福 with variants and traditional forms (褔 襠 畐) that
      read as typos on a souvenir. The best reading itself may be rare (the visitor wrote it).
    - nonsense: a reading longer than the best one (one character written, 水永 or 一二 offered)
      unless it is nearly as likely.
    """
    if not cands:
        return []
    from textinput.pinyin import in_gb2312

    best = cands[0]
    out = [best]
    for c in cands[1:]:
        if not all(in_gb2312(ch) or not is_chinese(ch) for ch in c.text):
            continue
        if len(c.text) > len(best.text) and c.score < LONGER_MIN * best.score:
            continue
        out.append(c)
    return out


class Recognizer:
    """Loaded once per process (kiosk: st.cache_resource); run() is thread-safe."""

    def __init__(self, path: str | Path | None = None, threads: int = 1):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path or model_path()), opts,
                                            providers=["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        # Same layout as rapidocr's decoder: index 0 is the CTC blank, the last one a space.
        self.charset = ["<blank>"] + meta["character"].splitlines() + [" "]
        self.input_name = self.session.get_inputs()[0].name
        self._lock = threading.Lock()
        out_classes = self.session.get_outputs()[0].shape[-1]
        if isinstance(out_classes, int) and out_classes != len(self.charset):
            raise ValueError(f"charset has {len(self.charset)} entries, model {out_classes}")

    # -- model ------------------------------------------------------------------------------
    def probabilities(self, gray: np.ndarray) -> np.ndarray:
        """Per-frame class probabilities (T x C) for a cropped grey ink image (white ground)."""
        x = _to_input(gray)
        with self._lock:  # onnxruntime sessions are thread-safe, but 2 cores: serialise
            out = self.session.run(None, {self.input_name: x})[0][0]
        return out

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.charset)}

    # -- public -----------------------------------------------------------------------------
    def recognize(self, image, k: int = 8, allow_non_chinese: bool = False) -> list[Candidate]:
        """Ranked candidates for a drawing (RGBA canvas array, RGB/grey array or PIL image).

        Returns [] when there is no ink. Readings with non-Chinese characters are dropped
        unless allow_non_chinese (a line that may hold Latin letters or digits; symbols are
        never offered). Rare look-alikes and nonsense readings are dropped (`plausible`).
        """
        gray = ink_crop(image)
        if gray is None:
            return []
        probs = self.probabilities(gray)
        return self.rank(probs, k=k, allow_non_chinese=allow_non_chinese)

    def rank(self, probs: np.ndarray, k: int = 8, allow_non_chinese: bool = False) -> list[Candidate]:
        ok = self._latin_mask if allow_non_chinese else self._chinese_mask
        beams = ctc_beam_search(probs, beam=BEAM, top_classes=TOP_CLASSES, allowed=ok)
        out: list[Candidate] = []
        seen = set()
        for labels, p in beams:
            text = "".join(self.charset[i] for i in labels).strip()
            if not text or text in seen:
                continue
            seen.add(text)
            out.append(Candidate(text, p))
        out = plausible(sorted(out, key=lambda c: -c.score))
        # Alternatives for a single character: the beam tends to spend its width on the
        # first character's look-alikes anyway, but top-k at the strongest frame fills gaps.
        if len(out) < k:
            extra = [Candidate(text, p) for text, p in self._frame_alternatives(probs, ok, 3 * k)
                     if text not in seen]
            out = plausible(sorted(out + extra, key=lambda c: -c.score))
        return out[:k]

    @functools.cached_property
    def _chinese_mask(self) -> np.ndarray:
        return np.array([i == 0 or is_chinese(c) for i, c in enumerate(self.charset)])

    @functools.cached_property
    def _latin_mask(self) -> np.ndarray:
        return np.array([i == 0 or is_chinese(c) or _latin_ok(c) for i, c in enumerate(self.charset)])

    def _frame_alternatives(self, probs, ok, k):
        nonblank = probs[:, 1:].max(axis=1)
        t = int(nonblank.argmax())
        row = probs[t].copy()
        row[0] = 0
        if ok is not None:
            row[~ok] = 0
        idx = np.argsort(-row)[:k]
        return [(self.charset[i], float(row[i]) * 1e-3) for i in idx if row[i] > 0]


def ctc_beam_search(probs: np.ndarray, beam: int = 16, top_classes: int = 10,
                    allowed: np.ndarray | None = None) -> list[tuple[tuple[int, ...], float]]:
    """CTC prefix beam search (blank = 0). Returns (labels, probability), best first.

    Characters outside `allowed` are removed and their mass is not redistributed, so a
    Latin reading of a Chinese scrawl simply loses probability instead of appearing.
    """
    if allowed is not None:
        probs = probs * allowed[None, :]
    # prefix -> (p ending in blank, p ending in non-blank)
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (1.0, 0.0)}
    for t in range(probs.shape[0]):
        row = probs[t]
        blank = float(row[0])
        kk = min(top_classes, row.shape[0] - 1)
        cand = np.argpartition(-row[1:], kk - 1)[:kk] + 1
        cand = [int(c) for c in cand if row[c] > 1e-4]
        nxt: dict[tuple[int, ...], list[float]] = {}

        def add(prefix, pb, pnb):
            cur = nxt.get(prefix)
            if cur is None:
                nxt[prefix] = [pb, pnb]
            else:
                cur[0] += pb
                cur[1] += pnb

        for prefix, (pb, pnb) in beams.items():
            total = pb + pnb
            add(prefix, total * blank, 0.0)                  # stay, emit blank
            if prefix:
                last = prefix[-1]
                add(prefix, 0.0, pnb * float(row[last]))     # repeat collapses
            for c in cand:
                p = float(row[c])
                if prefix and c == prefix[-1]:
                    add(prefix + (c,), 0.0, pb * p)          # a repeat needs a blank between
                else:
                    add(prefix + (c,), 0.0, total * p)
        ranked = sorted(nxt.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:beam]
        beams = {k: (v[0], v[1]) for k, v in ranked}
    return sorted(((k, v[0] + v[1]) for k, v in beams.items()), key=lambda kv: -kv[1])


# -- image handling -------------------------------------------------------------------------
def to_gray_on_white(image) -> np.ndarray:
    """RGBA canvas data (transparent where nothing is drawn) -> uint8 grey on white."""
    arr = np.asarray(image)
    if arr.ndim == 2:
        return arr.astype(np.uint8)
    arr = arr.astype(np.float32)
    rgb = arr[..., :3].mean(axis=2)
    if arr.shape[2] == 4:
        a = arr[..., 3] / 255.0
        rgb = rgb * a + 255.0 * (1.0 - a)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def ink_crop(image, threshold: int = 128, margin: float = 0.12) -> np.ndarray | None:
    """Crop to the ink with a margin; very flat or narrow ink (一, 丨) is padded toward a square
    so the recognizer sees a character-sized box rather than a stretched line."""
    gray = to_gray_on_white(image)
    ink = gray < threshold
    if ink.sum() < 4:
        return None
    ys, xs = np.nonzero(ink)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    h, w = y1 - y0, x1 - x0
    H = gray.shape[0]
    th = max(h, min(w, int(0.6 * H)))      # a lone 一 becomes a square box
    tw = max(w, th)                        # a lone 丨 too; rows keep their width
    side = int(max(th, tw) * margin) + 2
    th, tw = th + 2 * side, tw + 2 * side
    out = np.full((th, tw), 255, np.uint8)
    oy, ox = (th - h) // 2, (tw - w) // 2
    out[oy:oy + h, ox:ox + w] = gray[y0:y1, x0:x1]
    return out


def render_strokes(objects: list[dict], size: tuple[int, int]) -> np.ndarray:
    """Draw freehand path objects (fabric.js JSON, as streamlit-drawable-canvas reports them)
    as black strokes on white, (H, W) uint8. Path coordinates are canvas pixels; the end point
    of each segment is enough at finger-stroke resolution."""
    import cv2

    w, h = size
    out = np.full((h, w), 255, np.uint8)
    for obj in objects:
        path = obj.get("path") or []
        pts = [(cmd[-2], cmd[-1]) for cmd in path
               if isinstance(cmd, (list, tuple)) and len(cmd) >= 3 and cmd[0] in "MLQC"]
        if not pts:
            continue
        width = max(1, int(round(float(obj.get("strokeWidth", 12)) * float(obj.get("scaleX", 1)))))
        arr = np.round(np.array(pts, np.float64)).astype(np.int32)
        if len(arr) == 1:
            cv2.circle(out, tuple(int(v) for v in arr[0]), width // 2, 0, -1, cv2.LINE_AA)
        else:
            cv2.polylines(out, [arr], False, 0, width, cv2.LINE_AA)
    return out


def _to_input(gray: np.ndarray) -> np.ndarray:
    import cv2

    h, w = gray.shape[:2]
    rw = max(8, int(math.ceil(REC_HEIGHT * w / h)))
    img = cv2.resize(gray, (rw, REC_HEIGHT), interpolation=cv2.INTER_AREA)
    width = max(MIN_REC_WIDTH, rw)
    x = np.full((REC_HEIGHT, width), 255, np.float32)   # pad with paper, not grey
    x[:, :rw] = img
    x = (x / 255.0 - 0.5) / 0.5
    return np.repeat(x[None, None], 3, axis=1).astype(np.float32)
