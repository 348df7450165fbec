"""Step 4: the visitor's words: lines, phrase picker / input methods, boxes, font, colour, preview."""
from __future__ import annotations

import base64
import logging

import streamlit as st

from base import fonts
from generator.design import MAX_CHARS, MAX_LINES
from base.errors import KioskError
from generator.motifs import get_motif
from kiosk import canvas, input_methods, preview, state
from kiosk.boxes import suits
from kiosk.chrome import action_bar
from kiosk.resources import get_runner
from kiosk.design import build_design, font_name, line_problem, line_style, line_vertical, lines_of
from kiosk.i18n import t

log = logging.getLogger("kiosk.text")

# Used when a motif has no curated phrases yet (zh, en meaning).
GENERAL_PHRASES = (
    ("吉祥如意", "Good fortune as you wish"), ("平安喜乐", "Peace and joy"),
    ("福寿安康", "Blessings, long life and health"), ("前程似锦", "A future like brocade"),
    ("万事如意", "May all go as you wish"), ("岁岁平安", "Peace year after year"),
    ("天路", "The road to heaven"), ("金沙", "Golden sands (Jinsha)"),
    ("长乐未央", "Endless joy"), ("心想事成", "May your wishes come true"),
)
COLOURS = {"#F5D27A": ("金色", "Gold"), "#C0392B": ("朱砂红", "Cinnabar red"),
           "#3E9C7E": ("玉绿", "Jade green"), "#1E1A17": ("墨黑", "Ink black"),
           "#FFFFFF": ("白色", "White")}


def phrases_for(motif_id: str) -> list[tuple[str, str]]:
    curated = [(p.get("zh", ""), p.get("en", "")) for p in get_motif(motif_id).phrases if p.get("zh")]
    return curated or list(GENERAL_PHRASES)


def _set_line(i: int, text: str) -> None:
    ss = st.session_state
    ss["v_texts"][i] = text
    ss.pop(f"w_text_{i}", None)  # the widget re-reads v_texts on the next run
    ss["v_error"] = None


def reset_text_widgets() -> None:
    """Drop the line inputs' widget state: they re-read v_texts on the next run."""
    for key in [k for k in st.session_state.keys() if isinstance(k, str) and k.startswith("w_text_")]:
        del st.session_state[key]


def _pick_phrase(text: str) -> None:
    _set_line(st.session_state["v_cur"], text)


def _select_line(i: int) -> None:
    st.session_state["v_cur"] = i


def _add_line() -> None:
    """A new line starts in the current line's font, colour and direction (most visitors keep
    one style)."""
    ss = st.session_state
    if len(ss["v_texts"]) < MAX_LINES:
        font, color = line_style(ss, ss["v_cur"])
        vertical = line_vertical(ss, ss["v_cur"])
        ss["v_texts"].append("")
        ss["v_fonts"] = [line_style(ss, i)[0] for i in range(len(ss["v_texts"]) - 1)] + [font]
        ss["v_colors"] = [line_style(ss, i)[1] for i in range(len(ss["v_texts"]) - 1)] + [color]
        ss["v_verticals"] = [line_vertical(ss, i) for i in range(len(ss["v_texts"]) - 1)] + [vertical]
        ss["v_cur"] = len(ss["v_texts"]) - 1


def _remove_line(i: int) -> None:
    ss = st.session_state
    if len(ss["v_texts"]) <= 1:
        _set_line(0, "")
        return
    ss["v_texts"].pop(i)
    for key in ("v_fonts", "v_colors", "v_verticals"):
        if i < len(ss[key]) and len(ss[key]) > 1:
            ss[key].pop(i)
    if i < len(ss["v_boxes"]):
        canvas.rebuild(ss["v_boxes"][:i] + ss["v_boxes"][i + 1:])
    ss["v_cur"] = min(ss["v_cur"], len(ss["v_texts"]) - 1)
    reset_text_widgets()


def _auto_boxes() -> None:
    ss = st.session_state
    safe = preview.safe_area(ss["v_product"], ss["v_motif"])
    n = len(ss["v_texts"])
    canvas.rebuild(canvas.default_boxes(n, ss["v_boxes"], safe, [line_vertical(ss, i) for i in range(n)]))


def _generate() -> None:
    ss = st.session_state
    try:
        design = build_design(ss)
    except KioskError as err:
        state.set_error(err.en, err.zh)
        return
    if ss.get("v_job"):
        get_runner().abandon(ss["v_job"])
    ss["v_job"] = get_runner().start(design)
    ss["v_version"] = None
    state.go("generate")


