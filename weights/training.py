"""`python -m weights train-motif`: teach the installed AnyText model a museum's own motif.

1. check the photos (weights/photos.py) before anything loads; bad input trains nothing
2. load the installed weights (the SD 1.5 UNet and CLIP text encoder inside AnyText)
3. pick the motif's rare token; square crops -> VAE latents (posterior mean and std, cached)
4. optional prior-preservation images of the class ("a photo of bronze"), drawn by the base model
5. train: a peft LoRA on the UNet's attention (optionally the text encoder), or a
   textual-inversion vector for the token; noise-prediction loss on DDPM timesteps, AdamW;
   fp16/bf16 autocast with fp32 adapter weights on CUDA, fp32 on the CPU
6. progress (step, loss, time left); a checkpoint every N steps that a rerun resumes from
7. write adapters/<id>.safetensors, a few sample images, and the adapters.json record

Samples and prior images are drawn with the UNet alone (no ControlNet, no text lines): they show
what the adapter learned about the object. The kiosk's jobs run the full AnyText pipeline.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from generator.anytext import adapters as ad
from generator.anytext.convert import load_official
from generator.anytext.tokenizer import load_tokenizer
from weights.adapters import ADAPTERS_DIR, AdapterRecord, record_adapter
from weights.convert import save_safetensors
from weights.errors import WeightsError
from weights.photos import Photo, caption, check_photos, square_crops
from weights.store import read_state_dict, resolve, sha256_file

CHECKPOINT = "checkpoint.pt"
EVAL_TIMESTEPS = (100, 500, 900)


@dataclass(frozen=True)
class TrainOptions:
    id: str
    name_zh: str
    name_en: str
    photos: str
    method: str = "lora"            # lora | ti
    steps: int = 800
    rank: int = 8
    lr: float | None = None         # default: 1e-4 for LoRA, 5e-3 for textual inversion
    resolution: int = 512
    batch_size: int = 1
    text_encoder: bool = False      # LoRA on the text encoder too
    noun: str = "bronze"
    prior: int = 0                  # prior-preservation images of the class (0 = none)
    prior_weight: float = 1.0
    seed: int = 0
    checkpoint_every: int = 100
    samples: int = 4
    sample_steps: int = 25
    mixed_precision: str = "auto"   # auto (fp16 on CUDA, fp32 on CPU) | fp16 | bf16 | no
    device: str | None = None
    restart: bool = False           # ignore an existing checkpoint

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (1e-4 if self.method == "lora" else 5e-3)

    def fingerprint(self, photos: list[Photo], base_sha: str | None) -> str:
        """What a checkpoint must match to be resumed (not the step count: a longer run resumes)."""
        keep = {k: v for k, v in asdict(self).items()
                if k not in ("steps", "checkpoint_every", "samples", "sample_steps", "restart",
                             "name_zh", "name_en", "device")}
        keep.update(photos=[p.sha256 for p in photos], base=base_sha)
        return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()[:16]


def check_options(o: TrainOptions) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", o.id):
        raise WeightsError("--id: use 2-40 lower-case letters, digits or _ (a motif id)",
                           "--id 只能用 2-40 个小写字母、数字或下划线", field="id")
    if o.method not in ("lora", "ti"):
        raise WeightsError("--method must be lora or ti", "--method 须为 lora 或 ti", field="method")
    if o.resolution % 64 or not 64 <= o.resolution <= 1024:
        raise WeightsError("--resolution must be a multiple of 64 from 64 to 1024",
                           "--resolution 须为 64 的倍数（64-1024）", field="resolution")
    if o.steps < 1 or o.rank < 1 or o.batch_size < 1 or o.learning_rate <= 0:
        raise WeightsError("--steps, --rank, --batch-size and --lr must be positive",
                           "--steps、--rank、--batch-size、--lr 须为正数")
    if o.mixed_precision not in ("auto", "fp16", "bf16", "no"):
        raise WeightsError("--mixed-precision must be auto, fp16, bf16 or no",
                           "--mixed-precision 须为 auto、fp16、bf16 或 no")


def pick_token(tokenizer, motif_id: str, vocab_size: int) -> tuple[str, int]:
    """A rare word that the tokenizer keeps as ONE token, chosen from the motif id: a late BPE
    merge (rare in CLIP's training text) of 3-5 letters, different for each motif."""
    vocab = tokenizer.get_vocab()
    lo, hi = int(vocab_size * 0.8), min(vocab_size, 49406)   # (a reduced test vocabulary: its top)
    pool = sorted(i for w, i in vocab.items()
                  if lo <= i < hi and re.fullmatch(r"[a-z]{3,5}</w>" if hi > 10_000 else r"[a-z]{2,5}</w>", w))
    if not pool:
        raise WeightsError("no rare word left in the tokenizer for the motif token",
                           "分词器中没有可用的罕见词")
    h = int(hashlib.sha256(motif_id.encode()).hexdigest(), 16)
    for k in range(len(pool)):
        tid = pool[(h + k) % len(pool)]
        word = tokenizer.convert_ids_to_tokens(tid).removesuffix("</w>")
        if tokenizer(word).input_ids[1:-1] == [tid]:
            return word, tid
    raise WeightsError("no single-token rare word found", "找不到单个词元的罕见词")


def encode_text(model, tokenizer, texts: list[str]) -> torch.Tensor:
    ids = tokenizer(texts, padding="max_length", max_length=77, truncation=True,
                    return_tensors="pt").input_ids
    return model.text_model(input_ids=ids.to(model.text_model.device)).last_hidden_state


@torch.no_grad()
def draw(model, tokenizer, prompt: str, n: int, size: int, steps: int, seed: int,
         guidance: float = 7.5, negative: str = "") -> list:
    """n images of `prompt` with the UNet alone (DDIM, classifier-free guidance)."""
    import numpy as np
    from diffusers import DDIMScheduler
    from PIL import Image

    cfg = model.config
    sched = DDIMScheduler(**cfg.scheduler_config())
    sched.set_timesteps(steps)
    dev, dt = next(model.unet.parameters()).device, next(model.unet.parameters()).dtype
    ctx = torch.cat([encode_text(model, tokenizer, [negative]), encode_text(model, tokenizer, [prompt])]).to(dt)
    out = []
    for i in range(n):
        g = torch.Generator("cpu").manual_seed(seed + i)
        f = 2 ** (len(cfg.vae_ch_mult) - 1)   # the VAE's downsampling (8 for SD 1.5)
        x = torch.randn((1, cfg.latent_channels, size // f, size // f), generator=g).to(dev, dt)
        for t in sched.timesteps:
            e_u, e_c = model.unet(torch.cat([x, x]), t, encoder_hidden_states=ctx).sample.chunk(2)
            x = sched.step(e_u + guidance * (e_c - e_u), t, x).prev_sample
        img = model.vae.decode(x / cfg.scale_factor).sample.float().cpu()[0]
        arr = (img.permute(1, 2, 0).numpy() * 127.5 + 127.5).clip(0, 255).astype(np.uint8)
        out.append(Image.fromarray(arr, "RGB"))
    return out


@torch.no_grad()
def encode_images(model, images: list, batch: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    """VAE posterior (mean, std) of each image, scaled; sampled anew at every training step."""
    import numpy as np

    dev, dt = next(model.vae.parameters()).device, next(model.vae.parameters()).dtype
    means, stds = [], []
    for i in range(0, len(images), batch):
        arr = np.stack([np.asarray(im, dtype=np.float32) / 127.5 - 1 for im in images[i:i + batch]])
        x = torch.from_numpy(arr).permute(0, 3, 1, 2).to(dev, dt)
        post = model.vae.encode(x).latent_dist
        means.append(post.mean.float().cpu())
        stds.append(post.std.float().cpu())
    s = model.config.scale_factor
    return torch.cat(means) * s, torch.cat(stds) * s


class Trainer:
    """One training run; `run()` does steps 2-7 of the module docstring."""

    def __init__(self, opts: TrainOptions, dir: str | Path | None = None,
                 log: Callable[[str], None] | None = None, state_dict: dict | None = None):
        check_options(opts)
        self.o = opts
        self.log = log or (lambda s: print(s, file=sys.stderr, flush=True))
        self.photos = check_photos(opts.photos)          # 1. before anything heavy
        self.base = resolve(dir)
        if self.base is None:
            raise WeightsError("no verified AnyText weights to train on (see `python -m weights "
                               "status`)", "没有可用于训练的 AnyText 权重")
        self.folder = self.base.checkpoint.parent
        self.base_sha = self.base.record.sha256
        self.work = self.folder / "training" / opts.id
        self._sd = state_dict
        self.losses: list[float] = []
        self.eval_losses: dict[str, float] = {}

    # ---- setup ---------------------------------------------------------------------------------
    def _device(self) -> tuple[str, torch.dtype, torch.dtype | None]:
        """(device, dtype of the frozen weights, autocast dtype or None)."""
        dev = self.o.device or ("cuda" if torch.cuda.is_available() else "cpu")
        mp = self.o.mixed_precision
        if not dev.startswith("cuda") or mp == "no":
            return dev, torch.float32, None
        amp = torch.bfloat16 if mp == "bf16" else torch.float16
        return dev, amp, amp

    def setup(self) -> None:
        o = self.o
        self.device, wdtype, self.amp = self._device()
        sd = self._sd if self._sd is not None else read_state_dict(self.base.checkpoint)
        self.model = load_official(sd, device=self.device, dtype=wdtype)
        del sd
        self._sd = None
        self.model.requires_grad_(False)
        self.tokenizer = load_tokenizer(str(self.base.tokenizer) if self.base.tokenizer else None)
        vocab = self.model.text_model.get_input_embeddings().weight.shape[0]
        self.token, self.token_id = pick_token(self.tokenizer, o.id, vocab)
        self.caption = caption(self.token, o.noun)
        self.class_caption = f"a photo of {o.noun}"
        # 3. crops -> latents (a flipped copy of each crop doubles the set)
        crops = [c for p in self.photos for c in square_crops(p, o.resolution)]
        from PIL import ImageOps
        self.crops = crops
        crops = crops + [ImageOps.mirror(c) for c in crops]
        self.mean, self.std = encode_images(self.model, crops)
        # 4. prior preservation
        self.prior_mean = None
        if o.prior:
            self.log(f"drawing {o.prior} prior-preservation images of '{self.class_caption}' ...")
            imgs = draw(self.model, self.tokenizer, self.class_caption, o.prior, o.resolution,
                        o.sample_steps, seed=10_000 + o.seed)
            self.prior_mean, self.prior_std = encode_images(self.model, imgs)
        # 5. what trains
        if o.method == "lora":
            ad.add_lora(self.model, o.id, o.rank, o.rank, o.text_encoder)
            from diffusers.training_utils import cast_training_params

            self.params = ad.lora_parameters(self.model, o.id)
            for p in self.params:
                p.requires_grad_(True)
            # fp32 adapter weights under fp16/bf16 autocast (the frozen model stays in half)
            cast_training_params([self.model.unet, self.model.text_model], dtype=torch.float32)
        else:
            emb = self.model.text_model.get_input_embeddings()
            # start from the class word, as textual inversion does
            init_id = self.tokenizer(o.noun).input_ids[1]
            self.vector = torch.nn.Parameter(emb.weight[init_id].detach().float().clone()[None])
            self.params = [self.vector]
            emb.register_forward_hook(self._ti_hook)
        from diffusers import DDPMScheduler

        c = self.model.config
        self.noise = DDPMScheduler(num_train_timesteps=c.num_train_timesteps, beta_start=c.beta_start,
                                   beta_end=c.beta_end, beta_schedule="scaled_linear")
        self.opt = torch.optim.AdamW(self.params, lr=o.learning_rate, weight_decay=1e-2 if o.method == "lora" else 0)
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp is torch.float16)
        self.fixed_ctx = None
        if o.method == "lora" and not o.text_encoder:
            with torch.no_grad():
                self.fixed_ctx = {t: encode_text(self.model, self.tokenizer, [t])
                                  for t in (self.caption, self.class_caption)}

    def _ti_hook(self, module, args, output):
        ids = args[0]
        mask = (ids == self.token_id)[..., None]
        if not mask.any():
            return output
        return torch.where(mask, self.vector.to(output.dtype).expand_as(output), output)

    # ---- one step ------------------------------------------------------------------------------
    def _ctx(self, text: str, n: int) -> torch.Tensor:
        ctx = self.fixed_ctx[text] if self.fixed_ctx else encode_text(self.model, self.tokenizer, [text])
        return ctx.expand(n, -1, -1)

    def _loss(self, mean, std, text, g, timesteps=None) -> torch.Tensor:
        n = mean.shape[0]
        lat = mean + std * torch.randn(mean.shape, generator=g)
        noise = torch.randn(lat.shape, generator=g)
        t = (torch.randint(0, self.noise.config.num_train_timesteps, (n,), generator=g)
             if timesteps is None else timesteps)
        noisy = self.noise.add_noise(lat, noise, t)
        dt = next(self.model.unet.parameters()).dtype
        with torch.autocast(self.device.split(":")[0], dtype=self.amp or torch.float32,
                            enabled=self.amp is not None):
            pred = self.model.unet(noisy.to(self.device, dt), t.to(self.device),
                                   encoder_hidden_states=self._ctx(text, n).to(dt)).sample
        return F.mse_loss(pred.float(), noise.to(self.device))

    def step(self, step: int) -> float:
        g = torch.Generator().manual_seed(self.o.seed * 1_000_003 + step)   # resumable: per step
        idx = torch.randint(0, self.mean.shape[0], (self.o.batch_size,), generator=g)
        loss = self._loss(self.mean[idx], self.std[idx], self.caption, g)
        if self.prior_mean is not None:
            j = torch.randint(0, self.prior_mean.shape[0], (self.o.batch_size,), generator=g)
            loss = loss + self.o.prior_weight * self._loss(self.prior_mean[j], self.prior_std[j],
                                                           self.class_caption, g)
        self.opt.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.opt)
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.scaler.step(self.opt)
        self.scaler.update()
        return float(loss.detach())

    @torch.no_grad()
    def eval_loss(self) -> float:
        """The loss on every crop at fixed timesteps and noise: comparable before and after."""
        g = torch.Generator().manual_seed(12345)
        total = 0.0
        for t in EVAL_TIMESTEPS:
            n = self.mean.shape[0]
            total += float(self._loss(self.mean, self.std, self.caption, g,
                                      torch.full((n,), t, dtype=torch.long)))
        return total / len(EVAL_TIMESTEPS)

    # ---- checkpoints ---------------------------------------------------------------------------
    def save_checkpoint(self, step: int) -> Path:
        self.work.mkdir(parents=True, exist_ok=True)
        path = self.work / CHECKPOINT
        tmp = path.with_name(f".{CHECKPOINT}.partial")
        torch.save({"fingerprint": self.fingerprint, "step": step,
                    "params": [p.detach().cpu() for p in self.params],
                    "optimizer": self.opt.state_dict(), "scaler": self.scaler.state_dict(),
                    "losses": self.losses, "eval_start": self.eval_losses.get("start")}, tmp)
        os.replace(tmp, path)
        return path

    def load_checkpoint(self) -> int:
        path = self.work / CHECKPOINT
        if self.o.restart or not path.exists():
            return 0
        try:
            ck = torch.load(path, map_location="cpu", weights_only=True)
        except (RuntimeError, pickle.UnpicklingError, EOFError, OSError, ValueError) as e:
            # a damaged checkpoint (a power cut while writing) is a reason to start over
            self.log(f"checkpoint {path} unreadable ({type(e).__name__}); starting over")
            return 0
        if ck.get("fingerprint") != self.fingerprint:
            self.log(f"checkpoint {path} is from other photos or settings; starting over")
            return 0
        with torch.no_grad():
            for p, v in zip(self.params, ck["params"]):
                p.copy_(v.to(p.device, p.dtype))
        self.opt.load_state_dict(ck["optimizer"])
        self.scaler.load_state_dict(ck["scaler"])
        self.losses = list(ck["losses"])
        if ck.get("eval_start") is not None:
            self.eval_losses["start"] = ck["eval_start"]
        self.log(f"resuming from step {ck['step']} ({path})")
        return int(ck["step"])

    # ---- the run -------------------------------------------------------------------------------
    def run(self, stop_after: int | None = None) -> AdapterRecord | None:
        """Train to `steps` (resuming a matching checkpoint) and write the adapter. `stop_after`
        ends the run early after that many steps in this call, as an interruption would (tests)."""
        o = self.o
        self.fingerprint = o.fingerprint(self.photos, self.base_sha)
        self.log(f"{len(self.photos)} photos checked; loading {self.base.checkpoint.name} ...")
        self.setup()
        start = self.load_checkpoint()
        if "start" not in self.eval_losses:
            self.eval_losses["start"] = self.eval_loss()
        self.log(f"training {o.method} for motif '{o.id}' (token '{self.token}') on {self.device}"
                 f"{' with ' + str(self.amp).replace('torch.', '') + ' autocast' if self.amp else ''}: "
                 f"{len(self.crops)} crops, {o.steps} steps, lr {o.learning_rate:g}")
        t0, done = time.perf_counter(), 0
        every = max(1, min(25, o.steps // 20))
        for step in range(start, o.steps):
            self.losses.append(self.step(step))
            done += 1
            if (step + 1) % every == 0 or step + 1 == o.steps:
                rate = done / (time.perf_counter() - t0)
                recent = self.losses[-every:]
                self.log(f"step {step + 1}/{o.steps}  loss {sum(recent) / len(recent):.4f}  "
                         f"{rate:.2f} steps/s  about {_hms((o.steps - step - 1) / rate)} left")
            if (step + 1) % o.checkpoint_every == 0 and step + 1 < o.steps:
                self.save_checkpoint(step + 1)
            if stop_after is not None and done >= stop_after and step + 1 < o.steps:
                self.save_checkpoint(step + 1)
                return None
        self.eval_losses["end"] = self.eval_loss()
        self.steps_per_second = done / max(time.perf_counter() - t0, 1e-9)
        self.log(f"loss on the photos at fixed noise: {self.eval_losses['start']:.4f} before, "
                 f"{self.eval_losses['end']:.4f} after")
        rec = self.write()
        shutil.rmtree(self.work, ignore_errors=True)
        return rec

    def adapter_tensors(self) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
        o = self.o
        meta = {"format": "pt", "kind": "kiosk-motif-adapter", "id": o.id, "method": o.method,
                "token": self.token, "token_ids": json.dumps([self.token_id]),
                "base_file": self.base.checkpoint.name, "base_sha256": self.base_sha or "",
                "steps": str(o.steps), "photos": str(len(self.photos))}
        if o.method == "lora":
            meta.update(rank=str(o.rank), alpha=str(o.rank), text_encoder="1" if o.text_encoder else "0")
            return ad.lora_state_dict(self.model, o.id, o.text_encoder), meta
        return {"token_embedding": self.vector.detach().float().cpu().contiguous()}, meta

    def write(self) -> AdapterRecord:
        o = self.o
        out_dir = self.folder / ADAPTERS_DIR
        sample_dir = out_dir / o.id
        sample_dir.mkdir(parents=True, exist_ok=True)
        tensors, meta = self.adapter_tensors()
        path = out_dir / f"{o.id}.safetensors"
        save_safetensors(tensors, path, meta)
        # samples with the trained adapter (what staff judge before enabling the motif)
        for p in self.params:
            p.requires_grad_(False)
        samples = []
        if o.samples:
            imgs = draw(self.model, self.tokenizer, f"{self.caption}, museum photo", o.samples,
                        o.resolution, o.sample_steps, seed=o.seed)
            for i, im in enumerate(imgs):
                sp = sample_dir / f"sample_{i}.png"
                im.save(sp)
                samples.append(str(sp.relative_to(self.folder)))
        photo = sample_dir / "photo.jpg"
        self.crops[0].save(photo, quality=90)
        rec = AdapterRecord(id=o.id, name_zh=o.name_zh, name_en=o.name_en,
                            file=str(path.relative_to(self.folder)), sha256=sha256_file(path),
                            base_file=self.base.checkpoint.name, base_sha256=self.base_sha,
                            method=o.method, token=self.token, noun=o.noun, steps=o.steps,
                            rank=o.rank if o.method == "lora" else None, photos=len(self.photos),
                            text_encoder=o.text_encoder and o.method == "lora", samples=samples,
                            photo=str(photo.relative_to(self.folder)))
        rec = record_adapter(rec, self.folder)
        self.log(f"wrote {path} and {len(samples)} samples in {sample_dir}; look at them, then "
                 "enable the motif on the staff page")
        return rec


def _hms(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
