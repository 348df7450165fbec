"""The Design JSON contract (version 1), validated with pydantic.

A Design is plain data: the kiosk builds one, the command line reads one, every queue job
stores one. `load_design` turns any bad input into one DesignError that names the field and
says what is allowed, in English and Chinese.

Beyond the schema: no NaN or Infinity anywhere, no integer of more than MAX_INT_DIGITS digits,
every box at least MIN_CHAR_MM on its short side at the product's print size (the layout's art
window), files of at most MAX_FILE_BYTES and JSON nested at most MAX_DEPTH levels (checked
before json.loads recurses).
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from base import fonts
from base.errors import DesignError, KioskError
from layouts import LayoutError, load_layout

MAX_LINES = 5
MAX_CHARS = 20
MAX_OVERLAP = 0.20  # of the smaller box's area
PRODUCTS = ("bookmark", "poker", "postcard")
BACKENDS = ("procedural", "anytext", "anytext2")
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
MIN_CHAR_MM = 4.0          # a box's short side at print size: one legible character
MAX_FILE_BYTES = 256 * 1024  # a Design is a few hundred bytes; anything near this is not one
MAX_DEPTH = 20             # nesting of JSON arrays/objects (a Design needs 4)
MAX_INT_DIGITS = 18        # no number in a Design comes near this (seed < 2**32)
PRODUCT_ZH = {"postcard": "明信片", "bookmark": "书签", "poker": "扑克牌"}


def _length_message(n: int) -> tuple[str, str]:
    return (f"must be 1-{MAX_CHARS} characters after trimming (got {n})",
            f"去除首尾空格后须为 1-{MAX_CHARS} 个字符（现为 {n} 个）")


def _err(kind: str, en: str, zh: str) -> PydanticCustomError:
    # The zh text travels in the context so the converter can build a bilingual message.
    return PydanticCustomError(kind, en, {"zh": zh})


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    text: str
    box: tuple[float, float, float, float]
    font: str = fonts.DEFAULT_FONT
    color: str = "#F5D27A"
    vertical: bool = False

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        v = v.strip()
        if len(v) > MAX_CHARS:  # empty is judged by Design: it means "erase" in edit mode
            raise _err("text_length", *_length_message(len(v)))
        bad = fonts.invalid_characters(v)
        if bad:
            names = " ".join(f"U+{ord(c):04X}" for c in bad)
            raise _err("text_chars", f"control or invisible characters are not allowed ({names})",
                       f"不允许控制字符或不可见字符（{names}）")
        return v

    @field_validator("box")
    @classmethod
    def _box(cls, v: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x, y, w, h = v
        if w <= 0 or h <= 0:
            raise _err("box_size", "width and height must be positive", "宽和高必须大于 0")
        if x < 0 or y < 0 or x + w > 1 + 1e-9 or y + h > 1 + 1e-9:
            raise _err("box_bounds", "must lie inside the art: x, y >= 0 and x+w, y+h <= 1",
                       "必须位于画面之内：x、y ≥ 0 且 x+w、y+h ≤ 1")
        return v

    @field_validator("font")
    @classmethod
    def _font(cls, v: str) -> str:
        if v not in fonts.REGISTRY:
            allowed = ", ".join(fonts.REGISTRY)
            raise _err("font_unknown", f"unknown font '{v}'; allowed: {allowed}",
                       f"未知字体“{v}”；可选：{allowed}")
        return v

    @field_validator("color")
    @classmethod
    def _color(cls, v: str) -> str:
        if not COLOR_RE.match(v):
            raise _err("color", f"must be #RRGGBB (got '{v}')", f"须为 #RRGGBB 格式（现为“{v}”）")
        return v.upper()

    @model_validator(mode="after")
    def _glyphs(self) -> "Line":
        missing = fonts.missing_characters(self.text, self.font)
        if missing:
            chars = " ".join(f"'{c}' (U+{ord(c):04X})" for c in missing)
            raise _err("text_font", f"the font '{self.font}' has no glyph for {chars}",
                       f"所选字体不含这些字符：{chars}")
        return self

    def rgb(self) -> tuple[int, int, int]:
        return tuple(int(self.color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


class Design(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    version: Literal[1] = 1
    motif: str
    product: str = "postcard"
    layout: str | None = None  # a layout variant of the product (layouts/), None = the default
    backend: str = "procedural"
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    mode: Literal["generate", "edit"] = "generate"
    source_image: str | None = None
    lines: list[Line] = Field(min_length=1, max_length=MAX_LINES)

    @field_validator("motif")
    @classmethod
    def _motif(cls, v: str) -> str:
        from generator.motifs import motif_ids

        ids = motif_ids()
        if v not in ids:
            raise _err("motif_unknown", f"unknown motif '{v}'; allowed: {', '.join(ids)}",
                       f"未知纹样“{v}”；可选：{'、'.join(ids)}")
        return v

    @field_validator("product")
    @classmethod
    def _product(cls, v: str) -> str:
        if v not in PRODUCTS:
            raise _err("product_unknown", f"unknown product '{v}'; allowed: {', '.join(PRODUCTS)}",
                       f"未知产品“{v}”；可选：{'、'.join(PRODUCTS)}")
        return v

    @field_validator("backend")
    @classmethod
    def _backend(cls, v: str) -> str:
        if v not in BACKENDS:
            raise _err("backend_unknown", f"unknown backend '{v}'; allowed: {', '.join(BACKENDS)}",
                       f"未知生成方式“{v}”；可选：{'、'.join(BACKENDS)}")
        return v

    @model_validator(mode="after")
    def _whole(self) -> "Design":
        if self.mode == "edit" and not self.source_image:
            raise _err("edit_source", "edit mode needs source_image (the picture to edit)",
                       "编辑模式需要 source_image（要编辑的图片）")
        _check_print_size(self)
        for i, ln in enumerate(self.lines):
            if not ln.text and self.mode != "edit":
                # raised as DesignError (not a ValueError) so it keeps the line's field name
                field = f"lines[{i}].text"
                en, zh = _length_message(0)
                raise DesignError(f"{field}: {en}; an empty text only erases its box, in edit mode",
                                  f"{field}：{zh}；空文字仅在编辑模式中表示擦除", field=field)
        for i, a in enumerate(self.lines):
            for j in range(i + 1, len(self.lines)):
                frac = overlap_fraction(a.box, self.lines[j].box)
                if frac > MAX_OVERLAP:
                    raise _err("box_overlap",
                               f"boxes of lines {i} and {j} overlap by {frac:.0%} of the smaller one "
                               f"(at most {MAX_OVERLAP:.0%} allowed)",
                               f"第 {i} 行和第 {j} 行的框重叠 {frac:.0%}（最多允许 {MAX_OVERLAP:.0%}）")
        return self

    def texts(self) -> list[str]:
        return [ln.text for ln in self.lines]


def overlap_fraction(a, b) -> float:
    """Intersection area over the smaller box's area (boxes as x, y, w, h)."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    smaller = min(a[2] * a[3], b[2] * b[3])
    return ix * iy / smaller if smaller > 0 else 0.0  # a box of no area covers nothing


