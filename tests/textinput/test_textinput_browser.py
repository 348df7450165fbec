"""Handwriting and pinyin on the real kiosk page in Debian Chromium, by touch only.

Characters are written with one-finger strokes sent through CDP Input.dispatchTouchEvent (the
strokes are traced from a kaishu glyph's centre lines: textinput.synth), and the
pinyin letters are tapped on the in-page keys. The line then goes through Generate, and the
queued job's Design carries exactly the text that was entered. Screenshots: var/screenshots/.
"""
from __future__ import annotations

import shutil
import time

import pytest

from textinput.pinyin import default_index_path
from textinput.synth import trace_strokes
from tests.kiosk.conftest import SCREENSHOTS, chromium, start_streamlit, tap  # noqa: F401

pytestmark = pytest.mark.browser

HW = "w_handwriting_hw"
PY_KEYS = "w_pinyin_py_keys"


@pytest.fixture(scope="module")
def server(tmp_path_factory, pinyin_index_path):
    var = tmp_path_factory.mktemp("ti-kiosk-var")
    # the index a kiosk builds at first start, copied in so the test does not wait for it
    target = var / "textinput" / default_index_path().name
    target.parent.mkdir(parents=True)
    shutil.copy(pinyin_index_path, target)
    with start_streamlit(env={"KIOSK_VAR": str(var)}) as url:
        yield url, var


@pytest.fixture
def page(chromium):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ctx = chromium.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True,
                               device_scale_factor=1)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def to_text_step(page, url, lang):
    page.goto(url)
    page.locator(".st-key-v_start_btn button").wait_for(state="visible", timeout=30_000)
    if lang == "en":
        tap(page, page.locator(".st-key-k_lang_btn button"))
        page.get_by_text("Take a piece of heritage home").wait_for(timeout=15_000)
    tap(page, page.locator(".st-key-v_start_btn button"))
    tap(page, page.locator(".st-key-v_motif_sunbird button"))
    tap(page, page.locator(".st-key-v_product_postcard button"))
    page.locator(".st-key-w_text_0 input").wait_for(state="visible", timeout=30_000)


def line_value(page) -> str:
    return page.locator(".st-key-w_text_0 input").input_value()


def wait_line(page, text, timeout=45_000):
    try:
        page.wait_for_function(
            "t => [...document.querySelectorAll('.st-key-w_text_0 input')].some(i => i.value === t)",
            arg=text, timeout=timeout)
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / "textinput_failed.png"))
        raise AssertionError(f"line is {line_value(page)!r}, expected {text!r}") from None


def open_tab(page, name):
    tab = page.get_by_role("tab", name=name)
    tap(page, tab)
    page.wait_for_timeout(300)


def hw_canvas(page):
    # after a pick the canvas is rebuilt under a new key; wait until only the new one is left
    page.wait_for_function(
        f"""() => document.querySelectorAll("[class*='st-key-{HW}_canvas_']").length === 1""",
        timeout=15_000)
    c = page.locator(f"[class*='st-key-{HW}_canvas_'] canvas.upper-canvas")
    c.wait_for(state="visible", timeout=15_000)
    c.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    return c


def write(page, text, box_frac=(0.3, 0.08, 0.4, 0.84)):
    bb = hw_canvas(page).bounding_box()
    fx, fy, fw, fh = box_frac
    box = (bb["x"] + fx * bb["width"], bb["y"] + fy * bb["height"], fw * bb["width"],
           fh * bb["height"])
    cdp = page.context.new_cdp_session(page)
    for stroke in trace_strokes(text, box, seed=len(text)):
        (x, y), rest = stroke[0], stroke[1:]
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for x, y in rest:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        page.wait_for_timeout(40)
    cdp.detach()


def settle_candidates(page, changed_from=None, settle=1.5, timeout=45):
    """The handwriting candidates once they stop changing (and differ from `changed_from`)."""
    buttons = page.locator(f"[class*='st-key-{HW}_cand'] button")
    end = time.monotonic() + timeout
    labels, since = None, time.monotonic()
    while time.monotonic() < end:
        now = [b.inner_text().strip() for b in buttons.all()]
        if now != labels:
            labels, since = now, time.monotonic()
        elif labels and labels != changed_from and time.monotonic() - since >= settle:
            return labels
        page.wait_for_timeout(200)
    raise AssertionError(f"handwriting candidates did not settle: {labels}")


def pick_handwriting(page, expected, settle=1.5):
    """Wait until the candidates of the finished drawing stop changing (each stroke reruns the
    recognizer), then tap the expected one."""
    buttons = page.locator(f"[class*='st-key-{HW}_cand'] button")
    end = time.monotonic() + 40
    labels, since = None, time.monotonic()
    while time.monotonic() < end:
        now = [b.inner_text().strip() for b in buttons.all()]
        if now != labels:
            labels, since = now, time.monotonic()
        elif expected in labels and time.monotonic() - since >= settle:
            assert labels.index(expected) < 5, labels
            tap(page, buttons.filter(has_text=expected).first)
            return labels
        page.wait_for_timeout(200)
    raise AssertionError(f"{expected} not among the handwriting candidates {labels}")


def type_pinyin(page, letters):
    for ch in letters:
        # taps on the in-page keys; each shows at once, no rerun needed before the next
        tap(page, page.locator(f".st-key-{PY_KEYS} button[data-key='{ch}']"))
    typed = page.locator(f".st-key-{PY_KEYS} [data-testid='pinyin-typed']")
    assert typed.inner_text().strip() == letters


