"""Editing the words of a chosen candidate (procedural backend): in Debian Chromium, the time
from the "Update the picture" tap to the edited version on screen (median of several edits);
and the worker's edit step alone (edit mode on the changed box, OCR of every line, no page)."""
from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time

PHRASES = (5, 6)   # sunbird phrases tapped in turn: each edit changes line 1's words


def _tap_to_version(report, runs: int = 5) -> None:
    if shutil.which("chromium") is None:
        print("edit browser figure skipped: Debian chromium not installed")
        return
    from playwright.sync_api import sync_playwright

    from tests.kiosk.conftest import CHROMIUM_ARGS, start_streamlit, tap

    img = "[data-testid='stImage'] img"
    with start_streamlit() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True).new_page()
        page.goto(url)
        for key in ("v_start_btn", "v_motif_sunbird", "v_product_postcard", "w_phrase_0", "w_auto",
                    "w_generate"):
            tap(page, page.locator(f".st-key-{key} button"))
        tap(page, page.locator(".st-key-w_choose_0 button"), timeout=90_000)
        tap(page, page.locator(".st-key-w_proof_edit button"))
        times = []
        for i in range(runs + 1):   # the first one warms the page and the worker up
            page.locator(".st-key-w_edit_apply button").wait_for(state="visible", timeout=60_000)
            page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')",
                                   timeout=30_000)
            old = page.eval_on_selector(img, "e => e.src")
            tap(page, page.locator(f".st-key-w_phrase_{PHRASES[i % 2]} button"))
            page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')",
                                   timeout=30_000)
            t0 = tap(page, page.locator(".st-key-w_edit_apply button"))
            # the new version: a new picture above the words, the edit controls back
            page.wait_for_function(
                """old => { const i = document.querySelector("[data-testid='stImage'] img");
                            return i && i.src !== old && i.complete
                                   && !!document.querySelector('.st-key-w_edit_apply button'); }""",
                arg=old, timeout=60_000)
            if i:
                times.append(time.perf_counter() - t0)
        browser.close()
    report(f"edit tap -> edited version on screen (browser, procedural, median of {runs})",
           statistics.median(times), "s")


def _edit_step_alone(report, runs: int = 5) -> None:
    from jobs.runner import submit_design, submit_edit
    from jobs.store import Store
    from jobs.worker import Worker

    store = Store(f"sqlite:///{tempfile.mkdtemp(prefix='kiosk-bench-edit-')}/kiosk.db")
    line = {"text": "天路", "box": [0.1, 0.1, 0.8, 0.16]}
    design = {"motif": "sunbird", "product": "postcard", "seed": 7,
              "lines": [line, {"text": "金沙", "box": [0.3, 0.72, 0.4, 0.16]}]}
    job = submit_design(store, design, n=1, size="704x448")
    worker = Worker(store, backend="procedural")
    worker.run_until_idle()
    times = []
    for i in range(runs + 1):
        submit_edit(store, job.id, 0, [dict(line, text=("吉祥如意", "鸿运当头")[i % 2]),
                                       design["lines"][1]])
        t0 = time.perf_counter()
        worker.run_until_idle()
        if i:
            times.append(time.perf_counter() - t0)
    store.dispose()
    report(f"edit step alone: one line redrawn + OCR of 2 lines (median of {runs})",
           statistics.median(times), "s")


def run(report, gpu: bool = False) -> None:
    if gpu:
        return
    os.environ.setdefault("KIOSK_VAR", tempfile.mkdtemp(prefix="kiosk-bench-var-"))
    report("machine load average (1 min) at start", os.getloadavg()[0], "")
    _edit_step_alone(report)
    _tap_to_version(report)
