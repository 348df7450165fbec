"""The Design contract: every bad input gets one bilingual message naming the field."""
import json
from pathlib import Path

import pytest

from generator.design import MAX_CHARS, Design, load_design, make_design, overlap_fraction
from base.errors import DesignError


def base(**over):
    d = {"version": 1, "motif": "sunbird", "product": "postcard", "seed": 7,
         "lines": [{"text": "天路", "box": [0.30, 0.08, 0.40, 0.12], "font": "wenkai",
                    "color": "#F5D27A", "vertical": False}]}
    d.update(over)
    return d


def line(**over):
    ln = {"text": "天路", "box": [0.1, 0.1, 0.3, 0.1]}
    ln.update(over)
    return ln


def test_design_md_example_validates_and_trims():
    d = make_design(base(lines=[line(text="  天路 ")]))
    assert isinstance(d, Design)
    assert d.lines[0].text == "天路"
    assert d.lines[0].rgb() == (0xF5, 0xD2, 0x7A)
    # round trip through JSON: the same Design comes back
    again = load_design(d.model_dump_json())
    assert again == d


def test_load_design_from_file(tmp_path):
    p = tmp_path / "d.json"
    p.write_text(json.dumps(base(), ensure_ascii=False), encoding="utf-8")
    assert load_design(p).motif == "sunbird"
    assert load_design(str(p)).lines[0].text == "天路"


@pytest.mark.parametrize("data, field, en_part, zh_part", [
    (base(lines=[]), "lines", "1-5 lines", "1-5 行"),
    (base(lines=[line(box=[0.0, i * 0.16, 0.5, 0.15]) for i in range(6)]), "lines", "at most 5", "最多 5"),
    (base(lines=[line(text="   ")]), "lines[0].text", "1-20 characters", "1-20 个字符"),
    (base(lines=[line(text="天" * (MAX_CHARS + 1))]), "lines[0].text", "got 21", "21"),
    (base(lines=[line(text="天\u200b路")]), "lines[0].text", "U+200B", "不可见字符"),
    (base(lines=[line(text="天\x07路")]), "lines[0].text", "U+0007", "控制字符"),
    (base(lines=[line(text="天路😀")]), "lines[0].text", "U+1F600", "不含这些字符"),
    (base(lines=[line(text="𠀀天")]), "lines[0].text", "U+20000", "不含这些字符"),
    (base(lines=[line(text="مرحبا")]), "lines[0].text", "U+0645", "不含这些字符"),
    (base(lines=[line(box=[0.8, 0.1, 0.3, 0.1])]), "lines[0].box", "inside the art", "画面之内"),
    (base(lines=[line(box=[-0.1, 0.1, 0.3, 0.1])]), "lines[0].box", "inside the art", "画面之内"),
    (base(lines=[line(box=[0.1, 0.1, 0.0, 0.1])]), "lines[0].box", "positive", "大于 0"),
    (base(lines=[line(box=[0.1, 0.1, 0.3])]), "lines[0].box", "", "x, y, 宽, 高"),
    (base(lines=[line(box=[0.1, 0.1, 0.4, 0.4]), line(box=[0.2, 0.2, 0.4, 0.4])]), "design",
     "overlap", "重叠"),
    (base(lines=[line(font="comic")]), "lines[0].font", "unknown font 'comic'", "未知字体"),
    (base(lines=[line(color="gold")]), "lines[0].color", "#RRGGBB", "#RRGGBB"),
    (base(lines=[line(color="#12345G")]), "lines[0].color", "#RRGGBB", "#RRGGBB"),
    (base(motif="dragon"), "motif", "unknown motif 'dragon'", "未知纹样"),
    (base(product="mug"), "product", "unknown product 'mug'", "未知产品"),
    (base(backend="dalle"), "backend", "unknown backend", "未知生成方式"),
    (base(version=2), "version", "", "取值不被允许"),
    (base(mode="edit"), "design", "source_image", "source_image"),
    (base(colour="#FFFFFF"), "colour", "", "不允许的字段"),
    ({"lines": [line()]}, "motif", "", "缺少此字段"),
])
def test_bad_designs_name_the_field_in_both_languages(data, field, en_part, zh_part):
    with pytest.raises(DesignError) as err:
        make_design(data)
    e = err.value
    assert e.field == field
    assert e.en.startswith(field + ":") and en_part in e.en
    assert e.zh.startswith(field + "：") and zh_part in e.zh


def test_small_overlap_is_allowed_and_measured_against_the_smaller_box():
    a, b = [0.0, 0.0, 0.5, 0.5], [0.45, 0.0, 0.5, 0.5]  # 10% of either box
    assert overlap_fraction(a, b) == pytest.approx(0.1)
    make_design(base(lines=[line(box=a), line(box=b)]))
    small = [0.4, 0.4, 0.1, 0.1]  # 25% of the small box lies inside the big one
    assert overlap_fraction([0.0, 0.0, 0.425, 1.0], small) == pytest.approx(0.25)


