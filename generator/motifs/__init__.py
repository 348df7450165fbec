"""Motif catalogue: heritage motifs as our own vector art (SVG) plus their texts.

A museum designer adds a motif by dropping `art/<id>.svg` and adding an entry to
`catalogue.json` (see README "Adding a motif"). Art is rasterised with resvg at whatever
size is asked, so it stays sharp from a 256 px thumbnail to a 300 ppi print.

A catalogue entry may name a trained adapter (`"adapter": "<id>"`, see `python -m weights
train-motif`): the AnyText backend then loads it for that motif's jobs and puts its token in the
prompt. A motif trained from photos alone (no SVG) is a *trained motif*: it comes from the
weights folder's adapters.json, has `art=None`, and only a diffusion backend can draw it.
"""
from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from base.errors import MotifError

HERE = Path(__file__).parent
CATALOGUE = HERE / "catalogue.json"
REQUIRED = ("id", "name_zh", "name_en", "story_zh", "story_en", "prompt_en", "art")


@dataclass(frozen=True)
class Motif:
    id: str
    name_zh: str
    name_en: str
    story_zh: str
    story_en: str
    prompt_en: str          # English scene for AnyText; Chinese only inside quotes
    art: Path | None        # SVG file (None: a photo-only trained motif)
    ground: str = "#5A1410"  # background colour the art sits on
    accent: str = "#D4A017"  # main colour of the art
    material: str = "gold"  # default text material: gold | bronze | cinnabar | jade | ink
    kind: str = "emblem"    # emblem (placed once) | roundel (an emblem that may turn) | band
    phrases: tuple[dict, ...] = field(default_factory=tuple)  # curated {"zh", "en"} for the kiosk
    adapter: str | None = None  # trained adapter id (weights/adapters.json) for diffusion backends
    enabled: bool = True    # trained motifs: staff switched it on for the gallery
    tile: Path | None = None  # trained motifs: a sample or training photo for the gallery tile

    @property
    def needs_diffusion(self) -> bool:
        """No vector art: the procedural backend cannot draw it."""
        return self.art is None

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        if self.art is None:
            d["art"] = None
        else:
            d["art"] = str(self.art.relative_to(HERE)) if self.art.is_relative_to(HERE) else str(self.art)
        d["tile"] = str(self.tile) if self.tile else None
        d["phrases"] = list(self.phrases)
        return d


MATERIALS = ("gold", "bronze", "cinnabar", "jade", "ink")
KINDS = ("emblem", "roundel", "band")
OPTIONAL = ("ground", "accent", "material", "kind", "phrases", "adapter")
PHRASE_LEN = (2, 8)     # characters of a curated phrase: fits a bookmark line


def _fail(where: str, field: str, en: str, zh: str) -> MotifError:
    return MotifError(f"motif catalogue {where}, field '{field}': {en}",
                      f"纹样目录 {where} 的字段“{field}”：{zh}", field=field)


