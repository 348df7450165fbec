"""Photos of a made-up bronze vessel, drawn in the test (no files in the repo)."""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw


def vessel_photo(i: int, size=(512, 640)) -> Image.Image:
    """A bronze-coloured vessel on a plain ground; each photo from a slightly different angle."""
    w, h = size
    im = Image.new("RGB", size, (40 + 8 * i, 36, 30))
    d = ImageDraw.Draw(im)
    cx = w // 2 + 12 * (i - 2)
    d.ellipse((cx - 150, h // 2 - 120, cx + 150, h // 2 + 160), fill=(150, 110, 50))
    d.rectangle((cx - 90, h // 2 - 200, cx + 90, h // 2 - 100), fill=(120, 140, 90))
    d.line((cx - 150, h // 2 + 20, cx + 150, h // 2 + 20), fill=(90, 60, 30), width=10 + i)
    return im


def write_photos(folder: Path, n: int = 5) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        vessel_photo(i).save(folder / f"vessel_{i}.png")
    return folder
