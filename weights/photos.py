"""Checking a museum's motif photos before any training, and turning them into square crops.

check_photos(folder) looks at every file and returns the usable photos, or raises one
WeightsError that names each bad file and why: not an image, corrupt or truncated, too small
(short side under 512 px), a decompression bomb (more pixels than MAX_PIXELS), or a duplicate
of another photo (same pixels, whatever the file name). Nothing is trained on bad input.
Only PIL: no torch, so the check runs in a second before the model loads.
"""
from __future__ import annotations

import hashlib
import warnings
from pathlib import Path
from typing import NamedTuple

from PIL import Image, ImageOps, UnidentifiedImageError

from weights.errors import WeightsError

MIN_PHOTOS, MAX_PHOTOS = 5, 50
MIN_SIDE = 512
# 60 megapixels: any camera's full-size photo fits; a decompression bomb (a tiny file that
# claims a huge canvas) is refused before it is decoded. PIL's own limit is set to the same.
MAX_PIXELS = 60_000_000
SKIP = {".ds_store", "thumbs.db", "desktop.ini"}
Image.MAX_IMAGE_PIXELS = MAX_PIXELS   # PIL warns above this and refuses at twice it


class Photo(NamedTuple):
    path: Path
    size: tuple[int, int]     # width, height after EXIF rotation
    sha256: str               # of the decoded pixels (a re-saved copy is still a duplicate)


class PhotoProblem(NamedTuple):
    file: str
    en: str
    zh: str


def _open_checked(path: Path) -> tuple[Image.Image | None, PhotoProblem | None]:
    name = path.name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise Image.DecompressionBombError(f"{w * h} pixels")
                im.load()
                img = ImageOps.exif_transpose(im).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None, PhotoProblem(name, f"decompression bomb refused: claims more than "
                                  f"{MAX_PIXELS // 1_000_000} megapixels (a panorama? resize it)",
                                  f"已拒绝：像素超过 {MAX_PIXELS // 1_000_000} 百万（解压炸弹或超大图）")
    except UnidentifiedImageError:
        return None, PhotoProblem(name, "not an image (JPEG, PNG, WebP or TIFF expected)",
                                  "不是图片（应为 JPEG、PNG、WebP 或 TIFF）")
    except (OSError, SyntaxError, ValueError) as e:
        return None, PhotoProblem(name, f"corrupt or truncated image ({str(e).splitlines()[0]}); "
                                  "copy it again", "图片已损坏或不完整，请重新复制")
    return img, None


def check_photos(folder: str | Path) -> list[Photo]:
    """The usable photos of `folder`, sorted by name; WeightsError listing every bad file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise WeightsError(f"photos folder {folder} not found", f"找不到照片文件夹 {folder}")
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith(".") and p.name.lower() not in SKIP)
    photos: list[Photo] = []
    problems: list[PhotoProblem] = []
    seen: dict[str, str] = {}
    for path in files:
        img, problem = _open_checked(path)
        if problem is None:
            w, h = img.size
            digest = hashlib.sha256(img.tobytes()).hexdigest()
            if min(w, h) < MIN_SIDE:
                problem = PhotoProblem(path.name, f"too small: {w}x{h} px, the short side must be "
                                       f"at least {MIN_SIDE} px", f"太小：{w}x{h} 像素，短边至少 {MIN_SIDE} 像素")
            elif digest in seen:
                problem = PhotoProblem(path.name, f"duplicate of {seen[digest]} (same picture)",
                                       f"与 {seen[digest]} 重复")
            else:
                seen[digest] = path.name
                photos.append(Photo(path, (w, h), digest))
        if problem is not None:
            problems.append(problem)
    if problems:
        raise WeightsError(
            f"{len(problems)} of {len(files)} photos in {folder} cannot be used; nothing was "
            "trained:\n" + "\n".join(f"  {p.file}: {p.en}" for p in problems),
            f"{folder} 中有 {len(problems)} 张照片不能使用，未进行训练：\n"
            + "\n".join(f"  {p.file}：{p.zh}" for p in problems), field="photos")
    if not MIN_PHOTOS <= len(photos) <= MAX_PHOTOS:
        raise WeightsError(f"{folder} has {len(photos)} photos; {MIN_PHOTOS} to {MAX_PHOTOS} are "
                           "needed (see README, 'Teaching the model a motif')",
                           f"{folder} 中有 {len(photos)} 张照片，需要 {MIN_PHOTOS} 到 {MAX_PHOTOS} 张",
                           field="photos")
    return photos


def square_crops(photo: Photo, size: int) -> list[Image.Image]:
    """Square training crops of one photo at size x size: the centre square, and for a photo
    much longer than wide (or wider than tall) also both ends, so the whole object is seen."""
    with Image.open(photo.path) as im:
        img = ImageOps.exif_transpose(im).convert("RGB")
    w, h = img.size
    s = min(w, h)
    boxes = [((w - s) // 2, (h - s) // 2)]
    if max(w, h) >= 1.4 * s:
        boxes += [(0, 0), (w - s, h - s)]
    return [img.crop((x, y, x + s, y + s)).resize((size, size), Image.LANCZOS) for x, y in boxes]


def caption(token: str, noun: str) -> str:
    """The training caption: the rare token names this object, the noun its class."""
    return f"a photo of {token} {noun}"
