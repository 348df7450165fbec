"""The words step by touch in Debian Chromium (issue 16, items 9 and 10): two vertical lines
placed for the visitor, font names in their own fonts, the proof's consent tick and Submit,
and the warning before the idle reset. Screenshots: var/screenshots/words_*.png."""
from __future__ import annotations

import re

import pytest

from tests.kiosk.conftest import SCREENSHOTS, start_streamlit, tap
from tests.kiosk.test_kiosk_browser import open_kiosk, shot

pytestmark = pytest.mark.browser

# the box a finger sees (the first span only hides the native input)
TICK = ".st-key-w_consent label > span:first-child + div"


def _wait_line(page, i: int) -> None:
    page.wait_for_function(
        f"() => [...document.querySelectorAll('.st-key-w_text_{i} input')].some(i => i.value.length > 0)",
        timeout=30_000)


def _primary(page, key: str) -> None:
    # .first: during a rerun the old and the new button may both be in the page for a moment
    page.locator(f".st-key-{key} [data-testid='stBaseButton-primary']").first.wait_for(timeout=30_000)


def _tap_until_primary(page, key: str, tries: int = 3) -> None:
    """Tap a choice until it shows as chosen: a tap that lands while the page is redrawing
    after the previous one is lost, and a visitor would simply tap again."""
    chosen = page.locator(f".st-key-{key} [data-testid='stBaseButton-primary']").first
    for _ in range(tries):
        tap(page, page.locator(f".st-key-{key} button").first)
        try:
            chosen.wait_for(timeout=20_000)
            return
        except Exception:
            continue
    raise AssertionError(f"{key} never showed as chosen after {tries} taps")


def test_two_vertical_lines_font_names_and_consent_by_touch(kiosk_server, touch_page):
    page = touch_page
    open_kiosk(page, kiosk_server)
    tap(page, page.locator(".st-key-v_start_btn button"))
    tap(page, page.locator(".st-key-v_motif_sunbird button"))
    tap(page, page.locator(".st-key-v_product_postcard button"))

    # line 1 vertical; line 2 starts vertical too; "Place them for me" gives two columns
    tap(page, page.locator(".st-key-w_phrase_0 button"))
    _wait_line(page, 0)
    _tap_until_primary(page, "w_orient_v")
    tap(page, page.locator(".st-key-w_add_line button"))
    page.locator(".st-key-w_text_1 input").wait_for(state="visible", timeout=30_000)
    _primary(page, "w_orient_v")
    tap(page, page.locator(".st-key-w_phrase_2 button"))
    _wait_line(page, 1)
    tap(page, page.locator(".st-key-w_auto button"))
    page.get_by_text(re.compile("已画 2 个框")).wait_for(timeout=30_000)

    # every font button's name is set in that font (a few KB @font-face, loaded, offline)
    faces = page.evaluate("""async () => { await document.fonts.ready;
        return [...document.fonts].filter(f => f.family.includes('kiosk-font-'))
                                  .map(f => [f.family.replace(/["']/g, ''), f.status]); }""")
    assert sorted(faces) == [[f"kiosk-font-{f}", "loaded"] for f in ("hei", "kai", "song", "wenkai")], faces
    family = page.locator(".st-key-w_font_kai button p").evaluate("e => getComputedStyle(e).fontFamily")
    assert family.strip("'\"").startswith("kiosk-font-kai"), family
    shot(page, "words_two_vertical_lines")

    tap(page, page.locator(".st-key-w_generate button"))
    page.locator(".st-key-w_choose_0 button").wait_for(state="visible", timeout=90_000)
    tap(page, page.locator(".st-key-w_choose_0 button"))
    consent = page.locator(".st-key-w_consent")
    consent.wait_for(state="visible", timeout=30_000)

    from jobs.store import Store
    from kiosk.boxes import is_tall

    store = Store(f"sqlite:///{kiosk_server.var / 'kiosk.db'}", create=False)
    try:
        job = max(store.list_jobs(), key=lambda j: j.id)
    finally:
        store.dispose()
    lines = job.design["lines"]
    assert [ln["vertical"] for ln in lines] == [True, True]
    assert all(is_tall(ln["box"], "postcard") for ln in lines)
    assert lines[0]["box"][0] > lines[1]["box"][0] + lines[1]["box"][2]   # apart, right to left

    # the consent tick is a finger-sized target, and greyed Submit says why
    tick = page.locator(TICK).first.bounding_box()
    assert tick["width"] >= 48 and tick["height"] >= 48, tick
    assert page.locator(".st-key-w_submit button").is_disabled()
    page.get_by_text("请先勾选上面的方框").wait_for(timeout=30_000)
    shot(page, "words_proof_consent")
    tap(page, page.locator(TICK).first)
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-w_submit button'); return b && !b.disabled; }",
        timeout=30_000)
    page.get_by_text("请先勾选上面的方框").wait_for(state="detached", timeout=30_000)


def test_idle_warning_and_still_here_keeps_the_session(chromium):
    """10 s idle: the warning shows some seconds before the reset; tapping "I'm still here"
    keeps the design (the warning comes back later on the same screen); left alone, the
    kiosk goes back to the start screen."""
    with start_streamlit(env={"KIOSK_IDLE_SECONDS": "10"}) as url:
        context = chromium.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
        page = context.new_page()
        try:
            open_kiosk(page, url)
            tap(page, page.locator(".st-key-k_lang_btn button"))
            tap(page, page.locator(".st-key-v_start_btn button"))
            tap(page, page.locator(".st-key-v_motif_sunbird button"))
            tap(page, page.locator(".st-key-v_product_postcard button"))
            page.locator(".st-key-w_text_0 input").wait_for(state="visible", timeout=30_000)
            warning = page.get_by_test_id("kiosk-idle-warning")
            warning.wait_for(state="visible", timeout=30_000)
            assert re.search(r"Still there\? In \d+ s", warning.inner_text()), warning.inner_text()
            shot(page, "words_idle_warning_landscape_en")
            tap(page, page.get_by_test_id("kiosk-still-here"))
            warning.wait_for(state="hidden", timeout=10_000)
            # kept: the words step is still there when the warning comes round again
            warning.wait_for(state="visible", timeout=30_000)
            assert page.locator(".st-key-w_text_0 input").is_visible()
            assert not page.locator(".st-key-v_start_btn button").is_visible()
            # left alone: back to the start, in Chinese, and no warning there
            page.locator(".st-key-v_start_btn button").wait_for(state="visible", timeout=30_000)
            assert warning.is_hidden()
        finally:
            context.close()
