"""AnyTextPipeline: AnyText v1 inference on our stock-component model, read top to bottom.

__call__: 1. check inputs -> 2. glyph/position conditions -> 3. encode prompts (once per job) ->
4. masked latent and start noise (per candidate seed: VAE posterior .sample() first, then the start
noise, the original's random order) -> 5. auxiliary latent module (once per job: it does not
depend on t) -> 6. DDIM loop, both guidance branches in one batch, control residuals x strength ->
7. decode -> AnyTextOutput.

Numerics follow the original (tyxsspa/AnyText, v1): see tests/anytext/test_anytext_parity.py for
the stage-by-stage comparison with tensors recorded from it.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import cv2
import numpy as np
import torch
from PIL import Image

from generator import glyphs
from generator.anytext.config import A_PROMPT, N_PROMPT, PLACEHOLDER
from generator.anytext.model import AnyTextModel
from generator.anytext.modules import AuxInputs, PromptEncoder
from base.errors import CancelledError

MAX_EDIT_SIDE = 768
QUOTED = re.compile(r'"(.*?)"')


@dataclass
class AnyTextOutput:
    images: list[Image.Image]
    seeds: list[int]
    latents: torch.Tensor                     # final latents (n, 4, h/8, w/8)
    conditions: glyphs.GlyphConditions
    info: dict = field(default_factory=dict)


def modify_prompt(prompt: str) -> tuple[str, list[str]]:
    """The original's rewrite: each "quoted" text becomes ' * '; returns (prompt, texts)."""
    prompt = prompt.replace("“", '"').replace("”", '"')
    texts = QUOTED.findall(prompt)
    for s in texts:
        prompt = prompt.replace(f'"{s}"', f" {PLACEHOLDER} ", 1)
    return prompt, texts


def edit_image_size(width: int, height: int, max_side: int = MAX_EDIT_SIDE) -> tuple[int, int]:
    """The original's edit-mode resize: long side <= 768 (rounded), then floor to multiples of 64."""
    if max(width, height) > max_side:
        s = max_side / max(width, height)
        width, height = int(round(width * s)), int(round(height * s))
    return width - width % 64, height - height % 64


def prepare_edit_image(image: Image.Image | np.ndarray) -> np.ndarray:
    """Source picture -> RGB uint8 array at the original's edit size, clipped to [1, 255]."""
    arr = np.asarray(image.convert("RGB") if isinstance(image, Image.Image) else image)
    if arr.ndim == 2:
        arr = cv2.cvtColor(arr, cv2.COLOR_GRAY2RGB)
    arr = arr[..., :3].clip(1, 255).astype(np.uint8)
    h, w = arr.shape[:2]
    if max(h, w) > MAX_EDIT_SIDE:
        s = MAX_EDIT_SIDE / max(h, w)
        arr = cv2.resize(arr, (int(round(w * s)), int(round(h * s))))
    h, w = arr.shape[:2]
    return cv2.resize(arr, (w - w % 64, h - h % 64))


