"""The strip on top of every visitor screen (step, title, "start over", language switch) and the
action bar at its bottom."""
from __future__ import annotations

import streamlit as st

from kiosk import state
from kiosk.resources import get_runner
from kiosk.i18n import t

FLOW = ("motif", "product", "text", "generate", "proof")


def header(title_key: str) -> None:
    lang = state.lang()
    step = st.session_state["v_step"]
    left, mid, right = st.columns([5, 2, 2], vertical_alignment="center")
    with left:
        if step in FLOW:
            st.markdown(f"<div class='kiosk-step'>{t('step', lang, n=FLOW.index(step) + 1, total=len(FLOW))}</div>",
                        unsafe_allow_html=True)
        st.title(t(title_key, lang))
    with mid:
        if step not in ("start", "done"):
            st.button(t("restart", lang), key="k_restart", on_click=restart, width="stretch")
    with right:
        st.button(t("lang_switch", lang), key="k_lang_btn", on_click=state.toggle_lang, width="stretch")


def action_bar():
    """The step's next action(s): a container that kiosk/visitor.css keeps on screen, at the
    bottom, however tall the step is (use as `with action_bar():`)."""
    return st.container(key="k_actions")


def restart(idle: bool = False) -> None:
    job = st.session_state.get("v_job")
    if job and st.session_state.get("v_step") != "done":
        get_runner().abandon(job)  # a submitted job is never touched: it belongs to the queue
    state.reset_visitor(idle=idle)
