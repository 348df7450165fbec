"""AnyText2Pipeline: AnyText2 inference on our stock-component model, read top to bottom.

__call__: 1. check inputs -> 2. draw conditions (positions, colour glyph maps, font hints, glyph
lines) -> 3. line embeddings and the two prompts (image prompt -> UNet, text prompt -> WriteNet),
once per job -> 4. masked latent and start noise per seed (posterior .sample() first, then the
start noise: the reference's random order) -> 5. WriteNet once per conditioning (fast control: x=0,
t=0; cond first, then uncond, cached for every step) -> 6. DDIM + CFG with AttnX at `attnx_scale`
-> 7. decode -> AnyText2Output.

Numerics follow the reference (tyxsspa/AnyText2): tests/anytext2/test_anytext2_parity.py compares
every stage with tensors recorded from it.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image

from base.errors import CancelledError
from generator.anytext.config import A_PROMPT, N_PROMPT, PLACEHOLDER
from generator.anytext.modules import AuxInputs
from generator.anytext.pipeline import keep_outside, prepare_edit_image
from generator.anytext2.config import CFG_SCALE, MAX_CHARS
from generator.anytext2.model import AnyText2Model
from generator.anytext2.modules import PromptEncoder2, set_attnx_scale
from generator.anytext2.render import Conditions2, build_conditions2

QUOTED = re.compile(r'"(.*?)"')


@dataclass
class AnyText2Output:
    images: list[Image.Image]
    seeds: list[int]
    latents: torch.Tensor
    conditions: Conditions2
    info: dict = field(default_factory=dict)


@dataclass
class Contexts:
    img_cond: torch.Tensor      # UNet context: image prompt + ", " + a_prompt (77k tokens)
    img_uncond: torch.Tensor    # n_prompt
    text_cond: torch.Tensor     # WriteNet context: text prompt (77 tokens, truncated)
    text_uncond: torch.Tensor   # ""


def modify_prompt(prompt: str) -> tuple[str, list[str]]:
    """AnyText2's rewrite: each "quoted" text becomes '*' with NO spaces around it (v1 wrote ' * ');
    returns (prompt, texts)."""
    prompt = prompt.replace("“", '"').replace("”", '"')
    texts = QUOTED.findall(prompt)
    for s in texts:
        prompt = prompt.replace(f'"{s}"', PLACEHOLDER, 1)
    return prompt, texts


def masked_image(hint: np.ndarray, source: np.ndarray | None = None) -> torch.Tensor:
    """(1, 3, H, W): ((image / 127.5 - 1) - hint * 10).clip(-1, 1); the image is zeros in generate
    mode (so all -1), the source clipped to 1..255 in edit mode."""
    h, w = hint.shape
    img = np.zeros((h, w, 3), np.float32) if source is None else np.clip(source, 1, 255).astype(np.float32)
    arr = np.clip(img / 127.5 - 1.0 - hint[..., None].astype(np.float32) * 10, -1, 1)
    return torch.from_numpy(arr.transpose(2, 0, 1).copy())[None]


class AnyText2Pipeline:
    def __init__(self, model: AnyText2Model, tokenizer, glyph_font: str, glyph_font_index: int = 0,
                 scheduler=None):
        from diffusers import DDIMScheduler

        self.model = model
        self.prompt_encoder = PromptEncoder2(tokenizer, model.text_model)
        self.scheduler = scheduler or DDIMScheduler(**model.config.scheduler_config())
        self.glyph_font, self.glyph_font_index = glyph_font, glyph_font_index

    @property
    def device(self) -> torch.device:
        return next(self.model.unet.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.model.unet.parameters()).dtype

    # ---- pieces (each testable against the recorded stages) -------------------------------

    def line_embeddings(self, cond: Conditions2, glyph_lines: np.ndarray | None = None) -> torch.Tensor | None:
        """(N, D): ((text + position) + style) + colour per line, in cond's line order."""
        if not cond.lines:
            return None
        dev = self.device
        lines = glyph_lines if glyph_lines is not None else np.stack([ln.line for ln in cond.lines])
        gl = torch.as_tensor(np.asarray(lines), dtype=torch.float32)[:, None].to(dev)
        pos = torch.from_numpy(np.stack([ln.position for ln in cond.lines]))[:, None].to(dev)
        crops = [c.to(dev) for c in cond.style_crops()]
        colors = torch.tensor([ln.color for ln in cond.lines], dtype=torch.int64).to(dev)
        return self.model.text_embedder(gl, pos, crops, colors)

    def encode_prompts(self, img_prompt: str, text_prompt: str, line_embeds: torch.Tensor | None,
                       a_prompt: str = A_PROMPT, n_prompt: str = N_PROMPT) -> Contexts:
        """Both prompts already rewritten (`*` for each text)."""
        pe = self.prompt_encoder
        ic, _ = pe.encode(img_prompt + ", " + a_prompt, line_embeds)
        iu, _ = pe.encode(n_prompt, None)
        tc, _ = pe.encode_text(text_prompt, line_embeds)
        tu, _ = pe.encode_text("", None)
        return Contexts(*(c.to(self.dtype) for c in (ic, iu, tc, tu)))

    def encode_masked(self, masked_img: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """VAE posterior of the masked image; .sample() draws from `generator` (first draw)."""
        post = self.model.vae.encode(masked_img.to(self.device, self.dtype)).latent_dist
        noise = torch.randn(post.mean.shape, generator=generator, dtype=torch.float32).to(post.mean)
        return (post.mean + post.std * noise) * self.model.config.scale_factor

    def hint_inputs(self, cond: Conditions2, masked_x: torch.Tensor) -> AuxInputs:
        n = masked_x.shape[0]
        g = torch.from_numpy(cond.glyphs_bin)[None, None].expand(n, -1, -1, -1)
        p = torch.from_numpy(cond.positions_sum)[None, None].expand(n, -1, -1, -1)
        return AuxInputs(g.to(self.device, self.dtype), p.to(self.device, self.dtype), masked_x)

    def writenet(self, text_ctx: torch.Tensor, hint, strength: float = 1.0) -> list[torch.Tensor]:
        """The 13 WriteNet residuals (x strength), fast control: x = 0 and t = 0 whatever the step.
        `hint` is AuxInputs or a guided hint already computed."""
        n = hint.masked_x.shape[0] if isinstance(hint, AuxInputs) else hint.shape[0]
        c = self.model.config
        h, w = (hint.masked_x if isinstance(hint, AuxInputs) else hint).shape[-2:]
        zeros = torch.zeros(n, c.latent_channels, h, w, device=self.device, dtype=self.dtype)
        down, mid = self.model.writenet(zeros, 0, encoder_hidden_states=text_ctx.expand(n, -1, -1),
                                        controlnet_cond=hint, conditioning_scale=strength, return_dict=False)
        return list(down) + [mid]

    def controls(self, ctx: Contexts, hint, strength: float = 1.0) -> tuple[list, list]:
        """(cond, uncond) residuals: the WriteNet runs once per conditioning, cond first, then uncond
        (the reference's call order), and the result serves every step."""
        cond = self.writenet(ctx.text_cond, hint, strength)
        uncond = self.writenet(ctx.text_uncond, hint, strength)
        return cond, uncond

    def eps(self, x: torch.Tensor, t: int, img_ctx: torch.Tensor, control: list[torch.Tensor],
            attnx_scale: float = 1.0) -> torch.Tensor:
        set_attnx_scale(self.model.unet, attnx_scale)
        n = x.shape[0]
        ctl = [r.expand(n, -1, -1, -1) if r.shape[0] != n else r for r in control]
        return self.model.unet(x, t, encoder_hidden_states=img_ctx.expand(n, -1, -1),
                               down_block_additional_residuals=ctl[:-1],
                               mid_block_additional_residual=ctl[-1]).sample

    def predict_noise(self, x, t: int, ctx: Contexts, controls: tuple[list, list],
                      guidance_scale: float = CFG_SCALE, attnx_scale: float = 1.0) -> torch.Tensor:
        """eps_uncond + scale * (eps_cond - eps_uncond); both branches in one batch when the image
        contexts have the same length, else two calls (cond, then uncond)."""
        n = x.shape[0]
        cc, uc = controls
        if ctx.img_cond.shape == ctx.img_uncond.shape:
            both = [torch.cat([c.expand(n, -1, -1, -1), u.expand(n, -1, -1, -1)]) for c, u in zip(cc, uc)]
            ictx = torch.cat([ctx.img_cond.expand(n, -1, -1), ctx.img_uncond.expand(n, -1, -1)])
            e_c, e_u = self.eps(torch.cat([x, x]), t, ictx, both, attnx_scale).chunk(2)
        else:
            e_c = self.eps(x, t, ctx.img_cond, cc, attnx_scale)
            e_u = self.eps(x, t, ctx.img_uncond, uc, attnx_scale)
        return e_u + guidance_scale * (e_c - e_u)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return self.model.vae.decode(latents / self.model.config.scale_factor).sample

    # ---- the job ----------------------------------------------------------------------------

    @torch.no_grad()
    def __call__(self, img_prompt: str, text_prompt: str, polygons: Sequence[np.ndarray], *,
                 fonts: Sequence[str | None] | None = None, colors: Sequence[Sequence[int] | None] | None = None,
                 font_indices: Sequence[int] | None = None, mode: str = "generate",
                 source_image: Image.Image | np.ndarray | None = None, width: int = 512, height: int = 512,
                 vertical: Sequence[bool | None] | None = None, seeds: Sequence[int] = (0,),
                 num_inference_steps: int = 20, guidance_scale: float = CFG_SCALE, strength: float = 1.0,
                 attnx_scale: float = 1.0, a_prompt: str = A_PROMPT, n_prompt: str = N_PROMPT,
                 progress: Callable[[int, int, str], None] | None = None, cancel=None,
                 latents: torch.Tensor | None = None, masked_latents: torch.Tensor | None = None,
                 glyph_lines: np.ndarray | None = None, keep_unmasked: bool = False,
                 erase: Sequence[np.ndarray] = ()) -> AnyText2Output:
        """Generate (or edit) the quoted texts of `text_prompt` at `polygons` (int pixel points at the
        output size; the i-th quoted text goes to the i-th position in reading order, as the
        reference), line i drawn for the font OCR in `fonts[i]` (a font file; None = the glyph font)
        and coloured `colors[i]` (RGB; None = unset). One candidate per seed. `latents`,
        `masked_latents`, `glyph_lines` replace the drawn start noise, masked latent and glyph lines
        (tests feed recorded tensors through them). `erase` (edit mode): boxes masked but given no
        text, so the model fills them with the scene (our extension)."""
        t0 = time.perf_counter()
        # 1. check inputs
        img_p, _ = modify_prompt(img_prompt)
        text_p, texts = modify_prompt(text_prompt)
        if mode not in ("generate", "edit"):
            raise ValueError(f"mode must be 'generate' or 'edit', got {mode!r}")
        if len(texts) != len(polygons):
            raise ValueError(f"the text prompt quotes {len(texts)} texts but {len(polygons)} positions were given")
        for name, v in (("fonts", fonts), ("colors", colors), ("vertical", vertical)):
            if v is not None and len(v) != len(polygons):
                raise ValueError(f"{name} has {len(v)} entries for {len(polygons)} lines")
        if erase and mode != "edit":
            raise ValueError("erase boxes need edit mode")
        if not texts and not erase:
            raise ValueError('the text prompt must quote at least one text line, e.g. Texts are "天路"')
        texts = [t[:MAX_CHARS] for t in texts]
        src = None
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

        # 2. conditions, lines in reading order paired with the quoted texts in order
        from generator import glyphs
        order = glyphs.sort_polygons(polygons, width, height)

        def pick(v):
            return [v[i] for i in order] if v is not None else None
        cond = build_conditions2(texts, [polygons[i] for i in order], width, height, self.glyph_font,
                                 pick(fonts), pick(colors), self.glyph_font_index, pick(font_indices),
                                 pick(vertical), sort=False)
        for k, ln in enumerate(cond.lines):
            ln.index = order[k]

        # 3. line embeddings and both prompts, once per job
        line_emb = self.line_embeddings(cond, glyph_lines)
        ctx = self.encode_prompts(img_p, text_p, line_emb, a_prompt, n_prompt)

        # 4. masked latent (posterior sample) then start noise, per seed
        hole = cond.hint
        if erase:
            hole = np.clip(hole + glyphs.position_mask(erase, width, height), 0, 1)
        masked = masked_image(hole, src)
        lat_shape = (1, 4, height // 8, width // 8)
        mx, xt = [], []
        for seed in seeds:
            g = torch.Generator("cpu").manual_seed(int(seed))
            mx.append(self.encode_masked(masked, g))
            xt.append(torch.randn(lat_shape, generator=g, dtype=torch.float32))
        masked_x = torch.cat(mx) if masked_latents is None else masked_latents.to(self.device, self.dtype)
        x = (torch.cat(xt) if latents is None else latents).to(self.device, self.dtype)

        # 5. WriteNet once per conditioning (its hint once per job)
        hint = self.model.aux.encode(self.hint_inputs(cond, masked_x))[0]
        controls = self.controls(ctx, hint, strength)

        # 6. DDIM
        self.scheduler.set_timesteps(num_inference_steps, device=self.device)
        steps = self.scheduler.timesteps
        for i, t in enumerate(steps):
            if cancel is not None and cancel.is_set():
                raise CancelledError("generation was cancelled", "生成已取消")
            eps = self.predict_noise(x, int(t), ctx, controls, guidance_scale, attnx_scale)
            x = self.scheduler.step(eps, t, x, eta=0.0).prev_sample
            if progress is not None:
                progress(i + 1, len(steps), f"step {i + 1}/{len(steps)}")

        # 7. decode
        out = self.decode(x).float().cpu()
        arr = (out.permute(0, 2, 3, 1).numpy() * 127.5 + 127.5).clip(0, 255).astype(np.uint8)
        if keep_unmasked and mode == "edit":
            arr = np.stack([keep_outside(a, src, hole) for a in arr])
        return AnyText2Output(images=[Image.fromarray(a, "RGB") for a in arr], seeds=seeds,
                              latents=x.float().cpu(), conditions=cond,
                              info={"steps": num_inference_steps, "size": [width, height], "mode": mode,
                                    "img_prompt": img_p, "text_prompt": text_p, "texts": texts,
                                    "attnx_scale": attnx_scale, "erased": len(erase),
                                    "seconds": round(time.perf_counter() - t0, 3)})
