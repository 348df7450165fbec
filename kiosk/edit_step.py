"""From the proof, the visitor may change the words on the chosen picture (and come back).

The lines of the version shown are loaded into the words step's own state (v_texts, v_boxes,
v_fonts, v_colors, v_verticals), so its pieces work here unchanged: tap a line and put new words on it
with the phrases, handwriting or pinyin, ✕ removes a line, "add a line" plus a box drawn on
the canvas (over the chosen picture) adds one. "Update the picture" sends the version's lines
to the job system (jobs.runner.submit_edit: validated and moderated), whose worker redraws only
the changed boxes and checks the text; the new version is shown when it is ready. Undo shows
the version it was made from (no worker). The page holds only the job id and the version index.
"""
from __future__ import annotations

import streamlit as st

from base.errors import KioskError
from jobs.runner import CandidateView
from kiosk import canvas, preview, state
from kiosk.chrome import action_bar, header
from kiosk.design import build_design
from kiosk.i18n import t
from kiosk.resources import get_runner
from kiosk.result_steps import ocr_badge, progress_panel
from kiosk.text_step import line_style_picker, lines_editor, reset_text_widgets, word_inputs


def _load(version: CandidateView) -> None:
    """Put the version's lines where the words step's pieces read and write them."""
    ss = st.session_state
    lines = version.lines
    ss["v_texts"] = [ln["text"] for ln in lines]
    ss["v_fonts"] = [ln["font"] for ln in lines]
    ss["v_colors"] = [ln["color"] for ln in lines]
    ss["v_verticals"] = [bool(ln.get("vertical")) for ln in lines]
    ss["v_cur"] = 0
    reset_text_widgets()
    canvas.rebuild([tuple(ln["box"]) for ln in lines])
    ss["v_edit_of"] = version.index


def _apply() -> None:
    ss = st.session_state
    try:
        lines = [ln.model_dump(mode="json") for ln in build_design(ss).lines]
        get_runner().edit(ss["v_job"], ss["v_version"], lines)
    except KioskError as err:   # a refused word, a missing box, nothing changed...
        state.set_error(err.en, err.zh)
        return
    ss["v_editing"], ss["v_error"] = True, None


def _undo(parent: int) -> None:
    st.session_state["v_version"] = parent
    st.session_state["v_error"] = None


def _edit_done(view) -> None:
    """The worker finished the edit: show the new version, or say why not (the old is kept)."""
    ss = st.session_state
    ss["v_editing"] = False
    if view.error:
        state.set_error(*view.error)
    elif view.latest is not None:
        ss["v_version"] = view.latest


def edit_screen() -> None:
    lang = state.lang()
    ss = st.session_state
    view = get_runner().poll(ss["v_job"], pictures=False) if ss.get("v_job") else None
    if ss["v_editing"] and view is not None:
        if not view.finished:
            header("editing_title")
            ss["w_progress_first"] = True
            progress_panel(ss["v_job"])
            return
        _edit_done(view)
    if view is None or view.state != "awaiting_choice" or ss["v_version"] is None:
        state.go("generate")
        st.rerun()
    version = get_runner().version(ss["v_job"], ss["v_version"])
    if ss["v_edit_of"] != version.index:
        _load(version)
    header("edit_title")
    w, h = canvas.canvas_size(ss["v_product"])
    wide = ss["v_product"] == "postcard"
    cols = st.columns(1 if wide else 2)
    with cols[0]:
        st.markdown(f"**{t('edit_version' if version.parent is not None else 'edit_original', lang)}**")
        st.image(version.image, width="stretch", output_format="PNG")
        ocr_badge(version, lang)
        st.button(t("edit_undo", lang), key="w_edit_undo", on_click=_undo,
                  args=(version.parent,), disabled=version.parent is None, width="stretch")
    with cols[-1]:
        st.caption(t("edit_hint", lang))
        lines_editor(lang)
    # kept on screen at the bottom: the step is taller than the screen once a line is added
    with action_bar():
        if ss["v_error"]:
            st.error(ss["v_error"][1] if lang == "zh" else ss["v_error"][0])
        c1, c2 = st.columns(2)
        c1.button(t("edit_next", lang), key="w_edit_next", on_click=state.go, args=("proof",),
                  width="stretch")
        c2.button(t("edit_apply", lang), key="w_edit_apply", type="primary", on_click=_apply,
                  width="stretch")
    word_inputs(lang)
    line_style_picker(lang)
    st.markdown(f"**{t('edit_boxes', lang)}**")
    bg_key = (ss["v_job"], version.index, w, h)
    if ss.get("w_edit_bg", (None,))[0] != bg_key:  # encode the picture once per version
        ss["w_edit_bg"] = (bg_key, preview.art_background(version.image, ss["v_product"],
                                                          ss["v_motif"], w, h))
    canvas.box_canvas(background=ss["w_edit_bg"][1])
    st.button(t("undo_box", lang), key="w_edit_undo_box", on_click=canvas.undo_box,
              disabled=len(ss["v_boxes"]) <= len(version.lines), width="content")