def lines_editor(lang: str) -> None:
    ss = st.session_state
    for i in range(len(ss["v_texts"])):
        key = f"w_text_{i}"
        if key not in ss:
            ss[key] = ss["v_texts"][i]
        c1, c2, c3 = st.columns([2, 6, 2], vertical_alignment="center")
        c1.button(t("line_n", lang, n=i + 1), key=f"w_sel_{i}", on_click=_select_line, args=(i,),
                  type="primary" if i == ss["v_cur"] else "secondary", width="stretch")
        # max_chars: the input itself stops at the limit, rather than a refusal at Generate
        ss["v_texts"][i] = c2.text_input(t("line_text", lang, n=i + 1), key=key,
                                         label_visibility="collapsed", max_chars=MAX_CHARS,
                                         placeholder=t("line_text_help", lang))
        c3.button(t("remove_line_short", lang), key=f"w_del_{i}", on_click=_remove_line, args=(i,),
                  width="stretch", help=t("remove_line", lang))
        problem = line_problem(i + 1, ss["v_texts"][i], line_style(ss, i)[0])
        if problem:  # said at once, not first at Generate
            st.warning(problem.message(lang))
    if len(ss["v_texts"]) < MAX_LINES:
        st.button(t("add_line", lang), key="w_add_line", on_click=_add_line)


def word_inputs(lang: str) -> None:
    ss = st.session_state
    tabs = st.tabs([t("tab_phrases", lang), t("tab_handwriting", lang), t("tab_pinyin", lang)])
    with tabs[0]:
        st.caption(t("phrases_hint", lang))
        cols = st.columns(2)
        for n, (zh, en) in enumerate(phrases_for(ss["v_motif"])):
            cols[n % 2].button(f"**{zh}**  ·  {en}", key=f"w_phrase_{n}", on_click=_pick_phrase,
                               args=(zh,), width="stretch")
    picked = None
    for tab, name in ((tabs[1], "handwriting"), (tabs[2], "pinyin")):
        with tab:
            fn = getattr(input_methods, name, None)
            text = None
            try:
                text = fn(f"w_{name}", lang, line_style(ss, ss["v_cur"])[0]) if fn else None
            except Exception:  # an optional input method must never take the text step down
                log.exception("input method %s failed", name)
                fn = None
            if fn is None:
                st.info(t("input_unavailable", lang))
            picked = picked or text
    if picked:
        cur = ss["v_cur"]
        if len((ss["v_texts"][cur] + picked).strip()) > MAX_CHARS:
            st.warning(t("line_full", lang, n=cur + 1, max=MAX_CHARS))  # the pick is not added
        else:
            _set_line(cur, ss["v_texts"][cur] + picked)
            st.rerun()


def _set_style(i: int, *, font: str | None = None, color: str | None = None,
               vertical: bool | None = None) -> None:
    """Give line i a font, colour and/or direction (on_click: runs before the page redraws)."""
    ss = st.session_state
    n = len(ss["v_texts"])
    fonts_, colors = [line_style(ss, j)[0] for j in range(n)], [line_style(ss, j)[1] for j in range(n)]
    if font is not None:
        fonts_[i] = font
    if color is not None:
        colors[i] = color
    ss["v_fonts"], ss["v_colors"] = fonts_, colors
    if vertical is not None:
        ss["v_verticals"] = [vertical if j == i else line_vertical(ss, j) for j in range(n)]
        _reshape_boxes([i])
    ss["v_error"] = None


def _reshape_boxes(lines: list[int]) -> None:
    """A line turned vertical in a wide band (or horizontal in a tall column) would shrink to
    a thin run of tiny glyphs: give it a new box of its own shape, when one fits."""
    ss = st.session_state
    boxes, n = list(ss["v_boxes"]), len(ss["v_texts"])
    flags = [line_vertical(ss, j) for j in range(n)]
    wrong = [j for j in lines if j < len(boxes) and not suits(boxes[j], flags[j], ss["v_product"])]
    if not wrong:
        return
    safe = preview.safe_area(ss["v_product"], ss["v_motif"])
    new = canvas.default_boxes(n, [None if j in wrong else b for j, b in enumerate(boxes)], safe, flags)
    if len(new) >= len(boxes):
        canvas.rebuild(new[:len(boxes)])


def _style_all(i: int) -> None:
    ss = st.session_state
    font, color = line_style(ss, i)
    n = len(ss["v_texts"])
    ss["v_fonts"], ss["v_colors"] = [font] * n, [color] * n
    ss["v_verticals"] = [line_vertical(ss, i)] * n
    _reshape_boxes(list(range(n)))


def _style_css(n_lines: int) -> str:
    """Colour swatches on the colour buttons and a stripe of each line's colour on its
    line button, so a visitor sees every line's colour at a glance."""
    dot = ("display:inline-block;width:1.6rem;height:1.6rem;border-radius:50%;"
           "border:2px solid rgba(0,0,0,.35);margin-right:.6rem;vertical-align:middle;content:''")
    rules = [f".st-key-w_color_{c[1:]} button::before{{{dot};background:{c}}}" for c in COLOURS]
    ss = st.session_state
    rules += [f".st-key-w_sel_{i} button{{border-left:.7rem solid {line_style(ss, i)[1]}}}"
              for i in range(n_lines)]
    rules.append("[class*='st-key-w_font_'] button, [class*='st-key-w_color_'] button"
                 "{min-height:3.6rem}")
    return "<style>" + "".join(rules) + _font_faces() + "</style>"


