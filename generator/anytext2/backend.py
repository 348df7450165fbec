"""AnyText2Backend: the Backend protocol (generator/backends.py) on our AnyText2 pipeline.

As the v1 backend (generator/anytext/backend.py: weights from `weights.store.resolve()`, loaded
once per instance, fp16 on CUDA, model sizes, edit/erase, OCR check), plus AnyText2's per-line
attributes: each line's font hint is drawn with that line's own font file (base/fonts.py) and its
colour (Design's #RRGGBB) goes to the colour embedding. The WriteNet sees the text prompt
`Texts are "a" , "b" . ` (the training captions' form: every `*` stands free, so BPE never merges it
with punctuation); the UNet sees the motif prompt.
"""
from __future__ import annotations

import time

from PIL import Image

from base.errors import BackendError, KioskError
from generator import glyphs, ocr
from generator.anytext.backend import AnyTextBackend, model_size
from generator.backends import DEFAULT_SIZE, check_size, seeds_for
from generator.design import Design
from generator.result import CancelToken, Candidate, GeneratedArt, ProgressFn


def build_text_prompt(texts: list[str]) -> str:
    return "Texts are " + " , ".join(f'"{t}"' for t in texts) + " . " if texts else ""


class AnyText2Backend(AnyTextBackend):
    name = "anytext2"
    version, label = 2, "AnyText2"

    def _model(self, sd: dict, res, *, device: str, dtype):
        from generator.anytext2.convert import detect_version, load_official

        if detect_version(sd) != 2:
            raise BackendError(f"weights file {res.checkpoint} is AnyText v1, not AnyText2 (use backend 'anytext')",
                               f"权重文件 {res.checkpoint} 是 AnyText v1，不是 AnyText2", field="backend")
        return load_official(sd, device=device, dtype=dtype)

    def _pipeline(self, model, tokenizer, font):
        from generator.anytext2.pipeline import AnyText2Pipeline

        return AnyText2Pipeline(model, tokenizer, font.path, font.index)

    def generate(self, design: Design, *, size: tuple[int, int] = DEFAULT_SIZE, n: int = 1,
                 seeds: list[int] | None = None, progress: ProgressFn | None = None,
                 cancel: CancelToken | None = None, check: bool = True) -> GeneratedArt:
        from base.fonts import get_font
        from generator.motifs import get_motif

        check_size(size)
        seeds = seeds_for(design, n, seeds)
        t0 = time.perf_counter()
        pipe = self.pipeline()
        mw, mh = model_size(size)
        written = [ln for ln in design.lines if ln.text]
        polys = [glyphs.box_to_polygon(ln.box, mw, mh) for ln in written]
        erase = [glyphs.box_to_polygon(ln.box, mw, mh) for ln in design.lines if not ln.text]
        order = glyphs.sort_polygons(polys, mw, mh)
        img_prompt = get_motif(design.motif).prompt_en
        text_prompt = build_text_prompt([written[i].text for i in order])
        fonts = [get_font(ln.font) for ln in written]
        source = None
        if design.mode == "edit":
            from generator.procedural import load_source

            if not design.source_image:
                raise BackendError("edit mode needs a source_image", "编辑模式需要源图片", field="source_image")
            source = load_source(design.source_image, (mw, mh))

        def step_progress(done: int, total: int, msg: str) -> None:
            if progress is not None:
                progress(done, total, f"AnyText2 {msg}")

        try:
            with self._run_lock:
                out = pipe(img_prompt, text_prompt, polys, fonts=[f.path for f in fonts],
                           font_indices=[f.index for f in fonts],
                           colors=[ln.rgb() if ln.color else None for ln in written],
                           mode=design.mode, source_image=source, width=mw, height=mh,
                           vertical=[ln.vertical or None for ln in written], seeds=seeds,
                           num_inference_steps=self.steps, progress=step_progress, cancel=cancel,
                           keep_unmasked=True, erase=erase)
        except KioskError:
            raise
        except ValueError as e:
            raise BackendError(f"AnyText2 cannot render this design: {e}", "AnyText2 无法生成此设计") from None
        candidates = []
        for image, seed in zip(out.images, out.seeds):
            if image.size != tuple(size):
                image = image.resize(size, Image.LANCZOS)
            checks = ocr.check_lines(image, design.lines) if check else []
            candidates.append(Candidate(image=image, seed=seed, checks=checks))
        info = dict(self._loaded, steps=self.steps, model_size=[mw, mh], img_prompt=img_prompt,
                    text_prompt=text_prompt, seconds=round(time.perf_counter() - t0, 3))
        if (mw, mh) != tuple(size):
            info["resized_from"] = [mw, mh]
        return GeneratedArt(backend=self.name, size=tuple(size), candidates=candidates, info=info)
