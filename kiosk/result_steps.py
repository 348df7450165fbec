"""Steps 5-7: generation progress and candidates, the proof, the ticket (from the proof, the
visitor may change the words on the chosen picture: kiosk/edit_step.py).

The page holds only a job id; the worker owns the job, so reruns, taps and a closed tab do not
stop it. While it runs, a fragment reruns every FRAGMENT_S seconds to redraw the progress bar;
inside each run it watches the job row every POLL_S (a cheap database read) and, as soon as the
job finishes, reruns the whole page once, which then draws the candidates without polling.
Why not simply rerun the fragment every 0.3 s: measured on a loaded 2-core kiosk, fast
fragment reruns starved the in-process worker (3 candidates took 12 s instead of 1.5 s).
"""
from __future__ import annotations

import html
import math
import time

import streamlit as st

from base.errors import KioskError
from base.settings import settings
from jobs.runner import CandidateView, JobView, art_size
from kiosk import preview, state
from kiosk.resources import get_runner
from kiosk.chrome import action_bar, header
from kiosk.design import build_design, version_design
from kiosk.i18n import t

FRAGMENT_S = settings().fragment_seconds
POLL_S = 0.1


def _watch(job_id: str, seconds: float) -> JobView:
    """Poll the job for up to `seconds`, returning early when it finishes."""
    end = time.monotonic() + seconds
    view = get_runner().poll(job_id, pictures=False)
    while not view.finished and time.monotonic() < end:
        time.sleep(POLL_S)
        view = get_runner().poll(job_id, pictures=False)
    return view


@st.fragment(run_every=FRAGMENT_S)
def progress_panel(job_id: str) -> None:
    """The job's progress bar; reruns the page once the job is done (generation or an edit)."""
    lang = state.lang()
    # a full page run draws the bar at once; the fragment's own reruns watch the job
    first = st.session_state.pop("w_progress_first", False)
    view = _watch(job_id, 0 if first else FRAGMENT_S * 0.8)
    if view.finished:
        st.rerun(scope="app")
    if view.state == "queued" or not view.total:
        st.progress(0.0, text=t("waiting", lang))
        return
    # the worker's own message is English-only plumbing; the visitor gets steps in their language
    text = t("progress", lang, done=view.done, total=view.total)
    if view.eta_s is not None:
        text += "  ·  " + t("time_left", lang, s=max(1, math.ceil(view.eta_s)))
    st.progress(min(1.0, view.done / view.total), text=text)


def _choose(index: int) -> None:
    st.session_state["v_version"] = index
    st.session_state["v_consent"] = False
    state.go("proof")


def _try_again() -> None:
    ss = st.session_state
    ss["v_seed"] = (ss["v_seed"] + 101) % 2**32
    try:
        design = build_design(ss)
        job = get_runner().start(design)
    except KioskError as err:  # words left half-changed on the edit screen: fix them first
        state.go("text")
        state.set_error(err.en, err.zh)   # after go(), which clears the error
        return
    get_runner().abandon(ss["v_job"])
    ss["v_job"] = job
    ss["v_version"] = None


def ocr_badge(c: CandidateView, lang: str) -> None:
    if not c.checked:
        st.caption(t("ocr_unknown", lang))
    elif c.all_exact:
        st.markdown(f"<div class='kiosk-badge-ok'>{t('ocr_ok', lang)}</div>", unsafe_allow_html=True)
    elif c.passes:  # rare characters the recognizer does not know: the visitor looks at them
        text = html.escape(t("ocr_unverifiable", lang, chars=" ".join(c.unverifiable)))
        st.markdown(f"<div class='kiosk-badge-ok'>{text}</div>", unsafe_allow_html=True)
    else:
        st.markdown(f"<div class='kiosk-badge-warn'>{t('ocr_warn', lang)}</div>", unsafe_allow_html=True)