def _viewbox(path: Path) -> tuple[float, float] | None:
    """Width/height of the root <svg> element's viewBox, None if absent or not positive."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return _viewbox_cached(Path(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _viewbox_cached(path: Path, mtime_ns: int, size: int) -> tuple[float, float] | None:
    # keyed by mtime and size: parsing a large SVG takes ~20 ms, render_motif asks every call
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return None
    vb = root.get("viewBox")
    if root.tag.rsplit("}", 1)[-1] != "svg" or not vb:
        return None
    try:
        _, _, w, h = (float(v) for v in vb.replace(",", " ").split())
    except ValueError:
        return None
    return (w, h) if w > 0 and h > 0 else None


def _check_entry(i: int, e: object, base: Path, seen: set[str]) -> dict:
    """Validate one catalogue entry; MotifError names the entry and the field."""
    import re

    if not isinstance(e, dict):
        raise _fail(f"entry {i}", "id", "each entry must be a JSON object", "每一项必须是 JSON 对象")
    where = f"entry {i} ('{e.get('id', '?')}')"
    for k in REQUIRED:
        if not isinstance(e.get(k), str) or not e[k].strip():
            raise _fail(where, k, "missing or empty (required: " + ", ".join(REQUIRED) + ")",
                        "缺少或为空（必填：" + "、".join(REQUIRED) + "）")
    unknown = sorted(set(e) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _fail(where, unknown[0], f"unknown field (allowed: {', '.join(REQUIRED + OPTIONAL)})",
                    "未知字段")
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", e["id"]):
        raise _fail(where, "id", "use 2-40 lower-case letters, digits or _", "只能用 2-40 个小写字母、数字或下划线")
    if e["id"] in seen:
        raise _fail(where, "id", f"duplicate id '{e['id']}'", f"重复的 id“{e['id']}”")
    for k in ("ground", "accent"):
        if k in e and not (isinstance(e[k], str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", e[k])):
            raise _fail(where, k, "must be a colour #RRGGBB", "必须是 #RRGGBB 颜色")
    if e.get("material", "gold") not in MATERIALS:
        raise _fail(where, "material", f"must be one of {', '.join(MATERIALS)}",
                    f"必须是 {'、'.join(MATERIALS)} 之一")
    if "adapter" in e and not (isinstance(e["adapter"], str)
                               and re.fullmatch(r"[a-z][a-z0-9_]{1,39}", e["adapter"])):
        raise _fail(where, "adapter", "must be a trained adapter id (python -m weights train-motif)",
                    "必须是训练好的适配器 id")
    if e.get("kind", "emblem") not in KINDS:
        raise _fail(where, "kind", f"must be one of {', '.join(KINDS)}", f"必须是 {'、'.join(KINDS)} 之一")
    phrases = e.get("phrases", [])
    if not isinstance(phrases, list):
        raise _fail(where, "phrases", 'must be a list of {"zh": ..., "en": ...}', "必须是短语列表")
    for j, ph in enumerate(phrases):
        ok = (isinstance(ph, dict) and isinstance(ph.get("zh"), str) and isinstance(ph.get("en"), str)
              and ph["en"].strip() and set(ph) <= {"zh", "en", "pinyin"}
              and PHRASE_LEN[0] <= len(ph["zh"].strip()) <= PHRASE_LEN[1])
        if not ok:
            raise _fail(where, "phrases", f'phrase {j} must be {{"zh": 2-8 characters, "en": meaning}}',
                        f"第 {j} 条短语须为 {{\"zh\": 2-8 个字, \"en\": 英文含义}}")
    art = (base / e["art"]).resolve()
    if not art.is_file():
        raise _fail(where, "art", f"SVG file {e['art']} not found", f"找不到图稿文件 {e['art']}")
    if art.suffix.lower() != ".svg" or _viewbox(art) is None:
        raise _fail(where, "art", f"{e['art']} must be an SVG with a viewBox (its natural proportions)",
                    f"{e['art']} 必须是带 viewBox 的 SVG")
    e = dict(e)
    e["art"] = art
    e["phrases"] = tuple(dict(ph) for ph in phrases)
    return e


def load_catalogue(path: Path = CATALOGUE) -> dict[str, Motif]:
    """Read and validate a catalogue file; art paths are relative to the file's folder."""
    path = Path(path)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MotifError(f"motif catalogue {path} is unreadable: {exc}",
                         f"纹样目录 {path} 无法读取") from None
    if not isinstance(entries, list) or not entries:
        raise MotifError(f"motif catalogue {path} must be a non-empty JSON list of motifs",
                         f"纹样目录 {path} 必须是非空的 JSON 列表")
    out: dict[str, Motif] = {}
    for i, e in enumerate(entries):
        e = _check_entry(i, e, path.parent, set(out))
        out[e["id"]] = Motif(**e)
    return out


@functools.lru_cache(maxsize=1)
def _load() -> dict[str, Motif]:
    return load_catalogue(CATALOGUE)


