"""The words step tried by touch as a visitor would (Debian Chromium, Playwright, has_touch):
a language switch keeps every choice, boxes keep their numbers and survive "Change my words",
and a line stops at 20 characters as it is typed. Screenshots go to var/screenshots/."""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from generator.design import MAX_CHARS
from tests.kiosk.conftest import tap
from tests.kiosk.test_kiosk_browser import canvas_of, draw_box, open_kiosk, shot

pytestmark = pytest.mark.browser

VIEWPORTS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
BOX_STROKE = (255, 90, 54)  # kiosk/canvas.py's stroke colour


@pytest.fixture
def page_of(chromium):
    """A touchscreen page of the given orientation (closed after the test)."""
    contexts = []

    def make(orientation: str):
        w, h = VIEWPORTS[orientation]
        context = chromium.new_context(viewport={"width": w, "height": h}, has_touch=True,
                                       device_scale_factor=1, locale="zh-CN")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def to_words(page, url, motif="sacred_tree", product="poker"):
    open_kiosk(page, url)
    tap(page, page.locator(".st-key-v_start_btn button"))
    tap(page, page.locator(f".st-key-v_motif_{motif} button"))
    tap(page, page.locator(f".st-key-v_product_{product} button"))
    canvas_of(page).wait_for(state="visible", timeout=30_000)


def settled(page):
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
    page.wait_for_timeout(300)


def chosen(page, key: str) -> bool:
    return page.locator(f".st-key-{key} [data-testid='stBaseButton-primary']").count() == 1


def line_value(page, i: int) -> str:
    return page.locator(f".st-key-w_text_{i} input").input_value()


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_language_switch_keeps_every_choice(kiosk_server, page_of, orientation):
    page = page_of(orientation)
    to_words(page, kiosk_server)
    tap(page, page.locator(".st-key-w_phrase_0 button"))
    page.wait_for_function("() => document.querySelector('.st-key-w_text_0 input').value.length > 0")
    tap(page, page.locator(".st-key-w_font_kai button"))
    page.locator(".st-key-w_font_kai [data-testid='stBaseButton-primary']").wait_for(timeout=30_000)
    tap(page, page.locator(".st-key-w_color_C0392B button"))
    page.locator(".st-key-w_color_C0392B [data-testid='stBaseButton-primary']").wait_for(timeout=30_000)
    words = line_value(page, 0)

    for lang, title in (("en", "Add your words"), ("zh", "写下你的文字")):
        tap(page, page.locator(".st-key-k_lang_btn button"))
        page.get_by_text(title, exact=True).wait_for(timeout=30_000)
        settled(page)
        shot(page, f"12_words_after_switch_{lang}_{orientation}")
        # right after the switch: the same font and colour are the chosen ones
        assert chosen(page, "w_font_kai") and chosen(page, "w_color_C0392B"), lang
        # then taps elsewhere (another phrase, the line) keep the whole step and the choices
        tap(page, page.locator(f".st-key-w_phrase_{1 if lang == 'en' else 0} button"))
        page.wait_for_function("(w) => document.querySelector('.st-key-w_text_0 input').value !== w",
                               arg=words, timeout=30_000)
        words = line_value(page, 0)
        tap(page, page.locator(".st-key-w_sel_0 button"))
        settled(page)
        assert chosen(page, "w_font_kai") and chosen(page, "w_color_C0392B"), lang
        assert line_value(page, 0) == words
        assert page.locator("[data-testid='stAlert']").count() == 0, \
            page.locator("[data-testid='stAlert']").all_inner_texts()
        for key in ("w_generate", "w_back_text"):
            assert page.locator(f".st-key-{key} button").is_visible(), (lang, key)


def sent_box_labels(frames: list) -> list[str]:
    """The labels on the boxes of the newest canvas, from the last drawing the browser sent
    the server (each widget's state follows its id in the websocket frame)."""
    for frame in reversed(frames):
        if not isinstance(frame, (bytes, bytearray)):
            continue
        states = re.split(rb"\$\$ID-[0-9a-f]+-", bytes(frame))
        canvases = [(int(m.group(1)), s) for s in states if (m := re.match(rb"w_canvas_(\d+)", s))]
        if canvases and b"LabeledRect" in max(canvases)[1]:
            return [m.decode() for m in re.findall(rb'"label":"([^"]*)"', max(canvases)[1])]
    raise AssertionError("the canvas sent no drawing")