def _shown_mm(v: float) -> float:
    """One decimal, rounded down where rounding would reach the minimum (3.96 -> 3.9, never
    a "4.0 mm ... at least 4 mm" message)."""
    shown = round(v, 1)
    return math.floor(v * 10) / 10 if v < MIN_CHAR_MM <= shown else shown


def _check_print_size(design: "Design") -> None:
    """Every box must hold one legible character at the product's print size: its short side
    at least MIN_CHAR_MM on the layout's art window (the art image spans that window)."""
    try:
        spec = load_layout(design.product, design.layout)
    except LayoutError as err:
        if err.field != "layout":
            raise  # the shop's layout files are broken: their own message names the file
        raise DesignError(f"layout: {err.en}", f"layout：{err.zh}", field="layout") from None
    art_w, art_h = spec.front.art.w, spec.front.art.h
    for i, ln in enumerate(design.lines):
        if not ln.text:
            continue  # an erase box (edit mode) holds no character
        w_mm, h_mm = ln.box[2] * art_w, ln.box[3] * art_h
        if min(w_mm, h_mm) < MIN_CHAR_MM:
            w_mm, h_mm = _shown_mm(w_mm), _shown_mm(h_mm)
            field = f"lines[{i}].box"
            name_zh = PRODUCT_ZH.get(design.product, design.product)
            raise DesignError(
                f"{field}: too small to print one character: {w_mm:.1f} x {h_mm:.1f} mm at the "
                f"{design.product}'s print size; at least {MIN_CHAR_MM:g} mm",
                f"{field}：框太小，印不下一个字：按{name_zh}的印刷尺寸只有 {w_mm:.1f} × {h_mm:.1f} 毫米；"
                f"短边至少 {MIN_CHAR_MM:g} 毫米", field=field)


