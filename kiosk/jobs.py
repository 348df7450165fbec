"""The small interface the visitor pages use to generate and submit.

Pages call `start(design)`, `poll(job_id)`, `submit(job_id, choice)`, `abandon(job_id)` and
only ever hold a job id in their session: the job belongs to the print queue and its
generation worker (kiosk/resources.py get_runner()), so it outlives reruns, taps, a closed tab
and a server restart, and staff see it. Pages get plain JobView / CandidateView values.
"""
from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass, field

import streamlit as st
from PIL import Image

from generator.design import Design
from products.build import preview_size

# Art size per product for the candidates: multiples of 64 in the aspect of the product's art
# window (products.preview_size); the print build redraws the chosen seed at 300 ppi.
ART_SIZES = {p: preview_size(p) for p in ("bookmark", "poker", "postcard")}
N_CANDIDATES = int(os.environ.get("KIOSK_CANDIDATES", "3"))


@dataclass
class CandidateView:
    image: Image.Image
    seed: int
    all_exact: bool
    checked: bool          # False when no OCR check ran (nothing to show)


@dataclass
class JobView:
    state: str             # queued | generating | awaiting_choice | submitted | failed | unknown
    done: int = 0
    total: int = 0
    message: str = ""
    eta_s: float | None = None
    candidates: list[CandidateView] = field(default_factory=list)
    error: tuple[str, str] | None = None   # (en, zh)
    ticket: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("awaiting_choice", "submitted", "failed", "unknown")


def art_size(product: str) -> tuple[int, int]:
    return ART_SIZES.get(product, ART_SIZES["postcard"])


def _runner():
    """The process-wide runner over the print queue (kiosk/resources.py, cached there)."""
    from kiosk.resources import get_runner

    return get_runner()


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Once per server: start the runner and load the OCR model, fonts and motif art in the
    background, so the first visitor's Generate does not pay for them (~1-2 s)."""
    _runner()

    def work() -> None:
        from generator.backends import get_backend
        from generator.design import make_design

        design = make_design({"motif": "sunbird", "lines": [{"text": "天路", "box": [0.2, 0.1, 0.6, 0.2]}]})
        get_backend("procedural").generate(design, size=(256, 256), n=1)

    thread = threading.Thread(target=work, name="kiosk-warm-up", daemon=True)
    thread.start()
    return thread


def start(design: Design, n: int = N_CANDIDATES) -> str:
    return _runner().start(design, n)


def poll(job_id: str) -> JobView:
    return _runner().poll(job_id)


def submit(job_id: str, choice: int) -> str:
    return _runner().submit(job_id, choice)


def abandon(job_id: str) -> None:
    _runner().abandon(job_id)


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