def test_boxes_are_numbered_in_order(kiosk_server, page_of):
    page = page_of("portrait")
    frames: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: frames.append(f)))
    to_words(page, kiosk_server)
    for n, (y0, y1) in enumerate(((0.06, 0.2), (0.4, 0.54), (0.74, 0.88)), start=1):
        draw_box(page, 0.12, y0, 0.88, y1)
        page.get_by_text(re.compile(f"已画 {n} 个框")).wait_for(timeout=30_000)
        settled(page)
        assert sent_box_labels(frames) == [str(i) for i in range(1, n + 1)]
    tap(page, page.locator(".st-key-w_undo button"))      # undo, then the next box is 3 again
    page.get_by_text(re.compile("已画 2 个框")).wait_for(timeout=30_000)
    settled(page)
    draw_box(page, 0.12, 0.74, 0.88, 0.88)
    page.get_by_text(re.compile("已画 3 个框")).wait_for(timeout=30_000)
    settled(page)
    assert sent_box_labels(frames) == ["1", "2", "3"]


def stroke_pixels(page) -> int:
    """Pixels of the box outline colour on the drawing area."""
    png = page.locator("[class*='st-key-w_canvas_']").screenshot()
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int((np.abs(img - BOX_STROKE).sum(axis=2) < 40).sum())


def test_change_my_words_keeps_the_boxes(kiosk_server, page_of):
    page = page_of("portrait")
    to_words(page, kiosk_server)
    tap(page, page.locator(".st-key-w_phrase_0 button"))
    page.wait_for_function("() => document.querySelector('.st-key-w_text_0 input').value.length > 0")
    tap(page, page.locator(".st-key-w_add_line button"))
    page.locator(".st-key-w_text_1 input").wait_for(state="visible", timeout=30_000)
    tap(page, page.locator(".st-key-w_phrase_2 button"))
    page.wait_for_function("() => document.querySelector('.st-key-w_text_1 input').value.length > 0")
    line1 = line_value(page, 0)
    draw_box(page, 0.10, 0.06, 0.90, 0.22)
    page.get_by_text(re.compile("已画 1 个框")).wait_for(timeout=30_000)
    draw_box(page, 0.10, 0.72, 0.90, 0.88)
    page.get_by_text(re.compile("已画 2 个框")).wait_for(timeout=30_000)
    settled(page)
    drawn = stroke_pixels(page)
    assert drawn > 500

    tap(page, page.locator(".st-key-w_generate button"))
    page.locator(".st-key-w_choose_0 button").wait_for(state="visible", timeout=90_000)
    tap(page, page.locator(".st-key-w_edit_text button"))
    canvas_of(page).wait_for(state="visible", timeout=30_000)
    settled(page)
    shot(page, "13_words_after_change_my_words")
    # the drawing area shows the saved boxes again...
    page.get_by_text(re.compile("已画 2 个框")).wait_for(timeout=30_000)
    assert stroke_pixels(page) > 0.8 * drawn
    # ...so the next drag adds a box rather than replacing both
    draw_box(page, 0.10, 0.40, 0.90, 0.52)
    page.get_by_text(re.compile("已画 3 个框")).wait_for(timeout=30_000)
    assert line_value(page, 0) == line1
    tap(page, page.locator(".st-key-w_undo button"))
    page.get_by_text(re.compile("已画 2 个框")).wait_for(timeout=30_000)
    tap(page, page.locator(".st-key-w_generate button"))
    page.locator(".st-key-w_choose_0 button").wait_for(state="visible", timeout=90_000)


def test_a_line_stops_at_20_characters_as_it_is_typed(kiosk_server, page_of):
    page = page_of("landscape")
    to_words(page, kiosk_server)
    tap(page, page.locator(".st-key-w_text_0 input"))
    page.keyboard.type("长" * 25)
    assert line_value(page, 0) == "长" * MAX_CHARS
    page.keyboard.press("Enter")
    settled(page)
    tap(page, page.locator(".st-key-w_generate button"))   # no box yet: only that is said
    page.get_by_text("请为第 1 行画一个框").wait_for(timeout=30_000)
    alerts = page.locator("[data-testid='stAlert']").all_inner_texts()
    assert alerts == ["请为第 1 行画一个框"], alerts