def test_invalid_json_text_and_non_objects(tmp_path):
    with pytest.raises(DesignError, match="not valid JSON"):
        load_design('{"motif": ')
    for content in ("[1, 2]", "null", "42"):
        p = tmp_path / "d.json"
        p.write_text(content, encoding="utf-8")
        with pytest.raises(DesignError, match="must be a JSON object") as err:
            load_design(p)
        assert "JSON 对象" in err.value.zh


def test_unreadable_and_non_json_files(tmp_path):
    with pytest.raises(DesignError, match="cannot read design file"):
        load_design(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DesignError):
        load_design(bad)
    broken = tmp_path / "broken.json"
    broken.write_text('{"motif": "sunbird",', encoding="utf-8")
    with pytest.raises(DesignError, match="not valid JSON"):
        load_design(broken)


def test_an_empty_line_erases_only_in_edit_mode():
    lines = [line(), line(text=" ", box=[0.1, 0.5, 0.3, 0.1])]
    with pytest.raises(DesignError) as err:
        make_design(base(lines=lines))
    assert err.value.field == "lines[1].text" and "edit mode" in err.value.en and "擦除" in err.value.zh
    d = make_design(base(lines=lines, mode="edit", source_image="photo.png"))
    assert d.texts() == ["天路", ""]


# -- numbers that are not numbers, boxes too small to print, files that are not designs -------
NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("data, field, en_part, zh_part", [
    (base(lines=[line(box=[NAN, 0.1, 0.3, 0.1])]), "lines[0].box", "got NaN", "NaN"),
    (base(lines=[line(box=[0.1, 0.1, INF, 0.1])]), "lines[0].box", "got Infinity", "Infinity"),
    (base(lines=[line(box=[0.1, 0.1, 0.3, -INF])]), "lines[0].box", "got -Infinity", "-Infinity"),
    (base(seed=NAN), "seed", "finite number", "有限的数字"),
    (base(seed=1e308), "seed", "too large", "太大"),
    (base(seed=10 ** 400), "seed", "too large", "太大"),
    (base(lines=[line(box=[0.1, 0.1, 1e308, 0.1])]), "lines[0].box", "inside the art", "画面之内"),
    (base(lines=[line(box=[0.1, 0.1, 10 ** 400, 0.1])]), "lines[0].box", "too large", "太大"),
    (base(lines=[line(box=[0.1, 0.1, 1e-9, 0.1])]), "lines[0].box",
     "too small to print one character: 0.0 x 10.6 mm at the postcard's print size; at least 4 mm",
     "0.0 × 10.6 毫米"),
    (base(lines=[line(box=[0.1, 0.1, 1e-200, 1e-200])]), "lines[0].box", "too small", "框太小"),
    (base(lines=[line(), line(box=[0.1, 0.5, 1e-200, 1e-200])]), "lines[1].box", "too small", "框太小"),
    (base(layout="poker-1x1"), "layout", "poker-1x1", "poker-1x1"),
])
def test_non_finite_huge_and_tiny_are_refused_naming_the_field(data, field, en_part, zh_part):
    test_bad_designs_name_the_field_in_both_languages(data, field, en_part, zh_part)


@pytest.mark.parametrize("product, layout, box, size", [
    ("postcard", None, [0.1, 0.1, 0.5, 0.03], "77.0 x 3.2 mm at the postcard's"),
    ("bookmark", None, [0.1, 0.1, 0.06, 0.3], "3.4 x 46.8 mm at the bookmark's"),
    ("poker", None, [0.1, 0.1, 0.6, 0.05], "23.4 x 3.8 mm at the poker's"),
    ("poker", "poker-57x87", [0.1, 0.1, 0.11, 0.3], "3.7 x 22.5 mm at the poker's"),
])
def test_box_too_small_for_one_character_at_the_products_print_size(product, layout, box, size):
    data = base(product=product, layout=layout, lines=[line(box=box)])
    with pytest.raises(DesignError) as err:
        make_design(data)
    e = err.value
    assert e.field == "lines[0].box"
    assert e.en == f"lines[0].box: too small to print one character: {size} print size; at least 4 mm"
    assert e.zh.startswith("lines[0].box：框太小") and "短边至少 4 毫米" in e.zh
    # the same box, a little larger, prints
    x, y, w, h = box
    make_design(base(product=product, layout=layout, lines=[line(box=[x, y, w * 1.3, h * 1.3])]))


def _json_text(box_json: str) -> str:
    return ('{"motif": "sunbird", "product": "postcard", "lines": [{"text": "天路", "box": %s}]}'
            % box_json)


