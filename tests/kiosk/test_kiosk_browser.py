"""The visitor journey in Debian Chromium with touch input only (Playwright, has_touch).

Taps are touch events (page.touchscreen.tap); the text box is drawn with a one-finger drag sent
through CDP Input.dispatchTouchEvent, which only works because kiosk/touch.py gives TouchEvent
a `button`. Screenshots go to var/screenshots/ (git-ignored).
"""
from __future__ import annotations

import re
import time

import pytest

from base.settings import settings

N_CANDIDATES = settings().candidates
from tests.kiosk.conftest import SCREENSHOTS, start_streamlit, tap, touch_drag

pytestmark = pytest.mark.browser


def open_kiosk(page, url):
    page.goto(url)
    page.locator(".st-key-v_start_btn button").wait_for(state="visible", timeout=30_000)


def shot(page, name):
    page.wait_for_timeout(500)  # let images finish painting
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def canvas_of(page):
    return page.locator("[class*='st-key-w_canvas_'] canvas.upper-canvas")


def draw_box(page, fx0, fy0, fx1, fy1):
    # after Undo/Clear the old canvas lingers until the rerun has replaced it
    page.wait_for_function(
        """() => { const n = [...document.querySelectorAll("[class*='st-key-w_canvas_']")];
                   return n.length === 1; }""", timeout=30_000)
    canvas = canvas_of(page)
    canvas.wait_for(state="visible", timeout=30_000)
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    bb = canvas.bounding_box()
    touch_drag(page, (bb["x"] + fx0 * bb["width"], bb["y"] + fy0 * bb["height"]),
               (bb["x"] + fx1 * bb["width"], bb["y"] + fy1 * bb["height"]))


def test_visitor_journey_by_touch(kiosk_server, touch_page):
    page = touch_page
    open_kiosk(page, kiosk_server)
    # no Streamlit chrome on a kiosk
    assert page.locator("header[data-testid='stHeader']").is_hidden()
    assert page.locator("[data-testid='stToolbar']").count() == 0 or page.locator("[data-testid='stToolbar']").is_hidden()
    shot(page, "01_start")
    tap(page, page.locator(".st-key-v_start_btn button"))
    page.locator(".st-key-v_motif_brocade button").wait_for(state="visible", timeout=30_000)
    shot(page, "02_gallery")
    tap(page, page.locator(".st-key-v_motif_sacred_tree button"))
    page.locator(".st-key-v_product_postcard button").wait_for(state="visible", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
    shot(page, "02_product")
    tap(page, page.locator(".st-key-v_product_poker button"))

    # text: a phrase by touch, then its box drawn with a finger
    tap(page, page.locator(".st-key-w_phrase_6 button"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-w_text_0 input')].some(i => i.value.length > 0)")
    # the canvas's own toolbar (tiny hover icons) is hidden: Undo/Clear are big page buttons
    assert page.locator("[class*='st-key-w_canvas_'] .dc-toolbar").first.is_hidden()
    draw_box(page, 0.12, 0.06, 0.88, 0.22)
    page.get_by_text(re.compile("已画 1 个框")).wait_for(timeout=30_000)
    shot(page, "03_text_box")

    # undo by touch, draw again
    tap(page, page.locator(".st-key-w_undo button"))
    page.get_by_text(re.compile("已画 0 个框")).wait_for(timeout=30_000)
    draw_box(page, 0.12, 0.70, 0.88, 0.86)
    page.get_by_text(re.compile("已画 1 个框")).wait_for(timeout=30_000)

    t0 = tap(page, page.locator(".st-key-w_generate button"))
    try:  # the progress bar is on screen only while the worker draws: catch it if we can
        page.locator("[data-testid='stProgress']").wait_for(state="visible", timeout=5_000)
        page.screenshot(path=str(SCREENSHOTS / "04a_progress.png"))
    except Exception:
        pass
    page.locator(f".st-key-w_choose_{N_CANDIDATES - 1} button").wait_for(state="visible", timeout=60_000)
    seconds = time.perf_counter() - t0
    n = page.locator("[class*='st-key-w_choose_'] button").count()
    assert n == N_CANDIDATES and 2 <= n <= 4
    assert page.locator(".kiosk-badge-ok, .kiosk-badge-warn").count() == n
    shot(page, "04_candidates")
    print(f"generate tap -> candidates: {seconds:.2f} s")

    tap(page, page.locator(".st-key-w_choose_1 button"))
    page.locator(".st-key-w_consent").wait_for(state="visible", timeout=30_000)
    assert page.locator(".st-key-w_submit button").is_disabled()
    tap(page, page.locator(".st-key-w_guides label"))
    page.get_by_text(re.compile("蓝线")).wait_for(timeout=30_000)
    page.wait_for_timeout(500)  # let the rerun from the toggle settle before the next tap
    tap(page, page.locator(".st-key-w_consent label"))
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-w_submit button'); return b && !b.disabled; }",
        timeout=30_000)
    shot(page, "05_proof")
    tap(page, page.locator(".st-key-w_submit button"))
    ticket = page.locator(".kiosk-ticket")
    ticket.wait_for(state="visible", timeout=30_000)
    assert re.fullmatch(r"[A-Z]-\d{3,}", ticket.inner_text().strip())
    shot(page, "06_ticket")

    # the box drawn by finger reached the Design as fractions of the art
    from jobs.store import Store

    store = Store(f"sqlite:///{kiosk_server.var / 'kiosk.db'}", create=False)
    job = store.find(ticket.inner_text().strip())
    [line] = job.design["lines"]
    assert line["box"] == pytest.approx([0.12, 0.70, 0.76, 0.16], abs=0.02)
    assert job.design["product"] == "poker" and job.design["motif"] == "sacred_tree"
    store.dispose()


def test_english_and_landscape(kiosk_server, chromium):
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = context.new_page()
    try:
        open_kiosk(page, kiosk_server)
        tap(page, page.locator(".st-key-k_lang_btn button"))
        page.get_by_text("Take a piece of heritage home").wait_for(timeout=30_000)
        tap(page, page.locator(".st-key-v_start_btn button"))
        page.get_by_text("Choose a motif").wait_for(timeout=30_000)
        shot(page, "07_landscape_gallery_en")
        tap(page, page.locator(".st-key-v_motif_sunbird button"))
        tap(page, page.locator(".st-key-v_product_bookmark button"))
        canvas_of(page).wait_for(state="visible", timeout=30_000)
        shot(page, "08_landscape_text_en")
        # pinch zoom is off: the viewport meta forbids user scaling
        assert "user-scalable=no" in page.locator("meta[name=viewport]").get_attribute("content")
    finally:
        context.close()


def test_idle_returns_to_start(touch_page):
    # 10 s, not less: on a loaded 2-core CI machine one rerun can take seconds, and the reset
    # must not fire between two of our taps
    with start_streamlit(env={"KIOSK_IDLE_SECONDS": "10"}) as url:
        page = touch_page
        open_kiosk(page, url)
        tap(page, page.locator(".st-key-k_lang_btn button"))
        tap(page, page.locator(".st-key-v_start_btn button"))
        tap(page, page.locator(".st-key-v_motif_sunbird button"))
        page.locator(".st-key-v_product_postcard button").wait_for(state="visible")
        # no touch for a while: back to the start screen, in Chinese for the next visitor
        page.locator(".st-key-v_start_btn button").wait_for(state="visible", timeout=30_000)
        assert page.locator(".st-key-v_start_btn button").inner_text().strip() == "开始制作"
