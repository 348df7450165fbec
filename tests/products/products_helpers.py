"""Helpers for tests/products: designs built once per session (see conftest.py) with the procedural
backend (real art, real fonts, real PDFs), plus helpers that call the independent checkers
(pikepdf, poppler, Ghostscript, rapidocr)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generator.design import make_design

DESIGNS = {
    "postcard": {"motif": "sunbird", "product": "postcard", "seed": 7,
                 "lines": [{"text": "天路", "box": [0.05, 0.08, 0.22, 0.15]},
                           {"text": "金沙之光", "box": [0.25, 0.72, 0.5, 0.12], "color": "#FFE9A8"}]},
    "bookmark": {"motif": "sacred_tree", "product": "bookmark", "seed": 3,
                 "lines": [{"text": "古蜀神树", "box": [0.36, 0.18, 0.28, 0.42], "vertical": True,
                            "font": "kai"}]},
    "poker": {"motif": "sunbird", "product": "poker", "seed": 5,
              "lines": [{"text": "太阳神鸟", "box": [0.08, 0.05, 0.84, 0.12]}]},
    "bookmark-54x170": {"motif": "gold_mask", "product": "bookmark", "layout": "bookmark-54x170",
                        "seed": 1, "lines": [{"text": "金面", "box": [0.3, 0.62, 0.4, 0.1]}]},
    "poker-57x87": {"motif": "eye_mask", "product": "poker", "layout": "poker-57x87", "seed": 2,
                    "lines": [{"text": "纵目", "box": [0.2, 0.06, 0.6, 0.12]}]},
}


def design(name: str):
    return make_design(DESIGNS[name])


class Built:
    def __init__(self, name, result, path: Path):
        self.name, self.result, self.path = name, result, path
        self.design = design(name) if name in DESIGNS else None


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300).stdout


def render(pdf: Path, page: int, dpi: int = 300, gray: bool = False) -> Image.Image:
    """One page rendered by poppler (pdftoppm), the whole MediaBox."""
    args = ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    args += ["-gray"] if gray else []
    out = pdf.with_name(f"{pdf.stem}-p{page}-{dpi}")
    run(*args, "-png", str(pdf), str(out))
    return Image.open(f"{out}.png").convert("RGB")


def trim_crop(img: Image.Image, side, dpi: int, box_mm=None) -> Image.Image:
    """Crop a page render to the trim (or to a box in trim millimetres)."""
    from print.writer import SLUG_MM

    off = side.trim.bleed_mm + SLUG_MM
    x, y, w, h = box_mm or (0, 0, side.trim.width_mm, side.trim.height_mm)
    s = dpi / 25.4
    return img.crop((round((off + x) * s), round((off + y) * s), round((off + x + w) * s),
                     round((off + y + h) * s)))


def cmyk_render(pdf: Path, page: int, dpi: int = 50) -> np.ndarray:
    """Ghostscript's CMYK raster of a page (tiff32nc), as an (h, w, 4) uint8 array."""
    out = pdf.with_name(f"{pdf.stem}-p{page}-cmyk.tif")
    run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiff32nc", f"-r{dpi}",
        f"-dFirstPage={page}", f"-dLastPage={page}", f"-sOutputFile={out}", str(pdf))
    return np.asarray(Image.open(out))
