"""Candidate styles as data: one JSON file per look (ground, composition, frame, colourways),
loaded into frozen StyleSpec values. A designer adds a style by adding a file here; no code.

    list_styles()          -> every StyleSpec, in file-name order
    style_for_seed(seed)   -> the style a candidate seed draws: styles[seed % n]

Consecutive seeds walk through the files in name order, so the three candidates of a design
(seed, seed + 1, seed + 2) always get three different styles; neighbours in that order should
differ at a glance (alternate light and dark grounds). A bad file stops the loader with one
StyleError line naming the file, the style and the field.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from pydantic import ValidationError

from base.errors import StyleError
from generator.styles.spec import (Colourway, CompositionSpec, GroundSpec, OrnamentSpec, StyleSpec,
                                   resolve_colour)

HERE = Path(__file__).parent


def _field(loc: tuple) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out or "(top level)"


def load_style_file(path: str | Path) -> StyleSpec:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise StyleError(f"style file {path} cannot be read ({exc.__class__.__name__})",
                         f"样式文件 {path} 无法读取") from None
    except json.JSONDecodeError as exc:
        raise StyleError(f"style file {path.name}: not valid JSON (line {exc.lineno}: {exc.msg})",
                         f"样式文件 {path.name}：不是有效的 JSON（第 {exc.lineno} 行）") from None
    entry = data.get("id", "?") if isinstance(data, dict) else "?"
    try:
        return StyleSpec.model_validate(data)
    except ValidationError as exc:
        e = exc.errors(include_url=False)[0]
        field = _field(tuple(e["loc"]))
        msg = e["msg"].removeprefix("Value error, ")
        raise StyleError(f"style file {path.name}, style '{entry}': {field}: {msg}",
                         f"样式文件 {path.name}，样式“{entry}”：字段 {field} 有误：{msg}",
                         field=field) from None


def list_styles(directory: str | Path | None = None) -> list[StyleSpec]:
    d = Path(directory) if directory else HERE
    out = [load_style_file(p) for p in sorted(d.glob("*.json"))]
    if not out:
        raise StyleError(f"no style files (*.json) in {d}", f"{d} 中没有样式文件")
    seen: dict[str, str] = {}
    for p, spec in zip(sorted(d.glob("*.json")), out):
        if spec.id in seen:
            raise StyleError(f"style file {p.name}, style '{spec.id}': id: already used by {seen[spec.id]}",
                             f"样式文件 {p.name}：编号“{spec.id}”与 {seen[spec.id]} 重复", field="id")
        seen[spec.id] = p.name
    return out


@functools.lru_cache(maxsize=1)
def styles() -> tuple[StyleSpec, ...]:
    """The shipped styles, read once (frozen values: safe to share between sessions)."""
    return tuple(list_styles())


def style_for_seed(seed: int) -> StyleSpec:
    """The style a seed draws; consecutive seeds get different styles (when there are >= 3)."""
    all_styles = styles()
    return all_styles[seed % len(all_styles)]


def get_style(style_id: str) -> StyleSpec:
    for s in styles():
        if s.id == style_id:
            return s
    raise StyleError(f"unknown style '{style_id}'; allowed: {', '.join(s.id for s in styles())}",
                     f"未知样式“{style_id}”", field="style")


__all__ = ["StyleSpec", "GroundSpec", "CompositionSpec", "OrnamentSpec", "Colourway", "StyleError",
           "list_styles", "load_style_file", "styles", "style_for_seed", "get_style", "resolve_colour"]
