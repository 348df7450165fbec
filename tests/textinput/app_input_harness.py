"""A one-page app around kiosk.input_methods for AppTest and browser tests of the widgets alone.

Query ?lang=en switches the screen language. The picked text is appended to v_texts[v_cur]
exactly as the kiosk text step does.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import streamlit as st  # noqa: E402

from kiosk import input_methods  # noqa: E402

ss = st.session_state
ss.setdefault("v_texts", [""])
ss.setdefault("v_cur", 0)
lang = st.query_params.get("lang", ss.get("k_lang", "zh"))
font = ss.get("v_font", "kai")

hw_tab, py_tab = st.tabs(["手写 Handwriting", "拼音 Pinyin"])
with hw_tab:
    got = input_methods.handwriting("t", lang, font)
    if got:
        ss["v_texts"][ss["v_cur"]] += got
        st.rerun()
with py_tab:
    got = input_methods.pinyin("t", lang, font)
    if got:
        ss["v_texts"][ss["v_cur"]] += got
        st.rerun()
st.markdown(f"<div data-testid='harness-line'>{ss['v_texts'][ss['v_cur']]}</div>",
            unsafe_allow_html=True)
