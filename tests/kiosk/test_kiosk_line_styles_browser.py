"""Two lines, two fonts, two colours, chosen by touch in Debian Chromium; the queued Design
carries them and the procedural art shows them (OCR reads both lines; each line's ink is
nearer its own colour than the other line's)."""
from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from tests.kiosk.conftest import tap
from tests.kiosk.test_kiosk_browser import draw_box, open_kiosk, shot

pytestmark = pytest.mark.browser

STYLES = [("kai", "#C0392B"), ("hei", "#3E9C7E")]      # line 1 cinnabar kai, line 2 jade hei


def _chosen(page, key: str) -> None:
    """Wait until the button `key` is drawn as the chosen one (primary)."""
    page.locator(f".st-key-{key} [data-testid='stBaseButton-primary']").wait_for(timeout=30_000)


def _style_line(page, n: int, font: str, color: str) -> None:
    page.get_by_text(re.compile(f"第 {n} 行的字体和颜色")).wait_for(timeout=30_000)
    tap(page, page.locator(f".st-key-w_font_{font} button"))
    _chosen(page, f"w_font_{font}")
    tap(page, page.locator(f".st-key-w_color_{color[1:]} button"))
    _chosen(page, f"w_color_{color[1:]}")


def test_two_lines_two_fonts_two_colours_by_touch(kiosk_server, touch_page):
    page = touch_page
    open_kiosk(page, kiosk_server)
    tap(page, page.locator(".st-key-v_start_btn button"))
    tap(page, page.locator(".st-key-v_motif_sacred_tree button"))
    tap(page, page.locator(".st-key-v_product_poker button"))

    # line 1: a phrase, then its font and colour
    tap(page, page.locator(".st-key-w_phrase_0 button"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-w_text_0 input')].some(i => i.value.length > 0)")
    _style_line(page, 1, *STYLES[0])
    # line 2: starts in line 1's style; give it its own
    tap(page, page.locator(".st-key-w_add_line button"))
    page.locator(".st-key-w_text_1 input").wait_for(state="visible", timeout=30_000)
    tap(page, page.locator(".st-key-w_phrase_2 button"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-w_text_1 input')].some(i => i.value.length > 0)")
    _style_line(page, 2, *STYLES[1])
    # back on line 1, its own choice is still the chosen one
    tap(page, page.locator(".st-key-w_sel_0 button"))
    page.get_by_text(re.compile("第 1 行的字体和颜色")).wait_for(timeout=30_000)
    _chosen(page, f"w_font_{STYLES[0][0]}")
    _chosen(page, f"w_color_{STYLES[0][1][1:]}")

    draw_box(page, 0.10, 0.06, 0.90, 0.22)
    page.get_by_text(re.compile("已画 1 个框")).wait_for(timeout=30_000)
    draw_box(page, 0.10, 0.72, 0.90, 0.88)
    page.get_by_text(re.compile("已画 2 个框")).wait_for(timeout=30_000)
    shot(page, "11_line_styles")

    tap(page, page.locator(".st-key-w_generate button"))
    page.locator(".st-key-w_choose_0 button").wait_for(state="visible", timeout=90_000)
    tap(page, page.locator(".st-key-w_choose_0 button"))
    page.locator(".st-key-w_consent").wait_for(state="visible", timeout=30_000)
    tap(page, page.locator(".st-key-w_consent label"))
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-w_submit button'); return b && !b.disabled; }",
        timeout=30_000)
    tap(page, page.locator(".st-key-w_submit button"))
    ticket = page.locator(".kiosk-ticket")
    ticket.wait_for(state="visible", timeout=30_000)

    from generator import ocr
    from generator.design import make_design
    from jobs.store import Store

    store = Store(f"sqlite:///{kiosk_server.var / 'kiosk.db'}", create=False)
    try:
        job = store.find(ticket.inner_text().strip())
    finally:
        store.dispose()
    lines = job.design["lines"]
    assert [(ln["font"], ln["color"]) for ln in lines] == STYLES
    assert job.backend == "procedural"
    design = make_design(job.design)
    art = Image.open(kiosk_server.var / job.candidates[job.chosen].path).convert("RGB")
    assert [c.read for c in ocr.check_lines(art, design.lines)] == [ln.text for ln in design.lines]

    from generator.textrender import line_mask

    img = np.asarray(art).astype(float)
    for line, other in ((design.lines[0], design.lines[1]), (design.lines[1], design.lines[0])):
        ink = np.asarray(line_mask(line, *art.size)) > 200
        own = np.median(np.linalg.norm(img[ink] - line.rgb(), axis=1))
        theirs = np.median(np.linalg.norm(img[ink] - other.rgb(), axis=1))
        assert own < theirs, (line.text, own, theirs)