@pytest.mark.parametrize("text, field, en_part, zh_part", [
    (_json_text("[NaN, 0.1, 0.3, 0.1]"), "lines[0].box", "got NaN", "有限的数字"),
    (_json_text("[0.1, 0.1, Infinity, 0.1]"), "lines[0].box", "got Infinity", "有限的数字"),
    (_json_text("[0.1, 0.1, 0.3, -Infinity]"), "lines[0].box", "got -Infinity", "有限的数字"),
    (_json_text("[0.1, 0.1, 1e400, 0.1]"), "lines[0].box", "got Infinity", "有限的数字"),
    (_json_text("[0.1, 0.1, 1e-9, 0.1]"), "lines[0].box", "too small to print", "框太小"),
    (_json_text("[0.1, 0.1, 1%s, 0.1]" % ("0" * 5000)), "lines[0].box", "too large (5001 digits)",
     "5001 位"),
    ('{"seed": 1%s, "motif": "sunbird"}' % ("0" * 5000), "seed", "too large", "太大"),
    ('{"motif": "sunbird", "x": %s0%s}' % ("[" * 100_000, "]" * 100_000), "design",
     "nested too deeply", "嵌套层数太多"),
    ('{"motif": "sunbird", "x": %s0%s}' % ("{\"a\": " * 21, "}" * 21), "design",
     "nested too deeply", "嵌套层数太多"),
])
def test_load_refuses_non_finite_huge_and_deep_json(tmp_path, text, field, en_part, zh_part):
    p = tmp_path / "d.json"
    p.write_text(text, encoding="utf-8")
    for source in (p, str(p), text):
        with pytest.raises(DesignError) as err:
            load_design(source)
        e = err.value
        assert e.field == field
        assert e.en.startswith(field) and en_part in e.en
        assert e.zh.startswith(field) and zh_part in e.zh


def test_deep_dicts_are_refused_without_recursion():
    deep: dict = {}
    for _ in range(100_000):
        deep = {"a": deep}
    with pytest.raises(DesignError) as err:
        make_design({**base(), "x": deep})
    assert err.value.field.startswith("x.a.a.a") and err.value.en.startswith(err.value.field + ":")
    assert "nested too deeply" in err.value.en and "嵌套层数太多" in err.value.zh


def test_brackets_inside_strings_are_not_nesting():
    text = json.dumps(base(lines=[line(text="天路")], motif="sunbird"), ensure_ascii=False)
    text = text[:-1] + ', "colour": "%s"}' % ("[{" * 50)
    with pytest.raises(DesignError) as err:
        load_design(text)
    assert err.value.field == "colour"  # judged as an unknown field, not as deep nesting


def test_huge_file_is_refused_before_reading_it_all(tmp_path, monkeypatch):
    p = tmp_path / "huge.json"
    p.write_text(json.dumps(base())[:-1] + ', "pad": "' + "x" * 300_000 + '"}', encoding="utf-8")
    opened = []  # the size is judged from the file system: the file is never opened
    real_open = type(p).open
    monkeypatch.setattr(type(p), "open", lambda self, *a, **k: opened.append(self) or real_open(self, *a, **k))
    monkeypatch.setattr(type(p), "read_text", lambda self, *a, **k: opened.append(self) or "")
    monkeypatch.setattr(type(p), "read_bytes", lambda self, *a, **k: opened.append(self) or b"")
    for source in (p, str(p)):
        with pytest.raises(DesignError) as err:
            load_design(source)
        assert err.value.field == "design"
        assert "too large" in err.value.en and "262144" in err.value.en
        assert "太大" in err.value.zh
    assert not opened
    monkeypatch.undo()
    with pytest.raises(DesignError, match="too large") as err:
        load_design(p.read_text(encoding="utf-8"))  # the same text given as a string
    assert "太大" in err.value.zh


def test_zero_area_boxes_do_not_divide_by_zero():
    assert overlap_fraction([0.1, 0.1, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]) == 0.0
    assert overlap_fraction([0.1, 0.1, 1e-200, 1e-200], [0.0, 0.0, 0.5, 0.5]) == 0.0


def test_endless_file_is_read_no_further_than_the_limit():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(DesignError) as err:
        load_design(Path("/dev/zero"))  # size 0 to stat, endless to read
    assert err.value.field == "design" and "too large" in err.value.en and "太大" in err.value.zh


def test_a_side_just_under_the_minimum_never_reads_as_the_minimum():
    with pytest.raises(DesignError) as err:  # 0.0374 x 106 mm = 3.96 mm
        make_design(base(lines=[line(box=[0.1, 0.1, 0.5, 0.0374])]))
    assert "77.0 x 3.9 mm" in err.value.en and "77.0 × 3.9 毫米" in err.value.zh