_GENERIC_ZH = {
    "missing": "缺少此字段",
    "extra_forbidden": "不允许的字段",
    "literal_error": "取值不被允许",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "string_type": "须为字符串",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "list_type": "须为列表",
    "tuple_type": "须为 [x, y, 宽, 高] 四个数字",
    "too_short": "项目太少",
    "too_long": "项目太多",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "model_type": "须为 JSON 对象",
    "dict_type": "须为 JSON 对象",
    "finite_number": "须为有限的数字（不允许 NaN 或无穷大）",
    "int_parsing_size": "数值太大",
    "int_from_float": "须为整数",
}

_MESSAGES_EN = {  # pydantic's own words where they would puzzle a reader
    "finite_number": "must be a finite number (NaN and Infinity are not allowed)",
    "int_parsing_size": "number too large",
}


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "design"


def _to_design_error(exc: ValidationError) -> DesignError:
    e = exc.errors(include_url=False)[0]
    loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    if e["type"] in _MESSAGES_EN:
        e = {**e, "msg": _MESSAGES_EN[e["type"]]}
    if "box" in loc and loc[-1] != "box":  # an element of the box: speak of the whole box
        loc = loc[:loc.index("box") + 1]
        if e["type"] != "finite_number":
            e = {**e, "type": "tuple_type", "msg": "must be [x, y, width, height]: four numbers"}
    if e["type"] == "text_font":
        loc = loc + ("text",)  # raised by the Line-level check, but it is the text that is wrong
    field = _field_name(loc)
    ctx = e.get("ctx") or {}
    en = e["msg"]
    if e["type"] == "too_short" and loc == ("lines",):
        en, zh = f"needs 1-{MAX_LINES} lines of text", f"需要 1-{MAX_LINES} 行文字"
    elif e["type"] == "too_long" and loc == ("lines",):
        en, zh = f"at most {MAX_LINES} lines of text", f"最多 {MAX_LINES} 行文字"
    else:
        zh = ctx.get("zh") or _GENERIC_ZH.get(e["type"], en)
    return DesignError(f"{field}: {en}", f"{field}：{zh}", field=field)


class _BigInt(int):
    """An integer literal too long to be a real value (kept as its digit count, so the scan
    can name its field instead of Python converting thousands of digits)."""


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    return _BigInt(digits) if digits > MAX_INT_DIGITS else int(text)


