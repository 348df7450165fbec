"""Weights figures: status() cost at kiosk start-up, import throughput (copy + sha256), and
load time of the official-layout .ckpt vs the converted fp16 .safetensors (make-tiny size)."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench import median_time


def run(report, gpu: bool = False) -> None:
    if gpu:
        return
    import torch

    from generator.anytext.convert import load_official, make_tiny_state_dict
    from weights import read_state_dict, status
    from weights.convert import convert
    from weights.importing import import_file

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        usb, folder = tmp / "usb", tmp / "weights"
        usb.mkdir()
        sd = make_tiny_state_dict(0)
        src = usb / "anytext_tiny.ckpt"
        torch.save({"state_dict": sd}, src)
        size = src.stat().st_size
        t0 = time.perf_counter()
        import_file(src, folder)
        dt = time.perf_counter() - t0
        report("weights import (copy+sha256+verify) MB/s, tiny ckpt", size / dt / 1e6, "MB/s")
        report("weights status() at start-up", median_time(lambda: status(folder), 20) * 1e3,
               "ms", target="< 50 ms")
        ckpt = folder / src.name
        conv = Path(convert(folder, src=ckpt)["file"])
        conv = folder / conv
        report("weights read_state_dict .ckpt (96 MB fp32)",
               median_time(lambda: read_state_dict(ckpt), 5), "s")
        report("weights read_state_dict .fp16.safetensors (48 MB)",
               median_time(lambda: read_state_dict(conv), 5), "s")
        report("weights ckpt -> model (load_official)",
               median_time(lambda: load_official(read_state_dict(ckpt)), 5), "s")
        report("weights safetensors -> model (load_official)",
               median_time(lambda: load_official(read_state_dict(conv)), 5), "s")
