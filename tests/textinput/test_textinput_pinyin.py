"""Pinyin: the candidate index built from jieba + pypinyin + the museum list."""
from __future__ import annotations

import sqlite3

from generator.motifs import list_motifs
from textinput.pinyin import PinyinIndex, build_index, museum_phrases
from textinput.synth import AUSPICIOUS_PINYIN


def _texts(index, typed, n=None):
    return [c.text for c in index.candidates(typed)][:n]


def test_thirty_auspicious_phrases_top5(pinyin_index):
    assert len(AUSPICIOUS_PINYIN) == 30
    top1 = sum(_texts(pinyin_index, py, 1) == [zh] for zh, py in AUSPICIOUS_PINYIN)
    top5 = sum(zh in _texts(pinyin_index, py, 5) for zh, py in AUSPICIOUS_PINYIN)
    assert top5 >= 29, [(zh, _texts(pinyin_index, py, 5)) for zh, py in AUSPICIOUS_PINYIN]
    assert top1 >= 27


def test_museum_list_and_motif_names_rank_first(pinyin_index):
    first = pinyin_index.candidates("jinsha")[0]
    assert (first.text, first.museum, first.consumed) == ("金沙", True, 6)
    # 金山 is a far more common word in jieba than 金沙 reads; the museum list still wins
    assert _texts(pinyin_index, "jinsha").index("金沙") < _texts(pinyin_index, "jinsha").index("金山")
    for m in list_motifs():
        from pypinyin import lazy_pinyin

        typed = "".join(lazy_pinyin(m.name_zh))
        assert _texts(pinyin_index, typed, 1) == [m.name_zh], m.id


def test_leading_syllables_offer_phrases_and_characters(pinyin_index):
    cands = pinyin_index.candidates("tianluxyz")        # no whole match: a typo at the end
    by_text = {c.text: c.consumed for c in cands}
    assert by_text["天路"] == 6 and by_text["天"] == 4
    cands = pinyin_index.candidates("fushouankang")
    assert cands[0].text == "福寿安康"
    assert any(c.text == "福寿" and c.consumed == 6 for c in cands)


def test_unfinished_last_syllable_completes(pinyin_index):
    assert "天路" in _texts(pinyin_index, "tianl", 5)
    assert "吉祥如意" in _texts(pinyin_index, "jixiangr", 5)


def test_everyday_characters_before_rare_readings(pinyin_index):
    assert _texts(pinyin_index, "xian", 4)[0] in "先现线县显"
    assert "绿" in _texts(pinyin_index, "lv", 5) and "女" in _texts(pinyin_index, "nv", 3)
    assert _texts(pinyin_index, "wo", 1) == ["我"]


def test_segmentation_boundaries(pinyin_index):
    assert pinyin_index.boundaries("xian")[0] == 4 and 2 in pinyin_index.boundaries("xian")
    assert pinyin_index.boundaries("fushouankang")[0] == 12
    assert pinyin_index.boundaries("") == []
    assert pinyin_index.candidates("") == [] and pinyin_index.candidates("'") == []


def test_case_is_ignored(pinyin_index):
    assert _texts(pinyin_index, "XiAn", 3) == _texts(pinyin_index, "xian", 3)


def test_build_is_atomic_and_museum_file_can_fix_readings(tmp_path):
    museum = tmp_path / "museum.txt"
    museum.write_text("# test list\n长乐未央\tchang le wei yang\n行行好\thang hang hao\n",
                      encoding="utf-8")
    assert ("行行好", "hang hang hao") in museum_phrases(museum)
    words = tmp_path / "words.txt"              # a small frequency list keeps this test fast
    words.write_text("银行 5000 n\n行 9000 v\n长乐 20 ns\n", encoding="utf-8")
    path = build_index(tmp_path / "ix" / "p.sqlite", museum_file=museum, dict_file=words)
    assert sorted(p.name for p in path.parent.iterdir()) == ["p.sqlite"]   # no temp left
    index = PinyinIndex(path, build=False)
    assert _texts(index, "hanghanghao", 1) == ["行行好"]
    assert _texts(index, "changleweiyang", 1) == ["长乐未央"]
    assert _texts(index, "yinhang", 1) == ["银行"]              # heteronym read in context
    assert "行" in _texts(index, "xing", 3)
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM entry WHERE word = '银行'").fetchone()[0] == 1