class AnyTextPipeline:
    def __init__(self, model: AnyTextModel, tokenizer, font_path: str, font_index: int = 0,
                 scheduler=None):
        from diffusers import DDIMScheduler

        self.model = model
        self.prompt_encoder = PromptEncoder(tokenizer, model.text_model)
        self.scheduler = scheduler or DDIMScheduler(**model.config.scheduler_config())
        self.font_path, self.font_index = font_path, font_index

    @property
    def device(self) -> torch.device:
        return next(self.model.unet.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.model.unet.parameters()).dtype

    # ---- pieces (each testable against the recorded stages) -------------------------------

    def encode_prompts(self, prompt: str, lines: np.ndarray | torch.Tensor | None,
                       a_prompt: str = A_PROMPT, n_prompt: str = N_PROMPT):
        """(cond context, uncond context, line embeddings). `prompt` is already rewritten."""
        line_embeds = None
        if lines is not None and len(lines):
            t = torch.as_tensor(np.asarray(lines), dtype=torch.float32)[:, None]
            line_embeds = self.model.text_embedder(t.to(self.device))
        cond, _ = self.prompt_encoder.encode(prompt + ", " + a_prompt, line_embeds)
        uncond, _ = self.prompt_encoder.encode(n_prompt, None)
        return cond.to(self.dtype), uncond.to(self.dtype), line_embeds

    def encode_masked(self, masked_img: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """VAE posterior of the masked image; .sample() draws from `generator` (first draw)."""
        post = self.model.vae.encode(masked_img.to(self.device, self.dtype)).latent_dist
        noise = torch.randn(post.mean.shape, generator=generator, dtype=torch.float32).to(post.mean)
        return (post.mean + post.std * noise) * self.model.config.scale_factor

    def guided_hint(self, cond: glyphs.GlyphConditions, masked_x: torch.Tensor) -> torch.Tensor:
        n = masked_x.shape[0]
        g = torch.from_numpy(cond.glyphs_sum)[None, None].expand(n, -1, -1, -1)
        p = torch.from_numpy(cond.positions_sum)[None, None].expand(n, -1, -1, -1)
        inputs = AuxInputs(g.to(self.device, self.dtype), p.to(self.device, self.dtype), masked_x)
        return self.model.aux.encode(inputs)[0]

    def predict_noise(self, x: torch.Tensor, t: int, cond: torch.Tensor, uncond: torch.Tensor,
                      hint, strength: float = 1.0, guidance_scale: float = 9.0) -> torch.Tensor:
        """Classifier-free guided eps. `hint` is the cached guided hint (n, C, h, w) or the raw
        AuxInputs (then the auxiliary module runs inside the ControlNet, every call)."""
        n = x.shape[0]
        if cond.shape == uncond.shape:  # both branches in one batch
            xx = torch.cat([x, x])
            ctx = torch.cat([uncond.expand(n, -1, -1), cond.expand(n, -1, -1)])
            hh = torch.cat([hint, hint]) if torch.is_tensor(hint) else AuxInputs(
                *(torch.cat([v, v]) for v in (hint.glyphs, hint.positions, hint.masked_x)))
            e_u, e_c = self._eps(xx, t, ctx, hh, strength).chunk(2)
        else:  # different chunk counts (a long prompt): two calls
            e_u = self._eps(x, t, uncond.expand(n, -1, -1), hint, strength)
            e_c = self._eps(x, t, cond.expand(n, -1, -1), hint, strength)
        return e_u + guidance_scale * (e_c - e_u)

    def _eps(self, x, t, ctx, hint, strength):
        m = self.model
        down, mid = m.controlnet(x, t, encoder_hidden_states=ctx, controlnet_cond=hint,
                                 conditioning_scale=strength, return_dict=False)
        return m.unet(x, t, encoder_hidden_states=ctx, down_block_additional_residuals=down,
                      mid_block_additional_residual=mid).sample

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return self.model.vae.decode(latents / self.model.config.scale_factor).sample

    # ---- the job ----------------------------------------------------------------------------

    @torch.no_grad()
    def __call__(self, prompt: str, polygons: Sequence[np.ndarray], *, mode: str = "generate",
                 source_image: Image.Image | np.ndarray | None = None, width: int = 512, height: int = 512,
                 vertical: Sequence[bool | None] | None = None, seeds: Sequence[int] = (0,),
                 num_inference_steps: int = 20, guidance_scale: float = 9.0, strength: float = 1.0,
                 a_prompt: str = A_PROMPT, n_prompt: str = N_PROMPT,
                 progress: Callable[[int, int, str], None] | None = None, cancel=None,
                 cache: bool = True, latents: torch.Tensor | None = None,
                 masked_latents: torch.Tensor | None = None, glyph_lines: np.ndarray | None = None,
                 keep_unmasked: bool = False, erase: Sequence[np.ndarray] = ()) -> AnyTextOutput:
        """Generate (or edit) with the quoted texts of `prompt` at `polygons` (int (4, 2) pixel
        points at the output size, in edit mode at edit_image_size() of the source; the i-th quoted text goes to the i-th position in reading order,
        as in the original). One candidate per seed. `latents`, `masked_latents` and `glyph_lines`
        (N, 80, 512) replace the drawn start noise, masked latent and rendered OCR lines (tests
        feed recorded tensors through them). `erase` (edit mode) are polygons whose text is
        removed: masked and redrawn like the text boxes, but with no glyph or position there,
        so the model fills them with the scene (our extension; the original only rewrites)."""
        t0 = time.perf_counter()
        # 1. check inputs
        rewritten, texts = modify_prompt(prompt)
        if mode not in ("generate", "edit"):
            raise ValueError(f"mode must be 'generate' or 'edit', got {mode!r}")
        if len(texts) != len(polygons):
            raise ValueError(f"the prompt quotes {len(texts)} texts but {len(polygons)} positions were given")
        if erase and mode != "edit":
            raise ValueError("erase boxes need edit mode")
        if not texts and not erase:
            raise ValueError('the prompt must quote at least one text line, e.g. with the words "天路"')
        if mode == "edit":
            if source_image is None:
                raise ValueError("edit mode needs source_image")
            src = prepare_edit_image(source_image)
            height, width = src.shape[:2]
        if width % 64 or height % 64:
            raise ValueError(f"width and height must be multiples of 64, got {width}x{height}")
        seeds = list(seeds)
        n = len(seeds)
        if latents is not None and latents.shape[0] != n:
            raise ValueError(f"{n} seeds but latents for {latents.shape[0]}")

        # 2. glyph / position conditions, lines in reading order paired with the quoted texts
        order = glyphs.sort_polygons(polygons, width, height)
        vert = list(vertical) if vertical is not None else [None] * len(polygons)
        cond = glyphs.build_conditions(texts, [polygons[i] for i in order], width, height,
                                       self.font_path, self.font_index, [vert[i] for i in order])

        # 3. prompt embeddings, once per job
        if glyph_lines is not None:
            lines = glyph_lines
        else:
            lines = np.stack([ln.line for ln in cond.lines]) if cond.lines else None
        c_ctx, u_ctx, _ = self.encode_prompts(rewritten, lines, a_prompt, n_prompt)

        # 4. masked image -> latent (posterior sample), then start noise, per candidate seed;
        # erased boxes are blanked too, but carry no glyph or position
        hole = np.clip(cond.hint + glyphs.position_mask(erase, width, height), 0, 1) if erase else cond.hint
        if mode == "edit":
            img = src.astype(np.float32) / 127.5 - 1.0
        else:
            img = np.zeros((height, width, 3), np.float32)  # (127.5 / 127.5 - 1) everywhere
        masked = img * (1 - hole[..., None])
        masked_t = torch.from_numpy(masked.transpose(2, 0, 1).copy())[None]
        lat_shape = (1, 4, height // 8, width // 8)
        mx, xt = [], []
        for seed in seeds:
            g = torch.Generator("cpu").manual_seed(int(seed))  # CPU stream: same numbers on any device
            mx.append(self.encode_masked(masked_t, g))
            xt.append(torch.randn(lat_shape, generator=g, dtype=torch.float32))
        masked_x = torch.cat(mx) if masked_latents is None else masked_latents.to(self.device, self.dtype)
        x = (torch.cat(xt) if latents is None else latents).to(self.device, self.dtype)

        # 5. auxiliary latent module, once per job (cache=False recomputes it at every call)
        if cache:
            hint = self.guided_hint(cond, masked_x)
        else:
            g = torch.from_numpy(cond.glyphs_sum)[None, None].expand(n, -1, -1, -1)
            p = torch.from_numpy(cond.positions_sum)[None, None].expand(n, -1, -1, -1)
            hint = AuxInputs(g.to(self.device, self.dtype), p.to(self.device, self.dtype), masked_x)

        # 6. DDIM
        self.scheduler.set_timesteps(num_inference_steps, device=self.device)
        steps = self.scheduler.timesteps
        for i, t in enumerate(steps):
            if cancel is not None and cancel.is_set():
                raise CancelledError("generation was cancelled", "生成已取消")
            eps = self.predict_noise(x, int(t), c_ctx, u_ctx, hint, strength, guidance_scale)
            x = self.scheduler.step(eps, t, x, eta=0.0).prev_sample
            if progress is not None:
                progress(i + 1, len(steps), f"step {i + 1}/{len(steps)}")

        # 7. decode
        out = self.decode(x).float().cpu()
        arr = (out.permute(0, 2, 3, 1).numpy() * 127.5 + 127.5).clip(0, 255).astype(np.uint8)
        if keep_unmasked and mode == "edit":
            arr = np.stack([keep_outside(a, src, hole) for a in arr])
        images = [Image.fromarray(a, "RGB") for a in arr]
        return AnyTextOutput(images=images, seeds=seeds, latents=x.float().cpu(), conditions=cond,
                             info={"steps": num_inference_steps, "size": [width, height], "mode": mode,
                                   "prompt": rewritten, "texts": texts, "erased": len(erase),
                                   "seconds": round(time.perf_counter() - t0, 3)})


def keep_outside(generated: np.ndarray, source: np.ndarray, hint: np.ndarray, feather: int = 8) -> np.ndarray:
    """Edit mode: keep the source outside the edited boxes (soft edge), the model's pixels inside."""
    m = cv2.dilate((hint > 0).astype(np.uint8), np.ones((3, 3), np.uint8), iterations=feather // 2)
    m = cv2.GaussianBlur(m.astype(np.float32), (0, 0), feather / 2)[..., None].clip(0, 1)
    return (generated * m + source * (1 - m)).round().astype(np.uint8)
