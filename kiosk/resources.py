"""Process-wide resources, created once by Streamlit's resource cache and shared by sessions.

- get_store(): the job store (jobs/store.py) on KIOSK_DB_URL or var/kiosk.db.
- get_worker(): the one worker thread of this server process, started on first use. With
  KIOSK_WORKER=external the kiosk runs no worker: jobs wait for `python -m jobs worker`
  processes on a GPU machine (several kiosks, one database).
- get_runner(): the visitor-side runner (jobs/runner.py: start / poll / submit / abandon),
  so pages only hold a job id.

All are thread-safe: the store opens a session per call, the worker owns its thread.
"""
from __future__ import annotations

import threading

import streamlit as st

from base import fonts
from base.settings import settings
from generator.backends import get_backend
from generator.design import make_design
from jobs.runner import QueueRunner
from jobs.store import Store, default_url
from jobs.worker import Worker


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def get_store() -> Store:
    """One Store per database URL (tests point KIOSK_VAR / KIOSK_DB_URL elsewhere)."""
    return _store(default_url())


@st.cache_resource(show_spinner=False)
def _worker(url: str) -> Worker:
    return Worker(_store(url)).start()


def get_worker() -> Worker | None:
    """The in-process worker (None when KIOSK_WORKER=external)."""
    if settings().worker == "external":
        return None
    worker = _worker(default_url())
    if not worker.alive:  # a crashed thread is restarted, never left dead
        worker.start()
    return worker


def _wake() -> None:
    worker = get_worker()
    if worker is not None:
        worker.wake()


def get_runner() -> QueueRunner:
    get_worker()
    return QueueRunner(get_store(), wake=_wake)


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Once per server: start the runner and load the OCR model, fonts and motif art in the
    background, so the first visitor's Generate does not pay for them (~1-2 s), and the
    font samples of the words step (~10 s)."""
    get_runner()

    def work() -> None:
        design = make_design({"motif": "sunbird", "lines": [{"text": "天路", "box": [0.2, 0.1, 0.6, 0.2]}]})
        get_backend("procedural").generate(design, size=(256, 256), n=1)
        for font_id in fonts.REGISTRY:  # the font buttons show each name in its own font
            fonts.label_font(font_id)

    thread = threading.Thread(target=work, name="kiosk-warm-up", daemon=True)
    thread.start()
    return thread
