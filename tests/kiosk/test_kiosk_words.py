"""The words step's messages without a browser (AppTest): an error goes as soon as its cause is
fixed, and every message is in plain words in the visitor's language (font names, the
character itself; no font ids, code points or validator wording)."""
from __future__ import annotations

import re

from generator.design import MAX_CHARS
from kiosk.i18n import t
from tests.kiosk.test_kiosk_flow import BOX_LOW, BOX_TOP, assert_clean, errors, set_line, to_text_step

DEVELOPER_WORDS = re.compile(r"U\+[0-9A-F]{4}|wenkai|'kai'|'hei'|'song'|trimming|lines\[|去除首尾")


def generate(at):
    at.button(key="w_generate").click().run()
    assert_clean(at)
    return errors(at)


def test_missing_box_error_goes_once_the_box_is_drawn(app):
    at = to_text_step(app)
    set_line(at, 0, "天路")
    assert generate(at) == [t("need_box", "zh", n=1)]
    at.session_state["v_boxes"] = [BOX_TOP]  # where the canvas puts a drawn box
    at.run()
    assert errors(at) == []


def test_overlap_error_goes_after_undo_and_redraw(app):
    at = to_text_step(app)
    set_line(at, 0, "天路")
    at.button(key="w_add_line").click().run()
    set_line(at, 1, "金沙")
    at.session_state["v_boxes"] = [BOX_TOP, (0.15, 0.14, 0.8, 0.16)]
    at.run()
    [msg] = generate(at)
    assert "重叠" in msg
    at.button(key="w_undo").click().run()
    assert errors(at) == []
    at.session_state["v_boxes"] = [BOX_TOP, BOX_LOW]
    at.run()
    assert errors(at) == []
    assert generate(at) == [] and at.session_state["v_step"] == "generate"


def test_glyph_error_goes_when_the_words_or_the_font_change(app):
    at = to_text_step(app)
    set_line(at, 0, "你好㐀")  # U+3400: not in LXGW WenKai (the default), present in WenQuanYi
    at.session_state["v_boxes"] = [BOX_TOP]
    at.run()
    assert len(generate(at)) == 1
    set_line(at, 0, "你好")   # the visitor deletes the character
    assert errors(at) == []
    set_line(at, 0, "你好㐀")
    assert len(generate(at)) == 1
    at.button(key="w_font_hei").click().run()
    assert errors(at) == [] and not at.warning


def test_error_stays_while_nothing_changes(app):
    at = to_text_step(app)
    set_line(at, 0, "天路")
    assert generate(at) == [t("need_box", "zh", n=1)]
    at.button(key="k_lang_btn").click().run()   # a language switch or a line tap changes nothing
    at.button(key="w_sel_0").click().run()
    assert errors(at) == [t("need_box", "en", n=1)]


def test_glyph_message_in_plain_words(app):
    at = to_text_step(app)
    set_line(at, 0, "天路😀")
    at.session_state["v_boxes"] = [BOX_TOP]
    at.run()
    [warning] = [w.value for w in at.warning]  # said at once, as the line is typed...
    [msg] = generate(at)                         # ...and the same words at Generate
    assert msg == warning
    assert msg.startswith("第 1 行") and "霞鹜文楷" in msg and "😀" in msg
    assert not DEVELOPER_WORDS.search(msg), msg
    at.button(key="k_lang_btn").click().run()
    [msg] = errors(at)
    assert msg.startswith("Line 1") and "LXGW WenKai" in msg and "😀" in msg
    assert not DEVELOPER_WORDS.search(msg), msg


def test_over_long_line_in_plain_words():
    from base.errors import DesignError
    from kiosk.design import build_design

    ss = {"v_texts": ["长" * 25], "v_boxes": [BOX_TOP], "v_fonts": ["wenkai"],
          "v_colors": ["#F5D27A"], "v_verticals": [False], "v_motif": "sunbird",
          "v_product": "postcard", "v_seed": 1}
    try:
        build_design(ss)
    except DesignError as err:
        zh, en = err.message("zh"), err.message("en")
    assert zh == "第 1 行最多 20 个字，现在有 25 个"
    assert en == "Line 1: at most 20 characters; it has 25"
    assert not DEVELOPER_WORDS.search(zh + en)


def test_line_input_takes_at_most_20_characters(app):
    # the browser test types into it; AppTest only sees the limit the input is given
    at = to_text_step(app)
    assert at.text_input(key="w_text_0").max_chars == MAX_CHARS


def test_a_picked_character_never_overfills_a_line(app):
    at = to_text_step(app)
    set_line(at, 0, "长" * (MAX_CHARS - 1))
    # a handwriting candidate tap leaves its text here (kiosk/input_methods.py _accept)
    at.session_state["w_handwriting_hw_pick"] = "天"
    at.run()
    assert at.session_state["v_texts"][0] == "长" * (MAX_CHARS - 1) + "天"
    at.session_state["w_handwriting_hw_pick"] = "路"
    at.run()
    assert at.session_state["v_texts"][0] == "长" * (MAX_CHARS - 1) + "天"   # not added...
    assert [w.value for w in at.warning] == [t("line_full", "zh", n=1, max=MAX_CHARS)]  # ...and said
