"""Kiosk entry point: page config, session defaults, navigation. Nothing else.

The visitor flow is the default page; the staff page lives at /staff (its statistics at
/stats) and is not linked from the visitor screens (position="hidden"). A failure is one line in the visitor's language
(base/cli.py's handler, the same as every command line), never a traceback.
"""
from __future__ import annotations

import streamlit as st

from base.cli import Failure, handled
from kiosk.state import init_session, lang
from kiosk.theme import apply_theme


def run() -> None:
    st.set_page_config(page_title="文物纪念品 · Heritage souvenirs", page_icon="☀",
                       layout="wide", initial_sidebar_state="collapsed")
    init_session()
    apply_theme()
    pages = [st.Page("kiosk/visitor.py", title="文物纪念品 · Souvenirs", url_path="visitor", default=True),
             st.Page("kiosk/staff.py", title="Staff", url_path="staff"),
             st.Page("kiosk/stats.py", title="Statistics", url_path="stats")]
    page = st.navigation(pages, position="hidden")
    try:
        with handled(lang()):
            page.run()
    except Failure as f:
        st.error(f.line)


if __name__ == "__main__":
    run()
