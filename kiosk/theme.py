"""Kiosk look: loads theme.css once per run (Streamlit chrome hidden, big touch targets)."""
from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

CSS_FILE = Path(__file__).with_name("theme.css")


@functools.lru_cache(maxsize=1)
def _css() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


def apply_theme() -> None:
    st.html(f"<style>{_css()}</style>")