def generate_screen() -> None:
    lang = state.lang()
    ss = st.session_state
    view = get_runner().poll(ss["v_job"]) if ss.get("v_job") else JobView("unknown")
    header("choose_title" if view.state == "awaiting_choice" else "generating_title")
    if not view.finished:
        ss["w_progress_first"] = True
        progress_panel(ss["v_job"])
    elif view.state == "failed" or view.state == "unknown":
        en, zh = view.error or ("unknown error", "未知错误")
        st.error(t("gen_failed", lang, reason=zh if lang == "zh" else en))
    else:
        n = len(view.candidates)
        portrait = art_size(ss["v_product"])[1] > art_size(ss["v_product"])[0]
        per_row = min(n, 3 if portrait else 2)
        for row in range(0, n, per_row):
            cols = st.columns(per_row)
            for i, col in zip(range(row, min(n, row + per_row)), cols):
                c = view.candidates[i]
                with col, st.container(border=True):
                    st.image(c.image, width="stretch", output_format="JPEG")
                    ocr_badge(c, lang)
                    st.button(t("choose", lang), key=f"w_choose_{i}", type="primary",
                              on_click=_choose, args=(c.index,), width="stretch")
    c1, c2 = st.columns(2)
    c1.button(t("edit_text", lang), key="w_edit_text", on_click=state.go, args=("text",), width="stretch")
    c2.button(t("try_again", lang), key="w_try_again", on_click=_try_again, width="stretch",
              disabled=not view.finished)


def _submit() -> None:
    ss = st.session_state
    try:
        ss["v_ticket"] = get_runner().submit_version(ss["v_job"], ss["v_version"])
    except KioskError as err:
        state.set_error(err.en, err.zh)
        return
    state.go("done")


def proof_screen() -> None:
    lang = state.lang()
    ss = st.session_state
    view = get_runner().poll(ss["v_job"], pictures=False) if ss.get("v_job") else JobView("unknown")
    if view.state not in ("awaiting_choice", "submitted") or ss["v_version"] is None:
        state.go("generate")
        st.rerun()
    cand = get_runner().version(ss["v_job"], ss["v_version"])   # as chosen, or as edited
    design = version_design(ss, cand.lines, cand.seed)
    guides = st.toggle(t("show_guides", lang), key="w_guides")
    if guides:
        st.caption(t("guides_legend", lang))
    front, back = preview.proof_images(design, cand.image, guides=guides)
    wide = front.width > front.height
    cols = st.columns(1 if wide else 2)
    with cols[0]:
        st.markdown(f"**{t('front', lang)}**")
        st.image(front, width="stretch", output_format="JPEG")
    with cols[-1]:
        st.markdown(f"**{t('back_side', lang)}**")
        st.image(back, width="stretch", output_format="JPEG")
    with action_bar():
        consent = st.checkbox(t("consent", lang), key="w_consent")
        if ss["v_error"]:
            st.error(ss["v_error"][1] if lang == "zh" else ss["v_error"][0])
        # changing the words is in the bar too: under the pictures it hid behind the bar
        c1, c3, c2 = st.columns([1, 1, 2])
        c1.button(t("back", lang), key="w_back_proof", on_click=state.go, args=("generate",),
                  width="stretch")
        c3.button(t("edit_words", lang), key="w_proof_edit", on_click=state.go, args=("edit",),
                  width="stretch", disabled=view.state != "awaiting_choice")
        c2.button(t("submit", lang), key="w_submit", type="primary", on_click=_submit,
                  disabled=not consent, width="stretch")
        if not consent:  # a greyed button with no reason looks broken
            c2.caption(t("submit_why", lang))


def done_screen() -> None:
    lang = state.lang()
    ss = st.session_state
    st.markdown(f"<div class='kiosk-center'>{t('ticket', lang)}</div>", unsafe_allow_html=True)
    st.markdown(f"<div class='kiosk-ticket' data-testid='kiosk-ticket'>{html.escape(str(ss['v_ticket']))}</div>",
                unsafe_allow_html=True)
    st.write(t("done_body", lang))
    st.button(t("new_design", lang), key="w_new", type="primary", on_click=state.reset_visitor,
              width="stretch")