def test_index_is_built_under_kiosk_var_on_first_use(tmp_path, monkeypatch, pinyin_index_path):
    from textinput import pinyin

    monkeypatch.setenv("KIOSK_VAR", str(tmp_path))
    assert pinyin.default_index_path().is_relative_to(tmp_path)
    # reuse the session's built file rather than paying for a second build
    target = pinyin.default_index_path()
    target.parent.mkdir(parents=True)
    target.write_bytes(pinyin_index_path.read_bytes())
    assert _texts(PinyinIndex(build=False), "tianlu", 1) == ["天路"]


def test_rest_after_a_pick_skips_apostrophes():
    from textinput.pinyin import rest_after

    assert rest_after("fushouankang", 6) == "ankang"
    assert rest_after("xi'an'ren", 4) == "ren"
    assert rest_after("tian'lu", 4) == "lu"
    assert rest_after("jinsha", 6) == ""


def test_an_apostrophe_forces_a_syllable_break(pinyin_index):
    assert _texts(pinyin_index, "xi'an", 1) == ["西安"]
    assert _texts(pinyin_index, "xian", 1) != ["西安"]
    plain = set(_texts(pinyin_index, "xian"))
    assert "先" in plain and "先" in _texts(pinyin_index, "xi'an")   # still offered, later
    assert _texts(pinyin_index, "fang'an", 1) == ["方案"]


def test_initials_find_phrases(pinyin_index):
    first = pinyin_index.candidates("jxry")[0]
    assert (first.text, first.museum, first.consumed) == ("吉祥如意", True, 4)
    first = pinyin_index.candidates("tl")[0]
    assert (first.text, first.museum, first.consumed) == ("天路", True, 2)
    assert _texts(pinyin_index, "TL", 1) == ["天路"]
    # everyday words come from the dictionary too, after the museum's
    assert "中国" in _texts(pinyin_index, "zg", 8)
    assert "讨论" in _texts(pinyin_index, "tl", 12)
    # a museum phrase whose initials are still being typed
    assert "吉祥如意" in _texts(pinyin_index, "jxr", 5)
    assert "福寿安康" in _texts(pinyin_index, "fsak", 1)


def test_initials_rank_museum_phrases_first(pinyin_index):
    for typed in ("tl", "jxry", "fsak", "js"):
        cands = pinyin_index.candidates(typed)
        flags = [c.museum for c in cands]
        assert flags and flags[0], typed
        assert flags == sorted(flags, reverse=True), (typed, [c.text for c in cands])
    # 金沙 (museum) before 觉得, 建设... (far more common in jieba)
    assert _texts(pinyin_index, "js", 1) == ["金沙"]


def test_initials_do_not_push_full_pinyin_down(pinyin_index):
    # what reads as full pinyin keeps its place; initials come after it
    assert _texts(pinyin_index, "wo", 1) == ["我"]
    assert _texts(pinyin_index, "xian", 4)[0] in "先现线县显"
    assert _texts(pinyin_index, "tianlu", 1) == ["天路"]
    assert _texts(pinyin_index, "jixiangruyi", 1) == ["吉祥如意"]
    assert "天路" in _texts(pinyin_index, "tianl", 5)


def test_museum_file_initials_follow_its_pinyin(tmp_path):
    museum = tmp_path / "museum.txt"
    museum.write_text("行行好\thang hang hao\n", encoding="utf-8")
    words = tmp_path / "words.txt"
    words.write_text("好好 900 d\n很好 5000 a\n", encoding="utf-8")
    index = PinyinIndex(build_index(tmp_path / "p.sqlite", museum_file=museum, dict_file=words),
                        build=False)
    assert _texts(index, "hhh", 1) == ["行行好"]           # h-h-h, not x-x-h
    assert _texts(index, "xxh") == []
    # museum phrases still being typed (行行好, and motif phrases such as 花好月圆) first, then
    # the dictionary's words, the more frequent first
    cands = index.candidates("hh")
    assert cands[0].text == "行行好" and all(c.museum for c in cands[:-2])
    assert [c.text for c in cands[-2:]] == ["很好", "好好"]


def test_offerable_refuses_denied_words_alone_and_with_the_line(pinyin_index):
    """The pinyin keys filter their candidates with textinput.offerable (kiosk/input_methods)."""
    from textinput import offerable

    assert pinyin_index.candidates("tamade")[0].text == "他妈的"       # what the index holds
    assert not offerable("他妈的", "hei")
    assert offerable("的", "hei") and not offerable("的", "hei", line="他妈")
    assert offerable("的", "hei", line="妈妈")                         # allow list: 妈妈的
    assert offerable("天", "hei", line="他妈的")       # a line already refused hides nothing more
    assert "傻屄" in [c.text for c in pinyin_index.candidates("shabi")]
    assert not offerable("傻屄", "hei")
    assert not offerable("𠀀", "kai")                                  # the font lacks it
