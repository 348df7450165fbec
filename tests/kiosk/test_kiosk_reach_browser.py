"""What a visitor's finger can reach, in Debian Chromium by touch: the step's next action is on
screen without scrolling (portrait 1080x1920 and landscape 1920x1080, words step and proof step),
and a tap near a candidate's corner opens no full-screen view (its only exit would be a small
icon). Screenshots go to var/screenshots/reach_*.png."""
from __future__ import annotations

import re

import pytest

from tests.kiosk.conftest import SCREENSHOTS, tap
from tests.kiosk.test_kiosk_browser import open_kiosk, shot

pytestmark = pytest.mark.browser

VIEWPORTS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}

# Back to the top of every scrolled box (Streamlit scrolls its own main container, not the window).
_SCROLL_TOP = """() => { window.scrollTo(0, 0);
  for (const el of document.querySelectorAll('*')) if (el.scrollTop > 0) el.scrollTop = 0; }"""


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, chromium):
    w, h = VIEWPORTS[request.param]
    context = chromium.new_context(viewport={"width": w, "height": h}, has_touch=True,
                                   device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    page.orientation = request.param
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield page
    context.close()


def _settle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
    page.wait_for_timeout(500)


def assert_reachable(page, selector: str) -> None:
    """The element is whole inside the viewport with every scroll at the top, and a finger
    there touches it (nothing covers it)."""
    page.evaluate(_SCROLL_TOP)
    page.wait_for_timeout(200)
    el = page.locator(selector).first
    el.wait_for(state="visible", timeout=30_000)
    box = el.bounding_box()
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    assert box is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= vw \
        and box["y"] + box["height"] <= vh, f"{selector} at {box}, outside the {vw}x{vh} viewport"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    hit = el.evaluate("(e, [x, y]) => { const t = document.elementFromPoint(x, y);"
                      " return !!t && (t === e || e.contains(t)); }", [x, y])
    assert hit, f"{selector} is covered at ({x}, {y})"


def _to_words(page, url) -> None:
    open_kiosk(page, url)
    tap(page, page.locator(".st-key-v_start_btn button"))
    tap(page, page.locator(".st-key-v_motif_sacred_tree button"))
    tap(page, page.locator(".st-key-v_product_poker button"))
    tap(page, page.locator(".st-key-w_phrase_0 button"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-w_text_0 input')].some(i => i.value.length > 0)")
    tap(page, page.locator(".st-key-w_auto button"))
    page.get_by_text(re.compile("已画 1 个框")).wait_for(timeout=30_000)
    _settle(page)


def _to_candidates(page) -> None:
    tap(page, page.locator(".st-key-w_generate button"))
    page.locator(".st-key-w_choose_0 button").wait_for(state="visible", timeout=60_000)
    _settle(page)


def test_next_action_on_screen_without_scrolling(kiosk_server, page):
    _to_words(page, kiosk_server)
    assert_reachable(page, ".st-key-w_generate button")
    shot(page, f"reach_words_{page.orientation}")     # as a visitor sees it: scrolled to the top
    _to_candidates(page)
    tap(page, page.locator(".st-key-w_choose_0 button"))
    page.locator(".st-key-w_consent").wait_for(state="visible", timeout=30_000)
    _settle(page)
    assert_reachable(page, ".st-key-w_consent label")
    assert_reachable(page, ".st-key-w_submit button")
    assert_reachable(page, ".st-key-w_proof_edit button")   # changing the words, too
    shot(page, f"reach_proof_{page.orientation}")
    # ticking the consent box from there enables Send to print, still without scrolling
    tap(page, page.locator(".st-key-w_consent label"))
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-w_submit button'); return b && !b.disabled; }",
        timeout=30_000)
    assert_reachable(page, ".st-key-w_submit button")


def test_candidate_corner_tap_opens_no_full_screen(kiosk_server, touch_page):
    page = touch_page   # portrait; the toolbar does not depend on the orientation
    _to_words(page, kiosk_server)
    _to_candidates(page)
    img = page.locator("[data-testid='stImage'] img").first
    img.scroll_into_view_if_needed()
    box = img.bounding_box()
    # where Streamlit's toolbar sits (top right, just above the image): the first touch shows it,
    # a second touch would hit its button
    for dx, dy in ((-12, 8), (-12, -14), (-12, 8), (-12, -14)):
        page.touchscreen.tap(box["x"] + box["width"] + dx, box["y"] + dy)
        page.wait_for_timeout(400)
    page.screenshot(path=str(SCREENSHOTS / "reach_candidate_corner.png"))
    assert page.locator("[aria-label^='Close fullscreen']").count() == 0
    assert page.locator("[data-testid='stElementToolbarButton']:visible").count() == 0
    after = img.bounding_box()
    assert after["width"] == pytest.approx(box["width"], abs=2), "the candidate grew: full-screen view"
