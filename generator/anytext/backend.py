"""AnyTextBackend: the Backend protocol (generator/backends.py) on our AnyText pipeline.

The weights come from `weights.store.resolve()` (KIOSK_WEIGHTS or weights/): the official
checkpoint, its fp16 conversion, a swapped base or a make-tiny file, all in the official key
layout. The model loads once per backend instance (the worker keeps one instance). CUDA runs in
fp16 with scaled-dot-product attention; the CPU in fp32.

Colour: v1 cannot follow a line's colour; it is only named in the prompt (colour_name), so the
staff page says "colour is not guaranteed" for these jobs. The glyph maps use the weights' glyph
font for every line (a line's font is not followed either).

The model works at AnyText's sizes (long side <= 768, multiples of 64); a larger requested size is
rendered at the largest such size with the same aspect ratio and resized, and `info` says so.

Motif adapters: a motif that names a trained adapter (a catalogue entry's `adapter`, or a motif
taught from photos) gets it loaded into the model once and made the only active one for its
jobs, and its token goes in the prompt; other motifs run on the base model. Switching motifs
switches adapters (peft), never reloads the model. An adapter trained on other base weights
is refused.
"""
from __future__ import annotations

import threading
import time

from PIL import Image

from generator import glyphs, ocr
from generator.backends import DEFAULT_SIZE, check_size, seeds_for
from generator.design import Design
from base.errors import BackendError, KioskError
from base.settings import settings
from generator.result import CancelToken, Candidate, GeneratedArt, ProgressFn

MODEL_MAX_SIDE = 768
MODEL_MIN_SIDE = 256


