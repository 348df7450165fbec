"""Font registry: ids the Design names, resolved from installed Debian font files.

Fonts are never downloaded. Each entry lists candidate files (first present wins) and the face
name inside a .ttc collection. `outlines` tells the PDF writer whether reportlab can embed the
file as a subset ("truetype") or whether text must be converted to outlines ("cff").
"""
from __future__ import annotations

import functools
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from base.errors import FontError
from base.settings import settings

SYSTEM_FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                    Path.home() / ".local/share/fonts"]


def font_dirs() -> list[Path]:
    """KIOSK_FONT_DIRS first, then the system's font folders."""
    extra = [Path(p) for p in settings().font_dirs.split(os.pathsep) if p]
    return extra + SYSTEM_FONT_DIRS


@dataclass(frozen=True)
class FontSpec:
    id: str
    label_zh: str
    label_en: str
    debian_package: str
    candidates: tuple[tuple[str, str], ...]  # (file name, face full name within the file)


@dataclass(frozen=True)
class FontInfo:
    id: str
    label_zh: str
    label_en: str
    path: str
    index: int          # face index in a .ttc, 0 for a .ttf
    face: str
    outlines: str       # "truetype" (reportlab embeds a subset) or "cff" (convert to outlines)

    @property
    def embeddable(self) -> bool:
        return self.outlines == "truetype"


REGISTRY: dict[str, FontSpec] = {s.id: s for s in [
    FontSpec("wenkai", "霞鹜文楷", "LXGW WenKai (brush regular)", "fonts-lxgw-wenkai",
             (("LXGWWenKai-Regular.ttf", "LXGW WenKai"),)),
    FontSpec("kai", "文鼎楷书", "AR PL UKai (kaishu)", "fonts-arphic-ukai",
             (("ukai.ttc", "AR PL UKai CN"),)),
    FontSpec("hei", "文泉驿正黑", "WenQuanYi Zen Hei (sans)", "fonts-wqy-zenhei",
             (("wqy-zenhei.ttc", "WenQuanYi Zen Hei"),)),
    FontSpec("song", "思源宋体", "Noto Serif CJK SC (song)", "fonts-noto-cjk",
             (("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),)),
]}
DEFAULT_FONT = "wenkai"


def _find_file(name: str) -> Path | None:
    for d in font_dirs():
        if d.is_dir():
            for p in d.rglob(name):
                return p
    return None


@functools.lru_cache(maxsize=None)
def get_font(font_id: str) -> FontInfo:
    """Resolve a registry id to an installed file; FontError names the Debian package if absent."""
    from fontTools.ttLib import TTCollection, TTFont

    spec = REGISTRY.get(font_id)
    if spec is None:
        raise FontError(f"unknown font '{font_id}'; allowed: {', '.join(REGISTRY)}",
                        f"未知字体“{font_id}”；可选：{'、'.join(REGISTRY)}", field="font")
    for file_name, face in spec.candidates:
        path = _find_file(file_name)
        if path is None:
            continue
        fonts = TTCollection(str(path)).fonts if path.suffix.lower() == ".ttc" else [TTFont(str(path))]
        for index, f in enumerate(fonts):
            if f["name"].getDebugName(4) == face or f["name"].getDebugName(1) == face:
                outlines = "truetype" if "glyf" in f else "cff"
                return FontInfo(spec.id, spec.label_zh, spec.label_en, str(path), index, face, outlines)
    raise FontError(f"font '{font_id}' is not installed (Debian package {spec.debian_package})",
                    f"字体“{font_id}”未安装（Debian 软件包 {spec.debian_package}）", field="font")


@functools.lru_cache(maxsize=None)
def _cmap(font_id: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    info = get_font(font_id)
    f = TTFont(info.path, fontNumber=info.index, lazy=True)
    return frozenset(f.getBestCmap())


def _describe(chars: list[str]) -> str:
    return " ".join(f"'{c}' (U+{ord(c):04X})" for c in chars)


def invalid_characters(text: str) -> list[str]:
    """Control, format (zero-width, bidi), private-use and unassigned characters."""
    bad = []
    for c in text:
        if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp") and c not in bad:
            bad.append(c)
    return bad


def missing_characters(text: str, font_id: str) -> list[str]:
    cmap = _cmap(font_id)
    out = []
    for c in text:
        if c != " " and ord(c) not in cmap and c not in out:
            out.append(c)
    return out


def check_text(text: str, font_id: str) -> None:
    """Raise FontError naming the characters that cannot be printed in this font."""
    bad = invalid_characters(text)
    if bad:
        raise FontError(f"control or invisible characters are not allowed: {_describe(bad)}",
                        f"不允许控制字符或不可见字符：{_describe(bad)}", field="text")
    missing = missing_characters(text, font_id)
    if missing:
        label = get_font(font_id)
        raise FontError(
            f"the font '{font_id}' ({label.label_en}) has no glyph for {_describe(missing)}",
            f"字体“{label.label_zh}”不含这些字符：{_describe(missing)}", field="text")


@functools.lru_cache(maxsize=None)
def label_font(font_id: str) -> bytes:
    """The font cut down to the glyphs of its own names (zh and en): a few KB that let a screen
    show each font's name in that font, offline, without sending the whole file (~1-4 s once)."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    info, spec = get_font(font_id), REGISTRY[font_id]
    font = TTFont(info.path, fontNumber=info.index)
    options = subset.Options()
    options.layout_features, options.hinting, options.notdef_outline = [], False, True
    options.drop_tables += ["FFTM", "BDF "]  # editor and bitmap tables: not subsettable, not needed
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=spec.label_zh + spec.label_en)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()
