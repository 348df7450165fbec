"""Kiosk entry point: page config, session defaults, navigation. Nothing else.

The visitor flow is the default page; the staff page lives at /staff and is not linked from
the visitor screens (position="hidden").
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from generator.errors import KioskError
from kiosk.state import init_session, lang
from kiosk.theme import apply_theme

HERE = Path(__file__).parent


def run() -> None:
    st.set_page_config(page_title="文物纪念品 · Heritage souvenirs", page_icon="☀",
                       layout="wide", initial_sidebar_state="collapsed")
    init_session()
    apply_theme()
    pages = [st.Page("kiosk/visitor.py", title="文物纪念品 · Souvenirs", url_path="visitor", default=True)]
    if (HERE / "kiosk" / "staff.py").exists():  # written by the back-office engineer
        pages.append(st.Page("kiosk/staff.py", title="Staff", url_path="staff"))
    page = st.navigation(pages, position="hidden")
    try:
        page.run()
    except KioskError as err:  # an expected failure: one clear message, never a traceback
        st.error(err.message(lang()))


if __name__ == "__main__":
    run()
