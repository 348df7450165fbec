"""The two widgets in Streamlit AppTest (no browser): picks, refusals, backspace, both languages.

Custom components do not render in AppTest (the canvas and the key component return their
defaults), so the handwriting candidates are injected through session_state, the way the
kiosk's own AppTest tests inject canvas results.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

HARNESS = Path(__file__).with_name("app_input_harness.py")


@pytest.fixture
def harness(monkeypatch, pinyin_index_path):
    monkeypatch.setenv("KIOSK_VAR", str(pinyin_index_path.parent))
    from textinput import pinyin

    target = pinyin.default_index_path()              # the session's index, no second build
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_bytes(pinyin_index_path.read_bytes())
    at = AppTest.from_file(str(HARNESS), default_timeout=60)
    return at


def _buttons(at, prefix):
    return [b for b in at.button if str(b.key or "").startswith(prefix)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_picking_a_handwriting_candidate_appends_it(harness, lang):
    at = harness
    at.query_params["lang"] = lang
    at.session_state["t_hw_cands"] = ["天", "夫", "夭"]
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    labels = [b.label for b in _buttons(at, "t_hw_cand")]
    assert labels == ["天", "夫", "夭"]
    undo = at.button(key="t_hw_undo")
    assert undo.label == ("撤销一笔" if lang == "zh" else "Undo stroke")
    at.button(key="t_hw_cand0").click().run()
    assert at.session_state["v_texts"] == ["天"]
    assert _buttons(at, "t_hw_cand") == []               # the canvas starts fresh for the next one
    at.session_state["t_hw_cands"] = ["路", "略"]
    at.run()
    at.button(key="t_hw_cand0").click().run()
    assert at.session_state["v_texts"] == ["天路"]
    at.button(key="t_hw_bs").click().run()            # backspace deletes from the line
    assert at.session_state["v_texts"] == ["天"]


def test_a_character_the_font_lacks_is_never_offered(harness):
    at = harness
    at.session_state["v_font"] = "kai"
    at.session_state["t_hw_cands"] = ["𠀀", "天"]          # U+20000 is in no installed kai font
    at.run()
    assert [b.label for b in _buttons(at, "t_hw_cand")] == ["天"]
    at.button(key="t_hw_cand0").click().run()
    assert at.session_state["v_texts"] == ["天"] and len(at.error) == 0


def test_handwriting_never_offers_what_moderation_refuses(harness):
    """Alone (他妈的) or with the line it would join (他妈 + 的): never a tile."""
    at = harness
    at.session_state["t_hw_cands"] = ["他妈的", "天", "的"]
    at.run()
    assert [b.label for b in _buttons(at, "t_hw_cand")] == ["天", "的"]
    at.session_state["v_texts"] = ["他妈"]
    at.run()
    assert [b.label for b in _buttons(at, "t_hw_cand")] == ["天"]
    at.session_state["v_texts"] = ["妈妈"]                # 妈妈的 is allowed: so is 的
    at.run()
    assert [b.label for b in _buttons(at, "t_hw_cand")] == ["天", "的"]


def test_pinyin_widget_renders_candidates_for_typed_letters(harness):
    at = harness
    at.session_state["t_py_buf"] = "jinsha"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    from kiosk import input_methods

    cands = input_methods.get_pinyin_index().candidates("jinsha")
    assert cands[0].text == "金沙"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_kiosk_text_step_takes_a_handwriting_pick(monkeypatch, tmp_path, lang):
    """The real kiosk page: a picked candidate lands in line 1's field; a refused one does not."""
    monkeypatch.setenv("KIOSK_VAR", str(tmp_path))
    app = Path(__file__).resolve().parents[2] / "streamlit_app.py"
    at = AppTest.from_file(str(app), default_timeout=60)
    at.run()
    if lang == "en":
        at.button(key="k_lang_btn").click().run()
    at.button(key="v_start_btn").click().run()
    at.button(key="v_motif_sunbird").click().run()
    at.button(key="v_product_postcard").click().run()
    assert not at.exception, [e.message for e in at.exception]
    at.session_state["v_font"] = "kai"
    at.session_state["w_handwriting_hw_cands"] = ["天", "𠀀"]
    at.run()
    at.button(key="w_handwriting_hw_cand0").click().run()
    assert at.session_state["v_texts"] == ["天"]
    assert at.text_input(key="w_text_0").value == "天"
    at.session_state["w_handwriting_hw_cands"] = ["𠀀"]          # the font lacks it: no tile
    at.run()
    assert not [b for b in at.button if str(b.key or "").startswith("w_handwriting_hw_cand")]
    assert at.session_state["v_texts"] == ["天"]
    at.button(key="w_handwriting_hw_bs").click().run()
    assert at.text_input(key="w_text_0").value == ""
