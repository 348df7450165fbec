"""Kiosk look: loads theme.css once per run (Streamlit chrome hidden, big touch targets),
visitor.css on the visitor pages (no element toolbar, the sticky action bar) and staff.css on
the staff page."""
from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

CSS_FILE = Path(__file__).with_name("theme.css")
VISITOR_CSS_FILE = Path(__file__).with_name("visitor.css")
STAFF_CSS_FILE = Path(__file__).with_name("staff.css")


@functools.lru_cache(maxsize=3)
def _css(path: Path = CSS_FILE) -> str:
    return path.read_text(encoding="utf-8")


def apply_theme() -> None:
    st.html(f"<style>{_css()}</style>")


def apply_visitor_theme() -> None:
    st.html(f"<style>{_css(VISITOR_CSS_FILE)}</style>")


def apply_staff_theme() -> None:
    st.html(f"<style>{_css(STAFF_CSS_FILE)}</style>")
