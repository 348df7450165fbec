"""Layout templates as data: one JSON file per product and variant, loaded into frozen
LayoutSpec values. A shop changes a size by editing (or adding) a file here, or by pointing
KIOSK_LAYOUTS_DIR at its own folder; no code changes.

    load_layout("poker")            -> the poker default (the file with "default": true)
    load_layout("poker", "poker-57x87")
    list_layouts()                  -> every LayoutSpec, sorted by product and id
    museum()                        -> MuseumSpec (layouts/museum.json)

A bad file raises LayoutError naming the file and the field.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from layouts.spec import (PRODUCTS, BackSpec, Box, FrontSpec, HoleSpec, IndexSpec, LayoutSpec,
                          MuseumSpec, TextSlot, TrimSpec)
from base.settings import settings
from layouts.spec import LayoutError

HERE = Path(__file__).parent


def layouts_dir() -> Path:
    return settings().layouts_dir or HERE


def _field(loc: tuple) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out or "(top level)"


def _read(path: Path, model: type[BaseModel]):
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LayoutError(f"layout file {path} cannot be read ({exc.strerror or exc})",
                          f"版式文件 {path} 无法读取") from None
    except json.JSONDecodeError as exc:
        raise LayoutError(f"layout file {path}: not valid JSON (line {exc.lineno}: {exc.msg})",
                          f"版式文件 {path}：不是有效的 JSON（第 {exc.lineno} 行）") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        e = exc.errors(include_url=False)[0]
        field = _field(tuple(e["loc"]))
        raise LayoutError(f"layout file {path.name}: {field}: {e['msg']}",
                          f"版式文件 {path.name}：字段 {field} 有误：{e['msg']}", field=field) from None


def load_layout_file(path: str | Path) -> LayoutSpec:
    """Read and validate one layout file; kept while the file is unchanged (every Design's
    validation reads the product's layout)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return _read(path, LayoutSpec)  # says why it cannot be read
    return _read_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read_cached(path: str, mtime_ns: int, size: int) -> LayoutSpec:
    return _read(Path(path), LayoutSpec)


def list_layouts(directory: str | Path | None = None) -> list[LayoutSpec]:
    d = Path(directory) if directory else layouts_dir()
    out = [load_layout_file(p) for p in sorted(d.glob("*.json")) if p.name != "museum.json"]
    seen: dict[str, str] = {}
    for spec in out:
        if spec.id in seen:
            raise LayoutError(f"layout id '{spec.id}' is used twice in {d}",
                              f"版式编号“{spec.id}”在 {d} 中重复", field="id")
        seen[spec.id] = spec.product
    return sorted(out, key=lambda s: (s.product, not s.default, s.id))


def load_layout(product: str, variant: str | None = None,
                directory: str | Path | None = None) -> LayoutSpec:
    """The layout `variant` of `product`, or the product's default when variant is None."""
    if product not in PRODUCTS:
        raise LayoutError(f"unknown product '{product}'; allowed: {', '.join(PRODUCTS)}",
                          f"未知产品“{product}”；可选：{'、'.join(PRODUCTS)}", field="product")
    mine = [s for s in list_layouts(directory) if s.product == product]
    if variant is None:
        defaults = [s for s in mine if s.default] or mine[:1]
        if not defaults:
            raise LayoutError(f"no layout for product '{product}'", f"没有“{product}”的版式",
                              field="layout")
        return defaults[0]
    for s in mine:
        if s.id == variant:
            return s
    ids = ", ".join(s.id for s in mine)
    raise LayoutError(f"unknown layout '{variant}' for {product}; allowed: {ids}",
                      f"“{product}”没有版式“{variant}”；可选：{ids}", field="layout")


def museum(directory: str | Path | None = None) -> MuseumSpec:
    d = Path(directory) if directory else layouts_dir()
    path = d / "museum.json"
    if not path.exists():
        path = HERE / "museum.json"
    return _read(path, MuseumSpec)


__all__ = ["LayoutSpec", "TrimSpec", "Box", "HoleSpec", "TextSlot", "FrontSpec", "IndexSpec",
           "BackSpec", "MuseumSpec", "LayoutError", "load_layout", "load_layout_file",
           "list_layouts", "museum", "layouts_dir"]