def trained_motifs(dir: str | Path | None = None) -> dict[str, Motif]:
    """Motifs taught from photos (`python -m weights train-motif`), enabled or not; a catalogue
    id wins over a trained one. An unreadable adapter record means none (the kiosk still runs).
    The record is read again only when it changes (every Design validation asks)."""
    from weights.adapters import ADAPTERS_FILE
    from weights.state import weights_dir

    folder = weights_dir(dir)
    try:
        st = (folder / ADAPTERS_FILE).stat()
    except OSError:
        return {}
    return dict(_trained_cached(folder, st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=4)
def _trained_cached(folder: Path, mtime_ns: int, size: int) -> dict[str, Motif]:
    from weights.adapters import load_adapters
    from weights.errors import WeightsError

    try:
        records = load_adapters(folder).adapters
    except WeightsError:
        return {}
    out = {}
    for rec in records.values():
        if rec.id in _load():
            continue
        tile = rec.samples[0] if rec.samples else rec.photo
        out[rec.id] = Motif(id=rec.id, name_zh=rec.name_zh, name_en=rec.name_en,
                            story_zh=rec.name_zh, story_en=rec.name_en,
                            prompt_en=f"{rec.noun}, museum photo", art=None, material="bronze",
                            adapter=rec.id, enabled=rec.enabled,
                            tile=folder / tile if tile else None)
    return out


def _all() -> dict[str, Motif]:
    return {**_load(), **trained_motifs()}


def motif_ids() -> list[str]:
    return list(_all())


def list_motifs() -> list[Motif]:
    """The catalogue's motifs (each has vector art)."""
    return list(_load().values())


def gallery_motifs(diffusion: bool) -> list[Motif]:
    """What the kiosk gallery offers: the catalogue, plus the trained motifs staff enabled while
    a diffusion backend is active (the procedural backend needs an SVG)."""
    out = list_motifs()
    if diffusion:
        out += [m for m in trained_motifs().values() if m.enabled]
    return out


def get_motif(motif_id: str) -> Motif:
    m = _load().get(motif_id) or trained_motifs().get(motif_id)
    if m is None:
        ids = ", ".join(_all())
        raise MotifError(f"unknown motif '{motif_id}'; allowed: {ids}",
                         f"未知纹样“{motif_id}”；可选：{ids}", field="motif")
    return m


@functools.lru_cache(maxsize=32)
def _svg_png(path: Path, width: int, height: int) -> bytes:
    import resvg_py

    try:
        # Our art has no <text>: skipping the system font scan saves time per render. A
        # designer's SVG that uses text gets the system fonts (convert text to paths instead).
        has_text = "<text" in path.read_text(encoding="utf-8", errors="replace")
        return bytes(resvg_py.svg_to_bytes(svg_path=str(path), width=width, height=height,
                                           skip_system_fonts=not has_text))
    except (ValueError, OSError) as exc:
        raise MotifError(f"motif art {path.name} cannot be drawn: {exc}",
                         f"纹样图稿 {path.name} 无法绘制") from None


def svg_size(path: Path) -> tuple[float, float]:
    """Natural width/height of an SVG from its viewBox."""
    size = _viewbox(Path(path))
    if size is None:
        raise MotifError(f"motif art {Path(path).name} has no viewBox",
                         f"纹样图稿 {Path(path).name} 缺少 viewBox", field="art")
    return size


def require_art(motif_id: str) -> Motif:
    m = get_motif(motif_id)
    if m.art is None:
        raise MotifError(f"motif '{motif_id}' was taught from photos and has no vector art: only "
                         "the AnyText backend can draw it", f"纹样“{motif_id}”来自照片训练，没有矢量图稿，"
                         "只能用 AnyText 生成", field="motif")
    return m


def _tile_picture(m: Motif, width: int, height: int) -> Image.Image:
    """A photo-only motif's picture (a sample drawn with its adapter, or a training photo),
    cropped to fill width x height; its ground colour when the picture is missing."""
    from PIL import ImageOps

    if m.tile is None or not m.tile.is_file():
        return Image.new("RGBA", (width, height), m.ground)
    with Image.open(m.tile) as im:
        return ImageOps.fit(im.convert("RGB"), (width, height), Image.LANCZOS).convert("RGBA")


def render_motif(motif_id: str, width: int, height: int) -> Image.Image:
    """The motif art fitted (no distortion) and centred in a transparent width x height image.
    A photo-only trained motif gives its picture instead (product backs, previews)."""
    m = get_motif(motif_id)
    if m.art is None:
        return _tile_picture(m, width, height)
    vw, vh = svg_size(m.art)
    scale = min(width / vw, height / vh)
    w, h = max(1, round(vw * scale)), max(1, round(vh * scale))
    art = Image.open(io.BytesIO(_svg_png(m.art, w, h))).convert("RGBA")
    out = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    out.paste(art, ((width - w) // 2, (height - h) // 2))
    return out


@functools.lru_cache(maxsize=16)
def _svg_view_png(path: Path, view: tuple[float, float, float, float], width: int, height: int) -> bytes:
    import re

    import resvg_py

    text = path.read_text(encoding="utf-8", errors="replace")
    vb = " ".join(f"{v:.4f}" for v in view)
    # Only the root element's viewBox (and size) change: resvg then draws just that window.
    root = re.search(r"<svg\b[^>]*>", text)
    head = re.sub(r'\s(viewBox|width|height|preserveAspectRatio)="[^"]*"', "", root.group(0))
    head = head[:-1] + f' viewBox="{vb}" preserveAspectRatio="none">'
    svg = text[:root.start()] + head + text[root.end():]
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg, width=width, height=height,
                                           skip_system_fonts="<text" not in text))
    except ValueError as exc:
        raise MotifError(f"motif art {path.name} cannot be drawn: {exc}",
                         f"纹样图稿 {path.name} 无法绘制") from None


def render_motif_view(motif_id: str, width: int, height: int,
                      view: tuple[float, float, float, float]) -> Image.Image:
    """A window of the motif art, view = (x, y, w, h) as fractions of its viewBox, drawn into
    width x height (a close-up crop drawn sharp at any size, not an enlarged small render)."""
    m = require_art(motif_id)
    vw, vh = svg_size(m.art)
    box = (view[0] * vw, view[1] * vh, view[2] * vw, view[3] * vh)
    return Image.open(io.BytesIO(_svg_view_png(m.art, box, width, height))).convert("RGBA")
