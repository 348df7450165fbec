"""AnyText figures: seconds per denoising step at 512x512 for the FULL-size v1 architecture
(random weights) on this machine, with and without the per-job caching; `--gpu`: seconds per
image at 20 steps in fp16 on CUDA.

"Without caching" is what the original does at every step: encode the text (OCR + CLIP, both
guidance branches) and run the auxiliary latent module inside every ControlNet call. "With" is
our pipeline: both computed once per job, reused by every step. Both branches run in one batch.
Run alone: `python -m bench.bench_anytext [--gpu] [--steps N]`.
"""
from __future__ import annotations

import statistics
import sys
import time

PROMPT = 'a round gold foil ornament of a sun, museum photo, with the words "天路" written on it'


def _full_pipeline(device: str, dtype):
    import torch

    from generator.anytext.config import AnyTextConfig
    from generator.anytext.model import AnyTextModel
    from generator.anytext.pipeline import AnyTextPipeline
    from generator.anytext.tokenizer import load_tokenizer
    from base.fonts import get_font

    cfg = AnyTextConfig.full()
    model = AnyTextModel.empty(cfg, "meta").to_empty(device=device)
    g = torch.Generator(device=device).manual_seed(0)
    with torch.no_grad():  # random weights: fast fill instead of the modules' own init
        for name, p in model.named_parameters():
            if p.ndim >= 2:
                p.normal_(0, 1 / max(1, p[0].numel()) ** 0.5, generator=g)
            elif name.endswith("weight"):
                p.fill_(1.0)
            else:
                p.zero_()
        for name, b in model.named_buffers():
            if name.endswith("running_var"):
                b.fill_(1.0)
            elif b.is_floating_point():
                b.zero_()
        emb = model.text_model.text_model.embeddings if hasattr(model.text_model, "text_model") \
            else model.text_model.embeddings
        emb.position_ids.copy_(torch.arange(cfg.clip_positions)[None])
    model = model.to(dtype).eval()
    font = get_font("hei")
    return AnyTextPipeline(model, load_tokenizer(), font.path, font.index)


def _step_times(pipe, steps: int, width=512, height=512):
    """(cached, uncached) per-step seconds, each the median over `steps` timed steps after a warm-up."""
    import numpy as np
    import torch

    from generator import glyphs
    from generator.anytext.modules import AuxInputs
    from generator.anytext.pipeline import modify_prompt

    dev, dt = pipe.device, pipe.dtype
    prompt, texts = modify_prompt(PROMPT)
    poly = glyphs.box_to_polygon((0.1, 0.1, 0.8, 0.2), width, height)
    cond = glyphs.build_conditions(texts, [poly], width, height, pipe.font_path, pipe.font_index)
    lines = np.stack([ln.line for ln in cond.lines])
    x = torch.randn(1, 4, height // 8, width // 8, generator=torch.Generator().manual_seed(0)).to(dev, dt)
    pipe.scheduler.set_timesteps(20)
    ts = [int(t) for t in pipe.scheduler.timesteps]
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    with torch.no_grad():
        masked_x = torch.zeros_like(x)
        c, u, _ = pipe.encode_prompts(prompt, lines)
        hint = pipe.guided_hint(cond, masked_x)

        def cached(t):
            eps = pipe.predict_noise(x, t, c, u, hint)
            pipe.scheduler.step(eps, t, x)

        def uncached(t):
            c2, u2, _ = pipe.encode_prompts(prompt, lines)
            g = torch.from_numpy(cond.glyphs_sum)[None, None].to(dev, dt)
            p = torch.from_numpy(cond.positions_sum)[None, None].to(dev, dt)
            eps = pipe.predict_noise(x, t, c2, u2, AuxInputs(g, p, masked_x))
            pipe.scheduler.step(eps, t, x)

        out = []
        cached(ts[0])  # one warm-up serves both (allocations, kernels)
        for fn in (cached, uncached):
            times, cpu = [], []
            for k in range(steps):
                sync()
                t0, c0 = time.perf_counter(), time.process_time()
                fn(ts[k % len(ts)])
                sync()
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            out.append((statistics.median(times), statistics.median(cpu)))
    return out


def run(report, gpu: bool = False, steps: int = 3) -> None:
    import torch

    if gpu:
        if not torch.cuda.is_available():
            report("anytext 512x512 20 steps fp16 (CUDA absent: not measured)", float("nan"), "s/image")
            return
        from generator.glyphs import box_to_polygon

        pipe = _full_pipeline("cuda", torch.float16)
        poly = box_to_polygon((0.1, 0.1, 0.8, 0.2), 512, 512)
        run_once = lambda: pipe(PROMPT, [poly], width=512, height=512, seeds=[0])  # noqa: E731
        run_once()
        times = []
        for _ in range(3):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            run_once()
            torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
        report("anytext 512x512 20 steps fp16 CUDA (full size, random weights)", statistics.median(times),
               "s/image", target="~3x faster than fp32")
        return
    t0 = time.perf_counter()
    pipe = _full_pipeline("cpu", torch.float32)
    report("anytext full-size model build (random weights, fp32)", time.perf_counter() - t0, "s")
    (cached, cached_cpu), (uncached, uncached_cpu) = _step_times(pipe, steps)
    # wall time depends on what else runs on the machine; CPU seconds (all threads) do not
    report(f"anytext step 512x512 fp32 CPU, per-job caching (full size, CFG batch 2, median of {steps})",
           cached, "s/step")
    report("anytext step 512x512 fp32 CPU, no caching (text + aux every step)", uncached, "s/step")
    report("anytext step CPU time, caching / no caching", cached_cpu, f"cpu-s/step vs {uncached_cpu:.1f}")
    report("anytext caching saves", uncached - cached, "s/step")


if __name__ == "__main__":
    def _report(name, value, unit, target=None):
        print(f"{name}: {value:.3f} {unit}" + (f" (target {target})" if target else ""))

    n = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 3
    run(_report, gpu="--gpu" in sys.argv, steps=n)