def pick_pinyin(page, text):
    cand = page.locator(f".st-key-{PY_KEYS} button[data-cand='{text}']")
    cand.wait_for(state="visible", timeout=45_000)
    tap(page, cand)


def wait_letters_used_up(page, timeout=30):
    """After a pick, the keys show their hint again instead of the typed letters."""
    typed = page.locator(f".st-key-{PY_KEYS} [data-testid='pinyin-typed']")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if typed.get_attribute("class") and "pyk-empty" in typed.get_attribute("class"):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"letters left after the pick: {typed.inner_text()!r}")


def generate_and_check(page, var, expected_text):
    tap(page, page.locator(".st-key-w_auto button"))
    page.wait_for_timeout(500)
    tap(page, page.locator(".st-key-w_generate button"))
    page.locator("[class*='st-key-w_choose_'] button").first.wait_for(state="visible", timeout=90_000)
    from jobs.store import Store

    jobs = Store(f"sqlite:///{var / 'kiosk.db'}", create=False).list_jobs()
    texts = [[ln["text"] for ln in j.design["lines"]] for j in jobs]
    assert [expected_text] in texts, texts


def test_write_tianlu_and_type_jinsha_zh(server, page):
    url, var = server
    to_text_step(page, url, "zh")
    open_tab(page, "手写")
    write(page, "大")
    settle_candidates(page)
    tap(page, page.locator(f".st-key-{HW}_clear button"))       # a wrong start: clear it
    page.wait_for_function(
        f"() => document.querySelectorAll(\"[class*='st-key-{HW}_cand'] button\").length === 0",
        timeout=45_000)
    write(page, "天")
    first = settle_candidates(page)
    tap(page, page.locator(f".st-key-{HW}_undo button"))        # undo the last stroke ...
    after_undo = settle_candidates(page, changed_from=first)     # ... candidates are re-read
    assert after_undo and after_undo != first
    write(page, "天")                                           # and write it again
    labels = pick_handwriting(page, "天")
    assert len(labels) >= 5
    wait_line(page, "天")
    write(page, "路")
    pick_handwriting(page, "路")
    wait_line(page, "天路")
    page.screenshot(path=str(SCREENSHOTS / "textinput_01_handwriting_zh.png"))

    open_tab(page, "拼音")
    type_pinyin(page, "jinsha")
    pick_pinyin(page, "金沙")
    wait_line(page, "天路金沙")
    wait_letters_used_up(page)
    page.screenshot(path=str(SCREENSHOTS / "textinput_02_pinyin_zh.png"))
    # backspace on the empty pinyin keys deletes the last character of the line
    tap(page, page.locator(f".st-key-{PY_KEYS} button[data-key='Backspace']"))
    wait_line(page, "天路金")
    type_pinyin(page, "sha")
    pick_pinyin(page, "沙")
    wait_line(page, "天路金沙")
    wait_letters_used_up(page)
    generate_and_check(page, var, "天路金沙")
    page.screenshot(path=str(SCREENSHOTS / "textinput_03_generated_zh.png"))


def test_row_handwriting_and_pinyin_en(server, page):
    url, var = server
    to_text_step(page, url, "en")
    open_tab(page, "Handwriting")
    page.get_by_text("Write one or a few Chinese characters").wait_for(timeout=15_000)
    write(page, "天路", box_frac=(0.08, 0.1, 0.84, 0.8))      # a short row in one go
    pick_handwriting(page, "天路")
    wait_line(page, "天路")
    open_tab(page, "Pinyin")
    t0 = time.perf_counter()
    type_pinyin(page, "jinsha")
    typed_s = time.perf_counter() - t0
    page.locator(f".st-key-{PY_KEYS} button[data-cand='金沙']").wait_for(timeout=45_000)
    print(f"6 key taps shown in {typed_s:.2f} s; candidates after {time.perf_counter() - t0:.2f} s")
    pick_pinyin(page, "金沙")
    wait_line(page, "天路金沙")
    # a pick that uses only the leading syllables leaves the rest typed for the next pick
    type_pinyin(page, "fushouankang")
    pick_pinyin(page, "福寿")
    wait_line(page, "天路金沙福寿")
    typed = page.locator(f".st-key-{PY_KEYS} [data-testid='pinyin-typed']")
    end = time.monotonic() + 30
    while typed.inner_text().strip() != "ankang" and time.monotonic() < end:
        page.wait_for_timeout(100)
    assert typed.inner_text().strip() == "ankang"
    pick_pinyin(page, "安康")
    wait_line(page, "天路金沙福寿安康")
    page.screenshot(path=str(SCREENSHOTS / "textinput_04_en.png"))
    generate_and_check(page, var, "天路金沙福寿安康")


def test_pinyin_never_offers_a_refused_word(server, page):
    """tamade spelled 他妈的 first; what Generate would refuse is never a key to tap."""
    url, _ = server
    to_text_step(page, url, "zh")
    open_tab(page, "拼音")
    type_pinyin(page, "tamade")
    cands = page.locator(f".st-key-{PY_KEYS} [data-testid='pinyin-candidates'] button[data-cand]")
    cands.first.wait_for(state="visible", timeout=45_000)
    texts = [c.get_attribute("data-cand") for c in cands.all()]
    page.screenshot(path=str(SCREENSHOTS / "textinput_05_pinyin_moderated.png"))
    assert texts and "他妈的" not in texts, texts
    assert "他" in texts[:10], texts                  # the harmless readings stay on offer