def _constant(name: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def _where(path: tuple) -> str:
    if "box" in path and path[-1] != "box":  # an element of a box: speak of the whole box
        path = path[:path.index("box") + 1]
    return _field_name(path)


def _scan(data: Any) -> None:
    """Refuse what pydantic would choke on or let through, naming the field: nesting deeper
    than MAX_DEPTH, NaN / Infinity, and absurdly long integers. Iterative (no recursion)."""
    stack: list[tuple[Any, tuple, int]] = [(data, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, (dict, list, tuple)):
            if depth >= MAX_DEPTH:
                field = _where(path)
                raise DesignError(f"{field}: nested too deeply (at most {MAX_DEPTH} levels)",
                                  f"{field}：嵌套层数太多（最多 {MAX_DEPTH} 层）", field=field)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend(reversed([(v, path + (k,), depth + 1) for k, v in items]))  # in order
        elif isinstance(value, _BigInt):
            field = _where(path)
            raise DesignError(f"{field}: number too large ({int(value)} digits)",
                              f"{field}：数值太大（{int(value)} 位数字）", field=field)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** MAX_INT_DIGITS:
            field = _where(path)
            raise DesignError(f"{field}: number too large", f"{field}：数值太大", field=field)
        elif isinstance(value, float) and not math.isfinite(value):
            field = _where(path)
            shown = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
            raise DesignError(f"{field}: must be a finite number (got {shown})",
                              f"{field}：须为有限的数字（现为 {shown}）", field=field)


def _check_depth(text: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH before json.loads recurses into it: count
    brackets outside strings."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise DesignError(
                    f"design: nested too deeply (more than {MAX_DEPTH} levels of [ ] or {{ }})",
                    f"design：嵌套层数太多（[ ] 或 {{ }} 最多 {MAX_DEPTH} 层）", field="design")
        elif tok in "]}":
            depth -= 1


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_big(source, size: int) -> DesignError:
    return DesignError(f"design file {source} is too large ({size} bytes; at most {MAX_FILE_BYTES})",
                       f"设计文件 {source} 太大（{size} 字节；最多 {MAX_FILE_BYTES} 字节）",
                       field="design")


def _read_file(source) -> str:
    """The file's text, refusing a file over MAX_FILE_BYTES before reading it all."""
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_big(source, size)
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)  # a device or a growing file: read no more
        if len(raw) > MAX_FILE_BYTES:
            raise _too_big(source, len(raw))
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DesignError(f"cannot read design file {source}: {exc.__class__.__name__}",
                          f"无法读取设计文件 {source}", field="design") from None


def make_design(data: dict[str, Any]) -> Design:
    """Validate plain data; raise DesignError (never pydantic's ValidationError)."""
    if not isinstance(data, dict):
        raise DesignError("design: must be a JSON object", "design：须为 JSON 对象", field="design")
    _scan(data)
    try:
        return Design.model_validate(data)
    except ValidationError as exc:
        raise _to_design_error(exc) from None


def load_design(source: str | Path | dict) -> Design:
    """From a dict, a JSON string, or a path to a JSON file."""
    if isinstance(source, dict):
        return make_design(source)
    text = str(source)
    if isinstance(source, Path) or not text.lstrip().startswith("{"):
        text = _read_file(source)
    elif len(text) > MAX_FILE_BYTES:
        raise DesignError(f"design is too large ({len(text)} characters; at most {MAX_FILE_BYTES})",
                          f"设计太大（{len(text)} 个字符；最多 {MAX_FILE_BYTES} 个）", field="design")
    _check_depth(text)
    try:
        data = json.loads(text, parse_int=_parse_int, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise DesignError(f"design is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                          f"设计文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）",
                          field="design") from None
    except (ValueError, RecursionError) as exc:  # a last guard: never a traceback
        raise DesignError(f"design is not valid JSON ({exc.__class__.__name__})",
                          "设计文件不是有效的 JSON", field="design") from None
    return make_design(data)


__all__ = ["Design", "Line", "DesignError", "KioskError", "load_design", "make_design",
           "overlap_fraction", "MAX_LINES", "MAX_CHARS", "PRODUCTS", "BACKENDS", "MIN_CHAR_MM",
           "MAX_FILE_BYTES", "MAX_DEPTH"]
