"""The words step as a visitor meets it (issue 16, items 9 and 10), without a browser:
per-line vertical text and its boxes, and the small things a first visitor trips on."""
from __future__ import annotations

import re

import pytest

from generator.design import overlap_fraction
from kiosk.boxes import default_boxes, is_tall
from kiosk.i18n import t
from tests.kiosk.test_kiosk_flow import assert_clean, set_line, to_text_step

SAFE = (0.0455, 0.066, 0.9091, 0.8679)    # the postcard's safe area


def _apart(boxes) -> bool:
    return all(overlap_fraction(a, b) == 0 for i, a in enumerate(boxes) for b in boxes[i + 1:])


# -- item 9: vertical is a per-line choice -----------------------------------------------------
@pytest.mark.parametrize("product", ["postcard", "poker", "bookmark"])
def test_five_vertical_lines_get_five_tall_boxes(product):
    from kiosk.preview import safe_area

    boxes = default_boxes(5, [], safe_area(product, "sunbird"), [True] * 5)
    assert len(boxes) == 5 and _apart(boxes)
    assert all(is_tall(b, product) for b in boxes)
    assert [b[0] for b in boxes] == sorted((b[0] for b in boxes), reverse=True)  # right to left


def test_mixed_lines_get_a_band_or_a_column_each():
    boxes = default_boxes(3, [], SAFE, [False, True, True])
    assert len(boxes) == 3 and _apart(boxes)
    assert [is_tall(b, "postcard") for b in boxes] == [False, True, True]
    # a drawn band between two vertical lines that have no box yet: they go around it
    band = (0.1, 0.1, 0.8, 0.16)
    boxes = default_boxes(3, [None, band], SAFE, [True, False, True])
    assert boxes[1] == band and len(boxes) == 3 and _apart(boxes)
    assert [is_tall(b, "postcard") for b in boxes] == [True, False, True]


def test_each_line_has_its_own_direction(app):
    at = to_text_step(app)
    set_line(at, 0, "天路")
    at.button(key="w_add_line").click().run()
    set_line(at, 1, "金沙")
    at.button(key="w_auto").click().run()                  # two bands, both horizontal
    assert [is_tall(b, "postcard") for b in at.session_state["v_boxes"]] == [False, False]
    at.button(key="w_sel_0").click().run()
    at.button(key="w_orient_v").click().run()              # line 1 turns vertical ...
    assert_clean(at)
    assert at.session_state["v_verticals"] == [True, False]
    boxes = at.session_state["v_boxes"]
    assert [is_tall(b, "postcard") for b in boxes] == [True, False] and _apart(boxes)
    at.button(key="w_sel_1").click().run()                  # ... line 2 stays horizontal
    assert at.button(key="w_orient_h").proto.type == "primary"
    from kiosk.design import build_design                   # the Design carries both

    assert [ln.vertical for ln in build_design(at.session_state).lines] == [True, False]


def test_a_squarish_box_stays_when_its_line_turns(app):
    at = to_text_step(app, product="poker")
    set_line(at, 0, "福")
    square = (0.3, 0.3, 0.4, 0.2)              # square on the 1:2 card
    at.session_state["v_boxes"] = [square]
    at.run()
    at.button(key="w_orient_v").click().run()
    assert at.session_state["v_boxes"] == [square]


def test_a_new_line_and_use_for_all_take_the_direction(app):
    at = to_text_step(app)
    set_line(at, 0, "天路")
    at.button(key="w_orient_v").click().run()
    at.button(key="w_add_line").click().run()
    assert at.session_state["v_verticals"] == [True, True]
    set_line(at, 1, "金沙")
    at.button(key="w_orient_h").click().run()
    assert at.session_state["v_verticals"] == [True, False]
    at.button(key="w_sel_0").click().run()
    at.button(key="w_style_all").click().run()
    assert at.session_state["v_verticals"] == [True, True]
    at.button(key="w_del_0").click().run()
    assert at.session_state["v_verticals"] == [True]


# -- item 10: small things ---------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_line_field_invites_no_keyboard_and_remove_has_a_label(app, lang):
    if lang == "en":
        app.button(key="k_lang_btn").click().run()
    at = to_text_step(app)
    placeholder = at.text_input(key="w_text_0").placeholder
    assert placeholder and not re.search("键盘|keyboard|type", placeholder, re.I), placeholder
    label = at.button(key="w_del_0").label
    assert re.search("删除" if lang == "zh" else "Remove", label), label


@pytest.mark.parametrize("boxes, lines", [(1, 1), (1, 2), (2, 1), (3, 5)])
def test_box_count_reads_right_for_one_and_many(boxes, lines):
    text = t("boxes_count", "en", boxes=boxes, lines=lines)
    assert not re.search(r"\b1 (boxes|lines)\b", text), text
    assert str(boxes) in text and str(lines) in text
    zh = t("boxes_count", "zh", boxes=boxes, lines=lines)
    assert f"{boxes} 个框" in zh and f"{lines} 行" in zh


@pytest.mark.parametrize("product, dashed", [("poker", False), ("bookmark", True)])
def test_box_hint_names_the_dashed_line_only_where_one_is_drawn(app, product, dashed):
    from kiosk.preview import safe_area

    assert (safe_area(product, "sunbird") is not None) == dashed
    at = to_text_step(app, product=product)
    hints = " ".join(c.value for c in at.caption)
    assert ("虚线" in hints) == dashed, hints
    assert "第 1 个框放第 1 行" in hints


def test_greyed_submit_says_why(app):
    from tests.kiosk.test_kiosk_flow import wait_for_candidates

    at = to_text_step(app, product="bookmark")
    at.button(key="w_phrase_0").click().run()
    at.session_state["v_boxes"] = [(0.15, 0.05, 0.7, 0.3)]
    at.button(key="w_generate").click().run()
    first = wait_for_candidates(at)[0]
    at.button(key=first).click().run()
    assert at.button(key="w_submit").disabled
    why = t("submit_why", "zh")
    assert why in [c.value for c in at.caption]
    at.checkbox(key="w_consent").check().run()
    assert not at.button(key="w_submit").disabled
    assert why not in [c.value for c in at.caption]
