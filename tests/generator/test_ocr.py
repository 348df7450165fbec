"""OCR check: recognizer-only read-back per box, folding, NED and unverifiable characters."""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from generator import ocr
from generator.design import make_design
from generator.textrender import pil_font


def test_ned_matches_the_benchmark_definition():
    assert ocr.ned("天路", "天路") == 1.0
    assert ocr.ned("福寿安康", "福寿安") == pytest.approx(0.75)
    assert ocr.ned("abc", "xyz") == 0.0
    assert ocr.ned("", "") == 1.0


def test_fold_width_and_look_alike_punctuation():
    assert ocr.fold("ＡＢ１２") == "AB12"
    assert ocr.fold("金沙•2026") == ocr.fold("金沙·2026")
    assert ocr.fold("金沙 2026") == "金沙2026"


def _image_with(lines, size=(512, 512)):
    im = Image.new("RGB", size, "#F4EBD8")
    d = ImageDraw.Draw(im)
    for text, (x, y), font in lines:
        d.text((x, y), text, font=pil_font(font, 56), fill="#201010")
    return im


def test_each_line_is_read_from_its_own_box():
    im = _image_with([("天路", (60, 40), "hei"), ("青铜神树", (60, 300), "song")])
    d = make_design({"motif": "sunbird", "lines": [
        {"text": "青铜神树", "box": [0.08, 0.55, 0.7, 0.18]},
        {"text": "天路", "box": [0.08, 0.05, 0.4, 0.18]}]})
    checks = ocr.check_lines(im, d.lines)
    assert [c.read for c in checks] == ["青铜神树", "天路"]
    assert all(c.exact and c.ned == 1.0 and c.confidence > 0.8 for c in checks)


def test_wrong_text_is_not_exact():
    im = _image_with([("天府", (60, 40), "hei")])
    d = make_design({"motif": "sunbird", "lines": [{"text": "天路", "box": [0.08, 0.05, 0.4, 0.18]}]})
    (c,) = ocr.check_lines(im, d.lines)
    assert c.read == "天府" and not c.exact and c.ned == pytest.approx(0.5)


def test_an_empty_box_reads_nothing():
    im = Image.new("RGB", (512, 512), "white")
    d = make_design({"motif": "sunbird", "lines": [{"text": "天路", "box": [0.1, 0.1, 0.4, 0.2]}]})
    (c,) = ocr.check_lines(im, d.lines)
    assert not c.exact and c.ned < 1.0


def test_characters_outside_the_dictionary_are_reported_unverifiable():
    rare = next(c for c in "㐀㐁㐂㐃㐄㐅" if c not in ocr.dictionary())
    c = ocr.check_line("天" + rare, "天", 0.9)
    assert c.unverifiable == rare and not c.exact
    assert c.passes      # unverifiable, not wrong: never repaired, never blocks approval
    assert ocr.check_line("天路", "天路", 0.9).unverifiable == ""
    assert not ocr.check_line("天路", "天府", 0.9).passes


def test_read_text_on_an_array():
    im = _image_with([("吉祥如意", (20, 20), "wenkai")], size=(320, 100))
    text, conf = ocr.read_text(np.asarray(im))
    assert text == "吉祥如意" and conf > 0.8


def test_edge_quote_marks_from_art_are_ignored_but_inner_ones_count():
    assert ocr.check_line("前程似锦", '"前程似锦', 0.9).exact
    assert ocr.check_line("前程似锦", "《前程似锦》", 0.9).exact
    assert not ocr.check_line("前程似锦", '前程"似锦', 0.9).exact
    assert not ocr.check_line("前程似锦", "前程似锦。", 0.9).exact  # only quotes and brackets
    assert not ocr.check_line("《天路》", "天路", 0.9).exact  # expected marks must be there


def test_a_word_space_may_read_as_nothing_or_one_separator():
    assert ocr.check_line("金沙 2026", "金沙2026", 0.9).exact
    assert ocr.check_line("金沙 2026", "金沙-2026", 0.9).exact
    assert ocr.check_line("金沙 2026", "金沙·2026", 0.9).exact
    assert not ocr.check_line("金沙 2026", "金沙--2026", 0.9).exact
    assert not ocr.check_line("金沙 2026", "金沙2025", 0.9).exact
    assert not ocr.check_line("金沙2026", "金沙-2026", 0.9).exact  # no space, no separator


# Long lines are sized by their box's width, so the glyphs fill a fraction of its height:
# these read back wrong when the whole box height was cropped (misread before, all four).
LONG = [("sunbird", "wenkai", "平安喜乐万事胜意成都欢迎你我爱博物馆", 1),
        ("sunbird", "hei", "天路神树太阳神鸟金沙遗址三星堆", 0),
        ("brocade", "kai", "吉祥如意岁岁平安一路顺风天府之国", 2),
        ("pearl_roundel", "song", "古蜀文明千年回响前程似锦福寿安康", 1)]


@pytest.mark.parametrize("motif,font,text,box", LONG)
def test_long_lines_on_busy_art_read_back(motif, font, text, box):
    from generator.cli import EVAL_BOXES
    from generator.procedural import render

    d = make_design({"motif": motif, "seed": 4, "lines": [
        {"text": text, "box": EVAL_BOXES[box], "font": font}]})
    (c,) = ocr.check_lines(render(d, (512, 512), 4), d.lines)
    assert c.exact, c.read


def test_a_long_line_is_read_in_overlapping_halves():
    text = "海内存知己天涯若比邻天路神树"
    im = _image_with([(text, (10, 10), "hei")], size=(14 * 58 + 20, 80))
    crop = np.asarray(im)
    assert ocr.read_halves(crop, text) == (text, pytest.approx(ocr.read_halves(crop, text)[1]))
    assert ocr.read_halves(crop, "海内存知己天涯若比邻天路神木") is None   # the right half disagrees
    assert ocr.read_halves(crop[:, :20], "天路") is None                  # too short to split


def _kai_line(text: str, expected: str):
    """`text` drawn as the typeset fallback draws it (brocade, cinnabar seal, AR PL UKai), the
    line asking for `expected`: the case where 知己 read as 知已."""
    from generator.cli import EVAL_BOXES
    from generator.procedural import render, typeset

    design = lambda t: make_design({"motif": "brocade", "seed": 0, "lines": [
        {"text": t, "box": EVAL_BOXES[0], "font": "kai", "color": "#FFF3DC"}]})
    art = render(design(text), (512, 512), 0)
    return typeset(art, design(text), design(text).lines, 104729), design(expected).lines


def test_a_look_alike_read_in_context_is_read_again_alone():
    im, lines = _kai_line("海内存知己", "海内存知己")
    assert ocr.recognize([ocr.crop_line(im, lines[0].box)])[0][0].endswith("知已")  # in context
    (c,) = ocr.check_lines(im, lines)
    assert c.exact and c.read == "海内存知己"


def test_a_really_different_character_still_fails_when_read_alone():
    im, lines = _kai_line("海内存知已", "海内存知己")   # the art says 已
    (c,) = ocr.check_lines(im, lines)
    assert not c.exact and c.read.endswith("已")
    assert ocr.read_alone(im, lines[0], "海内存知已") is None
    assert ocr.read_alone(im, lines[0], "海内存") is None          # a dropped character: no
