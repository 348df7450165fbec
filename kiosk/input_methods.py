"""Handwriting and pinyin input widgets for the text step.

Each function draws its widget and returns the text to append to the current line when the
visitor picks a candidate, else None. Candidates the chosen font cannot print, or that the
text moderation would refuse (alone or with the line), are never shown (textinput.offerable);
a pick is checked against the font once more, with a message in the screen's language.

The recognizer and the pinyin index live in textinput; this file only draws. Both
are loaded once per server process with st.cache_resource and are read-only afterwards.

Line being built / backspace: the widgets show the current line and their backspace deletes
its last character. They read and write it through `line_get` / `line_set` when the caller
passes them, otherwise through the kiosk's session keys `v_texts[v_cur]` (kiosk/state.py) and
the text step's `w_text_<i>` widget key (kiosk/text_step.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import streamlit as st

_HERE = Path(__file__).parent

# (zh, en); kept here rather than in kiosk/i18n.py so this widget file is self-contained
_STR = {
    "hw_hint": ("在框里用手指写一个字或几个字，再点选下面的候选字",
                "Write one or a few Chinese characters with your finger, then tap a candidate"),
    "hw_undo": ("撤销一笔", "Undo stroke"),
    "hw_clear": ("清除", "Clear"),
    "backspace": ("删除一个字", "Delete a character"),
    "hw_none": ("没有认出来，请写大一些、清楚一些", "Not recognised: please write larger and clearer"),
    "line": ("当前这一行：", "Current line: "),
    "line_empty": ("（还没有文字）", "(empty)"),
    "py_hint": ("输入拼音，不用空格，例如 tianlu", "Type pinyin without spaces, e.g. tianlu"),
    "py_clear": ("清空拼音", "Clear letters"),
    "py_none": ("没有匹配的字词", "No match"),
    "py_more": ("更多", "More"),
    "added": ("已加入：{text}", "Added: {text}"),
}


_CAND_CSS = ("<style>[class*='_hw_cand'] button{min-height:4.2rem}"
             "[class*='_hw_cand'] button p{font-size:2.2rem;line-height:1.1}</style>")


def _t(key: str, lang: str, **fmt) -> str:
    zh, en = _STR[key]
    return (zh if lang == "zh" else en).format(**fmt)


@st.cache_resource(show_spinner=False)
def get_recognizer():
    from textinput.handwriting import Recognizer

    return Recognizer()


@st.cache_resource(show_spinner="正在准备拼音词库（仅第一次）… Preparing the pinyin dictionary (first time only)…")
def get_pinyin_index():
    # `make install` builds $KIOSK_VAR/textinput/pinyin_index.v*.sqlite; if it is missing, the
    # first key press builds it (10-30 s). Not touched before a letter is typed, so pages and
    # AppTest runs that never type pay nothing.
    from textinput.pinyin import PinyinIndex

    return PinyinIndex()


# -- the current line -----------------------------------------------------------------------
def _default_get() -> str:
    ss = st.session_state
    texts, cur = ss.get("v_texts"), ss.get("v_cur", 0)
    if isinstance(texts, list) and 0 <= cur < len(texts):
        return texts[cur] or ""
    return ss.get("_ti_line", "")


def _default_set(text: str) -> None:
    ss = st.session_state
    texts, cur = ss.get("v_texts"), ss.get("v_cur", 0)
    if isinstance(texts, list) and 0 <= cur < len(texts):
        texts[cur] = text
        # kiosk/text_step.py keeps the line in a text_input keyed w_text_<i>; dropping that
        # key makes it re-read v_texts on the next run (as its own _set_line does)
        ss.pop(f"w_text_{cur}", None)
    else:
        ss["_ti_line"] = text


def _line_panel(lang: str, line_get: Callable[[], str]) -> None:
    text = line_get()
    st.markdown(
        f"<div data-testid='ti-line' style='font-size:1.9rem;padding:0.2rem 0'>"
        f"<span style='font-size:1rem;opacity:.7'>{_t('line', lang)}</span>"
        f"{_escape(text) if text else _t('line_empty', lang)}</div>",
        unsafe_allow_html=True)


def _escape(s: str) -> str:
    import html

    return html.escape(s)


def _backspace(line_get, line_set) -> None:
    line_set(line_get()[:-1])


def _accept(key: str, text: str, font_id: str) -> bool:
    """Font check at pick time; the accepted text waits in session state for the return."""
    from textinput import pick_error

    err = pick_error(text, font_id)
    if err is not None:
        st.session_state[f"{key}_err"] = (err.en, err.zh)
        return False
    st.session_state[f"{key}_err"] = None
    st.session_state[f"{key}_pick"] = text
    return True


def _show_error(key: str, lang: str) -> None:
    err = st.session_state.get(f"{key}_err")
    if err:
        st.error(err[1] if lang == "zh" else err[0])


# -- handwriting ----------------------------------------------------------------------------
def _hw_rebuild(key: str, objects: list | None) -> None:
    ss = st.session_state
    ss[f"{key}_n"] = ss.get(f"{key}_n", 0) + 1           # a new canvas key redraws it
    ss[f"{key}_init"] = {"objects": objects} if objects else None
    ss[f"{key}_cands"] = []
    ss[f"{key}_sig"] = None


def _hw_undo(key: str) -> None:
    objects = list(st.session_state.get(f"{key}_objects") or [])
    _hw_rebuild(key, objects[:-1])


def _hw_pick(key: str, text: str, font_id: str) -> None:
    if _accept(key, text, font_id):
        _hw_rebuild(key, None)        # the written character is used up: a fresh canvas


def handwriting(key: str, lang: str, font_id: str, *, allow_latin: bool = False,
                width: int = 600, height: int = 300,
                line_get: Callable[[], str] | None = None,
                line_set: Callable[[str], None] | None = None) -> str | None:
    """Finger-writing canvas with ~8 candidates; returns the picked text or None."""
    from streamlit_drawable_canvas import st_canvas

    ss = st.session_state
    key = f"{key}_hw"
    line_get, line_set = line_get or _default_get, line_set or _default_set
    picked = ss.pop(f"{key}_pick", None)
    n = ss.setdefault(f"{key}_n", 0)
    ss.setdefault(f"{key}_cands", [])
    # the caller appends `picked` after we return: show the line as it is about to be
    _line_panel(lang, lambda: line_get() + (picked or ""))
    st.caption(_t("hw_hint", lang))
    res = st_canvas(stroke_width=14, stroke_color="#111111", background_color="#FFFDF6",
                    height=height, width=width, drawing_mode="freedraw",
                    initial_drawing=ss.get(f"{key}_init"), return_image_data=True,
                    key=f"{key}_canvas_{n}")
    objects = (res.json_data or {}).get("objects") or []
    ss[f"{key}_objects"] = objects
    sig = (n, len(objects))
    if not objects:
        ss[f"{key}_cands"] = [] if ss.get(f"{key}_sig") is not None else ss[f"{key}_cands"]
    elif ss.get(f"{key}_sig") != sig:
        # recognise once per stroke, not on every rerun of the page. A canvas rebuilt by Undo
        # reports its strokes but no picture: draw them from the stroke data then.
        from textinput.handwriting import render_strokes

        image = res.image_data
        if image is None:
            image = render_strokes(objects, (width, height))
        # more than the eight tiles: the font and moderation filter below may drop some
        found = get_recognizer().recognize(image, k=16, allow_non_chinese=allow_latin)
        ss[f"{key}_cands"] = [c.text for c in found]
        ss[f"{key}_sig"] = sig
    from textinput import offerable

    line = line_get() + (picked or "")
    cands = [c for c in ss[f"{key}_cands"] if offerable(c, font_id, line)][:8]
    if cands:
        # two rows of four big tiles: a portrait screen has no room for eight across
        st.markdown(_CAND_CSS, unsafe_allow_html=True)
        for row in range(0, len(cands), 4):
            cols = st.columns(4)
            for i, text in enumerate(cands[row:row + 4], start=row):
                cols[i - row].button(text, key=f"{key}_cand{i}", on_click=_hw_pick,
                                     args=(key, text, font_id), width="stretch")
    elif objects and ss.get(f"{key}_sig") == sig:
        st.info(_t("hw_none", lang))
    c1, c2, c3 = st.columns(3)
    c1.button(_t("hw_undo", lang), key=f"{key}_undo", on_click=_hw_undo, args=(key,),
              width="stretch", disabled=not objects)
    c2.button(_t("hw_clear", lang), key=f"{key}_clear", on_click=_hw_rebuild, args=(key, None),
              width="stretch", disabled=not objects)
    c3.button(_t("backspace", lang), key=f"{key}_bs", on_click=_backspace,
              args=(line_get, line_set), width="stretch")
    _show_error(key, lang)
    return picked


# -- pinyin ---------------------------------------------------------------------------------
_keys_component = st.components.v2.component(
    "kiosk_pinyin_keys",
    html=None,
    css=(_HERE / "pinyin_keys.css").read_text(encoding="utf-8"),
    js=(_HERE / "pinyin_keys.js").read_text(encoding="utf-8"),
)


def _value(comp_key: str, name: str):
    state = st.session_state.get(comp_key)
    if state is None:
        return None
    try:
        return state[name]
    except (KeyError, TypeError, IndexError):
        return getattr(state, name, None)


def _py_typed(key: str) -> None:
    typed = _value(f"{key}_keys", "typed") or {}
    st.session_state[f"{key}_buf"] = str(typed.get("b", ""))[:40]


def _once(key: str, event: str, stamp) -> bool:
    """True the first time an event stamp is seen: a trigger replayed by an interrupted rerun
    must not delete or append twice."""
    ss = st.session_state
    if stamp is None or ss.get(f"{key}_{event}_seen") == stamp:
        return False
    ss[f"{key}_{event}_seen"] = stamp
    return True


def _py_pick(key: str, font_id: str) -> None:
    pick = _value(f"{key}_keys", "pick") or {}
    text, buffer = pick.get("text"), str(pick.get("buffer", ""))
    if not text or not _once(key, "pick", pick.get("at")):
        return
    if _accept(key, text, font_id):
        from textinput.pinyin import rest_after

        rest = rest_after(buffer, int(pick.get("consumed") or len(buffer)))
        ss = st.session_state
        ss[f"{key}_buf"] = rest
        ss[f"{key}_seq"] = ss.get(f"{key}_seq", 0) + 1
        ss[f"{key}_reset"] = {"seq": ss[f"{key}_seq"], "buffer": rest}


def _py_backspace(key: str, line_get, line_set) -> None:
    if _once(key, "backspace", _value(f"{key}_keys", "backspace")):
        _backspace(line_get, line_set)


def pinyin(key: str, lang: str, font_id: str, *, per_page: int = 10,
           line_get: Callable[[], str] | None = None,
           line_set: Callable[[str], None] | None = None) -> str | None:
    """In-page letter keys with phrase/character candidates; returns the picked text or None."""
    ss = st.session_state
    key = f"{key}_py"
    line_get, line_set = line_get or _default_get, line_set or _default_set
    picked = ss.pop(f"{key}_pick", None)
    buf = ss.get(f"{key}_buf", "")
    _line_panel(lang, lambda: line_get() + (picked or ""))
    cands = get_pinyin_index().candidates(buf, limit=48) if buf else []
    if cands:
        from textinput import offerable

        line = line_get() + (picked or "")
        cands = [c for c in cands if offerable(c.text, font_id, line)][:40]
    data = {
        "for": buf,
        "buffer": buf,
        "cands": [[c.text, c.consumed, c.museum] for c in cands],
        "per_page": per_page,
        "reset": ss.get(f"{key}_reset"),
        "labels": {"hint": _t("py_hint", lang), "clear": _t("py_clear", lang),
                   "none": _t("py_none", lang), "more": _t("py_more", lang)},
    }
    _keys_component(key=f"{key}_keys", data=data, default={"typed": {"b": "", "n": 0}},
                    on_typed_change=lambda: _py_typed(key),
                    on_pick_change=lambda: _py_pick(key, font_id),
                    on_backspace_change=lambda: _py_backspace(key, line_get, line_set),
                    width="stretch", height="content")
    _show_error(key, lang)
    return picked
