"""AnyText figures: seconds per denoising step at 512x512 for the FULL-size v1 architecture
(random weights) on this machine, with and without the per-job caching, and the same for the
full-size AnyText2 next to it (its WriteNet runs once per job, so a step is the UNet with AttnX);
peak memory (RSS) of each; `--gpu`: seconds per image at 20 steps in fp16 on CUDA, both versions.

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


def _full_pipeline(device: str, dtype, version: int = 1):
    """The full-size AnyText (version 1) or AnyText2 pipeline with random weights."""
    from base.fonts import get_font
    from generator.anytext.tokenizer import load_tokenizer

    if version == 2:
        from generator.anytext2.config import AnyText2Config as Config
        from generator.anytext2.model import AnyText2Model as Model
        from generator.anytext2.pipeline import AnyText2Pipeline as Pipeline
    else:
        from generator.anytext.config import AnyTextConfig as Config
        from generator.anytext.model import AnyTextModel as Model
        from generator.anytext.pipeline import AnyTextPipeline as Pipeline

    cfg = Config.full()
    model = _random_fill(Model.empty(cfg, "meta").to_empty(device=device), cfg, device)
    model = model.to(dtype).eval()
    font = get_font("hei")
    return Pipeline(model, load_tokenizer(), font.path, font.index)


def _random_fill(model, cfg, device):
    import torch

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
    return model


def _reset_peak() -> None:
    """Linux: restart the peak-RSS count (VmHWM) of this process."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_gib() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _step_times2(pipe, steps: int, width=512, height=512):
    """AnyText2: (per-step seconds, per-step CPU seconds) medians over `steps` timed steps after a
    warm-up, and the seconds of the once-per-job part (line embeddings, prompts, WriteNet)."""
    import torch

    from generator import glyphs
    from generator.anytext2.pipeline import masked_image, modify_prompt
    from generator.anytext2.render import build_conditions2

    dev, dt = pipe.device, pipe.dtype
    img_p, _ = modify_prompt(PROMPT)
    text_p, texts = modify_prompt('Texts are "天路" . ')
    poly = glyphs.box_to_polygon((0.1, 0.1, 0.8, 0.2), width, height)
    cond = build_conditions2(texts, [poly], width, height, pipe.glyph_font, None, [(200, 160, 40)],
                             pipe.glyph_font_index)
    x = torch.randn(1, 4, height // 8, width // 8, generator=torch.Generator().manual_seed(0)).to(dev, dt)
    pipe.scheduler.set_timesteps(20)
    ts = [int(t) for t in pipe.scheduler.timesteps]
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    with torch.no_grad():
        t0 = time.perf_counter()
        ctx = pipe.encode_prompts(img_p, text_p, pipe.line_embeddings(cond))
        masked_x = pipe.encode_masked(masked_image(cond.hint), torch.Generator().manual_seed(0))
        hint = pipe.model.aux.encode(pipe.hint_inputs(cond, masked_x))[0]
        controls = pipe.controls(ctx, hint)
        sync()
        per_job = time.perf_counter() - t0

        def step(t):
            eps = pipe.predict_noise(x, t, ctx, controls)
            pipe.scheduler.step(eps, t, x)

        step(ts[0])
        times, cpu = [], []
        for k in range(steps):
            sync()
            t0, c0 = time.perf_counter(), time.process_time()
            step(ts[k % len(ts)])
            sync()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpu), per_job


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
            report("anytext2 512x512 20 steps fp16 (CUDA absent: not measured)", float("nan"), "s/image")
            return
        from generator.glyphs import box_to_polygon

        poly = box_to_polygon((0.1, 0.1, 0.8, 0.2), 512, 512)
        jobs = (("anytext", 1, lambda p: p(PROMPT, [poly], width=512, height=512, seeds=[0])),
                ("anytext2", 2,
                 lambda p: p(PROMPT, 'Texts are "天路" . ', [poly], width=512, height=512, seeds=[0],
                             colors=[(200, 160, 40)])))
        for name, version, call in jobs:
            _gpu_image(report, name, _full_pipeline("cuda", torch.float16, version), call)
            torch.cuda.empty_cache()
        return
    _reset_peak()
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
    report("anytext peak memory (RSS, build + steps)", _peak_gib(), "GiB")
    del pipe
    import gc

    gc.collect()
    _reset_peak()
    t0 = time.perf_counter()
    pipe2 = _full_pipeline("cpu", torch.float32, version=2)
    report("anytext2 full-size model build (random weights, fp32)", time.perf_counter() - t0, "s")
    step2, step2_cpu, per_job2 = _step_times2(pipe2, steps)
    report(f"anytext2 step 512x512 fp32 CPU (full size, CFG batch 2, WriteNet once per job, median "
           f"of {steps})", step2, "s/step")
    report("anytext2 step CPU time", step2_cpu, "cpu-s/step")
    report("anytext2 once per job (line embeddings, prompts, WriteNet x2)", per_job2, "s")
    report("anytext2 peak memory (RSS, build + steps)", _peak_gib(), "GiB")


def _gpu_image(report, name: str, pipe, call) -> None:
    """Median of 3 images (20 steps, the pipeline's default) after a warm-up image."""
    import torch

    def run_once():
        call(pipe)

    run_once()
    times = []
    for _ in range(3):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        run_once()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    report(f"{name} 512x512 20 steps fp16 CUDA (full size, random weights)", statistics.median(times),
           "s/image", target="~3x faster than fp32")


if __name__ == "__main__":
    def _report(name, value, unit, target=None):
        print(f"{name}: {value:.3f} {unit}" + (f" (target {target})" if target else ""))

    n = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 3
    run(_report, gpu="--gpu" in sys.argv, steps=n)
