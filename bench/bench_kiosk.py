"""Kiosk figures: page rerun time (AppTest, median) and, in Debian Chromium, the time from the
Generate tap to the candidates on screen with the procedural backend (target <= 2 s)."""
from __future__ import annotations

import os
import statistics
import tempfile
import time

from bench import median_time


def _rerun_times(report) -> None:
    os.environ.setdefault("KIOSK_VAR", tempfile.mkdtemp(prefix="kiosk-bench-var-"))
    from streamlit.testing.v1 import AppTest

    from tests.kiosk.conftest import APP

    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    report("kiosk start screen rerun (AppTest, median)", median_time(at.run, runs=7), "s")
    for key in ("v_start_btn", "v_motif_sunbird", "v_product_postcard", "w_phrase_0"):
        at.button(key=key).click().run()
    at.session_state["v_boxes"] = [(0.1, 0.06, 0.8, 0.16)]
    report("kiosk text step rerun (AppTest, median)", median_time(at.run, runs=7), "s")


def _generate_to_candidates(report, runs: int = 3) -> None:
    import shutil

    if shutil.which("chromium") is None:
        print("kiosk browser figure skipped: Debian chromium not installed")
        return
    from playwright.sync_api import sync_playwright

    from base.settings import settings

    N_CANDIDATES = settings().candidates
    from tests.kiosk.conftest import CHROMIUM_ARGS, start_streamlit, tap, touch_drag

    with start_streamlit() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True).new_page()
        page.goto(url)
        for key in ("v_start_btn", "v_motif_sunbird", "v_product_postcard", "w_phrase_0"):
            tap(page, page.locator(f".st-key-{key} button"))
        canvas = page.locator("[class*='st-key-w_canvas_'] canvas.upper-canvas")
        canvas.scroll_into_view_if_needed()
        bb = canvas.bounding_box()
        touch_drag(page, (bb["x"] + 0.1 * bb["width"], bb["y"] + 0.06 * bb["height"]),
                   (bb["x"] + 0.9 * bb["width"], bb["y"] + 0.22 * bb["height"]))
        page.get_by_text("已画 1 个框").wait_for(timeout=15_000)
        times = []
        imgs = "[data-testid='stImage'] img"
        new_set = ("(old) => { const s = [...document.querySelectorAll(\"" + imgs + "\")].map(i => i.src);"
                   f" return s.length === {N_CANDIDATES} && s.every(x => !old.includes(x)); }}")
        for i in range(runs + 1):  # the first one warms the worker up
            old = []
            if i:  # "try again" is enabled once the page has finished drawing the candidates
                page.wait_for_function(
                    "() => { const b = document.querySelector('.st-key-w_try_again button');"
                    " return b && !b.disabled; }", timeout=30_000)
                old = page.eval_on_selector_all(imgs, "els => els.map(e => e.src)")
            t0 = tap(page, page.locator(".st-key-w_generate button" if i == 0 else ".st-key-w_try_again button"))
            # new seeds draw new pictures: wait until every candidate image is a new one
            page.wait_for_function(new_set, arg=old, timeout=60_000)
            if i:
                times.append(time.perf_counter() - t0)
        browser.close()
    report("kiosk Generate tap -> candidates on screen (browser, median)",
           statistics.median(times), "s", target="<= 2 s")


def _backend_alone(report) -> None:
    """The same 3 candidates without page or queue: what the browser figure is made of."""
    from generator.backends import generate
    from generator.design import make_design
    from base.settings import settings
    from jobs.runner import art_size

    N_CANDIDATES = settings().candidates

    design = make_design({"motif": "sunbird", "product": "postcard",
                          "lines": [{"text": "吉祥如意", "box": [0.1, 0.1, 0.8, 0.16]}]})
    report(f"kiosk backend alone: {N_CANDIDATES} postcard candidates + OCR (median)",
           median_time(lambda: generate(design, size=art_size("postcard"), n=N_CANDIDATES), runs=3),
           "s")


def run(report, gpu: bool = False) -> None:
    if gpu:
        return
    # shared machines make these figures noisy: say how busy this one was
    report("machine load average (1 min) at start", os.getloadavg()[0], "")
    _rerun_times(report)
    _backend_alone(report)
    _generate_to_candidates(report)