def model_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size the model renders at for a requested (w, h): long side <= 768, multiples of 64."""
    w, h = size
    s = min(1.0, MODEL_MAX_SIDE / max(w, h))
    return tuple(max(MODEL_MIN_SIDE, int(v * s) // 64 * 64) for v in (w, h))  # type: ignore[return-value]


# AnyText v1 has no colour input: a line's colour can only be asked for in the prompt, by a
# plain English name the text encoder knows (the nearest of this small palette). Not guaranteed.
COLOUR_NAMES: dict[str, tuple[int, int, int]] = {
    "black": (20, 20, 20), "white": (250, 250, 250), "grey": (128, 128, 128),
    "red": (190, 40, 35), "orange": (235, 130, 30), "gold": (230, 190, 90),
    "yellow": (250, 225, 40), "green": (50, 150, 60), "jade green": (60, 160, 120),
    "blue": (40, 80, 190), "purple": (120, 50, 150), "pink": (240, 150, 180),
    "brown": (120, 70, 35),
}


def colour_name(hex_colour: str) -> str:
    """'#C0392B' -> 'red': the nearest named colour (the 'redmean' weighted RGB distance)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))

    def dist(rgb: tuple[int, int, int]) -> float:
        rm = (r + rgb[0]) / 2
        dr, dg, db = r - rgb[0], g - rgb[1], b - rgb[2]
        return (2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db

    return min(COLOUR_NAMES, key=lambda name: dist(COLOUR_NAMES[name]))


def build_prompt(scene: str, texts: list[str], colours: list[str] | None = None) -> str:
    """Motif prompt + the quoted lines (English outside the quotes: no translator needed),
    each line's colour named after it when given (#RRGGBB -> 'in gold')."""
    if not texts:  # erase only
        return scene
    if colours:
        quoted = ", ".join(f'"{t}" in {colour_name(c)}' for t, c in zip(texts, colours))
    else:
        quoted = ", ".join(f'"{t}"' for t in texts)
    return f"{scene}, with the words {quoted} written on it"


class AnyTextBackend:
    name = "anytext"
    version, label = 1, "AnyText"   # weights version it loads, name in messages

    def __init__(self, weights_dir: str | None = None, steps: int | None = None, device: str | None = None):
        self.weights_dir = weights_dir
        self.steps = steps or settings().anytext_steps
        self.device = device
        self._pipe = None
        self._loaded: dict = {}
        self._adapters = None              # generator.anytext.adapters.MotifAdapters, after loading
        self._base: dict = {}              # folder and sha256 of the weights loaded
        self._lock = threading.Lock()      # loading
        self._run_lock = threading.Lock()  # one job at a time on the shared model (the prompt hook is per call)

    # ---- loading ------------------------------------------------------------------------------
    def pipeline(self):
        """Load the model once (thread-safe) and return the pipeline."""
        with self._lock:
            if self._pipe is None:
                self._pipe = self._load()
            return self._pipe

    def _load(self):
        import torch

        from base.fonts import get_font
        from generator.anytext.tokenizer import load_tokenizer
        from weights.store import read_state_dict, resolve

        res = resolve(self.weights_dir, version=self.version)
        if res is None:
            raise BackendError(
                f"no valid {self.label} weights found (see `python -m weights status`; "
                "KIOSK_WEIGHTS selects the folder)",
                f"未找到有效的 {self.label} 权重（请运行 python -m weights status 查看；KIOSK_WEIGHTS 指定目录）",
                field="backend")
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        t0 = time.perf_counter()
        sd = read_state_dict(res.checkpoint)  # safe: weights_only / safetensors
        try:
            model = self._model(sd, res, device=device, dtype=dtype)
        except ValueError as e:
            raise BackendError(f"weights file {res.checkpoint}: {e}",
                               f"权重文件 {res.checkpoint} 与 {self.label} 模型不符", field="backend") from None
        del sd
        font = get_font(res.glyph_font)
        pipe = self._pipeline(model, load_tokenizer(str(res.tokenizer) if res.tokenizer else None), font)
        self._base = {"folder": res.checkpoint.parent, "file": res.checkpoint.name,
                      "sha256": res.record.sha256}
        self._loaded = {"weights": str(res.checkpoint), "kind": res.kind, "version": self.version,
                        "device": device, "dtype": str(dtype).replace("torch.", ""),
                        "glyph_font": res.glyph_font,
                        "load_seconds": round(time.perf_counter() - t0, 2)}
        return pipe

    def _model(self, sd: dict, res, *, device: str, dtype):
        """The model from a checked state dict (the version's converter)."""
        from generator.anytext.convert import load_official

        return load_official(sd, device=device, dtype=dtype)

    def _pipeline(self, model, tokenizer, font):
        from generator.anytext.adapters import MotifAdapters
        from generator.anytext.pipeline import AnyTextPipeline

        self._adapters = MotifAdapters(model)
        return AnyTextPipeline(model, tokenizer, font.path, font.index)

    # ---- motif adapters ------------------------------------------------------------------------
    def use_adapter(self, adapter_id: str | None) -> str | None:
        """Make the motif's adapter the active one (None: the base model); returns the prompt
        prefix that names it ("a photo of <token> <noun>"), or None. Call under _run_lock."""
        self.pipeline()
        if adapter_id is None:
            self._adapters.activate(None)
            return None
        from weights.adapters import get_adapter
        from weights.errors import WeightsError
        from weights.store import sha256_file

        folder = self._base["folder"]
        try:
            rec = get_adapter(adapter_id, folder)
        except WeightsError as e:
            raise BackendError(e.en, e.zh, field="motif") from None
        if adapter_id not in self._adapters.loaded:
            if rec.base_sha256 != self._base["sha256"]:
                raise BackendError(
                    f"motif adapter '{adapter_id}' was trained on other base weights "
                    f"({rec.base_file}, sha256 {str(rec.base_sha256)[:12]}...) than the kiosk runs "
                    f"({self._base['file']}, sha256 {str(self._base['sha256'])[:12]}...); train it "
                    "again on these weights (python -m weights train-motif)",
                    f"纹样适配器“{adapter_id}”是在另一套基础权重上训练的，请在当前权重上重新训练",
                    field="motif")
            path = folder / rec.file
            if not path.is_file() or sha256_file(path) != rec.sha256:
                raise BackendError(f"motif adapter file {path} is missing or changed since training "
                                   "(sha256 differs); train it again",
                                   f"纹样适配器文件 {path} 缺失或已改变，请重新训练", field="motif")
            try:
                self._adapters.load(adapter_id, path)
            except ValueError as e:
                raise BackendError(f"motif adapter {path} does not fit the model: {e}",
                                   f"纹样适配器 {path} 与模型不符", field="motif") from None
        self._adapters.activate(adapter_id)
        return rec.prompt_prefix

    # ---- the Backend protocol ---------------------------------------------------------------
    def generate(self, design: Design, *, size: tuple[int, int] = DEFAULT_SIZE, n: int = 1,
                 seeds: list[int] | None = None, progress: ProgressFn | None = None,
                 cancel: CancelToken | None = None, check: bool = True) -> GeneratedArt:
        from generator.motifs import get_motif

        check_size(size)
        seeds = seeds_for(design, n, seeds)
        t0 = time.perf_counter()
        pipe = self.pipeline()
        mw, mh = model_size(size)
        # empty lines (edit mode) erase their box; the others are written
        written = [ln for ln in design.lines if ln.text]
        polys = [glyphs.box_to_polygon(ln.box, mw, mh) for ln in written]
        erase = [glyphs.box_to_polygon(ln.box, mw, mh) for ln in design.lines if not ln.text]
        order = glyphs.sort_polygons(polys, mw, mh)
        motif = get_motif(design.motif)
        colours = [written[i].color for i in order]
        source = None
        if design.mode == "edit":
            from generator.procedural import load_source

            if not design.source_image:
                raise BackendError("edit mode needs a source_image", "编辑模式需要源图片", field="source_image")
            source = load_source(design.source_image, (mw, mh))

        def step_progress(done: int, total: int, msg: str) -> None:
            if progress is not None:
                progress(done, total, f"AnyText {msg}")

        try:
            with self._run_lock:
                prefix = self.use_adapter(motif.adapter)
                scene = f"{prefix}, {motif.prompt_en}" if prefix else motif.prompt_en
                prompt = build_prompt(scene, [written[i].text for i in order], colours)
                out = pipe(prompt, polys, mode=design.mode, source_image=source, width=mw, height=mh,
                           vertical=[ln.vertical or None for ln in written], seeds=seeds,
                           num_inference_steps=self.steps, progress=step_progress, cancel=cancel,
                           keep_unmasked=True, erase=erase)
        except KioskError:
            raise
        except ValueError as e:
            raise BackendError(f"AnyText cannot render this design: {e}", "AnyText 无法生成此设计") from None
        candidates = []
        for image, seed in zip(out.images, out.seeds):
            if image.size != tuple(size):
                image = image.resize(size, Image.LANCZOS)
            checks = ocr.check_lines(image, design.lines) if check else []
            candidates.append(Candidate(image=image, seed=seed, checks=checks))
        info = dict(self._loaded, steps=self.steps, model_size=[mw, mh], prompt=prompt,
                    adapter=motif.adapter, seconds=round(time.perf_counter() - t0, 3))
        if (mw, mh) != tuple(size):
            info["resized_from"] = [mw, mh]
        return GeneratedArt(backend=self.name, size=tuple(size), candidates=candidates, info=info)

