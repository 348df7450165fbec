"""Motif training figures (`python -m weights train-motif`): LoRA training steps per second and
peak memory. CPU: the make-tiny model at 64 px, fp32. `--gpu`: the installed FULL-size weights
(KIOSK_WEIGHTS) at 512 px in fp16 autocast, rank 8, when CUDA is present; otherwise it says it
was not measured. Nothing is written to the weights folder (the loop runs without `write()`).
"""
from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

STEPS_CPU, STEPS_GPU = 10, 30


def _photos(folder: Path) -> Path:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(5):
        im = Image.new("RGB", (512, 640), (40 + 8 * i, 36, 30))
        ImageDraw.Draw(im).ellipse((100 + 12 * i, 200, 412, 520), fill=(150, 110, 50))
        im.save(folder / f"p{i}.png")
    return folder


def _measure(wdir: Path, photos: Path, resolution: int, steps: int, device: str | None = None):
    from weights.training import Trainer, TrainOptions

    tr = Trainer(TrainOptions(id="bench_motif", name_zh="测试", name_en="bench", photos=str(photos),
                              steps=steps, resolution=resolution, samples=0, device=device,
                              restart=True), wdir, log=lambda s: None)
    tr.fingerprint = "bench"
    tr.setup()
    tr.step(0)                      # warm-up (allocator, autotuning)
    t0 = time.perf_counter()
    for s in range(1, steps + 1):
        tr.step(s)
    return steps / (time.perf_counter() - t0), tr


def run(report, gpu: bool = False) -> None:
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photos = _photos(tmp / "photos")
        if not gpu:
            from weights.cli import main

            wdir = tmp / "weights"
            main(["make-tiny", str(wdir)])
            rate, _ = _measure(wdir, photos, 64, STEPS_CPU, "cpu")
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            report("train-motif LoRA steps/s, tiny model 64 px, CPU fp32", rate, "steps/s")
            report("train-motif peak RSS of the process (tiny model, CPU)", peak / 1024, "MiB")
            return
        if not torch.cuda.is_available():
            print("train-motif at full size on CUDA: not measured (no CUDA on this machine)")
            return
        from weights.store import resolve

        res = resolve()
        if res is None or res.record.size_class != "full":
            print("train-motif at full size: not measured (no full-size weights in KIOSK_WEIGHTS)")
            return
        torch.cuda.reset_peak_memory_stats()
        rate, _ = _measure(res.checkpoint.parent, photos, 512, STEPS_GPU, "cuda")
        report("train-motif LoRA rank 8 steps/s, full size 512 px, CUDA fp16", rate, "steps/s")
        report("train-motif peak GPU memory (full size, fp16)",
               torch.cuda.max_memory_allocated() / 2**30, "GiB")
        report("train-motif 800 steps (the default) take about", 800 / rate / 60, "min")
