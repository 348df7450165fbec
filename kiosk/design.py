"""Turn the visitor's choices (session state) into a validated Design, or one friendly error.

Order: lines present -> a box per line -> boxes apart -> each line printable (length, hidden
characters, the font's glyphs: said here in the visitor's words, since make_design's messages
name font ids and code points) -> moderation (names no word) -> generator.design.make_design
(everything else). Errors are KioskErrors so the page shows `err.message(lang)`.
"""
from __future__ import annotations

import re

from base.fonts import REGISTRY, invalid_characters, missing_characters
from generator.design import MAX_CHARS, MAX_LINES, MAX_OVERLAP, Design, make_design, overlap_fraction
from base.errors import DesignError, KioskError
from kiosk.i18n import t


def line_style(ss, i: int) -> tuple[str, str]:
    """(font id, #RRGGBB) of line i; a line without its own choice takes line 1's."""
    fonts, colors = ss["v_fonts"], ss["v_colors"]
    return (fonts[i] if i < len(fonts) else fonts[0], colors[i] if i < len(colors) else colors[0])


def font_name(font_id: str, lang: str) -> str:
    """The name a visitor sees for a font (never its id)."""
    spec = REGISTRY[font_id]
    return spec.label_zh if lang == "zh" else spec.label_en.split(" (")[0]


def line_problem(n: int, text: str, font_id: str) -> DesignError | None:
    """Why line n (counted from 1) cannot be printed in its font, in plain words, or None."""
    text = text.strip()
    if len(text) > MAX_CHARS:
        return _both("too_long", n=n, max=MAX_CHARS, count=len(text))
    if invalid_characters(text):
        return _both("bad_chars", n=n)
    missing = " ".join(missing_characters(text, font_id))
    if missing:
        return DesignError(*(t("no_glyph", lang, n=n, font=font_name(font_id, lang), chars=missing)
                             for lang in ("en", "zh")))
    return None


def line_vertical(ss, i: int) -> bool:
    """Whether line i runs top to bottom; a line without its own choice takes line 1's."""
    flags = ss.get("v_verticals") or [False]
    return bool(flags[i] if i < len(flags) else flags[0])


def lines_of(ss) -> list[dict]:
    """The visitor's lines as Design line dicts (box None when not drawn yet), each with its
    own font, colour and direction."""
    boxes = ss["v_boxes"]
    return [{"text": text, "box": boxes[i] if i < len(boxes) else None,
             "font": line_style(ss, i)[0], "color": line_style(ss, i)[1],
             "vertical": line_vertical(ss, i)}
            for i, text in enumerate(ss["v_texts"])]


def _both(key: str, **fmt) -> KioskError:
    return DesignError(t(key, "en", **fmt), t(key, "zh", **fmt))


def _friendly(err: DesignError, used: list[int]) -> DesignError:
    """'lines[1].text: ...' -> 'Line 2: ...' (visitors count from 1 and know no field names)."""
    m = re.match(r"lines\[(\d+)\]\.?\w*", err.field or "")
    if not m:
        return err
    n = used[int(m.group(1))] + 1 if int(m.group(1)) < len(used) else int(m.group(1)) + 1
    strip = lambda s: s.split(":", 1)[-1].split("：", 1)[-1].strip()  # noqa: E731
    return DesignError(f"{t('line_n', 'en', n=n)}: {strip(err.en)}",
                       f"{t('line_n', 'zh', n=n)}：{strip(err.zh)}", field=err.field)


def version_design(ss, lines: list[dict], seed: int) -> Design:
    """The Design of a candidate or edited version (its own lines and seed) for the proof."""
    return make_design({"motif": ss["v_motif"], "product": ss["v_product"],
                        "backend": "procedural", "seed": seed, "lines": lines})


def build_design(ss) -> Design:
    """Validate the session's design; raises KioskError with a bilingual visitor message."""
    from generator.moderation import ensure_allowed

    lines = lines_of(ss)
    used = [i for i, ln in enumerate(lines) if ln["text"].strip()]  # visitor line numbers
    if not used:
        raise _both("need_text")
    if len(used) > MAX_LINES:
        raise _both("too_many_lines", n=MAX_LINES)
    for i in used:
        if lines[i]["box"] is None:
            raise _both("need_box", n=i + 1)
    for a, i in enumerate(used):
        for j in used[a + 1:]:
            if overlap_fraction(lines[i]["box"], lines[j]["box"]) > MAX_OVERLAP:
                raise DesignError(
                    f"Boxes {i + 1} and {j + 1} overlap too much: please draw them apart",
                    f"第 {i + 1} 个框和第 {j + 1} 个框重叠太多，请分开画", field="lines")
    for i in used:
        problem = line_problem(i + 1, lines[i]["text"], lines[i]["font"])
        if problem:
            raise problem
    ensure_allowed([lines[i]["text"] for i in used])  # ModerationError: friendly, names no word
    try:
        return version_design(ss, [dict(lines[i], box=list(lines[i]["box"])) for i in used],
                              ss["v_seed"])
    except DesignError as err:
        raise _friendly(err, used) from None