@st.cache_data(show_spinner=False)
def _font_faces() -> str:
    """Each font button's name set in that font: @font-face rules with the font cut down to its
    names (base.fonts.label_font, a few KB each, inline: nothing to serve or download)."""
    rules = []
    for f in fonts.REGISTRY:
        try:
            data = base64.b64encode(fonts.label_font(f)).decode("ascii")
        except Exception:  # a missing font: its button keeps the page's font
            log.exception("font sample %s failed", f)
            continue
        rules.append(f"@font-face{{font-family:'kiosk-font-{f}';src:url(data:font/sfnt;base64,{data})}}"
                     f".st-key-w_font_{f} button p{{font-family:'kiosk-font-{f}',sans-serif;"
                     "font-size:1.45rem}")
    return "".join(rules)


def line_style_picker(lang: str) -> None:
    """Font and colour of the current line: big buttons, the chosen one highlighted."""
    ss = st.session_state
    cur = min(ss["v_cur"], len(ss["v_texts"]) - 1)
    font, color = line_style(ss, cur)
    st.html(_style_css(len(ss["v_texts"])))
    st.markdown(f"**{t('style_title', lang, n=cur + 1)}**")
    if len(ss["v_texts"]) > 1:
        st.caption(t("style_hint", lang))
    cols = st.columns(len(fonts.REGISTRY))
    for col, f in zip(cols, fonts.REGISTRY):
        col.button(font_name(f, lang), key=f"w_font_{f}", on_click=_set_style, args=(cur,),
                   kwargs={"font": f}, type="primary" if f == font else "secondary", width="stretch")
    cols = st.columns(len(COLOURS))
    for col, c in zip(cols, COLOURS):
        col.button(COLOURS[c][0 if lang == "zh" else 1], key=f"w_color_{c[1:]}", on_click=_set_style,
                   args=(cur,), kwargs={"color": c}, type="primary" if c == color else "secondary",
                   width="stretch")
    vertical = line_vertical(ss, cur)
    c1, c2, c3 = st.columns(3)
    c1.button(t("horizontal", lang), key="w_orient_h", on_click=_set_style, args=(cur,),
              kwargs={"vertical": False}, type="secondary" if vertical else "primary", width="stretch")
    c2.button(t("vertical", lang), key="w_orient_v", on_click=_set_style, args=(cur,),
              kwargs={"vertical": True}, type="primary" if vertical else "secondary", width="stretch")
    if len(ss["v_texts"]) > 1:
        c3.button(t("style_all", lang), key="w_style_all", on_click=_style_all, args=(cur,),
                  width="stretch")


def _boxes(lang: str) -> None:
    ss = st.session_state
    st.subheader(t("boxes_title", lang))
    safe = preview.safe_area(ss["v_product"], ss["v_motif"])
    st.caption(t("boxes_hint" if safe else "boxes_hint_no_guide", lang))  # no dashed line drawn
    wide = ss["v_product"] == "postcard"
    cols = st.columns(1 if wide else 2)
    with cols[0]:
        canvas.box_canvas()
    b1, b2, b3 = st.columns(3)
    b1.button(t("undo_box", lang), key="w_undo", on_click=canvas.undo_box, width="stretch",
              disabled=not ss["v_boxes"])
    b2.button(t("clear_boxes", lang), key="w_clear", on_click=canvas.clear_boxes, width="stretch",
              disabled=not ss["v_boxes"])
    b3.button(t("auto_boxes", lang), key="w_auto", on_click=_auto_boxes, width="stretch")
    st.caption(t("boxes_count", lang, boxes=len(ss["v_boxes"]), lines=len(ss["v_texts"])))
    for i, box in enumerate(ss["v_boxes"][:len(ss["v_texts"])]):
        if preview.outside_safe(box, safe):
            st.warning(t("box_unsafe", lang, n=i + 1))
    with cols[-1]:
        if not wide:
            st.markdown(f"**{t('preview', lang)}**")
        w, h = canvas.canvas_size(ss["v_product"])
        img = preview.text_preview(ss["v_motif"], (w, h), lines_of(ss), safe)
        if wide:
            st.markdown(f"**{t('preview', lang)}**")
        st.image(img, width=w, output_format="JPEG")


def _current_error() -> tuple[str, str] | None:
    """The Generate error (en, zh) while the words, boxes and styles it was about are unchanged;
    any change to them clears it (a fixed cause must not stay reported)."""
    ss = st.session_state
    now = repr((lines_of(ss), ss["v_motif"], ss["v_product"]))
    if ss["v_error"] and ss.setdefault("v_error_input", now) == now:
        return ss["v_error"]
    ss["v_error"] = None
    ss.pop("v_error_input", None)
    return None


def text_screen() -> None:
    lang = state.lang()
    ss = st.session_state
    lines_editor(lang)
    word_inputs(lang)
    line_style_picker(lang)
    _boxes(lang)
    with action_bar():
        error = _current_error()
        if error:
            st.error(error[1] if lang == "zh" else error[0])
        c1, c2 = st.columns([1, 2])
        c1.button(t("back", lang), key="w_back_text", on_click=state.go, args=("product",),
                  width="stretch")
        c2.button(t("generate", lang), key="w_generate", type="primary", on_click=_generate,
                  width="stretch")
