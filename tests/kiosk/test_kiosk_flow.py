"""The visitor flow without a browser (Streamlit AppTest).

Custom components (the box canvas, the touch script) return their defaults in AppTest, so
boxes are injected through session_state (`v_boxes`), the same place the canvas writes them.
Generation runs for real: the print queue on SQLite in a temp var folder and the in-process
worker with the procedural backend.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.moderation import REFUSED_EN, REFUSED_ZH
from kiosk.boxes import default_boxes, objects_to_boxes
from kiosk.i18n import STRINGS, t

BOX_TOP = (0.1, 0.1, 0.8, 0.16)
BOX_LOW = (0.1, 0.72, 0.8, 0.16)


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def assert_clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


def to_text_step(at, motif: str = "sunbird", product: str = "postcard"):
    at.button(key="v_start_btn").click().run()
    at.button(key=f"v_motif_{motif}").click().run()
    at.button(key=f"v_product_{product}").click().run()
    assert_clean(at)
    assert at.session_state["v_step"] == "text"
    return at


def set_line(at, i: int, text: str):
    at.text_input(key=f"w_text_{i}").input(text).run()
    return at


def wait_for_candidates(at, timeout: float = 60) -> list[str]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        at.run()
        assert_clean(at)
        keys = [b.key for b in at.button if b.key and b.key.startswith("w_choose_")]
        if keys:
            return keys
        assert not errors(at), errors(at)
        time.sleep(0.1)
    raise AssertionError("no candidates on screen in time")


def test_whole_flow_to_ticket(app):
    at = to_text_step(app, product="bookmark")
    at.button(key="w_phrase_0").click().run()
    phrase = at.session_state["v_texts"][0]
    assert phrase and at.text_input(key="w_text_0").value == phrase
    at.session_state["v_boxes"] = [(0.15, 0.05, 0.7, 0.3)]
    at.button(key="w_font_kai").click().run()
    at.button(key="w_color_C0392B").click().run()
    at.button(key="w_generate").click().run()
    assert_clean(at)
    assert at.session_state["v_step"] == "generate", errors(at)
    job_id = at.session_state["v_job"]
    choices = wait_for_candidates(at)
    assert 2 <= len(choices) <= 4
    badges = [m.value for m in at.markdown if "kiosk-badge" in m.value]
    assert len(badges) == len(choices)  # one OCR badge per candidate
    at.button(key=choices[1]).click().run()
    assert_clean(at)
    assert at.session_state["v_step"] == "proof"
    assert len(at.image) >= 2  # front and back
    assert at.button(key="w_submit").disabled  # consent first
    at.toggle(key="w_guides").set_value(True).run()
    assert_clean(at)
    at.checkbox(key="w_consent").check().run()
    at.button(key="w_submit").click().run()
    assert_clean(at)
    assert at.session_state["v_step"] == "done"
    ticket = at.session_state["v_ticket"]
    assert any(ticket in m.value and "kiosk-ticket" in m.value for m in at.markdown)

    from kiosk.resources import get_store

    job = get_store().get(int(job_id))
    assert job.ticket == ticket and job.chosen == 1
    assert job.state in ("submitted", "building", "ready_for_review")
    assert job.design["lines"][0]["text"] == phrase
    assert job.design["lines"][0]["font"] == "kai" and job.design["lines"][0]["color"] == "#C0392B"
    assert job.design["product"] == "bookmark"

    at.button(key="w_new").click().run()
    assert at.session_state["v_step"] == "start" and at.session_state["v_ticket"] is None


def test_language_switch_on_every_screen(app):
    at = app
    assert at.button(key="v_start_btn").label == t("start_button", "zh")
    for step_button in ("v_start_btn", "v_motif_sunbird", "v_product_poker"):
        at.button(key="k_lang_btn").click().run()
        assert at.session_state["k_lang"] == "en"
        assert any(x.value in (t("app_title", "en"), t("motif_title", "en"), t("product_title", "en"),
                               t("text_title", "en")) for x in at.title)
        at.button(key="k_lang_btn").click().run()
        assert at.session_state["k_lang"] == "zh"
        at.button(key=step_button).click().run()
        assert_clean(at)
    at.button(key="k_lang_btn").click().run()
    assert at.title[0].value == t("text_title", "en")
    assert at.tabs[0].label == t("tab_phrases", "en")


def test_every_string_has_both_languages():
    for key, (zh, en) in STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert zh != en or key in ("lang_switch",), key


def test_refused_text_names_no_word(app):
    deny = Path(__file__).resolve().parents[2] / "generator" / "wordlists" / "deny.txt"
    term = next(ln.strip() for ln in deny.read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.startswith("#"))
    at = to_text_step(app)
    set_line(at, 0, f"你好{term}")
    at.session_state["v_boxes"] = [BOX_TOP]
    at.run()
    at.button(key="w_generate").click().run()
    assert at.session_state["v_step"] == "text"
    assert errors(at) == [REFUSED_ZH]
    assert term not in errors(at)[0]
    at.button(key="k_lang_btn").click().run()
    assert errors(at) == [REFUSED_EN]
    assert at.session_state["v_job"] is None  # nothing was generated


def test_font_lacking_a_character(app):
    at = to_text_step(app)
    set_line(at, 0, "你好㐀")  # U+3400: not in LXGW WenKai (the default), present in WenQuanYi
    at.session_state["v_boxes"] = [BOX_TOP]
    at.run()
    assert any("㐀" in w.value for w in at.warning)  # said at once, before generating
    at.button(key="w_generate").click().run()
    assert at.session_state["v_step"] == "text"
    assert len(errors(at)) == 1 and "㐀" in errors(at)[0] and errors(at)[0].startswith("第 1 行")
    at.button(key="w_font_hei").click().run()
    assert not any("㐀" in w.value for w in at.warning)
    at.button(key="w_generate").click().run()
    assert at.session_state["v_step"] == "generate", errors(at)


def test_overlapping_boxes_and_missing_box(app):
    at = to_text_step(app)
    set_line(at, 0, "天路")
    at.button(key="w_add_line").click().run()
    assert at.session_state["v_cur"] == 1
    at.button(key="w_phrase_1").click().run()  # the phrase goes to the current line (2)
    assert at.session_state["v_texts"][1] and at.session_state["v_texts"][0] == "天路"
    at.session_state["v_boxes"] = [BOX_TOP]
    at.run()
    at.button(key="w_generate").click().run()
    assert errors(at) == [t("need_box", "zh", n=2)]
    at.session_state["v_boxes"] = [BOX_TOP, (0.15, 0.14, 0.8, 0.16)]
    at.run()
    at.button(key="w_generate").click().run()
    assert at.session_state["v_step"] == "text"
    assert "重叠" in errors(at)[0] and "1" in errors(at)[0] and "2" in errors(at)[0]
    at.session_state["v_boxes"] = [BOX_TOP, BOX_LOW]
    at.run()
    at.button(key="w_generate").click().run()
    assert at.session_state["v_step"] == "generate", errors(at)


def test_undo_clear_and_place_boxes(app):
    at = to_text_step(app)
    at.button(key="w_add_line").click().run()
    at.session_state["v_boxes"] = [BOX_TOP, BOX_LOW]
    at.run()
    n0 = at.session_state["v_canvas_n"]
    at.button(key="w_undo").click().run()
    assert at.session_state["v_boxes"] == [BOX_TOP]
    assert at.session_state["v_canvas_n"] == n0 + 1  # rebuilt under a new key...
    init = at.session_state["v_canvas_init"]["objects"]
    assert len(init) == 1 and init[0]["label"] == "1"  # ...with the remaining box drawn
    at.button(key="w_clear").click().run()
    assert at.session_state["v_boxes"] == [] and at.session_state["v_canvas_init"] is None
    assert at.button(key="w_undo").disabled
    at.button(key="w_auto").click().run()
    assert len(at.session_state["v_boxes"]) == 2
    assert_clean(at)


def test_box_outside_the_safe_area_is_flagged(app):
    at = to_text_step(app, product="bookmark")  # the bookmark's safe area leaves side margins
    set_line(at, 0, "天路")
    at.session_state["v_boxes"] = [(0.0, 0.1, 1.0, 0.1)]
    at.run()
    assert [w.value for w in at.warning] == [t("box_unsafe", "zh", n=1)]
    at.session_state["v_boxes"] = [(0.2, 0.1, 0.6, 0.1)]
    at.run()
    assert not at.warning


def test_idle_reset_keeps_submitted_jobs(app):
    at = to_text_step(app)
    at.button(key="k_lang_btn").click().run()
    set_line(at, 0, "金沙")
    at.session_state["v_boxes"] = [BOX_TOP]
    at.run()
    at.button(key="w_generate").click().run()
    wait_for_candidates(at)
    at.button(key="w_choose_0").click().run()
    at.checkbox(key="w_consent").check().run()
    at.button(key="w_submit").click().run()
    job_id = at.session_state["v_job"]
    # the touch script reports 120 s without a touch by setting k_idle (its trigger callback)
    at.session_state["k_idle"] = True
    at.run()
    assert_clean(at)
    assert at.session_state["v_step"] == "start"
    assert at.session_state["k_lang"] == "zh"  # the next visitor starts in Chinese
    assert at.session_state["v_texts"] == [""] and at.session_state["v_boxes"] == []

    from kiosk.resources import get_store

    assert get_store().get(int(job_id)).state not in ("abandoned", "cancelled")


def test_idle_reset_mid_design_abandons_unsubmitted_job(app):
    at = to_text_step(app)
    set_line(at, 0, "金沙")
    at.session_state["v_boxes"] = [BOX_TOP]
    at.run()
    at.button(key="w_generate").click().run()
    job_id = at.session_state["v_job"]
    wait_for_candidates(at)
    at.session_state["k_idle"] = True
    at.run()
    assert at.session_state["v_step"] == "start"
    from kiosk.resources import get_store

    assert get_store().get(int(job_id)).state == "abandoned"


def test_try_again_uses_new_seeds(app):
    at = to_text_step(app, product="poker")
    set_line(at, 0, "吉祥")
    at.session_state["v_boxes"] = [BOX_TOP]
    at.run()
    at.button(key="w_generate").click().run()
    wait_for_candidates(at)
    assert not at.button(key="w_try_again").disabled
    first_job, first_seed = at.session_state["v_job"], at.session_state["v_seed"]
    at.button(key="w_try_again").click().run()
    assert at.session_state["v_job"] != first_job and at.session_state["v_seed"] != first_seed
    wait_for_candidates(at)
    from kiosk.resources import get_store

    seeds = [c.seed for c in get_store().get(int(at.session_state["v_job"])).candidates]
    old = [c.seed for c in get_store().get(int(first_job)).candidates or []]
    assert seeds and not set(seeds) & set(old)


# -- plain functions behind the widgets ---------------------------------------------------------
def test_canvas_objects_to_fractions():
    data = {"objects": [
        {"type": "LabeledRect", "left": 72, "top": 48, "width": 100, "height": 50,
         "scaleX": 2, "scaleY": 1, "originX": "left", "originY": "top"},
        {"type": "rect", "left": 360, "top": 240, "width": 72, "height": 48,
         "originX": "center", "originY": "center"},
        {"type": "rect", "left": 700, "top": 470, "width": 100, "height": 100},  # clipped
        {"type": "LabeledRect", "left": 10, "top": 10, "width": 3, "height": 3},  # a stray tap
        {"type": "path", "left": 0, "top": 0},
    ]}
    boxes = objects_to_boxes(data, 720, 480)
    assert boxes[0] == pytest.approx((0.1, 0.1, 200 / 720, 50 / 480), abs=1e-4)
    assert boxes[1] == pytest.approx((0.45, 0.45, 0.1, 0.1), abs=1e-4)
    assert boxes[2] == pytest.approx((700 / 720, 470 / 480, 20 / 720, 10 / 480), abs=1e-4)
    assert len(boxes) == 3


@pytest.mark.parametrize("vertical", [False, True])
@pytest.mark.parametrize("safe", [None, (0.125, 0.0449, 0.75, 0.9103)])
def test_default_boxes_do_not_overlap(safe, vertical):
    from generator.design import overlap_fraction
    from kiosk.preview import outside_safe

    drawn = (0.8, 0.1, 0.12, 0.6) if vertical else BOX_TOP  # one column / one band drawn
    boxes = default_boxes(5, [drawn], safe, vertical)
    assert boxes[0] == drawn
    if vertical:  # columns, right to left
        assert all(b[3] > b[2] for b in boxes[1:]) and boxes[1][0] > boxes[2][0]
    assert not any(outside_safe(b, safe) for b in boxes[1:])
    assert len(boxes) == 5
    for i in range(5):
        x, y, w, h = boxes[i]
        assert 0 <= x and 0 <= y and x + w <= 1 and y + h <= 1
        for j in range(i + 1, 5):
            assert overlap_fraction(boxes[i], boxes[j]) == 0


def test_job_survives_taps_and_a_closed_session(app):
    at = to_text_step(app)
    set_line(at, 0, "光耀千秋")
    at.session_state["v_boxes"] = [BOX_TOP]
    at.run()
    at.button(key="w_generate").click().run()
    job_id = int(at.session_state["v_job"])
    for _ in range(2):  # taps while the worker draws rerun the page; the job goes on
        at.button(key="k_lang_btn").click().run()
    assert_clean(at)
    del at  # the visitor closes the tab: the session is gone, the worker still owns the job

    from kiosk.resources import get_store

    end = time.monotonic() + 60
    while get_store().get(job_id).state in ("queued", "generating") and time.monotonic() < end:
        time.sleep(0.1)
    job = get_store().get(job_id)
    assert job.state == "awaiting_choice" and len(job.candidates) >= 2


def test_box_too_small_to_print_a_character(app):
    at = to_text_step(app, product="poker")  # 39 x 76 mm art window: 0.03 of its height is 2.3 mm
    set_line(at, 0, "天路")
    at.session_state["v_boxes"] = [(0.1, 0.1, 0.8, 0.03)]
    at.run()
    at.button(key="w_generate").click().run()
    assert_clean(at)
    assert at.session_state["v_step"] == "text" and at.session_state["v_job"] is None
    [msg] = errors(at)
    assert msg.startswith("第 1 行") and "框太小" in msg and "2.3 毫米" in msg and "至少 4 毫米" in msg
    assert "lines[0]" not in msg and "Traceback" not in msg
    at.button(key="k_lang_btn").click().run()
    [msg] = errors(at)
    assert msg == ("Line 1: too small to print one character: 31.2 x 2.3 mm at the poker's print "
                   "size; at least 4 mm")
    at.session_state["v_boxes"] = [(0.1, 0.1, 0.8, 0.12)]  # 9.1 mm tall: prints
    at.run()
    at.button(key="w_generate").click().run()
    assert at.session_state["v_step"] == "generate", errors(at)


def test_build_design_refuses_tiny_boxes_in_both_languages():
    from base.errors import DesignError
    from kiosk.design import build_design

    ss = {"v_texts": ["", "天路"], "v_boxes": [None, (0.1, 0.1, 1e-9, 0.2)], "v_fonts": ["wenkai"],
          "v_colors": ["#F5D27A"], "v_verticals": [False], "v_motif": "sunbird", "v_product": "postcard",
          "v_seed": 1}
    with pytest.raises(DesignError) as err:
        build_design(ss)
    assert err.value.message("en").startswith("Line 2: too small to print one character: 0.0 x 21.2 mm")
    assert err.value.message("zh").startswith("第 2 行") and "0.0 × 21.2 毫米" in err.value.message("zh")


def test_each_line_has_its_own_font_and_colour(app):
    at = to_text_step(app)
    set_line(at, 0, "天路")
    at.button(key="w_font_kai").click().run()
    at.button(key="w_color_C0392B").click().run()
    at.button(key="w_add_line").click().run()
    assert at.session_state["v_cur"] == 1
    # a new line starts in the current line's style...
    assert at.session_state["v_fonts"] == ["kai", "kai"]
    assert at.session_state["v_colors"] == ["#C0392B", "#C0392B"]
    set_line(at, 1, "金沙")
    # ...and the buttons now change line 2 only
    at.button(key="w_font_hei").click().run()
    at.button(key="w_color_3E9C7E").click().run()
    assert_clean(at)
    assert at.session_state["v_fonts"] == ["kai", "hei"]
    assert at.session_state["v_colors"] == ["#C0392B", "#3E9C7E"]
    assert at.button(key="w_font_hei").proto.type == "primary"
    assert at.button(key="w_font_kai").proto.type == "secondary"
    assert any(t("style_title", "zh", n=2) in m.value for m in at.markdown)
    # back to line 1: its own choice is highlighted, and changing it leaves line 2 alone
    at.button(key="w_sel_0").click().run()
    assert at.button(key="w_font_kai").proto.type == "primary"
    assert at.button(key="w_color_C0392B").proto.type == "primary"
    at.button(key="w_color_F5D27A").click().run()
    assert at.session_state["v_colors"] == ["#F5D27A", "#3E9C7E"]

    from kiosk.design import build_design, lines_of

    assert [(ln["font"], ln["color"]) for ln in lines_of(at.session_state)] == [
        ("kai", "#F5D27A"), ("hei", "#3E9C7E")]
    at.session_state["v_boxes"] = [BOX_TOP, BOX_LOW]
    at.run()
    design = build_design(at.session_state)
    assert [(ln.font, ln.color) for ln in design.lines] == [("kai", "#F5D27A"), ("hei", "#3E9C7E")]
    at.button(key="w_generate").click().run()
    assert at.session_state["v_step"] == "generate", errors(at)


def test_style_for_all_lines_and_removing_a_line(app):
    at = to_text_step(app)
    set_line(at, 0, "天路")
    at.button(key="w_add_line").click().run()
    at.button(key="w_add_line").click().run()
    at.button(key="w_font_song").click().run()          # line 3
    at.button(key="w_color_1E1A17").click().run()
    assert at.session_state["v_fonts"] == ["wenkai", "wenkai", "song"]
    at.button(key="w_del_1").click().run()               # line 2 goes: line 3 keeps its style
    assert at.session_state["v_fonts"] == ["wenkai", "song"]
    assert at.session_state["v_colors"] == ["#F5D27A", "#1E1A17"]
    at.button(key="w_sel_1").click().run()
    at.button(key="w_style_all").click().run()
    assert_clean(at)
    assert at.session_state["v_fonts"] == ["song", "song"]
    assert at.session_state["v_colors"] == ["#1E1A17", "#1E1A17"]


def test_preview_draws_each_line_in_its_own_colour():
    import numpy as np

    from kiosk import preview

    lines = [{"text": "天路", "box": BOX_TOP, "font": "hei", "color": "#C0392B", "vertical": False},
             {"text": "金沙", "box": BOX_LOW, "font": "kai", "color": "#3E9C7E", "vertical": False}]
    img = np.asarray(preview.text_preview("sunbird", (640, 400), lines)).astype(int)
    for ln in lines:
        x, y, w, h = ln["box"]
        crop = img[int(y * 400):int((y + h) * 400), int(x * 640):int((x + w) * 640)].reshape(-1, 3)
        want = preview._rgb(ln["color"])
        assert (np.abs(crop - want).sum(axis=1) < 6).sum() > 200, ln["text"]


def test_a_rare_character_is_shown_as_not_checkable_not_as_unclear(app):
    """丂 is in the font but outside the recognizer's dictionary: the line cannot be judged, so
    the candidates are offered with a badge that names it, not the "may not be clear" one."""
    from generator import ocr

    assert "丂" not in ocr.dictionary()
    at = to_text_step(app)
    set_line(at, 0, "天丂")
    at.session_state["v_boxes"] = [(0.2, 0.1, 0.6, 0.25)]
    at.button(key="w_generate").click().run()
    choices = wait_for_candidates(at)
    badges = [m.value for m in at.markdown if "kiosk-badge" in m.value]
    assert len(badges) == len(choices)
    assert all("丂" in b and "kiosk-badge-ok" in b for b in badges), badges
    at.button(key="k_lang_btn").click().run()
    badges = [m.value for m in at.markdown if "kiosk-badge" in m.value]
    assert all("rare character" in b and "丂" in b for b in badges), badges


def test_try_again_with_words_left_refused_on_the_edit_screen(app):
    """Words changed on the edit screen and refused there are still in the session: "try
    again" on the candidates goes back to the words step and says why, keeping the old job."""
    deny = Path(__file__).resolve().parents[2] / "generator" / "wordlists" / "deny.txt"
    term = next(ln.strip() for ln in deny.read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.startswith("#"))
    at = to_text_step(app)
    set_line(at, 0, "天路")
    at.session_state["v_boxes"] = [BOX_TOP]
    at.button(key="w_generate").click().run()
    wait_for_candidates(at)
    job = at.session_state["v_job"]
    at.session_state["v_texts"] = [f"你好{term}"]
    at.button(key="w_try_again").click().run()
    assert_clean(at)
    assert at.session_state["v_step"] == "text"
    assert errors(at) == [REFUSED_ZH]
    assert at.session_state["v_job"] == job
