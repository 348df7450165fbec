"""Colour management: sRGB art -> press CMYK through an ICC profile, and the ink limit.

The default profile is Ghostscript's SWOP-like `default_cmyk.icc` (Debian libgs-common), the
only free CMYK press profile Debian ships as a file. A shop that prints with, say, Japan Color
2001 Coated or FOGRA39 points KIOSK_CMYK_ICC (or `--icc`) at the profile its printer gives.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from base.settings import settings
from print.errors import ColorError

DEFAULT_ICC_CANDIDATES = (
    "/usr/share/color/icc/ghostscript/default_cmyk.icc",
    "/usr/share/ghostscript/iccprofiles/default_cmyk.icc",
)
INK_LIMIT = 3.0        # total area coverage the press accepts (300%)
IMAGE_INK_LIMIT = 2.9  # images are capped a little lower so JPEG ringing stays under 300%


@dataclass(frozen=True)
class CmykProfile:
    path: str
    description: str
    data: bytes                 # the ICC file, embedded as the PDF/X output intent
    condition: str              # OutputConditionIdentifier


def _condition_for(description: str) -> str:
    d = description.lower()
    if "swop" in d:
        return "CGATS TR 001"          # SWOP, the characterisation Ghostscript's profile follows
    if "fogra39" in d or "coated fogra39" in d:
        return "FOGRA39"
    if "japan color 2001 coated" in d or "japancolor2001coated" in d:
        return "JC200103"
    return description


def resolve_icc(path: str | os.PathLike | None = None) -> str:
    if path:
        return str(path)
    env = settings().cmyk_icc
    if env:
        return str(env)
    for p in DEFAULT_ICC_CANDIDATES:
        if Path(p).exists():
            return p
    raise ColorError("no CMYK ICC profile found: install Ghostscript (libgs-common) or set "
                     "KIOSK_CMYK_ICC to your print shop's profile; or use --rgb",
                     "找不到 CMYK 色彩配置文件：请安装 Ghostscript，或把 KIOSK_CMYK_ICC 指向印刷厂提供的 ICC 文件；"
                     "或使用 --rgb", field="icc")


@functools.lru_cache(maxsize=4)
def load_profile(path: str | None = None) -> CmykProfile:
    path = resolve_icc(path)
    try:
        data = Path(path).read_bytes()
        prof = ImageCms.ImageCmsProfile(ImageCms.core.profile_frombytes(data))
    except (OSError, ImageCms.PyCMSError, TypeError, ValueError) as exc:
        raise ColorError(f"ICC profile {path} cannot be read: {exc}",
                         f"ICC 色彩配置文件 {path} 无法读取", field="icc") from None
    if prof.profile.xcolor_space.strip() != "CMYK":
        raise ColorError(f"ICC profile {path} is not a CMYK output profile "
                         f"(colour space {prof.profile.xcolor_space.strip()})",
                         f"ICC 文件 {path} 不是 CMYK 输出配置文件", field="icc")
    desc = (ImageCms.getProfileDescription(prof) or Path(path).stem).strip()
    return CmykProfile(path, desc, data, _condition_for(desc))


@functools.lru_cache(maxsize=4)
def _transform(path: str):
    prof = load_profile(path)
    cmyk = ImageCms.ImageCmsProfile(ImageCms.core.profile_frombytes(prof.data))
    srgb = ImageCms.createProfile("sRGB")
    # Perceptual keeps the dark grounds of the motifs from blocking up; the profile's tables
    # already respect its own ink limit (about 300% for SWOP).
    return ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK",
                                   renderingIntent=ImageCms.Intent.PERCEPTUAL)


def limit_ink(cmyk: Image.Image, limit: float = IMAGE_INK_LIMIT) -> Image.Image:
    """Scale C, M and Y down (K kept) wherever C+M+Y+K exceeds `limit` (1.0 = 100%)."""
    a = np.asarray(cmyk)
    total = a[..., 0].astype(np.uint16) + a[..., 1] + a[..., 2] + a[..., 3]
    cap = int(limit * 255)
    over = total > cap
    if not over.any():
        return cmyk
    px = a[over].astype(np.float32)          # only the pixels over the limit
    cmy = px[:, :3].sum(axis=1)
    scale = np.clip((cap - px[:, 3]) / np.maximum(cmy, 1e-3), 0, 1)
    px[:, :3] = np.floor(px[:, :3] * scale[:, None])
    out = a.copy()
    out[over] = px.astype(np.uint8)
    return Image.fromarray(out, "CMYK")


def to_cmyk(image: Image.Image, icc: str | None = None, limit: float = IMAGE_INK_LIMIT) -> Image.Image:
    prof = load_profile(icc)
    out = ImageCms.applyTransform(image.convert("RGB"), _transform(prof.path))
    return limit_ink(out, limit)


def hex_to_ink(hex_color: str, icc: str | None = None):
    """A vector colour for an sRGB hex value, through the same profile as the images."""
    from print.page import Ink

    px = Image.new("RGB", (1, 1), tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5)))
    c, m, y, k = to_cmyk(px, icc, limit=INK_LIMIT - 0.2).getpixel((0, 0))
    return Ink(round(c / 255, 3), round(m / 255, 3), round(y / 255, 3), round(k / 255, 3),
               screen=px.getpixel((0, 0)))


@functools.lru_cache(maxsize=1)
def srgb_profile_bytes() -> bytes:
    """An sRGB ICC profile (lcms built-in), for the output intent of RGB files."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
