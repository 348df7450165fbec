"""The visitor page: one screen per step, chosen by `v_step` (see kiosk/state.py STEPS).

Thin: each screen reads session state, draws widgets and changes state in on_click callbacks.
Validation lives in kiosk/design.py, jobs in jobs/runner.py, pictures in kiosk/preview.py.
"""
from __future__ import annotations

import streamlit as st

from base.settings import settings
from generator.motifs import gallery_motifs
from jobs.runner import art_size
from jobs.staff import diffusion_active
from kiosk import preview, state
from kiosk.chrome import header, restart
from kiosk.i18n import t
from kiosk.resources import warm_up
from kiosk.edit_step import edit_screen
from kiosk.result_steps import done_screen, generate_screen, proof_screen
from kiosk.text_step import text_screen
from kiosk.theme import apply_visitor_theme
from kiosk.touch import install_touch


@st.cache_data(show_spinner=False, max_entries=64)
def _picture_png(motif_id: str, w: int, h: int) -> bytes:
    return preview.png_bytes(preview.motif_picture(motif_id, w, h))


def start_screen() -> None:
    lang = state.lang()
    header("app_title")
    if st.session_state.get("k_idle_notice"):
        st.toast(t("idle_notice", lang))
        st.session_state["k_idle_notice"] = False
    st.header(t("start_title", lang))
    st.write(t("start_body", lang))
    st.image(_picture_png("sunbird", 960, 540), width="stretch")
    st.button(t("start_button", lang), key="v_start_btn", type="primary",
              on_click=state.go, args=("motif",), width="stretch")


def _pick_motif(motif_id: str) -> None:
    st.session_state["v_motif"] = motif_id
    state.go("product")


def motif_screen() -> None:
    lang = state.lang()
    header("motif_title")
    motifs = gallery_motifs(diffusion=diffusion_active())   # photo-only motifs need AnyText
    for row in range(0, len(motifs), 2):
        cols = st.columns(2)
        for col, m in zip(cols, motifs[row:row + 2]):
            with col, st.container(border=True):
                st.image(_picture_png(m.id, 480, 360), width="stretch")
                st.subheader(m.name_zh if lang == "zh" else m.name_en)
                story = m.story_zh if lang == "zh" else m.story_en
                st.caption(story[:90] + ("…" if len(story) > 90 else ""))
                st.button(t("motif_pick", lang), key=f"v_motif_{m.id}", type="primary",
                          on_click=_pick_motif, args=(m.id,), width="stretch")
    st.button(t("back", lang), key="v_back_motif", on_click=state.go, args=("start",), width="stretch")


def _pick_product(product: str) -> None:
    ss = st.session_state
    if ss["v_product"] != product:
        ss["v_product"] = product
        from kiosk.canvas import rebuild  # boxes are fractions, so they survive; re-show them

        rebuild(ss["v_boxes"])
    state.go("text")


def product_screen() -> None:
    lang = state.lang()
    header("product_title")
    cols = st.columns(3)
    for col, product in zip(cols, ("bookmark", "poker", "postcard")):
        with col, st.container(border=True):
            st.image(preview.product_tile(st.session_state["v_motif"], *art_size(product)),
                     width="stretch")
            st.subheader(t(f"product_{product}", lang))
            st.caption(t(f"product_{product}_note", lang))
            st.button(t("motif_pick", lang), key=f"v_product_{product}", type="primary",
                      on_click=_pick_product, args=(product,), width="stretch")
    st.button(t("back", lang), key="v_back_product", on_click=state.go, args=("motif",), width="stretch")


SCREENS = {
    "start": start_screen, "motif": motif_screen, "product": product_screen,
    "text": lambda: (header("text_title"), text_screen()),
    "generate": generate_screen,
    "edit": edit_screen,
    "proof": lambda: (header("proof_title"), proof_screen()),
    "done": lambda: (header("done_title"), done_screen()),
}


def main() -> None:
    ss = st.session_state
    if ss.get("k_idle"):
        restart(idle=True)
    warm_up()
    apply_visitor_theme()
    install_touch(settings().idle_seconds, active=ss["v_step"] != "start")
    step = ss["v_step"]
    if step in ("product", "text", "generate", "edit", "proof") and not ss.get("v_motif"):
        step = ss["v_step"] = "motif"  # a stale session (e.g. after a server restart)
    elif step in ("text", "generate", "edit", "proof") and not ss.get("v_product"):
        step = ss["v_step"] = "product"
    SCREENS[step]()


main()
