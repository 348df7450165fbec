"""Backend registry: one entry point, `generate(design, ...)`, whatever draws the art.

Every backend takes a Design and returns a GeneratedArt with OCR checks, so the worker, the
kiosk and the products need no special case. The AnyText backend is imported only when asked
for, so the light path (procedural, kiosk start-up) never imports torch.
"""
from __future__ import annotations

import importlib
from typing import Protocol

from generator.design import Design
from base.errors import BackendError
from generator.result import CancelToken, GeneratedArt, ProgressFn

DEFAULT_SIZE = (512, 512)
MIN_SIDE, MAX_SIDE = 256, 4096

# name -> "module:factory"; the factory returns a Backend
_BACKENDS = {
    "procedural": "generator.procedural:ProceduralBackend",
    "anytext": "generator.anytext.backend:AnyTextBackend",
    "anytext2": "generator.anytext2.backend:AnyText2Backend",
}


class Backend(Protocol):
    name: str

    def generate(self, design: Design, *, size: tuple[int, int] = DEFAULT_SIZE, n: int = 1,
                 seeds: list[int] | None = None, progress: ProgressFn | None = None,
                 cancel: CancelToken | None = None, check: bool = True) -> GeneratedArt: ...


def get_backend(name: str) -> Backend:
    target = _BACKENDS.get(name)
    if target is None:
        raise BackendError(f"unknown backend '{name}'; allowed: {', '.join(_BACKENDS)}",
                           f"未知生成方式“{name}”；可选：{'、'.join(_BACKENDS)}", field="backend")
    module, factory = target.split(":")
    return getattr(importlib.import_module(module), factory)()


def parse_size(text: str) -> tuple[int, int]:
    """'WxH' -> (W, H); both multiples of 64 within [256, 4096]."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise BackendError(f"size must look like 512x512 (got '{text}')",
                           f"尺寸格式应为 512x512（现为“{text}”）", field="size") from None
    check_size((w, h))
    return w, h


def check_size(size: tuple[int, int]) -> None:
    w, h = size
    if w % 64 or h % 64 or not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
        raise BackendError(
            f"size {w}x{h}: width and height must be multiples of 64 between {MIN_SIDE} and {MAX_SIDE}",
            f"尺寸 {w}x{h}：宽和高须为 64 的倍数，且在 {MIN_SIDE} 到 {MAX_SIDE} 之间", field="size")


def seeds_for(design: Design, n: int, seeds: list[int] | None = None) -> list[int]:
    """Candidate seeds: explicit ones, else design.seed, design.seed + 1, ..."""
    if seeds is not None:
        if len(seeds) != n:
            raise BackendError(f"{n} candidates need {n} seeds, got {len(seeds)}", "候选数量与种子数量不一致")
        return list(seeds)
    return [(design.seed + i) % 2**32 for i in range(n)]


def generate(design: Design, **kwargs) -> GeneratedArt:
    """Generate with the backend the design names."""
    return get_backend(design.backend).generate(design, **kwargs)
