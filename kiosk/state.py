"""Session state in one place: defaults, step changes and the idle reset.

Keys are prefixed: `k_` for the kiosk as a whole (language, idle), `v_` for the visitor's design
in progress. A reset drops every `v_` key (and canvas widget keys) but never touches a job that
was already submitted: those live in the queue, not in the session.
"""
from __future__ import annotations

import streamlit as st

from kiosk.i18n import DEFAULT_LANG

STEPS = ("start", "motif", "product", "text", "generate", "edit", "proof", "done")


def _defaults() -> dict:
    return {
        "v_step": "start",
        "v_motif": None,
        "v_product": None,
        "v_texts": [""],          # one string per line
        "v_cur": 0,               # the line the phrase picker / input methods write into
        "v_boxes": [],            # box fractions (x, y, w, h), box i belongs to line i
        "v_canvas_n": 0,          # bump to rebuild the canvas under a new key
        "v_canvas_init": None,    # initial_drawing of the current canvas (None = empty)
        "v_canvas_shown": None,   # key of the canvas last drawn on the page
        "v_fonts": ["wenkai"],    # font id per line (parallel to v_texts)
        "v_colors": ["#F5D27A"],  # #RRGGBB per line (parallel to v_texts)
        "v_verticals": [False],   # vertical text per line (parallel to v_texts)
        "v_seed": 7,
        "v_job": None,            # generation job id (owned by the worker)
        "v_version": None,        # the candidate or edited version shown (job-level index)
        "v_edit_of": None,        # the version whose lines v_texts/v_boxes hold for editing
        "v_editing": False,       # an edit of v_version is with the worker
        "v_consent": False,
        "v_guides": False,
        "v_ticket": None,
        "v_error": None,          # (en, zh) of the last visitor-facing error
    }


def init_session() -> None:
    ss = st.session_state
    ss.setdefault("k_lang", DEFAULT_LANG)
    ss.setdefault("k_idle", False)
    ss.setdefault("k_idle_notice", False)
    for key, value in _defaults().items():
        ss.setdefault(key, value if not isinstance(value, list) else list(value))


def lang() -> str:
    return st.session_state.get("k_lang", DEFAULT_LANG)


def go(step: str) -> None:
    """Move to a step (use as an on_click callback: it runs before the rerun draws)."""
    assert step in STEPS, step
    st.session_state["v_step"] = step
    st.session_state["v_error"] = None


def toggle_lang() -> None:
    st.session_state["k_lang"] = "en" if lang() == "zh" else "zh"


def reset_visitor(*, idle: bool = False) -> None:
    """Back to the start screen with a fresh design. Submitted jobs are untouched (queue-owned)."""
    ss = st.session_state
    for key in list(ss.keys()):
        if isinstance(key, str) and (key.startswith("v_") or key.startswith("w_")):
            del ss[key]
    ss["k_lang"] = DEFAULT_LANG if idle else lang()
    ss["k_idle"] = False
    ss["k_idle_notice"] = idle
    for key, value in _defaults().items():
        ss[key] = value if not isinstance(value, list) else list(value)


def set_error(en: str, zh: str) -> None:
    st.session_state["v_error"] = (en, zh)
    st.session_state.pop("v_error_input", None)  # the words step notes what this one is about
